// OIDC sign-ins under way: from the moment the browser is sent to the authorization server until it
// comes back with a code. Each is kept here, by its `state`, with what only this server may know
// (the PKCE verifier) and where to go afterwards; the browser holds only the state, in a cookie.
// Used at most once, for at most 10 minutes, and bounded: past the cap the oldest is dropped, so
// starting sign-ins cannot grow memory without limit.
import { randomBytes } from 'node:crypto';

export interface PendingSignIn {
  /** 32 random bytes, base64url: the `state` parameter and the state cookie's value. */
  state: string;
  /** 32 random bytes, base64url (43 characters, within RFC 7636's 43-128). */
  verifier: string;
  /** The plan page to come back to, already checked to be one of ours. */
  next: string | null;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export const PENDING_SIGN_IN_MS = 10 * 60_000;
export const MAX_PENDING_SIGN_INS = 1_000;

export class PendingSignIns {
  /** In creation order, which is also the order to drop in. */
  private readonly pending = new Map<string, PendingSignIn>();

  constructor(
    private readonly now: () => number,
    private readonly max = MAX_PENDING_SIGN_INS,
  ) {}

  create(next: string | null): PendingSignIn {
    const now = this.now();
    for (const [state, entry] of this.pending) if (entry.expiresAt <= now) this.pending.delete(state);
    while (this.pending.size >= this.max) this.pending.delete(this.pending.keys().next().value!);
    const entry: PendingSignIn = { state: random(), verifier: random(), next, expiresAt: now + PENDING_SIGN_IN_MS };
    this.pending.set(entry.state, entry);
    return entry;
  }

  /** The live sign-in with this state, removed: a second callback with the same state finds nothing. */
  take(state: string): PendingSignIn | undefined {
    const entry = this.pending.get(state);
    this.pending.delete(state);
    return entry && entry.expiresAt > this.now() ? entry : undefined;
  }
}

function random(): string {
  return randomBytes(32).toString('base64url');
}
