// The waiter alone, on a fake clock: acceptors per wait_for, the not-found grace period, backoff,
// jitter, failed polls, timeout and abort. No test here waits for real time. Tests of the schedule
// itself fix the jitter's random source at 0 (no jitter); the jitter tests seed it.
import { describe, expect, it } from 'vitest';
import { ErApiError, HttpFailure } from '../../src/er/errors.js';
import { seededRandom } from '../../src/emulator/faults.js';
import { DEFAULT_BACKOFF, decide, jitteredDelay, type Observation, type WaitFor, type WaitOptions, waitForState } from '../../src/er/waiter.js';
import { DEFAULT_POLL } from '../../src/toolkit/context.js';
import { FakeClock } from '../fake-clock.js';

type Item = { state: string };
/** What one scripted poll does: a state, null (not found), or an error to throw. */
type Step = string | null | Error;

const throttled = () => new ErApiError({ status: 429, headers: {}, body: '{"error_code":"APIGW.0308","error_msg":"throttled"}' });
const forbidden = () => new ErApiError({ status: 403, headers: {}, body: '{"error_code":"APIGW.0302","error_msg":"forbidden"}' });
const reset = () => new HttpFailure('network', 'network error: ECONNRESET', [{ kind: 'failure', failure: 'network', possiblyDelivered: true }]);

/** A poll that plays `steps` in order, then repeats the last one; records each deadline it was given. */
function scripted(steps: Step[]) {
  const deadlines: number[] = [];
  let i = 0;
  const poll = async ({ deadline }: { deadline: number }): Promise<Item | null> => {
    deadlines.push(deadline);
    const step = steps[Math.min(i++, steps.length - 1)]!;
    if (step instanceof Error) throw step;
    return step === null ? null : { state: step };
  };
  return { poll, deadlines, calls: () => i };
}

function wait(waitFor: WaitFor, steps: Step[], overrides: Partial<WaitOptions<Item>> = {}) {
  const clock = new FakeClock(true);
  const script = scripted(steps);
  const observations: Observation<Item>[] = [];
  const run = waitForState<Item>({
    waitFor,
    poll: script.poll,
    clock,
    timeoutMs: 50_000,
    pollTimeoutMs: 30_000,
    onObservation: (o) => observations.push(o),
    random: () => 0,
    ...overrides,
  });
  return { run, clock, script, observations };
}

describe('acceptors', () => {
  it('available: pending → available is a success after three polls, with backoff ×1.5 between them', async () => {
    const { run, clock, observations } = wait('available', ['pending', 'pending', 'available']);
    const result = await run;
    expect(result).toMatchObject({ status: 'success', state: 'available', value: { state: 'available' }, polls: 3, elapsedMs: 5_000 });
    expect(clock.sleeps).toEqual([2_000, 3_000]);
    expect(observations.map((o) => [o.poll, o.state, o.decision, o.elapsedMs])).toEqual([
      [1, 'pending', 'retry', 0],
      [2, 'pending', 'retry', 2_000],
      [3, 'available', 'success', 5_000],
    ]);
  });

  it('`failed` ends every wait as a failure', async () => {
    for (const waitFor of ['available', 'deleted', 'terminal'] as const) {
      const result = await wait(waitFor, ['pending', 'failed']).run;
      expect(result, waitFor).toMatchObject({ status: 'failure', state: 'failed', polls: 2 });
    }
  });

  it('deleted: not_found at once is a success; a lagging `available` after the delete keeps it polling', async () => {
    expect(await wait('deleted', [null]).run).toMatchObject({ status: 'success', state: 'not_found', polls: 1 });
    expect(await wait('deleted', ['available', 'deleting', null]).run).toMatchObject({ status: 'success', state: 'not_found', polls: 3 });
  });

  it('terminal: available, deleted and not_found end it at once; pending and deleting do not', async () => {
    for (const end of ['available', 'deleted', null]) {
      expect(await wait('terminal', ['pending', 'deleting', end]).run).toMatchObject({ status: 'success', polls: 3 });
    }
  });

  it('the decision table, state by state', () => {
    const table = (waitFor: WaitFor, inGrace: boolean) =>
      Object.fromEntries(['pending', 'available', 'deleting', 'deleted', 'failed', 'not_found', 'modifying'].map((s) => [s, decide(waitFor, { state: s, retryable: false, inGrace })]));
    expect(table('available', true)).toEqual({ pending: 'retry', available: 'success', deleting: 'retry', deleted: 'retry', failed: 'failure', not_found: 'retry', modifying: 'retry' });
    expect(table('available', false)).toEqual({ pending: 'retry', available: 'success', deleting: 'retry', deleted: 'failure', failed: 'failure', not_found: 'failure', modifying: 'retry' });
    expect(table('deleted', false)).toEqual({ pending: 'retry', available: 'retry', deleting: 'retry', deleted: 'success', failed: 'failure', not_found: 'success', modifying: 'retry' });
    expect(table('terminal', false)).toEqual({ pending: 'retry', available: 'success', deleting: 'retry', deleted: 'success', failed: 'failure', not_found: 'success', modifying: 'retry' });
  });
});

