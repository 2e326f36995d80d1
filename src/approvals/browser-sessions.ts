// Browser sessions of the HTTP approval page: after a person signs in with their bearer token, the
// browser holds only a random session id (in a cookie); the server keeps who they are and until
// when, in memory. The token itself is checked once and never kept. Bounded: past the cap the
// oldest session ends, so sign-ins cannot grow memory without limit.
import { randomBytes } from 'node:crypto';

export interface BrowserSession {
  /** 32 random bytes, base64url: the cookie's value. */
  id: string;
  caller: string;
  scopes: readonly string[];
  /** Milliseconds since the epoch. */
  createdAt: number;
  expiresAt: number;
}

export const MAX_SESSION_MS = 8 * 60 * 60_000;
export const MAX_BROWSER_SESSIONS = 1_000;

export class BrowserSessions {
  /** In creation order, which is also the order to evict in. */
  private readonly sessions = new Map<string, BrowserSession>();

  constructor(
    private readonly now: () => number,
    private readonly max = MAX_BROWSER_SESSIONS,
  ) {}

  /** A new session for this caller, ending after 8 hours or when the token does (`tokenExpiresAt`, ms), whichever is first. */
  create(caller: string, scopes: readonly string[], tokenExpiresAt?: number): BrowserSession {
    const now = this.now();
    this.forgetExpired(now);
    while (this.sessions.size >= this.max) this.sessions.delete(this.sessions.keys().next().value!);
    const expiresAt = Math.min(now + MAX_SESSION_MS, tokenExpiresAt ?? Infinity);
    const session: BrowserSession = { id: randomBytes(32).toString('base64url'), caller, scopes: [...scopes], createdAt: now, expiresAt };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, or undefined. */
  get(id: string | undefined): BrowserSession | undefined {
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  end(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id);
  }

  private forgetExpired(now: number): void {
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id);
  }
}
