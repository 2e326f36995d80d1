// The approval pages' sign-in at the authorization server (OIDC authorization code flow with PKCE),
// without the HTTP plumbing (http-pages.ts does that): `begin` starts one and says where to send the
// browser; `complete` checks what the browser brought back and turns it into the identity the
// access token proves. The proof is that access token, verified as /mcp verifies tokens (issuer,
// audience, expiry, signature; its scopes decide er:approve), never an ID token.
import { timingSafeEqual } from 'node:crypto';
import type { Authenticator } from '../transports/http/auth.js';
import type { Identity } from '../transports/http/identity.js';
import { OidcClient, type OidcClientOptions } from './oidc-client.js';
import { PENDING_SIGN_IN_MS, PendingSignIns } from './oidc-pending.js';
import { SessionCookie } from './session-cookie.js';

export const OIDC_CALLBACK_PATH = '/approvals/oidc/callback';

export interface OidcSignInConfig extends OidcClientOptions {
  issuer: string;
}

export interface OidcSignInOptions extends OidcSignInConfig {
  /** The server's own: the access token is checked as a bearer token on /mcp would be. */
  authenticator: Authenticator;
  /** Whether the public URL is https (the state cookie is then Secure). */
  secureCookie: boolean;
  now: () => number;
}

/** A refusal's `message` is for the person (it names no value); `reason` is for the log. */
export type SignInOutcome =
  | { ok: true; identity: Identity; next: string | null }
  | { ok: false; status: 400 | 401 | 403 | 502 | 503; message: string; reason: string; next: string | null };

/** Sent only to the callback; Lax, since the authorization server's redirect back is cross-site. */
const STATE_COOKIE = { name: 'er-approvals-oidc', sameSite: 'Lax', path: OIDC_CALLBACK_PATH } as const;
/** How an `error` the authorization server sends back may look to be repeated on the page. */
const ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

export class OidcSignIn {
  /** The button's text: "Sign in with" the authorization server's host. */
  readonly label: string;
  /** The authorization endpoint's origin: the sign-in form's redirect leads there. */
  readonly formTarget: string;
  private readonly host: string;
  private readonly client: OidcClient;
  private readonly pending: PendingSignIns;
  private readonly cookie: SessionCookie;

  constructor(private readonly options: OidcSignInOptions) {
    this.host = new URL(options.issuer).host;
    this.label = `Sign in with ${this.host}`;
    this.formTarget = options.endpoints.authorization.origin;
    this.client = new OidcClient(options);
    this.pending = new PendingSignIns(options.now);
    this.cookie = new SessionCookie(options.secureCookie, STATE_COOKIE);
  }

  /** The origin the authorization server sends the browser back to: the state cookie must be set there. */
  get callbackOrigin(): string {
    return new URL(this.options.redirectUri()).origin;
  }

  /** A new sign-in: where to send the browser, and the cookie that binds the sign-in to it. */
  begin(next: string | null): { location: string; setCookie: string } {
    const entry = this.pending.create(next);
    return { location: this.client.authorizationUrl(entry.state, entry.verifier), setCookie: this.cookie.set(entry.state, PENDING_SIGN_IN_MS / 1000) };
  }

  clearedCookie(): string {
    return this.cookie.cleared();
  }

  /** The callback's query and Cookie header, checked in this order: state, the server's answer, the code, the token. */
  async complete(query: URLSearchParams, cookieHeader: string | undefined): Promise<SignInOutcome> {
    const state = query.get('state');
    const bound = this.cookie.read(cookieHeader);
    // A state that is not the one this browser was given is someone else's sign-in (login CSRF, a code injected into this browser).
    if (!state || !bound || !sameText(state, bound)) return refused(400, 'This sign-in did not start in this browser, or it has expired. Start again.', 'state missing or not the one in the cookie', null);
    const entry = this.pending.take(state);
    if (!entry) return refused(400, 'This sign-in has expired or was already used. Start again.', 'state unknown, expired or already used', null);
    const error = query.get('error');
    if (error !== null) {
      const code = ERROR_CODE.test(error) ? error : 'an error';
      return refused(401, `${this.host} did not sign you in (${code}). Try again, or sign in with a token.`, `the authorization server answered ${code}`, entry.next);
    }
    const code = query.get('code');
    if (!code) return refused(400, `${this.host} sent you back without a code. Start again.`, 'no code', entry.next);
    const exchange = await this.client.exchange(code, entry.verifier);
    if (!exchange.ok) {
      if (exchange.kind === 'refused') return refused(401, `${this.host} refused to complete the sign-in. Start again.`, `token endpoint: ${exchange.detail}`, entry.next);
      return refused(502, `${this.host} could not complete the sign-in right now. Try again shortly.`, `token endpoint: ${exchange.detail}`, entry.next);
    }
    const auth = await this.options.authenticator.authenticate(`Bearer ${exchange.accessToken}`);
    if (!auth.ok) {
      const message = auth.status === 401 ? `The token ${this.host} issued is not accepted here: ${auth.description}.` : `${auth.description}.`;
      return refused(auth.status, message, `access token: ${auth.description}`, entry.next);
    }
    return { ok: true, identity: auth.identity, next: entry.next };
  }
}

function refused(status: 400 | 401 | 403 | 502 | 503, message: string, reason: string, next: string | null): SignInOutcome {
  return { ok: false, status, message, reason, next };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
