// What a tool answers once the ER client's retry budget is spent: the failure says retries are
// paused and what to do, and a write whose retry was refused still says truthfully whether it
// may have been applied. The budget is emptied by real failing requests to the emulator.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import type { FaultPlan } from '../../src/emulator/faults.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { isRetryableResponse } from '../../src/er/errors.js';
import type { AuditRecord, AuditSink } from '../../src/guardrails/audit.js';
import { HttpFailure } from '../../src/http/http-client.js';
import { FakeClock } from '../fake-clock.js';
import { connectInMemory, errorOf, type InMemoryHarness, startTestEmulator, structured, WITHOUT_APPROVAL } from '../helpers.js';

const args = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };
const LIST_ROUTERS = { method: 'GET', path: `/v3/${SANDBOX_IDS.projectId}/enterprise-router/instances`, headers: { 'X-Project-Id': SANDBOX_IDS.projectId }, retryOn: isRetryableResponse } as const;

let emulator: Emulator;
let harness: InMemoryHarness;
const audit: AuditRecord[] = [];

async function setUp(faults: FaultPlan): Promise<void> {
  emulator = await startTestEmulator({ faults });
  const sink: AuditSink = { problem: () => null, append: (record) => void audit.push(record), close: () => undefined };
  harness = await connectInMemory(emulator, { settings: WITHOUT_APPROVAL, audit: sink, http: { clock: new FakeClock(true) } });
}

/** Router lists fail (the plan targets them) until the budget refuses a retry: the outage. */
async function spendTheBudget(): Promise<void> {
  for (let paused = false; !paused; ) {
    paused = await harness.http.request(LIST_ROUTERS).then(
      (result) => result.retriesPaused === true,
      (error: unknown) => error instanceof HttpFailure && error.retriesPaused,
    );
  }
  expect(harness.http.retryTokens).toBeLessThan(5);
}

afterEach(async () => {
  await harness.close();
  await emulator.close();
  audit.length = 0;
});

describe('once the retry budget is spent', () => {
  it('a read fails after one attempt, and its answer says retries are paused and what to do', async () => {
    await setUp({ seed: 2, serverError: 1, operations: ['listEnterpriseRouters'] });
    await spendTheBudget();
    const before = emulator.requests.length;
    const error = errorOf(await harness.client.callTool({ name: 'list_enterprise_routers', arguments: {} }));
    expect(emulator.requests.length - before).toBe(1);
    expect(error).toMatchObject({ attempts: 1, retryable: true, retries_paused: true });
    expect(error.error_msg).toContain('not retried: retries are paused while the API keeps failing');
    expect(error.hint).toMatch(/^Not retried: the API has been failing .* Wait a minute before calling again/);
  });

  it('a create whose lost answer is not retried looks before answering: applied, so created', async () => {
    await setUp({ seed: 4, resetAfterApply: 1, operations: ['listEnterpriseRouters', 'associateRouteTable'] });
    await spendTheBudget();
    const result = structured<Record<string, unknown>>(await harness.client.callTool({ name: 'create_route_association', arguments: args }));
    // One associate request, cut after it was applied; the look-up found what it made.
    expect(emulator.requests.filter((r) => r.operation === 'associateRouteTable')).toHaveLength(1);
    expect(result).toMatchObject({ made_by_this_call: null, association: { attachment_id: SANDBOX_IDS.paymentsVpc } });
    expect(audit.at(-1)).toMatchObject({ outcome: 'succeeded' });
  });

  it('a create refused with a 5xx and not retried is looked up before answering: not created, and the answer says retries are paused', async () => {
    await setUp({ seed: 6, serverError: 1, operations: ['listEnterpriseRouters', 'associateRouteTable'] });
    await spendTheBudget();
    const error = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: args }));
    expect(emulator.requests.filter((r) => r.operation === 'associateRouteTable')).toHaveLength(1);
    expect(error).toMatchObject({ attempts: 1, retries_paused: true, outcome: 'not_created', client_token: expect.any(String) });
    expect(error.error_msg).toContain('retries are paused');
    expect(audit.at(-1)).toMatchObject({ outcome: 'failed' });
  });
});