describe('not_found while waiting for available', () => {
  it('is "keep waiting" during the grace period: a create the list does not show yet still ends available', async () => {
    const { run, observations } = wait('available', [null, null, null, 'pending', 'available']);
    const result = await run;
    expect(result).toMatchObject({ status: 'success', state: 'available', polls: 5 });
    expect(observations.slice(0, 3).map((o) => [o.state, o.decision])).toEqual([
      ['not_found', 'retry'],
      ['not_found', 'retry'],
      ['not_found', 'retry'],
    ]);
  });

  it('ends the wait as a failure once the grace period (10 s by default) is over', async () => {
    const { run, observations } = wait('available', [null]);
    const result = await run;
    // Polls at 0, 2, 5, 9.5 s are inside the grace period; the one at 16.25 s is not.
    expect(observations.map((o) => o.elapsedMs)).toEqual([0, 2_000, 5_000, 9_500, 16_250]);
    expect(result).toMatchObject({ status: 'failure', state: 'not_found', polls: 5, elapsedMs: 16_250 });
  });

  it('the grace period is settable', async () => {
    const result = await wait('available', [null], { notFoundGraceMs: 0 }).run;
    expect(result).toMatchObject({ status: 'failure', state: 'not_found', polls: 1 });
  });
});

describe('failed polls', () => {
  it('a throttled poll mid-wait is retried, remembered while it lasts, and forgotten after a good poll', async () => {
    const { run, observations } = wait('available', ['pending', throttled(), reset(), 'available']);
    const result = await run;
    expect(result.status).toBe('success');
    expect(result.lastError).toBeUndefined();
    expect(result.polls).toBe(4);
    expect(observations.map((o) => [o.state, o.error instanceof Error ? o.error.constructor.name : undefined, o.decision])).toEqual([
      ['pending', undefined, 'retry'],
      [undefined, 'ErApiError', 'retry'],
      [undefined, 'HttpFailure', 'retry'],
      ['available', undefined, 'success'],
    ]);
  });

  it('a wait that times out after failing polls reports the last state and the last error', async () => {
    const error = throttled();
    const result = await wait('available', ['pending', error], { timeoutMs: 6_000 }).run;
    expect(result).toMatchObject({ status: 'timeout', state: 'pending', polls: 4 });
    expect(result.lastError).toBe(error);
  });

  it('a first poll that fails for good (403) ends the wait as a failure, after one poll', async () => {
    const error = forbidden();
    const { run, clock } = wait('available', [error]);
    const result = await run;
    expect(result).toMatchObject({ status: 'failure', polls: 1 });
    expect(result.state).toBeUndefined();
    expect(result.lastError).toBe(error);
    expect(clock.sleeps).toEqual([]);
  });

  it('a first poll that is throttled is retried, not a failure', async () => {
    expect(await wait('available', [throttled(), 'available']).run).toMatchObject({ status: 'success', polls: 2 });
  });

  it('a poll failing for good mid-wait ends it, keeping the last state seen', async () => {
    const result = await wait('deleted', ['deleting', forbidden()]).run;
    expect(result).toMatchObject({ status: 'failure', state: 'deleting', polls: 2 });
    expect(result.lastError).toBeInstanceOf(ErApiError);
  });

  it('an unknown error (a bug, a bad body) is not retried', async () => {
    expect(await wait('available', ['pending', new TypeError('boom')]).run).toMatchObject({ status: 'failure', polls: 2 });
  });
});

