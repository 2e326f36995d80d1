// Cancelling a create: through MCP the server stops at once (no further attempt, no look-up),
// and the handler's own answer says whether the create may have reached the API.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FaultPlan } from '../../src/emulator/faults.js';
import type { Emulator } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { createRouteAssociationTool } from '../../src/tools/create-route-association.js';
import { FakeClock } from '../fake-clock.js';
import { connectInMemory, errorOf, expectNoCanary, type InMemoryHarness, startTestEmulator, structured, WITHOUT_APPROVAL } from '../helpers.js';

const ids = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };
const other = { ...ids, attachment_id: SANDBOX_IDS.analyticsVpc };

let emulator: Emulator;
let harness: InMemoryHarness;
const outputs: string[] = [];

async function setUp(faults: FaultPlan, clock?: FakeClock): Promise<void> {
  emulator = await startTestEmulator({ faults });
  harness = await connectInMemory(emulator, clock ? { env: { clock, callDeadlineMs: 300_000 }, http: { clock }, settings: WITHOUT_APPROVAL } : { settings: WITHOUT_APPROVAL });
}

const count = (operation: string) => emulator.requests.filter((r) => r.operation === operation).length;

/** A call through the same session and HTTP client: anything the cancelled call still sent would come first. */
async function sentinel(): Promise<void> {
  const result = await harness.client.callTool({ name: 'get_association_state', arguments: other });
  outputs.push(JSON.stringify(result));
  expect(structured<{ state: string }>(result).state).toBe('not_found');
}

afterEach(async () => {
  await harness.close();
  await emulator.close();
  expectNoCanary(...outputs.splice(0));
});

describe('cancelling create_route_association through MCP', () => {
  it('mid-backoff: the server drops its wait at once and never sends the retry', async () => {
    const clock = new FakeClock(false);
    await setUp({ seed: 1, sequence: ['throttle'], retryAfterSeconds: 30 }, clock);
    const controller = new AbortController();
    const call = harness.client.callTool({ name: 'create_route_association', arguments: ids }, undefined, { signal: controller.signal });
    await vi.waitFor(() => expect(clock.pending()).toBe(1), { timeout: 10_000 }); // the 429 came back; the server waits 30 s
    expect(count('associateRouteTable')).toBe(1);

    controller.abort();
    await expect(call).rejects.toThrow();
    await vi.waitFor(() => expect(clock.pending()).toBe(0), { timeout: 10_000 }); // the server side let go of its wait
    clock.advance(10 * 60_000); // long past the retry time: a leftover wait would fire now
    await sentinel();

    expect(count('associateRouteTable')).toBe(1);
    expect(count('listAssociations')).toBe(1); // the sentinel's only; no look-up by the cancelled call
    expect(emulator.store.allAssociations().filter((a) => a.attachment_id === ids.attachment_id)).toHaveLength(0);
  });

  it('mid-request: the server abandons the request and sends nothing after it', async () => {
    await setUp({ seed: 1, latencyMs: [600, 600] });
    const controller = new AbortController();
    const call = harness.client.callTool({ name: 'create_route_association', arguments: ids }, undefined, { signal: controller.signal });
    await vi.waitFor(() => expect(emulator.faults?.counts.none).toBe(1), { timeout: 10_000 }); // the emulator holds the request

    controller.abort();
    await expect(call).rejects.toThrow();
    // The emulator still applies what it had received (as a real API may), then nothing else arrives.
    await vi.waitFor(() => expect(count('associateRouteTable')).toBe(1), { timeout: 10_000 });
    await sentinel();

    expect(count('associateRouteTable')).toBe(1);
    expect(count('listAssociations')).toBe(1);
    expect(emulator.faults?.counts.none).toBe(2); // the create and the sentinel's look-up
  });
});

describe('what the cancelled handler answers', () => {
  it('after a refused attempt: nothing was created', async () => {
    const clock = new FakeClock(false);
    await setUp({ seed: 1, sequence: ['throttle'], retryAfterSeconds: 30 }, clock);
    const controller = new AbortController();
    const pending = createRouteAssociationTool.apply({ ...ids, client_token: 'cancel-backoff-1' }, harness.call(controller.signal)).then((a) => a.result);
    await vi.waitFor(() => expect(clock.pending()).toBe(1), { timeout: 10_000 });
    controller.abort();
    const error = errorOf(await pending);
    outputs.push(JSON.stringify(error));
    expect(error).toMatchObject({ error_code: 'HTTP.CANCELLED', may_have_reached_api: false, client_token: 'cancel-backoff-1', attempts: 1 });
    expect(error.hint).toContain('nothing was created');
    expect(clock.pending()).toBe(0);
  });

  it('while the request was at the API: it may have been created, check with get_association_state', async () => {
    await setUp({ seed: 1, latencyMs: [600, 600] });
    const controller = new AbortController();
    const pending = createRouteAssociationTool.apply({ ...ids, client_token: 'cancel-request-1' }, harness.call(controller.signal)).then((a) => a.result);
    await vi.waitFor(() => expect(emulator.faults?.counts.none).toBe(1), { timeout: 10_000 });
    controller.abort();
    const error = errorOf(await pending);
    outputs.push(JSON.stringify(error));
    expect(error).toMatchObject({ error_code: 'HTTP.CANCELLED', may_have_reached_api: true, client_token: 'cancel-request-1', retryable: true });
    expect(error.hint).toContain('get_association_state');
    expect(error.hint).toContain('cancel-request-1');
    expect(count('associateRouteTable')).toBe(0); // it answered before the emulator did
  });
});
