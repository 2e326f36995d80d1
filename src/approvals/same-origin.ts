// A page's POSTs must come from the page itself. Browsers say where a request comes from
// (Origin on every POST, Sec-Fetch-Site in current ones); a request from another site is refused
// before its body is read, whatever credential it carries. Scripts send neither header and pass.
import type { IncomingHttpHeaders } from 'node:http';

/** Why the POST is refused (403), or null when it may come from the page's own origin. */
export function crossSiteRefusal(headers: IncomingHttpHeaders, ownOrigin: string): string | null {
  if (headers['sec-fetch-site'] === 'cross-site') return 'The request came from another site';
  const origin = headers.origin;
  if (origin !== undefined && origin !== ownOrigin) return 'The request came from another origin';
  return null;
}
