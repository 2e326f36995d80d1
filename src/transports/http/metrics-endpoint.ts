// GET /metrics: the server's metrics in the Prometheus text format, for a token with the
// `metrics` scope (a scraper's token needs nothing else, and opens no tool), or for anyone on a
// loopback server without authentication, as /mcp is. Like /mcp it comes after the Host/Origin
// check: a scraper that reaches the server by its IP address needs that address in
// --http-allowed-hosts. Failed authentications cost the address its share of the rate limit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../log.js';
import { PROMETHEUS_CONTENT_TYPE } from '../../observe/metrics/metric-store.js';
import { SCOPES } from '../../scopes.js';
import type { Authenticator } from './auth.js';
import { addressKey, type RateLimiter } from './rate-limit.js';
import { sendJson } from './responses.js';

export const METRICS_PATH = '/metrics';

export interface MetricsEndpointOptions {
  authenticator: Authenticator;
  limiter: RateLimiter;
  /** The metrics as Prometheus text. */
  render: () => string;
  log: Logger;
}

export async function serveMetrics(req: IncomingMessage, res: ServerResponse, options: MetricsEndpointOptions): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'method_not_allowed' }, { allow: 'GET, HEAD' });
    return;
  }
  const auth = await options.authenticator.authenticate(req.headers.authorization, SCOPES.metrics);
  if (!auth.ok) {
    const key = auth.status === 401 ? addressKey(req.socket.remoteAddress) : null;
    const slowed = key ? options.limiter.take(key) : { ok: true as const };
    if (!slowed.ok) {
      sendJson(res, 429, { error: 'too_many_requests' }, { 'retry-after': String(slowed.retryAfterSeconds) });
      return;
    }
    options.log.warn({ remote: req.socket.remoteAddress, status: auth.status, reason: auth.description, path: METRICS_PATH }, 'refused a request (authentication)');
    const headers = auth.wwwAuthenticate ? { 'www-authenticate': auth.wwwAuthenticate } : auth.status === 503 ? { 'retry-after': '5' } : {};
    sendJson(res, auth.status, { error: auth.error, error_description: auth.description }, headers);
    return;
  }
  const allowed = options.limiter.take(auth.identity.caller);
  if (!allowed.ok) {
    sendJson(res, 429, { error: 'too_many_requests' }, { 'retry-after': String(allowed.retryAfterSeconds) });
    return;
  }
  const text = options.render();
  res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : text);
}
