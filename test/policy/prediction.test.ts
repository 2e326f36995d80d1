// The invariants on the state a plan predicts, with real plans of the write tools against the
// emulator: each kind of change moves an attachment or changes a table's routes as its plan
// says; what a plan could not predict makes the invariants about it unknown. Plans only read:
// nothing is written in any of these.
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids, type Topology } from '../../src/emulator/topology.js';
import { invariantsOfChange } from '../../src/policy/invariant-check.js';
import type { Invariant } from '../../src/policy/model.js';
import { predictedState } from '../../src/policy/predicted-state.js';
import { callOptions } from '../../src/toolkit/context.js';
import type { WriteToolDefinition } from '../../src/tools/definition.js';
import { TOOLS } from '../../src/tools/definitions.js';
import { connectInMemory, type InMemoryHarness, startTestEmulator } from '../helpers.js';
import { ANALYTICS_DROPPED_IN_PROD, DEV_NO_PAYMENTS, HSM_VIA_WEB, policyTopology } from './policy-topology.js';
import { noReach } from './states.js';

let emulator: Emulator;
let harness: InMemoryHarness;

afterEach(async () => {
  // Plans read; none of them may write.
  expect(emulator.requests.filter(isWrite)).toEqual([]);
  await harness.close();
  await emulator.close();
});

async function setUp(topology: Topology = policyTopology()): Promise<void> {
  emulator = await startTestEmulator({ topology });
  harness = await connectInMemory(emulator);
}

const tool = (name: string) => TOOLS.find((t) => t.name === name) as WriteToolDefinition;

/** The tool's plan for the target, and the invariants before and after the change it plans. */
async function planned(name: string, target: { route_table_id: string; [other: string]: unknown }, invariants: Invariant[]) {
  const call = harness.call();
  const full = { er_id: ids.router, ...target };
  const made = await tool(name).plan(full, call);
  return invariantsOfChange(harness.er, ids.router, callOptions(call), invariants, { tool: name, target: full, made });
}

const PAYMENTS = 'vpc-payments (c1b2c3d4-0000-4000-8000-000000000101)';

describe('a propagation that would leak a prod prefix into dev', () => {
  it('breaks "dev never reaches payments" after the change, and the message names the prefix, the route and who reaches it', async () => {
    await setUp();
    const { before, after, predicted } = await planned('create_route_propagation', { route_table_id: ids.devTable, attachment_id: ids.paymentsVpc }, [DEV_NO_PAYMENTS]);
    expect(before).toEqual([expect.objectContaining({ name: 'dev-never-reaches-payments', holds: true })]);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ name: 'dev-never-reaches-payments', line: 3, kind: 'no_reach', holds: false });
    expect(after[0]!.unknown).toBeUndefined();
    expect(after[0]!.message).toContain(`vpn-office (${ids.officeVpn}), associated with rtb-dev (${ids.devTable}), reaches 10.10.0.0/16: the route 10.10.0.0/16 goes via ${PAYMENTS} (propagation)`);
    const dev = predicted.routes.get(ids.devTable);
    expect(dev?.known && dev.routes.get('10.10.0.0/16')).toEqual({ destination: '10.10.0.0/16', next_hops: [{ attachment_id: ids.paymentsVpc, resource_type: 'vpc' }], is_blackhole: false, route_type: 'propagation' });
  });

  it('a propagation whose prefixes the plan cannot know (it propagates nowhere yet): unknown, so counted as broken', async () => {
    await setUp();
    const { after } = await planned('create_route_propagation', { route_table_id: ids.devTable, attachment_id: ids.partnerPeering }, [DEV_NO_PAYMENTS]);
    expect(after[0]).toMatchObject({ holds: false, unknown: true });
    expect(after[0]!.message).toContain(`which prefixes peering-partner (${ids.partnerPeering}) propagates is not visible`);
  });
});

describe('associations move an attachment between tables; the routes stay', () => {
  const analyticsNoPayments = noReach({ attachments: [{ name: 'vpc-analytics' }] }, '10.10.0.0/16');

  it('create: the attachment reaches what its new table routes', async () => {
    await setUp();
    const { before, after, predicted } = await planned('create_route_association', { route_table_id: ids.prodTable, attachment_id: ids.analyticsVpc }, [analyticsNoPayments]);
    expect(before[0]).toMatchObject({ holds: true, message: expect.stringContaining('1 associated with no route table') });
    expect(after[0]).toMatchObject({ holds: false });
    expect(after[0]!.message).toContain(`vpc-analytics (${ids.analyticsVpc}), associated with rtb-prod (${ids.prodTable}), reaches 10.10.0.0/16`);
    expect(predicted.attachments.find((a) => a.id === ids.analyticsVpc)?.route_table_id).toBe(ids.prodTable);
  });

  it('create into a table named by the set: the attachment joins the set', async () => {
    await setUp();
    // rtb-dev has the analytics prefix; an attachment associated with rtb-prod must not reach it.
    const prodNoAnalytics = noReach({ associated_with: [{ name: 'rtb-prod' }] }, '10.30.0.0/16');
    const { before, after } = await planned('create_route_association', { route_table_id: ids.devTable, attachment_id: ids.paymentsVpc }, [prodNoAnalytics, DEV_NO_PAYMENTS]);
    expect(before.map((r) => r.holds)).toEqual([true, true]);
    expect(before[1]!.message).toContain('none of the 1 attachment(s)');
    // vpc-payments joins vpn-office in rtb-dev's set; rtb-dev has no route to its prefix: still holds.
    expect(after.map((r) => r.holds)).toEqual([true, true]);
    expect(after[1]!.message).toContain('none of the 2 attachment(s)');
  });

  it('delete: associated with no table, it reaches nothing', async () => {
    await setUp();
    const vpnNoWeb = noReach({ attachments: [{ id: ids.officeVpn }] }, '10.20.0.0/16');
    const { before, after } = await planned('delete_route_association', { route_table_id: ids.devTable, attachment_id: ids.officeVpn }, [vpnNoWeb]);
    expect(before[0]).toMatchObject({ holds: false, message: expect.stringContaining('reaches 10.20.0.0/16') });
    expect(after[0]).toMatchObject({ holds: true, message: expect.stringContaining('1 associated with no route table') });
  });
});

