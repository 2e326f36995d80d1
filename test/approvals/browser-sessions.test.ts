// Browser sessions and CSRF tokens on their own: bounded, expiring, bound to what they were made for.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BrowserSessions, MAX_SESSION_MS } from '../../src/approvals/browser-sessions.js';
import { CsrfTokens } from '../../src/approvals/csrf.js';

describe('browser sessions', () => {
  it('past the cap, the oldest session ends', () => {
    const sessions = new BrowserSessions(() => 0, 3);
    const made = Array.from({ length: 4 }, (_, i) => sessions.create(`caller-${i}`, ['er:read']));
    expect(sessions.get(made[0]!.id)).toBeUndefined();
    for (const session of made.slice(1)) expect(sessions.get(session.id)?.caller).toBe(session.caller);
  });

  it('ends after 8 hours, or when the token expires if that is sooner', () => {
    let now = 1_000_000;
    const sessions = new BrowserSessions(() => now);
    const long = sessions.create('static', ['er:read']);
    const short = sessions.create('jwt', ['er:read'], now + 60_000);
    expect(long.expiresAt).toBe(now + MAX_SESSION_MS);
    expect(short.expiresAt).toBe(now + 60_000);
    now += 60_000;
    expect(sessions.get(short.id)).toBeUndefined();
    expect(sessions.get(long.id)).toBeDefined();
    now += MAX_SESSION_MS - 60_000;
    expect(sessions.get(long.id)).toBeUndefined();
  });

  it('ids are 32 random bytes and an ended session is gone', () => {
    const sessions = new BrowserSessions(() => 0);
    const a = sessions.create('a', []);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessions.create('a', []).id).not.toBe(a.id);
    sessions.end(a.id);
    expect(sessions.get(a.id)).toBeUndefined();
  });
});

describe('CSRF tokens', () => {
  it('verify only for what they were made for, under the same key', () => {
    const tokens = new CsrfTokens(randomBytes(32));
    const token = tokens.tokenFor('session-1', 'plan-1');
    expect(tokens.verify(token, 'session-1', 'plan-1')).toBe(true);
    expect(tokens.verify(token, 'session-1', 'plan-2')).toBe(false);
    expect(tokens.verify(token, 'session-2', 'plan-1')).toBe(false);
    expect(tokens.tokenFor('a', 'b:c')).not.toBe(tokens.tokenFor('a:b', 'c'));
    expect(new CsrfTokens(randomBytes(32)).verify(token, 'session-1', 'plan-1')).toBe(false);
    expect(tokens.verify(undefined, 'session-1', 'plan-1')).toBe(false);
    expect(tokens.verify(token.slice(0, -1), 'session-1', 'plan-1')).toBe(false);
  });
});