describe('time', () => {
  it('backs off ×1.5 up to the maximum, and the last sleep ends exactly at the timeout', async () => {
    const { run, clock } = wait('available', ['pending'], { timeoutMs: 50_000 });
    const result = await run;
    expect(clock.sleeps).toEqual([2_000, 3_000, 4_500, 6_750, 10_000, 10_000, 10_000, 3_750]);
    expect(result).toMatchObject({ status: 'timeout', state: 'pending', polls: 9, elapsedMs: 50_000 });
  });

  it('custom backoff', async () => {
    const { run, clock } = wait('available', ['pending'], { timeoutMs: 3_000, backoff: { initialMs: 500, maxMs: 1_000 } });
    await run;
    expect(clock.sleeps).toEqual([500, 750, 1_000, 750]);
  });

  it('timeout 0 looks once: a settled state is a success, anything else a timeout without sleeping', async () => {
    expect(await wait('available', ['available'], { timeoutMs: 0 }).run).toMatchObject({ status: 'success', polls: 1 });
    const once = wait('available', ['pending'], { timeoutMs: 0 });
    expect(await once.run).toMatchObject({ status: 'timeout', state: 'pending', polls: 1, elapsedMs: 0 });
    expect(once.clock.sleeps).toEqual([]);
  });

  it('each poll gets its own budget, cut at the end of the wait plus the overrun', async () => {
    const clock = new FakeClock(true, 1_000_000);
    const script = scripted(['pending']);
    await waitForState<Item>({ waitFor: 'available', poll: script.poll, clock, timeoutMs: 10_000, pollTimeoutMs: 8_000, pollOverrunMs: 1_000, random: () => 0 });
    // Polls at +0, +2 s, +5 s, +9.5 s and +10 s: each may run 8 s, but not past +11 s.
    expect(script.deadlines.map((d) => d - 1_000_000)).toEqual([8_000, 10_000, 11_000, 11_000, 11_000]);
    const once = scripted(['pending']);
    await waitForState<Item>({ waitFor: 'available', poll: once.poll, clock, timeoutMs: 0, pollTimeoutMs: 8_000 });
    expect(once.deadlines).toEqual([clock.now() + 8_000]);
  });
});

