// The policy's invariants in the gate, through the real engine against the sandbox: each kind, a
// change that would break it refused before anything is sent (POLICY_VIOLATION, naming what
// breaks it), and one that keeps it made; the dry run says which hold.
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import type { Invariant } from '../../src/policy/model.js';
import { connectInMemory, errorOf, type InMemoryHarness, startTestEmulator, structured, WITHOUT_APPROVAL } from '../helpers.js';
import { policyHolder, policyOf, tokenAuth } from './fixtures.js';

let emulator: Emulator;
let harness: InMemoryHarness;

afterEach(async () => {
  await harness?.close();
  await emulator?.close();
});

/** Anyone may change anything: only the invariants can refuse. */
async function setUp(invariants: Invariant[]): Promise<void> {
  emulator = await startTestEmulator();
  const policy = policyHolder(policyOf([{ name: 'anyone', callers: { anyone: true }, actions: ['associate', 'disassociate', 'propagate', 'stop_propagating', 'create_static_route', 'delete_static_route'] }], invariants));
  harness = await connectInMemory(emulator, { settings: WITHOUT_APPROVAL, policy, env: { policy }, authInfo: tokenAuth('netops') });
}

const call = (name: string, args: Record<string, unknown>) => harness.client.callTool({ name, arguments: args });
const writes = () => emulator.requests.filter(isWrite);
const prod = { er_id: ids.router, route_table_id: ids.prodTable };
const dev = { er_id: ids.router, route_table_id: ids.devTable };

async function waitFor(tool: string, args: Record<string, unknown>, state: 'available' | 'deleted'): Promise<void> {
  const answer = structured<{ state: string }>(await call(tool, { ...args, wait_for: state, timeout_seconds: 30 }));
  expect(answer.state).toBe(state === 'deleted' ? 'not_found' : 'available');
}

describe('no_reach: a set of attachments must not reach a prefix', () => {
  const devNeverReachesDc: Invariant = { name: 'dev-never-reaches-dc', line: 30, kind: 'no_reach', from: { associated_with: [{ name: 'rtb-dev' }] }, prefix: '192.168.30.0/24' };

  it('a propagation that would leak the prod gateway’s prefix into dev is refused, naming the prefix; nothing is sent', async () => {
    await setUp([devNeverReachesDc]);
    const leak = { ...dev, attachment_id: ids.dcVgw };
    const dry = structured<{ policy: { invariants: Array<{ name: string; holds: boolean; message: string }> } }>(await call('create_route_propagation', { ...leak, dry_run: true }));
    expect(dry.policy.invariants).toEqual([expect.objectContaining({ name: 'dev-never-reaches-dc', holds: false })]);
    const error = errorOf(await call('create_route_propagation', leak));
    expect(error.error_code).toBe('POLICY_VIOLATION');
    expect(String(error.error_msg)).toContain('dev-never-reaches-dc');
    expect(String(error.error_msg)).toContain('192.168.30.0/24');
    expect(writes()).toEqual([]);
  });

  it('an association that keeps dev away from the prefix is made', async () => {
    await setUp([devNeverReachesDc]);
    structured(await call('create_route_association', { ...dev, attachment_id: ids.paymentsVpc }));
    expect(writes().map((r) => r.operation)).toEqual(['associateRouteTable']);
  });
});

describe('routes_to: a table must send a prefix to one attachment', () => {
  const defaultToDc: Invariant = { name: 'prod-default-to-dc', line: 40, kind: 'routes_to', route_table: { name: 'rtb-prod' }, prefix: '0.0.0.0/0', attachment: { name: 'vgw-dc-shanghai' } };

  it('the change that makes it hold is made; the delete that would break it is refused', async () => {
    await setUp([defaultToDc]);
    const route = { ...prod, destination: '0.0.0.0/0' };
    structured(await call('create_static_route', { ...route, attachment_id: ids.dcVgw }));
    await waitFor('get_static_route_state', route, 'available');
    const sent = writes().length;
    const error = errorOf(await call('delete_static_route', route));
    expect(error.error_code).toBe('POLICY_VIOLATION');
    expect(String(error.error_msg)).toContain('prod-default-to-dc');
    expect(writes()).toHaveLength(sent);
  });
});

describe('blackholed: a prefix must stay dropped in a table', () => {
  const analyticsDropped: Invariant = { name: 'analytics-stays-blackholed', line: 50, kind: 'blackholed', route_table: { name: 'rtb-prod' }, prefix: '10.30.0.0/16' };

  it('a propagation of the prefix into the table keeps it (the static blackhole wins); deleting the blackhole is refused', async () => {
    await setUp([analyticsDropped]);
    const blackhole = { ...prod, destination: '10.30.0.0/16' };
    structured(await call('create_static_route', { ...blackhole, is_blackhole: true }));
    await waitFor('get_static_route_state', blackhole, 'available');
    structured(await call('create_route_propagation', { ...prod, attachment_id: ids.analyticsVpc }));
    await waitFor('get_propagation_state', { ...prod, attachment_id: ids.analyticsVpc }, 'available');
    const sent = writes().length;
    const error = errorOf(await call('delete_static_route', blackhole));
    expect(error.error_code).toBe('POLICY_VIOLATION');
    expect(String(error.error_msg)).toContain('analytics-stays-blackholed');
    expect(String(error.error_msg)).toContain('10.30.0.0/16');
    expect(writes()).toHaveLength(sent);
  });
});
