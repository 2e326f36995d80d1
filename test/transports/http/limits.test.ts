// The rate limiter and the session table on their own, with time moved by the test.
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/transports/http/rate-limit.js';
import { SessionTable } from '../../../src/transports/http/sessions.js';

describe('RateLimiter', () => {
  it('allows a minute of requests at once, then refills evenly and says when to come back', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take('alice').ok).toBe(true);
    expect(limiter.take('alice')).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(limiter.take('bob').ok).toBe(true);
    now += 1_000;
    expect(limiter.take('alice').ok).toBe(true);
    expect(limiter.take('alice').ok).toBe(false);
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
  function table(max = 2, idleMs = 1_000) {
    let now = 0;
    const sessions = new SessionTable<string>({ max, idleMs, now: () => now });
    return { sessions, advance: (ms: number) => (now += ms) };
  }

  it('holds places from the first request, so the cap cannot be overshot by a burst', () => {
    const { sessions } = table(2);
    const a = sessions.reserve();
    const b = sessions.reserve();
    expect(sessions.reserve()).toBeNull();
    a!.add('s1', 'alice', 'x');
    b!.release();
    expect(sessions.size).toBe(1);
    expect(sessions.reserve()).not.toBeNull();
  });

  it("gives a session only to the caller who opened it", () => {
    const { sessions } = table();
    sessions.reserve()!.add('s1', 'alice', 'x');
    expect(sessions.get('s1', 'alice')?.value).toBe('x');
    expect(sessions.get('s1', 'bob')).toBeUndefined();
    expect(sessions.get('s2', 'alice')).toBeUndefined();
  });

  it('a session with a call in flight is never idle; the idle time counts from its last request', () => {
    const { sessions, advance } = table(2, 1_000);
    const record = sessions.reserve()!.add('s1', 'alice', 'x');
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
    const a = sessions.reserve()!.add('a', 'alice', 'x');
    const b = sessions.reserve()!.add('b', 'bob', 'y');
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
