// The approval pages of `serve --http`, under /approvals on the same server as /mcp and behind the
// same authentication. Scripts send their bearer token on each request; people sign in once, with
// theirs at /approvals/login or at the authorization server (OIDC, when configured), and get a
// browser session (a cookie holding a random id, never a token). Every request counts against the
// rate limit: its caller's once known, else its address's.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { AuthResult, Authenticator } from '../transports/http/auth.js';
import type { Identity } from '../transports/http/identity.js';
import { addressKey, type RateLimiter } from '../transports/http/rate-limit.js';
import { BrowserSessions } from './browser-sessions.js';
import { CsrfTokens } from './csrf.js';
import type { ApprovalDesk } from './desk.js';
import { readForm } from './form-body.js';
import { OIDC_CALLBACK_PATH, OidcSignIn, type OidcSignInConfig } from './oidc-sign-in.js';
import { renderContinuePage, renderLoginPage, renderSignedInPage } from './page.js';
import { redirect, sendHtml, sendPageJson, sendProblem, wantsJson } from './page-answers.js';
import { type PageCaller, planIdIn, PlanRoutes } from './routes.js';
import { crossSiteRefusal } from './same-origin.js';
import { SessionCookie } from './session-cookie.js';

export const APPROVALS_PATH = '/approvals';
const LOGIN_PATH = `${APPROVALS_PATH}/login`;
const LOGOUT_PATH = `${APPROVALS_PATH}/logout`;
const OIDC_START_PATH = `${APPROVALS_PATH}/oidc/start`;

export interface HttpApprovalPagesOptions {
  desk: ApprovalDesk;
  /** The server's own: the pages accept exactly the tokens /mcp accepts. */
  authenticator: Authenticator;
  /** The server's own: the pages and /mcp draw on the same budgets. */
  limiter: RateLimiter;
  /** The URL clients reach the server at, when configured: its origin is the pages' origin, and https makes the cookie Secure. */
  publicUrl?: URL;
  /** Sign-in at the authorization server, beside the token form. */
  oidc?: OidcSignInConfig;
  log: Logger;
  now: () => number;
}

type AuthFailure = Extract<AuthResult, { ok: false }>;

/** A caller; a bearer token that was refused; or no credential at all (with the challenge to answer). */
type Identified = { kind: 'caller'; caller: PageCaller } | { kind: 'refused'; auth: AuthFailure } | { kind: 'anonymous'; auth: AuthFailure };

export class HttpApprovalPages {
  private readonly routes: PlanRoutes;
  private readonly sessions: BrowserSessions;
  private readonly cookie: SessionCookie;
  private readonly oidc: OidcSignIn | null;
  /** Per process: a restart invalidates every form, as it ends every session. */
  private readonly csrf = new CsrfTokens(randomBytes(32));

  constructor(private readonly options: HttpApprovalPagesOptions) {
    this.routes = new PlanRoutes({ desk: options.desk, log: options.log, now: options.now });
    this.sessions = new BrowserSessions(options.now);
    const secure = options.publicUrl?.protocol === 'https:';
    this.cookie = new SessionCookie(secure);
    this.oidc = options.oidc ? new OidcSignIn({ ...options.oidc, authenticator: options.authenticator, secureCookie: secure, now: options.now }) : null;
  }

