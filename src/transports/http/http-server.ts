// `serve --http`: MCP over Streamable HTTP on node:http. Every request passes, in order: the
// Host/Origin check, authentication, the caller's rate limit, then /mcp (sessions, body limit).
// /healthz and the OAuth metadata need no token. The approval pages (/approvals/…) come after the
// Host/Origin check and do their own authentication with the same tokens and limits. SIGTERM
// handling calls drain().
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApprovalDesk } from '../../approvals/desk.js';
import { APPROVALS_PATH, HttpApprovalPages } from '../../approvals/http-pages.js';
import { OIDC_CALLBACK_PATH, type OidcSignInConfig } from '../../approvals/oidc-sign-in.js';
import type { Logger } from '../../log.js';
import { Authenticator } from './auth.js';
import { type HealthFacts, healthReport } from './health.js';
import { checkHostAndOrigin } from './host-check.js';
import { toAuthInfo } from './identity.js';
import { McpEndpoint, type Session, type SessionServerFactory } from './mcp-endpoint.js';
import { METRICS_PATH, serveMetrics } from './metrics-endpoint.js';
import type { Observer } from '../../observe/observer.js';
import { type AuthorizationServer, discoverAuthorizationServer } from './issuer-metadata.js';
import { createJwtVerifier } from './oauth.js';
import { addressKey, RateLimiter } from './rate-limit.js';
import { metadataPaths, resourceMetadata, resourceMetadataUrl } from './resource-metadata.js';
import { RPC, sendJson, sendRpcError } from './responses.js';
import { SessionTable } from './sessions.js';
import type { HttpSettings, OAuthSettings } from './http-settings.js';

export type { SessionServer, SessionServerFactory } from './mcp-endpoint.js';

export interface HttpServerOptions {
  settings: HttpSettings;
  /** Builds the MCP server of each new session. */
  newServer: SessionServerFactory;
  health: () => HealthFacts;
  /** Where plans are shown and decided; without it /approvals answers 404. */
  approvals?: ApprovalDesk;
  log: Logger;
  /** The JWT claim a policy's groups match (read per request: a reloaded policy applies at once); absent: none is kept. */
  groupsClaim?: () => string | undefined;
  /** Milliseconds since the epoch; a test may move it. */
  now?: () => number;
  /** Told of sessions opened and closed. */
  observer?: Pick<Observer, 'sessionOpened' | 'sessionClosed'>;
  /** What GET /metrics answers (Prometheus text); without it /metrics answers 404. */
  metrics?: { render(): string };
}

export interface DrainResult {
  /** Calls still running when the bound ran out (they were cut). */
  abandoned: number;
}

export interface RunningHttpServer {
  /** The MCP endpoint's URL as clients should use it. */
  url: string;
  /** Where it actually listens (the port is known only now when 0 was asked for). */
  port: number;
  sessions: SessionTable<Session>;
  /** The public URL of a plan's approval page. */
  approvalUrl(planId: string): string;
  /** Closes sessions idle past the setting; runs on a timer, callable by tests. */
  expireIdleSessions(): Promise<number>;
  /**
   * Stops new sessions and calls, waits up to `boundMs` for calls in flight, then closes everything.
   * `answered`, when given, is awaited before anything closes: the gate's drain, which answers the
   * writes still running at the bound; those answers then get a moment to reach their clients.
   */
  drain(boundMs: number, answered?: Promise<unknown>): Promise<DrainResult>;
}

