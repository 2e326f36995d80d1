// get_association_state waiting: progress notifications, timeout, cancellation and `failed`.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import type { Emulator } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { FakeClock } from '../fake-clock.js';
import { connectInMemory, type InMemoryHarness, startTestEmulator, structured, WITHOUT_APPROVAL } from '../helpers.js';

const args = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };
let emulator: Emulator;
let harness: InMemoryHarness;

interface StateResult {
  state: string;
  terminal: boolean;
  polls: number;
  timed_out?: boolean;
  cancelled?: boolean;
  hint?: string;
}

/** The emulator's time: a change settles only when a test moves it on, never by a race with the machine's load. */
let emulatorMs = 0;

/** An association created and pending; it settles (available, or gone after a delete) a minute of emulator time later. */
async function setUp(): Promise<void> {
  emulatorMs = Date.now();
  emulator = await startTestEmulator({ availableAfterMs: 60_000, deletedAfterMs: 60_000, now: () => emulatorMs });
  harness = await connectInMemory(emulator, { settings: WITHOUT_APPROVAL });
  structured(await harness.client.callTool({ name: 'create_route_association', arguments: args }));
}

const listRequests = () => emulator.requests.filter((r) => r.operation === 'listAssociations').length;

afterEach(async () => {
  await harness.close();
  await emulator.close();
});

