// A page's POSTs must come from the page itself. Browsers say where a request comes from
// (Origin on every POST, Sec-Fetch-Site in current ones); a request from another site is refused
// before its body is read, whatever credential it carries. Scripts send neither header and pass.
import type { IncomingHttpHeaders } from 'node:http';

/** Why the POST is refused (403), or null when it may come from the page's own origin. */
export function crossSiteRefusal(headers: IncomingHttpHeaders, ownOrigin: string): string | null {
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site') return 'The request came from another site';
  const origin = headers.origin;
  // The pages send no referrer (a loopback URL holds its key), and under that policy a browser
  // posts a page's own form with `Origin: null`: its Sec-Fetch-Site then says where it came from.
  // Another port of the same host is "same-site", not "same-origin", and stays refused.
  if (origin === 'null' && site === 'same-origin') return null;
  if (origin !== undefined && origin !== ownOrigin) return 'The request came from another origin';
  return null;
}