  /** Any request whose path is /approvals or under it. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === LOGIN_PATH) return this.login(req, res);
    if (path === LOGOUT_PATH) return this.logout(req, res);
    if (this.oidc && path === OIDC_START_PATH) return this.startOidc(req, res, this.oidc);
    if (this.oidc && path === OIDC_CALLBACK_PATH) return this.finishOidc(req, res, this.oidc);
    const planId = path.startsWith(`${APPROVALS_PATH}/`) ? planIdIn(path.slice(APPROVALS_PATH.length + 1)) : undefined;
    const who = await this.identify(req);
    if (who.kind === 'refused') return this.refuse(req, res, who.auth);
    if (who.kind === 'anonymous') {
      if (!this.withinLimit(req, res, addressKey(req.socket.remoteAddress))) return;
      if (planId !== undefined && isBrowserNavigation(req)) return redirect(res, `${LOGIN_PATH}?next=${encodeURIComponent(planPath(planId))}`);
      return this.answerAuthFailure(req, res, who.auth);
    }
    if (!this.withinLimit(req, res, who.caller.approver.caller)) return;
    if (planId === undefined) return sendProblem(res, wantsJson(req), { status: 404, code: 'NOT_FOUND', message: 'Nothing here: approval pages are at /approvals/<plan id>' });
    await this.routes.handle(req, res, { planId, caller: who.caller, ownOrigin: this.ownOrigin(req) });
  }

  /**
   * A bearer header wins (no browser sends one by itself, so its POSTs need no CSRF token); else the
   * browser session, if any. Without authentication (a loopback server) everyone is one caller, as on
   * /mcp; a browser still sends nothing of its own then, so those forms are bound to a fixed "session".
   */
  private async identify(req: IncomingMessage): Promise<Identified> {
    const { authenticator } = this.options;
    const header = req.headers.authorization;
    const bearer = /^bearer\s/i.test(header ?? '');
    const session = bearer ? undefined : this.sessions.get(this.cookie.read(req.headers.cookie));
    if (session) {
      return { kind: 'caller', caller: { approver: { caller: session.caller, scopes: session.scopes }, csrf: this.csrfFor(session.id), logoutAction: LOGOUT_PATH } };
    }
    const auth = await authenticator.authenticate(bearer ? header : undefined);
    if (!auth.ok) return bearer ? { kind: 'refused', auth } : { kind: 'anonymous', auth };
    return { kind: 'caller', caller: { approver: { caller: auth.identity.caller, scopes: auth.identity.scopes }, csrf: authenticator.required ? null : this.csrfFor('') } };
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET') {
      if (!this.withinLimit(req, res, addressKey(req.socket.remoteAddress))) return;
      const next = localNext(new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get('next'));
      if (next === false) return badNext(res);
      return this.loginPage(res, 200, next);
    }
    if (req.method !== 'POST') return sendProblem(res, false, { status: 405, code: 'METHOD_NOT_ALLOWED', message: 'Use GET or POST', headers: { allow: 'GET, POST' } });
    const crossSite = crossSiteRefusal(req.headers, this.ownOrigin(req));
    if (crossSite) return sendProblem(res, false, { status: 403, code: 'CROSS_SITE', message: crossSite });
    const form = await readForm(req);
    if (!form.ok) return sendProblem(res, false, { status: form.status, code: form.code, message: form.message });
    const next = localNext(form.fields.get('next'));
    if (next === false) return badNext(res);
    const auth = await this.options.authenticator.authenticate(`Bearer ${(form.fields.get('token') ?? '').trim()}`);
    if (!auth.ok) return this.failedLogin(req, res, auth, next);
    if (!this.withinLimit(req, res, auth.identity.caller)) return;
    const { caller, setCookie } = this.openSession(req, auth.identity, 'token');
    if (next) return redirect(res, next, { 'set-cookie': setCookie });
    sendHtml(res, 200, renderSignedInPage(caller), { 'set-cookie': setCookie });
  }

  /** The sign-in button's form: a new sign-in at the authorization server, bound to this browser by a cookie. */
  private async startOidc(req: IncomingMessage, res: ServerResponse, oidc: OidcSignIn): Promise<void> {
    if (req.method !== 'POST') return sendProblem(res, false, { status: 405, code: 'METHOD_NOT_ALLOWED', message: 'Use the sign-in button', headers: { allow: 'POST' } });
    const crossSite = crossSiteRefusal(req.headers, this.ownOrigin(req));
    if (crossSite) return sendProblem(res, false, { status: 403, code: 'CROSS_SITE', message: crossSite });
    // Each start keeps a pending sign-in in memory: every one costs the address.
    if (!this.withinLimit(req, res, addressKey(req.socket.remoteAddress))) return;
    const form = await readForm(req);
    if (!form.ok) return sendProblem(res, false, { status: form.status, code: form.code, message: form.message });
    const next = localNext(form.fields.get('next'));
    if (next === false) return badNext(res);
    // The browser comes back to the registered redirect URI: a state cookie set under another name would not be there.
    if (this.ownOrigin(req) !== oidc.callbackOrigin) return this.loginPage(res, 400, next, `${oidc.label} works only at ${oidc.callbackOrigin}${LOGIN_PATH}: open the page there.`);
    const { location, setCookie } = oidc.begin(next);
    this.options.log.info({ remote: req.socket.remoteAddress }, 'approval page sign-in sent to the authorization server');
    redirect(res, location, { 'set-cookie': setCookie });
  }

  /** Where the authorization server sends the browser back: a session, or the login page saying why not. */
  private async finishOidc(req: IncomingMessage, res: ServerResponse, oidc: OidcSignIn): Promise<void> {
    if (req.method !== 'GET') return sendProblem(res, false, { status: 405, code: 'METHOD_NOT_ALLOWED', message: 'Use GET', headers: { allow: 'GET' } });
    const outcome = await oidc.complete(new URLSearchParams((req.url ?? '').split('?')[1] ?? ''), req.headers.cookie);
    // Whatever happened, this sign-in is over: a new one starts from the button.
    const clearState = oidc.clearedCookie();
    if (!outcome.ok) {
      this.options.log.warn({ remote: req.socket.remoteAddress, status: outcome.status, reason: outcome.reason }, 'refused an approval page sign-in (OIDC)');
      if (!this.withinLimit(req, res, addressKey(req.socket.remoteAddress))) return;
      return this.loginPage(res, outcome.status, outcome.next, outcome.message, { 'set-cookie': clearState });
    }
    if (!this.withinLimit(req, res, outcome.identity.caller)) return;
    const { caller, setCookie } = this.openSession(req, outcome.identity, 'oidc');
    const headers = { 'set-cookie': [setCookie, clearState] };
    if (outcome.next) return sendHtml(res, 200, renderContinuePage(caller, outcome.next), headers);
    sendHtml(res, 200, renderSignedInPage(caller), headers);
  }

  /** A browser session for a verified token's identity, and the cookie line that hands it to the browser. */
  private openSession(req: IncomingMessage, identity: Identity, via: 'token' | 'oidc'): { caller: string; setCookie: string } {
    const session = this.sessions.create(identity.caller, identity.scopes, identity.expiresAt === undefined ? undefined : identity.expiresAt * 1000);
    this.options.log.info({ caller: session.caller, remote: req.socket.remoteAddress, via }, 'signed in to the approval pages');
    return { caller: session.caller, setCookie: this.cookie.set(session.id, (session.expiresAt - session.createdAt) / 1000) };
  }

  /** The sign-in page: the authorization server's button when configured, then the token form. */
  private loginPage(res: ServerResponse, status: number, next: string | null, message?: string, headers: OutgoingHttpHeaders = {}): void {
    const oidc = this.oidc ? { action: OIDC_START_PATH, label: this.oidc.label } : undefined;
    const page = renderLoginPage({ action: LOGIN_PATH, next, ...(message ? { message } : {}), ...(oidc ? { oidc } : {}) });
    sendHtml(res, status, page, headers, this.oidc ? [this.oidc.formTarget] : []);
  }

  private failedLogin(req: IncomingMessage, res: ServerResponse, auth: AuthFailure, next: string | null): void {
    this.options.log.warn({ remote: req.socket.remoteAddress, status: auth.status, reason: auth.description }, 'refused an approval page sign-in');
    if (auth.status === 503) return sendProblem(res, false, { status: 503, code: 'UNAVAILABLE', message: auth.description, headers: { 'retry-after': '5' } });
    // Guessing tokens here costs the guesser's address as it does on /mcp.
    if (auth.status === 401 && !this.withinLimit(req, res, addressKey(req.socket.remoteAddress))) return;
    const message = auth.status === 403 ? auth.description : 'That token is not valid. Check it and try again.';
    this.loginPage(res, auth.status, next, message);
  }

  private async logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return sendProblem(res, false, { status: 405, code: 'METHOD_NOT_ALLOWED', message: 'Use POST to sign out', headers: { allow: 'POST' } });
    const crossSite = crossSiteRefusal(req.headers, this.ownOrigin(req));
    if (crossSite) return sendProblem(res, false, { status: 403, code: 'CROSS_SITE', message: crossSite });
    const id = this.cookie.read(req.headers.cookie);
    const session = this.sessions.get(id);
    if (!this.withinLimit(req, res, session ? session.caller : addressKey(req.socket.remoteAddress))) return;
    req.resume();
    this.sessions.end(id);
    redirect(res, LOGIN_PATH, { 'set-cookie': this.cookie.cleared() });
  }

  /** A refused bearer token: a 401 counts against the client's address, as on /mcp. */
  private refuse(req: IncomingMessage, res: ServerResponse, auth: AuthFailure): void {
    if (auth.status === 401 && !this.withinLimit(req, res, addressKey(req.socket.remoteAddress))) return;
    this.options.log.warn({ remote: req.socket.remoteAddress, status: auth.status, reason: auth.description }, 'refused an approval page request (authentication)');
    this.answerAuthFailure(req, res, auth);
  }

  /** 401 with the server's challenge, 403 or 503, as JSON unless a browser is navigating. */
  private answerAuthFailure(req: IncomingMessage, res: ServerResponse, auth: AuthFailure): void {
    const headers = auth.wwwAuthenticate ? { 'www-authenticate': auth.wwwAuthenticate } : auth.status === 503 ? { 'retry-after': '5' } : {};
    const code = auth.status === 401 ? 'UNAUTHENTICATED' : auth.error.toUpperCase();
    sendProblem(res, !isBrowserNavigation(req), { status: auth.status, code, message: auth.description, headers });
  }

  /** Takes one request from the key's budget; past it, answers 429 and says so. */
  private withinLimit(req: IncomingMessage, res: ServerResponse, key: string): boolean {
    const decision = this.options.limiter.take(key);
    if (decision.ok) return true;
    this.options.log.warn({ remote: req.socket.remoteAddress, retry_after_s: decision.retryAfterSeconds }, 'rate limit reached (approval pages)');
    req.resume();
    const headers = { 'retry-after': String(decision.retryAfterSeconds) };
    if (wantsJson(req)) sendPageJson(res, 429, { error_code: 'RATE_LIMITED', message: 'Too many requests: slow down' }, headers);
    else sendProblem(res, false, { status: 429, code: 'RATE_LIMITED', message: 'Too many requests: wait a minute and try again', headers });
    return false;
  }

  private csrfFor(sessionId: string): PageCaller['csrf'] {
    return { tokenFor: (planId) => this.csrf.tokenFor(sessionId, planId), verify: (planId, token) => this.csrf.verify(token, sessionId, planId) };
  }

  /** The origin the browser sees: the public URL's when reached by its name, else plain http to the name it used. */
  private ownOrigin(req: IncomingMessage): string {
    const host = req.headers.host ?? '';
    const publicUrl = this.options.publicUrl;
    return publicUrl && host.toLowerCase() === publicUrl.host ? publicUrl.origin : `http://${host}`;
  }
}

function planPath(planId: string): string {
  return `${APPROVALS_PATH}/${encodeURIComponent(planId)}`;
}

/**
 * `next` as a plan page's path on this server, null when absent, false when it is anything else
 * (an absolute or protocol-relative URL, another path): the login never redirects off the pages.
 */
function localNext(value: string | null | undefined): string | null | false {
  if (value === null || value === undefined || value === '') return null;
  return /^\/approvals\/[A-Za-z0-9\-_.!~*'()%]+$/.test(value) ? value : false;
}

function badNext(res: ServerResponse): void {
  sendProblem(res, false, { status: 400, code: 'BAD_NEXT', message: 'The link to come back to is not an approval page of this server' });
}

/** A browser opening a page (it would follow a redirect to the sign-in form), not a script. */
function isBrowserNavigation(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html') && !wantsJson(req);
}