describe('jitter', () => {
  /** The backoff's schedule without chance: 2 s, ×1.5 each time, at most 10 s. */
  const nominal = (n: number) => Array.from({ length: n }, (_, i) => Math.min(10_000, Math.round(2_000 * 1.5 ** i)));

  it('each wait lies within [¾ of the schedule, the schedule], and they vary', async () => {
    const { run, clock } = wait('available', ['pending'], { timeoutMs: 600_000, random: seededRandom(42) });
    await run;
    const waits = clock.sleeps.slice(0, -1); // the last is cut to end at the timeout
    expect(waits.length).toBeGreaterThan(50);
    nominal(waits.length).forEach((schedule, i) => {
      expect(waits[i], `wait ${i + 1}`).toBeGreaterThanOrEqual(schedule * 0.75);
      expect(waits[i], `wait ${i + 1}`).toBeLessThanOrEqual(schedule);
    });
    // Among the waits at the 10 s cap, hardly two are alike: not one fixed rhythm.
    const capped = waits.slice(4);
    expect(new Set(capped).size).toBeGreaterThan(capped.length * 0.9);
    expect(Math.min(...capped)).toBeLessThan(8_000);
    expect(Math.max(...capped)).toBeGreaterThan(9_500);
  });

  it('agents that start waiting together drift apart instead of polling in lock-step', async () => {
    const agents = [1, 2, 3].map((seed) => wait('available', ['pending'], { timeoutMs: 60_000, random: seededRandom(seed) }));
    await Promise.all(agents.map((a) => a.run));
    const pollTimes = agents.map((a) => a.observations.map((o) => o.elapsedMs));
    // All look at once first; from the second poll on, no two agents poll at the same moment.
    expect(pollTimes.map((times) => times[0])).toEqual([0, 0, 0]);
    for (let poll = 1; poll < 5; poll++) expect(new Set(pollTimes.map((times) => times[poll])).size).toBe(3);
  });

  it('never runs past the wait: whatever the chance, the last sleep ends exactly at the timeout', async () => {
    const pick = seededRandom(7);
    for (let i = 0; i < 200; i++) {
      const timeoutMs = 1 + Math.floor(pick() * 60_000);
      const { run, clock } = wait('available', ['pending'], { timeoutMs, random: seededRandom(i) });
      const result = await run;
      expect(result, `timeout ${timeoutMs}`).toMatchObject({ status: 'timeout', elapsedMs: timeoutMs });
      expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(timeoutMs);
      expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs);
    }
  });

  it('the bounds themselves: no chance keeps the schedule, the most chance takes a quarter off; jitter 0 turns it off', () => {
    expect(jitteredDelay(10_000, 0.25, () => 0)).toBe(10_000);
    expect(jitteredDelay(10_000, 0.25, () => 0.999_999)).toBe(7_501);
    expect(jitteredDelay(2_000, 0.25, () => 0.5)).toBe(1_750);
    expect(jitteredDelay(2_000, 0, () => 0.9)).toBe(2_000);
  });

  it('the tools poll with the same jitter as the waiter by default', async () => {
    expect(DEFAULT_POLL).toEqual({ initialMs: 2_000, maxMs: 10_000, jitter: 0.25 });
    const { run, clock } = wait('available', ['pending', 'available'], { backoff: { initialMs: 1_000, maxMs: 1_000 }, random: () => 0.5 });
    await run;
    expect(clock.sleeps).toEqual([875]);
  });
});

describe('abort', () => {
  it('an abort during the sleep ends the wait at once, as aborted, with the last state', async () => {
    const clock = new FakeClock(false);
    const controller = new AbortController();
    const script = scripted(['pending']);
    const run = waitForState<Item>({ waitFor: 'available', poll: script.poll, clock, signal: controller.signal, timeoutMs: 50_000, pollTimeoutMs: 30_000 });
    await untilTrue(() => clock.pending() === 1);
    controller.abort();
    expect(await run).toMatchObject({ status: 'aborted', state: 'pending', polls: 1 });
    expect(clock.pending()).toBe(0);
  });

  it('an abort while a poll is in flight is an abort, not a failed poll', async () => {
    const controller = new AbortController();
    const poll = async ({ signal }: { signal?: AbortSignal }): Promise<Item | null> => {
      controller.abort();
      throw signal?.reason ?? new Error('aborted');
    };
    const result = await waitForState<Item>({ waitFor: 'available', poll, clock: new FakeClock(true), signal: controller.signal, timeoutMs: 50_000, pollTimeoutMs: 30_000 });
    expect(result).toMatchObject({ status: 'aborted', polls: 0 });
  });

  it('an already aborted signal polls nothing', async () => {
    const script = scripted(['available']);
    const result = await waitForState<Item>({ waitFor: 'available', poll: script.poll, clock: new FakeClock(true), signal: AbortSignal.abort(), timeoutMs: 50_000, pollTimeoutMs: 30_000 });
    expect(result.status).toBe('aborted');
    expect(script.calls()).toBe(0);
  });
});

describe('observations', () => {
  it('a listener that throws or rejects does not change the wait', async () => {
    for (const onObservation of [() => { throw new Error('listener'); }, () => Promise.reject(new Error('listener'))]) {
      const result = await wait('available', ['pending', 'available'], { onObservation }).run;
      expect(result).toMatchObject({ status: 'success', polls: 2 });
    }
  });

  it('a listener that never settles does not hold the wait up', async () => {
    const result = await wait('available', ['pending', 'available'], { onObservation: () => new Promise(() => undefined) }).run;
    expect(result.status).toBe('success');
  });
});

/** Polls a condition on microtask turns (the fake clock needs no real time). */
async function untilTrue(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !condition(); i++) await Promise.resolve();
  expect(condition()).toBe(true);
}