describe('static routes change one table’s routes into the plan’s expectation', () => {
  it('create a blackhole: "analytics dropped in prod" goes from broken (no route) to holding', async () => {
    await setUp();
    const { before, after } = await planned('create_static_route', { route_table_id: ids.prodTable, destination: '10.30.0.0/16', is_blackhole: true }, [ANALYTICS_DROPPED_IN_PROD]);
    expect(before[0]).toMatchObject({ holds: false, message: expect.stringContaining('there is no route to 10.30.0.0/16') });
    expect(after[0]).toMatchObject({ holds: true, message: expect.stringContaining('by the blackhole route 10.30.0.0/16') });
  });

  it('create a more specific route inside a prefix that must go to one attachment: kept, and the answer counts it', async () => {
    await setUp();
    const { before, after } = await planned('create_static_route', { route_table_id: ids.prodTable, destination: '10.10.99.128/25', attachment_id: ids.dcVgw }, [HSM_VIA_WEB]);
    expect(before[0]).toMatchObject({ holds: true });
    expect(after[0]).toMatchObject({ holds: true });
    expect(after[0]!.message).toContain('1 more specific route(s) inside keep their own next hops');
  });

  it('delete: the traffic falls back to the shorter route containing it', async () => {
    await setUp();
    const { before, after } = await planned('delete_static_route', { route_table_id: ids.prodTable, destination: '10.10.99.0/24' }, [HSM_VIA_WEB]);
    expect(before[0]).toMatchObject({ holds: true });
    expect(after[0]).toMatchObject({ holds: false });
    expect(after[0]!.unknown).toBeUndefined();
    expect(after[0]!.message).toContain(`traffic to 10.10.99.0/24 follows the route 10.10.0.0/16, which goes via ${PAYMENTS} (propagation)`);
  });

  it('delete a blackhole where no route is left: a hidden propagated route could take it over, so unknown', async () => {
    await setUp(policyTopology([{ id: 'r-policy-blackhole', route_table_id: ids.prodTable, destination: '10.30.0.0/16', is_blackhole: true }]));
    const prodNoAnalytics = noReach({ associated_with: [{ name: 'rtb-prod' }] }, '10.30.0.0/16');
    const { before, after } = await planned('delete_static_route', { route_table_id: ids.prodTable, destination: '10.30.0.0/16' }, [prodNoAnalytics, ANALYTICS_DROPPED_IN_PROD]);
    expect(before.map((r) => r.holds)).toEqual([true, true]);
    expect(after[0]).toMatchObject({ holds: false, unknown: true });
    expect(after[0]!.message).toContain(`may take over 10.30.0.0/16 in rtb-prod (${ids.prodTable})`);
    // No blackhole either way: broken, not unknown.
    expect(after[1]).toMatchObject({ holds: false, message: expect.stringContaining('there is no route to 10.30.0.0/16') });
    expect(after[1]!.unknown).toBeUndefined();
  });
});

describe('a plan without a prediction', () => {
  it('a change with no expectation leaves the table unknown; a plan that changes nothing leaves the state as it is', async () => {
    await setUp();
    const call = harness.call();
    const target = { er_id: ids.router, route_table_id: ids.prodTable, destination: '10.30.0.0/16', is_blackhole: true };
    const { now } = await invariantsOfChange(harness.er, ids.router, callOptions(call), [ANALYTICS_DROPPED_IN_PROD], {
      tool: 'create_static_route',
      target,
      made: { plan: {}, fingerprint: {}, expectation: null },
    });
    const blind = predictedState(now, { tool: 'create_static_route', target, made: { plan: { will_change: true, routing_effect_note: 'reading effective routes failed: HTTP.TIMEOUT' }, fingerprint: {}, expectation: null } });
    expect(blind.routes.get(ids.prodTable)).toEqual({ known: false, reason: `the routes of rtb-prod (${ids.prodTable}) after the change cannot be predicted: reading effective routes failed: HTTP.TIMEOUT` });
    const idle = predictedState(now, { tool: 'create_static_route', target, made: { plan: { will_change: false }, fingerprint: {}, expectation: null } });
    expect(idle.routes).toEqual(now.routes);
  });
});
