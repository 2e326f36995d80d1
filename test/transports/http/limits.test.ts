// The rate limiter and the session table on their own, with time moved by the test.
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/transports/http/rate-limit.js';
import { type Place, SessionTable } from '../../../src/transports/http/sessions.js';

describe('RateLimiter', () => {
  it('allows a minute of requests at once, then refills evenly and says when to come back', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take('token:alice').ok).toBe(true);
    expect(limiter.take('token:alice')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take('token:bob').ok).toBe(true);
    now += 1_000;
    expect(limiter.take('token:alice').ok).toBe(true);
    expect(limiter.take('token:alice').ok).toBe(false);
  });

  it('Retry-After covers the wait for one request at a slow rate', () => {
    let now = 0;
    const limiter = new RateLimiter(2, () => now);
    limiter.take('a');
    limiter.take('a');
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 30 });
    now += 29_000;
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    now += 1_000;
    expect(limiter.take('a').ok).toBe(true);
  });

  it('never holds more than a minute of requests, however long a caller was away', () => {
    let now = 0;
    const limiter = new RateLimiter(3, () => now);
    now += 3_600_000;
    const results = [1, 2, 3, 4].map(() => limiter.take('a').ok);
    expect(results).toEqual([true, true, true, false]);
  });
});

describe('SessionTable', () => {
  function table(max = 2, idleMs = 1_000, maxPerOwner?: number) {
    let now = 0;
    const sessions = new SessionTable<string>({ max, idleMs, now: () => now, ...(maxPerOwner !== undefined ? { maxPerOwner } : {}) });
    return { sessions, advance: (ms: number) => (now += ms) };
  }

  /** A place the test expects to get. */
  function place(sessions: SessionTable<string>, owner: string): Place<string> {
    const reserved = sessions.reserve(owner);
    if (!reserved.ok) throw new Error(`expected a place for ${owner}, got ${reserved.reason}`);
    return reserved;
  }

  it('holds places from the first request, so the cap cannot be overshot by a burst', () => {
    const { sessions } = table(2);
    const a = place(sessions, 'token:alice');
    const b = place(sessions, 'token:bob');
    expect(sessions.reserve('token:carol')).toEqual({ ok: false, reason: 'cap' });
    a.add('s1', 'x');
    b.release();
    expect(sessions.size).toBe(1);
    expect(sessions.reserve('token:carol').ok).toBe(true);
  });

  it("gives a session only to the caller who opened it", () => {
    const { sessions } = table();
    place(sessions, 'token:alice').add('s1', 'x');
    expect(sessions.get('s1', 'token:alice')?.value).toBe('x');
    expect(sessions.get('s1', 'token:bob')).toBeUndefined();
    expect(sessions.get('s2', 'token:alice')).toBeUndefined();
  });

  it('a caller past its share is refused as such while others still get places, and gets one again when its session goes', () => {
    const { sessions } = table(10, 1_000, 2);
    place(sessions, 'token:alice').add('a1', 'x');
    const held = place(sessions, 'token:alice'); // being set up: counts as well
    expect(sessions.reserve('token:alice')).toEqual({ ok: false, reason: 'share' });
    expect(sessions.heldBy('token:alice')).toBe(2);
    // Another caller, and a JWT caller of the same name, each have their own share.
    place(sessions, 'token:bob').add('b1', 'y');
    place(sessions, 'jwt:https://as.example.com#alice').add('j1', 'z');
    held.release();
    expect(sessions.heldBy('token:alice')).toBe(1);
    place(sessions, 'token:alice').add('a2', 'x');
    expect(sessions.reserve('token:alice')).toEqual({ ok: false, reason: 'share' });
    expect(sessions.remove('a1')).toBe(true);
    expect(sessions.remove('a1')).toBe(false); // removing twice frees one place, not two
    expect(sessions.heldBy('token:alice')).toBe(1);
    expect(sessions.reserve('token:alice').ok).toBe(true);
  });

  it('a released place or a failed set-up gives the share back once, however often it is released', () => {
    const { sessions } = table(10, 1_000, 1);
    const first = place(sessions, 'token:alice');
    first.release();
    first.release();
    expect(sessions.heldBy('token:alice')).toBe(0);
    expect(sessions.size).toBe(0);
    place(sessions, 'token:alice').add('a1', 'x');
    expect(sessions.reserve('token:alice')).toEqual({ ok: false, reason: 'share' });
  });

  it('the share is never above the cap; without one, one caller may fill the table', () => {
    expect(table(3, 1_000, 50).sessions.maxPerOwner).toBe(3);
    const { sessions } = table(2);
    place(sessions, 'token:alice').add('a1', 'x');
    place(sessions, 'token:alice').add('a2', 'x');
    expect(sessions.reserve('token:bob')).toEqual({ ok: false, reason: 'cap' });
  });

  it('a session with a call in flight is never idle; the idle time counts from its last request', () => {
    const { sessions, advance } = table(2, 1_000);
    const record = place(sessions, 'token:alice').add('s1', 'x');
    sessions.begin(record);
    advance(5_000);
    expect(sessions.idle()).toEqual([]);
    sessions.end(record);
    advance(999);
    expect(sessions.idle()).toEqual([]);
    advance(1);
    expect(sessions.idle().map((r) => r.id)).toEqual(['s1']);
  });

  it('whenQuiet resolves when the last call in flight ends (or its session goes)', async () => {
    const { sessions } = table();
    const a = place(sessions, 'token:alice').add('a', 'x');
    const b = place(sessions, 'token:bob').add('b', 'y');
    sessions.begin(a);
    sessions.begin(b);
    let quiet = false;
    const waiting = sessions.whenQuiet().then(() => (quiet = true));
    sessions.end(a);
    await Promise.resolve();
    expect(quiet).toBe(false);
    expect(sessions.remove('b')).toBe(true);
    await waiting;
    expect(quiet).toBe(true);
    expect(sessions.remove('b')).toBe(false);
  });
});
