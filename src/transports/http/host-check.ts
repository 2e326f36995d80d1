// DNS-rebinding protection: a web page whose name was made to resolve to this server still
// sends its own name as Host and its own Origin. Only the names this server is reached by pass.
import type { IncomingHttpHeaders } from 'node:http';

export interface HostPolicy {
  /** Host names (port ignored), lower case, IPv6 in brackets. */
  allowedHosts: readonly string[];
  /** Exact origins; null: any origin whose host name is an allowed host. */
  allowedOrigins: readonly string[] | null;
}

/** Why the request is refused (403), or null when its Host and Origin are acceptable. */
export function checkHostAndOrigin(headers: IncomingHttpHeaders, policy: HostPolicy): string | null {
  const host = headers.host;
  if (!host) return 'Missing Host header';
  // Only name[:port]: no user info, path or spaces for URL parsing to interpret.
  if (!/^[A-Za-z0-9.\-[\]:]+$/.test(host)) return 'Host header not allowed';
  const hostname = hostNameOf(`http://${host}`);
  if (!hostname || !policy.allowedHosts.includes(hostname)) return 'Host header not allowed';
  // Clients that are not browsers send no Origin; a browser always does on these requests.
  const origin = headers.origin;
  if (origin === undefined) return null;
  if (policy.allowedOrigins) return policy.allowedOrigins.includes(origin) ? null : 'Origin not allowed';
  const originHost = origin === 'null' ? null : hostNameOf(origin);
  return originHost && policy.allowedHosts.includes(originHost) ? null : 'Origin not allowed';
}

/** Host names of the URLs seen last: a client sends the same Host and Origin on every request. */
const hostNames = new Map<string, string | null>();
/** Distinct URLs remembered, at most (a client sending a new one each time only empties the memo). */
const MAX_REMEMBERED = 64;

function hostNameOf(url: string): string | null {
  const known = hostNames.get(url);
  if (known !== undefined) return known;
  let hostname: string | null;
  try {
    hostname = new URL(url).hostname.toLowerCase();
  } catch {
    hostname = null;
  }
  if (hostNames.size >= MAX_REMEMBERED) hostNames.clear();
  hostNames.set(url, hostname);
  return hostname;
}