describe('get_association_state waiting', () => {
  it('looks once by default', async () => {
    await setUp();
    const before = listRequests();
    const body = structured<StateResult>(await harness.client.callTool({ name: 'get_association_state', arguments: args }));
    expect(body).toMatchObject({ state: 'pending', terminal: false, polls: 1 });
    expect(listRequests() - before).toBe(1);
  });

  it('sends one progress notification per poll, in order, until available', async () => {
    await setUp();
    const progress: Progress[] = [];
    const waiting = harness.client.callTool({ name: 'get_association_state', arguments: { ...args, wait_for: 'available', timeout_seconds: 30 } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    // Settles once the wait has seen it pending at least twice.
    await vi.waitFor(() => expect(progress.length).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    emulatorMs += 60_000;
    const body = structured<StateResult>(await waiting);
    expect(body.state).toBe('available');
    expect(body.polls).toBeGreaterThan(2);
    expect(progress).toHaveLength(body.polls);
    expect(progress.map((p) => p.progress)).toEqual(Array.from({ length: body.polls }, (_, i) => i + 1));
    expect(progress.slice(0, -1).every((p) => p.message?.startsWith('state pending after'))).toBe(true);
    expect(progress.at(-1)?.message).toMatch(/^state available after \d+\.\d s$/);
  });

  it('returns timed_out with the last state and a hint, not an error', async () => {
    await setUp();
    const result = await harness.client.callTool({ name: 'get_association_state', arguments: { ...args, wait_for: 'available', timeout_seconds: 1 } });
    expect(result.isError).toBeFalsy();
    const body = structured<StateResult>(result);
    expect(body).toMatchObject({ state: 'pending', timed_out: true, terminal: false });
    expect(body.hint).toContain('call get_association_state again');
  });

  it('stops polling promptly when the client cancels: the pending wait is dropped', async () => {
    // A clock that never moves by itself: a wait between polls ends only by cancellation.
    const clock = new FakeClock(false);
    emulator = await startTestEmulator({ availableAfterMs: 60_000, deletedAfterMs: 60_000 });
    harness = await connectInMemory(emulator, { env: { clock }, settings: WITHOUT_APPROVAL });
    structured(await harness.client.callTool({ name: 'create_route_association', arguments: args }));
    const controller = new AbortController();
    const call = harness.client.callTool({ name: 'get_association_state', arguments: { ...args, wait_for: 'available', timeout_seconds: 600 } }, undefined, {
      signal: controller.signal,
    });
    await vi.waitFor(() => expect(clock.pending()).toBe(1), { timeout: 10_000 }); // first poll done, now waiting for the next
    const polls = listRequests();
    controller.abort();
    await expect(call).rejects.toThrow();
    await vi.waitFor(() => expect(clock.pending()).toBe(0), { timeout: 10_000 }); // the server let go of its wait
    clock.advance(60 * 60_000); // a leftover wait would poll now
    await new Promise((r) => setTimeout(r, 50));
    expect(listRequests()).toBe(polls);
  });

  it('treats failed as terminal and stops waiting', async () => {
    emulator = await startTestEmulator({ availableAfterMs: 200 });
    harness = await connectInMemory(emulator, { settings: WITHOUT_APPROVAL });
    emulator.store.failAssociationsOf(SANDBOX_IDS.paymentsVpc);
    structured(await harness.client.callTool({ name: 'create_route_association', arguments: args }));
    const body = structured<StateResult>(await harness.client.callTool({ name: 'get_association_state', arguments: { ...args, wait_for: 'available', timeout_seconds: 600 } }));
    expect(body).toMatchObject({ state: 'failed', terminal: true });
    expect(body.timed_out).toBeUndefined();
  });

  it('waits for deleted after a delete and reports not_found', async () => {
    await setUp();
    emulatorMs += 60_000;
    structured(await harness.client.callTool({ name: 'get_association_state', arguments: { ...args, wait_for: 'available', timeout_seconds: 30 } }));
    structured(await harness.client.callTool({ name: 'delete_route_association', arguments: args }));
    let polls = 0;
    const waiting = harness.client.callTool({ name: 'get_association_state', arguments: { ...args, wait_for: 'deleted', timeout_seconds: 30 } }, undefined, { onprogress: () => (polls += 1) });
    // Gone once the wait has seen it being deleted.
    await vi.waitFor(() => expect(polls).toBeGreaterThanOrEqual(1), { timeout: 10_000 });
    emulatorMs += 60_000;
    const body = structured<StateResult>(await waiting);
    expect(body).toMatchObject({ state: 'not_found', terminal: true });
    expect(body.polls).toBeGreaterThan(1);
  });
});

describe('the wait cap (HUAWEICLOUD_ER_MCP_MAX_WAIT_SECONDS)', () => {
  interface CappedResult extends StateResult {
    wait_capped_to_seconds?: number;
    elapsed_seconds: number;
  }

  /** A clock that jumps over every wait, and an association that stays pending for an hour of real time. */
  async function setUpCapped(maxWaitMs: number): Promise<FakeClock> {
    const clock = new FakeClock(true);
    emulator = await startTestEmulator({ availableAfterMs: 60 * 60_000, deletedAfterMs: 60 * 60_000 });
    harness = await connectInMemory(emulator, { env: { clock, maxWaitMs, poll: { initialMs: 1_000, maxMs: 1_000 } }, settings: WITHOUT_APPROVAL });
    structured(await harness.client.callTool({ name: 'create_route_association', arguments: args }));
    return clock;
  }

  it('one call never waits longer than the cap, whatever timeout_seconds asks, and says it was capped', async () => {
    const clock = await setUpCapped(5_000);
    const started = clock.now();
    const body = structured<CappedResult>(await harness.client.callTool({ name: 'get_association_state', arguments: { ...args, wait_for: 'available', timeout_seconds: 600 } }));
    // Clock time, not wall time: the fake clock moves only by the waits the tool asked for.
    expect(clock.now() - started).toBe(5_000);
    expect(body).toMatchObject({ state: 'pending', timed_out: true, terminal: false, wait_capped_to_seconds: 5, elapsed_seconds: 5 });
    expect(body.hint).toContain('(600 s were asked; this server waits at most 5 s per call)');
    expect(body.hint).toContain('timeout_seconds up to 5');
  });

  it('a wait within the cap is not marked capped', async () => {
    const clock = await setUpCapped(5_000);
    const started = clock.now();
    const body = structured<CappedResult>(await harness.client.callTool({ name: 'get_association_state', arguments: { ...args, wait_for: 'available', timeout_seconds: 3 } }));
    expect(clock.now() - started).toBe(3_000);
    expect(body).toMatchObject({ state: 'pending', timed_out: true, elapsed_seconds: 3 });
    expect(body).not.toHaveProperty('wait_capped_to_seconds');
  });
});

describe('get_association_state waiting through a bad patch', () => {
  it('keeps waiting when a poll in the middle is throttled, and still reaches available', async () => {
    // Request 1 is the create, 2 the first poll; polls 3-6 are throttled (every retry of one poll).
    emulator = await startTestEmulator({ availableAfterMs: 400, faults: { seed: 1, sequence: ['none', 'none', 'throttle', 'throttle', 'throttle', 'throttle'], retryAfterSeconds: 0 } });
    harness = await connectInMemory(emulator, { settings: WITHOUT_APPROVAL });
    structured(await harness.client.callTool({ name: 'create_route_association', arguments: args }));
    const progress: Progress[] = [];
    const result = await harness.client.callTool({ name: 'get_association_state', arguments: { ...args, wait_for: 'available', timeout_seconds: 30 } }, undefined, {
      onprogress: (p) => progress.push(p),
    });
    const body = structured<StateResult>(result);
    expect(body.state).toBe('available');
    expect(emulator.requests.filter((r) => r.status === 429)).toHaveLength(4);
    expect(progress.some((p) => p.message?.includes('last poll failed: APIGW.0308'))).toBe(true);
    expect(progress.map((p) => p.progress)).toEqual(Array.from({ length: progress.length }, (_, i) => i + 1));
  });

  it('still fails at once when the very first look fails', async () => {
    emulator = await startTestEmulator();
    harness = await connectInMemory(emulator, { settings: WITHOUT_APPROVAL });
    const result = await harness.client.callTool({ name: 'get_association_state', arguments: { ...args, route_table_id: 'no-such-table', wait_for: 'available', timeout_seconds: 30 } });
    expect(result.isError).toBe(true);
  });
});