const MCP_PATH = '/mcp';
const HEALTH_PATH = '/healthz';
/** How often idle sessions are looked for, at most. */
const MAX_SWEEP_MS = 30_000;
/** How long answers given at the drain's bound may take to be written out before the sessions close. */
const FLUSH_MS = 1_000;
/** How long an idle keep-alive connection stays open. */
export const KEEP_ALIVE_MS = 65_000;

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { settings, log } = options;
  const now = options.now ?? Date.now;
  const startedAt = now();

  // Resolved before listening: a server that cannot check tokens must not look ready.
  const authorizationServer = settings.oauth ? await discoverAuthorizationServer(settings.oauth) : null;
  if (authorizationServer?.warning) log.warn(authorizationServer.warning);
  const jwt = settings.oauth && authorizationServer ? createJwtVerifier(settings.oauth, authorizationServer.jwksUrl, options.groupsClaim ? { groupsClaim: options.groupsClaim } : {}) : null;
  let resource: URL | undefined;
  const authenticator = new Authenticator({
    tokens: settings.tokens,
    jwt,
    ...(settings.oauth ? { resourceMetadataUrl: () => resourceMetadataUrl(resource!) } : {}),
  });
  const limiter = new RateLimiter(settings.rateLimitPerMinute, now);
  // Each caller's share keeps one from locking the others out. Without authentication (loopback)
  // everyone is the one local user: there are no others, and the cap alone applies.
  const maxPerCaller = authenticator.required ? settings.maxSessionsPerCaller : settings.maxSessions;
  const { observer } = options;
  const sessions = new SessionTable<Session>({
    max: settings.maxSessions,
    maxPerOwner: maxPerCaller,
    idleMs: settings.sessionIdleMs,
    now,
    ...(observer ? { onOpened: () => observer.sessionOpened(), onClosed: () => observer.sessionClosed() } : {}),
  });
  let draining = false;
  const endpoint = new McpEndpoint({ sessions, newServer: options.newServer, log, isDraining: () => draining });
  const oidc = settings.oauth && authorizationServer ? oidcSignIn(settings.oauth, authorizationServer, () => `${resource!.origin}${OIDC_CALLBACK_PATH}`) : null;
  const pages = options.approvals
    ? new HttpApprovalPages({ desk: options.approvals, authenticator, limiter, ...(settings.publicUrl ? { publicUrl: settings.publicUrl } : {}), ...(oidc ? { oidc } : {}), log, now })
    : null;
  const policy = { allowedHosts: settings.allowedHosts, allowedOrigins: settings.allowedOrigins };
  let metadataAt = new Set<string>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === HEALTH_PATH && req.method === 'GET') {
      // No Host check: load balancers probe by address. Nothing here is secret or changes state.
      const report = healthReport(options.health(), startedAt, now(), draining);
      sendJson(res, draining ? 503 : 200, report);
      return;
    }
    const refusal = checkHostAndOrigin(req.headers, policy);
    if (refusal) {
      log.warn({ remote: req.socket.remoteAddress, reason: refusal }, 'refused a request (DNS-rebinding protection)');
      sendRpcError(res, 403, RPC.server, `Forbidden: ${refusal}`);
      return;
    }
    // Before the CORS answers below: the pages are for browsers on their own origin, not for other sites' scripts.
    if (pages && (path === APPROVALS_PATH || path.startsWith(`${APPROVALS_PATH}/`))) return pages.handle(req, res);
    allowOrigin(req, res);
    if (req.method === 'OPTIONS') return preflight(res);
    if (settings.oauth && metadataAt.has(path) && req.method === 'GET') {
      sendJson(res, 200, resourceMetadata(resource!, settings.oauth.issuer), { 'access-control-allow-origin': '*' });
      return;
    }
    if (path === METRICS_PATH && options.metrics) {
      const { metrics } = options;
      return serveMetrics(req, res, { authenticator, limiter, render: () => metrics.render(), log });
    }
    if (path !== MCP_PATH) {
      sendJson(res, 404, { error: 'not_found' });
      return;
    }

    const auth = await authenticator.authenticate(req.headers.authorization);
    if (!auth.ok) {
      // Guessing tokens costs the guesser's address its share of the rate limit.
      const slowed = auth.status === 401 ? limiter.take(addressKey(req.socket.remoteAddress)) : { ok: true as const };
      if (!slowed.ok) return tooManyRequests(res, slowed.retryAfterSeconds);
      log.warn({ remote: req.socket.remoteAddress, status: auth.status, reason: auth.description }, 'refused a request (authentication)');
      const headers = auth.wwwAuthenticate ? { 'www-authenticate': auth.wwwAuthenticate } : auth.status === 503 ? { 'retry-after': '5' } : {};
      sendJson(res, auth.status, { error: auth.error, error_description: auth.description }, headers);
      return;
    }
    const { identity } = auth;
    const allowed = limiter.take(identity.caller);
    if (!allowed.ok) {
      log.warn({ caller: identity.caller, retry_after_s: allowed.retryAfterSeconds }, 'rate limit reached');
      return tooManyRequests(res, allowed.retryAfterSeconds);
    }
    await endpoint.handle(req, res, identity, toAuthInfo(identity, auth.token));
    log.debug({ caller: identity.caller, method: req.method, status: res.statusCode }, 'MCP request');
  }

  /** Browsers may call only from the origins allowed above; they must see the session header. */
  function allowOrigin(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (!origin) return;
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
    res.setHeader('access-control-expose-headers', 'Mcp-Session-Id, WWW-Authenticate, Retry-After');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error({ err: error instanceof Error ? error.message : String(error) }, 'HTTP request failed');
      if (!res.headersSent) sendRpcError(res, 500, -32603, 'Internal server error');
      else res.end();
    });
  });
  // Node closes an idle keep-alive connection after 5 s, about when several HTTP clients (undici,
  // Python's httpx) give theirs up, and a client whose timer runs late (a busy machine) sends on a
  // connection the server is closing: a reset. Holding it longer than clients do leaves the closing
  // to them; shutdown closes them all anyway.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  resource = settings.publicUrl ?? new URL(`http://${urlHost(settings.host)}:${port}${MCP_PATH}`);
  metadataAt = new Set(metadataPaths(resource));

  const expireIdleSessions = async (): Promise<number> => {
    const idle = sessions.idle();
    await Promise.all(idle.map((record) => endpoint.close(record, 'idle')));
    return idle.length;
  };
  const sweep = setInterval(() => void expireIdleSessions(), Math.min(MAX_SWEEP_MS, Math.max(1_000, settings.sessionIdleMs / 4)));
  sweep.unref();

  log.info(
    {
      url: resource.href,
      listen: `${urlHost(settings.host)}:${port}`,
      auth: [settings.tokens ? `static tokens (${settings.tokens.length})` : null, settings.oauth ? `OAuth (issuer ${settings.oauth.issuer})` : null].filter(Boolean).join(' + ') || 'none (loopback only)',
      allowed_hosts: settings.allowedHosts,
      rate_limit_per_minute: settings.rateLimitPerMinute,
      max_sessions: settings.maxSessions,
      max_sessions_per_caller: maxPerCaller,
      session_idle_seconds: settings.sessionIdleMs / 1000,
    },
    'MCP over Streamable HTTP listening',
  );
  if (pages && oidc) {
    // What to register at the authorization server; the client secret, if any, is not named.
    log.info({ redirect_uri: oidc.redirectUri(), client_id: oidc.clientId, client: oidc.clientSecret === undefined ? 'public (PKCE)' : 'confidential (client_secret_basic + PKCE)', scopes: oidc.scopes.join(' ') }, 'approval pages: sign-in at the authorization server');
  }

  /** Whether every call in flight ended within `ms`. */
  async function quietWithin(ms: number): Promise<'quiet' | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    const finished = await Promise.race([sessions.whenQuiet().then(() => 'quiet' as const), outOfTime]);
    clearTimeout(timer);
    return finished;
  }

  const pagesOrigin = resource.origin;
  return {
    url: resource.href,
    port,
    sessions,
    approvalUrl: (planId) => `${pagesOrigin}${APPROVALS_PATH}/${encodeURIComponent(planId)}`,
    expireIdleSessions,
    async drain(boundMs, answered) {
      draining = true;
      clearInterval(sweep);
      // Still listening: a call in flight may need its client to answer (an approval), and that
      // answer can come on a new connection. Everything new is refused with 503 meanwhile.
      const inFlight = sessions.inFlight();
      log.info({ calls_in_flight: inFlight, bound_ms: boundMs }, 'draining: no new sessions, waiting for calls in flight');
      let finished = await quietWithin(boundMs);
      if (answered) {
        // Closing a session aborts its calls, and the SDK sends nothing for an aborted call: the
        // answers the gate gives at the bound must be out before anything closes.
        await answered;
        if (finished === 'timeout') finished = await quietWithin(FLUSH_MS);
      }
      const abandoned = finished === 'timeout' ? sessions.inFlight() : 0;
      if (abandoned > 0) log.warn({ calls_cut: abandoned }, 'drain bound reached: cutting the calls still running');
      const open = sessions.all();
      await Promise.all(open.map((record) => endpoint.close(record, 'shutdown')));
      log.info({ sessions_closed: open.length }, 'drained');
      server.close();
      server.closeAllConnections();
      return { abandoned };
    },
  };
}

/** The approval pages' sign-in, when a client id is configured and the issuer's metadata names its endpoints. */
function oidcSignIn(oauth: OAuthSettings, server: AuthorizationServer, redirectUri: () => string): OidcSignInConfig | null {
  if (!oauth.login || !server.signIn) return null;
  const { clientId, clientSecret, scopes } = oauth.login;
  return { issuer: oauth.issuer, audience: oauth.audience, endpoints: server.signIn, clientId, ...(clientSecret !== undefined ? { clientSecret } : {}), scopes, redirectUri };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '[::]') return 'localhost';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function preflight(res: ServerResponse): void {
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, POST, DELETE',
    'access-control-allow-headers': 'Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID',
    'access-control-max-age': '600',
  });
  res.end();
}

function tooManyRequests(res: ServerResponse, retryAfterSeconds: number): void {
  sendRpcError(res, 429, RPC.server, 'Too many requests: slow down', { 'retry-after': String(retryAfterSeconds) });
}
