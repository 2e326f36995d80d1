// check_routing_policy over MCP against the emulator (the policy given through the tool
// environment, as the policy holder will), drift made outside the server, and the invariants
// checked again on the routes observed once a change made through the server has settled.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElicitRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator, EmulatorOptions } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import { openAuditLog } from '../../src/guardrails/audit.js';
import type { Invariant, Policy } from '../../src/policy/model.js';
import { connectInMemory, errorOf, type InMemoryHarness, startTestEmulator, structured } from '../helpers.js';
import { tempDir } from '../helpers.js';
import { ANALYTICS_DROPPED_IN_PROD, DEV_NO_PAYMENTS, HSM_VIA_WEB, policyTopology } from './policy-topology.js';

let emulator: Emulator;
let harness: InMemoryHarness;
let auditPath: string;
/** What the policy holder answers: change it to reload. */
let policy: Policy | null;

afterEach(async () => {
  await harness?.close();
  await emulator?.close();
});

const policyOf = (...invariants: Invariant[]): Policy => ({ source: '/etc/er-mcp/policy.yaml', groupsClaim: 'groups', rules: [], invariants });

async function setUp(initial: Policy | null, options: Partial<EmulatorOptions> = {}): Promise<void> {
  policy = initial;
  emulator = await startTestEmulator({ topology: policyTopology(), ...options });
  auditPath = join(tempDir('er-policy-check'), 'audit.jsonl');
  harness = await connectInMemory(emulator, {
    env: { policy: { current: () => policy } },
    settings: { confirmWrites: 'auto' },
    audit: openAuditLog(auditPath),
    client: { capabilities: { elicitation: { form: {} } } },
  });
  // The person approves every change the form shows.
  harness.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { approve: true } }));
}

interface Checked {
  er_id: string;
  router_name: string | null;
  policy: string;
  all_hold: boolean;
  counts: { evaluated: number; holding: number; broken: number; unknown: number };
  results: Array<{ name: string; line: number; kind: string; holds: boolean; unknown?: boolean; message: string }>;
  not_applicable: string[];
}

const check = async (args: Record<string, unknown> = {}) => structured<Checked>(await harness.client.callTool({ name: 'check_routing_policy', arguments: { er_id: ids.router, ...args } }));
const audit = () => readFileSync(auditPath, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

/** Someone changes rtb-dev in the console: 10.10.0.0/16 (payments) sent through vpc-web. */
const driftInDev = () => harness.er.createStaticRoute({ routeTableId: ids.devTable, destination: '10.10.0.0/16', attachmentId: ids.webVpc }, 'outside-the-server-1');

describe('check_routing_policy', () => {
  it('is listed, read-only, and without a policy answers a clear error', async () => {
    await setUp(null);
    const tools = (await harness.client.listTools()).tools as Tool[];
    expect(tools.find((t) => t.name === 'check_routing_policy')?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
    const error = errorOf(await harness.client.callTool({ name: 'check_routing_policy', arguments: { er_id: ids.router } }));
    expect(error).toMatchObject({ error_code: 'NO_POLICY', retryable: false });
    expect(error.error_msg).toContain('No policy file: start the server with --policy FILE');
    expect(emulator.requests).toEqual([]);
  });

  it('evaluates every invariant on the routes now: broken ones first, counts exact', async () => {
    await setUp(policyOf(DEV_NO_PAYMENTS, HSM_VIA_WEB, ANALYTICS_DROPPED_IN_PROD));
    const answer = await check();
    expect(answer).toMatchObject({ er_id: ids.router, router_name: 'er-shanghai-core', policy: '/etc/er-mcp/policy.yaml', all_hold: false, not_applicable: [] });
    expect(answer.counts).toEqual({ evaluated: 3, holding: 2, broken: 1, unknown: 0 });
    expect(answer.results.map((r) => [r.name, r.holds])).toEqual([
      ['analytics-dropped-in-prod', false],
      ['dev-never-reaches-payments', true],
      ['hsm-via-web', true],
    ]);
    expect(answer.results[0]).toMatchObject({ line: 13, kind: 'blackholed', message: expect.stringContaining('there is no route to 10.30.0.0/16') });
  });

  it('finds drift made outside the server: a static route created directly breaks "dev never reaches payments"', async () => {
    await setUp(policyOf(DEV_NO_PAYMENTS, HSM_VIA_WEB));
    expect((await check()).all_hold).toBe(true);
    await driftInDev();
    const answer = await check();
    expect(answer.all_hold).toBe(false);
    expect(answer.counts).toEqual({ evaluated: 2, holding: 1, broken: 1, unknown: 0 });
    expect(answer.results[0]!.name).toBe('dev-never-reaches-payments');
    expect(answer.results[0]!.message).toContain(`vpn-office (${ids.officeVpn}), associated with rtb-dev (${ids.devTable}), reaches 10.10.0.0/16: the route 10.10.0.0/16 goes via vpc-web (${ids.webVpc}) (static)`);
  });

  it('one invariant by name; an unknown name is refused with the names there are', async () => {
    await setUp(policyOf(DEV_NO_PAYMENTS, HSM_VIA_WEB));
    const answer = await check({ invariant: 'hsm-via-web' });
    expect(answer.results.map((r) => r.name)).toEqual(['hsm-via-web']);
    const error = errorOf(await harness.client.callTool({ name: 'check_routing_policy', arguments: { er_id: ids.router, invariant: 'hsm' } }));
    expect(error).toMatchObject({ error_code: 'INVARIANT_NOT_FOUND' });
    expect(error.error_msg).toContain('dev-never-reaches-payments, hsm-via-web');
  });

  it('invariants about another router are not evaluated here, and the policy is read at each call (a reload counts)', async () => {
    const lab: Invariant = { ...ANALYTICS_DROPPED_IN_PROD, name: 'lab-only', router: { name: 'er-shanghai-lab' } };
    await setUp(policyOf(HSM_VIA_WEB, lab));
    const answer = await check();
    expect(answer.results.map((r) => r.name)).toEqual(['hsm-via-web']);
    expect(answer.not_applicable).toEqual(['lab-only']);
    policy = policyOf(ANALYTICS_DROPPED_IN_PROD);
    expect((await check()).results.map((r) => r.name)).toEqual(['analytics-dropped-in-prod']);
  });

  it('routes that cannot be read: unknown, counted as broken (fail closed)', async () => {
    await setUp(policyOf(DEV_NO_PAYMENTS, HSM_VIA_WEB), { faults: { seed: 7, serverError: 1, operations: ['listEffectiveRoutes'] } });
    const answer = await check();
    expect(answer.all_hold).toBe(false);
    expect(answer.counts).toEqual({ evaluated: 2, holding: 0, broken: 0, unknown: 2 });
    expect(answer.results.every((r) => r.unknown === true && !r.holds)).toBe(true);
    expect(answer.results[0]!.message).toContain(`the routes of route table ${ids.devTable} could not be read`);
  });

  it('a router that does not exist: the API’s error, not a verdict', async () => {
    await setUp(policyOf(HSM_VIA_WEB));
    const error = errorOf(await harness.client.callTool({ name: 'check_routing_policy', arguments: { er_id: 'ffffffff-0000-4000-8000-00000000ffff' } }));
    expect(String(error.error_code)).toMatch(/^ER\./);
    expect(error.http_status).toBe(404);
  });
});

interface Settled {
  state: string;
  verification?: {
    status: string;
    invariants?: { status: string; checked: number; broken: Array<{ name: string; line: number; kind: string; message: string }>; alert?: string };
  };
}

describe('the check after a change evaluates the invariants on the routes observed', () => {
  const blackhole = { er_id: ids.router, route_table_id: ids.prodTable, destination: '10.30.0.0/16' };

  /** The change through the server; `meanwhile` runs after it was made and before it is watched settle. */
  async function changeAndSettle(meanwhile: () => Promise<unknown> = async () => undefined): Promise<Settled> {
    // A change that keeps every invariant: analytics dropped in rtb-prod.
    const made = structured<{ route: { state: string }; plan_id: string }>(await harness.client.callTool({ name: 'create_static_route', arguments: { ...blackhole, is_blackhole: true } }));
    // Made from a plan (approved in the form): so it is checked once it settles.
    expect(made.route.state).toBe('pending');
    expect(made.plan_id).toMatch(/^plan-/);
    await meanwhile();
    return structured<Settled>(await harness.client.callTool({ name: 'get_static_route_state', arguments: { ...blackhole, wait_for: 'available', timeout_seconds: 10 } }));
  }

  it('all holding: said in the answer and the audit', async () => {
    await setUp(policyOf(DEV_NO_PAYMENTS, ANALYTICS_DROPPED_IN_PROD));
    const settled = await changeAndSettle();
    expect(settled.verification).toMatchObject({ status: 'as_planned', invariants: { status: 'all_hold', checked: 2, broken: [] } });
    expect(settled.verification!.invariants).not.toHaveProperty('alert');
    const record = audit().at(-1)!;
    expect(record).toMatchObject({ event: 'verification', outcome: 'verified', invariants_checked: 2, invariants_broken: [] });
    expect(record).not.toHaveProperty('policy_violation');
  });

  it('a violation made meanwhile outside the server is shouted in the answer and the audit', async () => {
    await setUp(policyOf(DEV_NO_PAYMENTS, ANALYTICS_DROPPED_IN_PROD));
    // Someone breaks the policy outside the server while the change settles.
    const settled = await changeAndSettle(driftInDev);
    // The change itself went as planned; the routes now break the policy.
    expect(settled.verification!.status).toBe('as_planned');
    const invariants = settled.verification!.invariants!;
    expect(invariants).toMatchObject({ status: 'violated', checked: 2 });
    expect(invariants.broken).toEqual([expect.objectContaining({ name: 'dev-never-reaches-payments', line: 3, kind: 'no_reach', message: expect.stringContaining('reaches 10.10.0.0/16') })]);
    expect(invariants.alert).toMatch(/^POLICY VIOLATION after the change: invariant "dev-never-reaches-payments" \(line 3\) BROKEN: .*reaches 10\.10\.0\.0\/16/);
    const record = audit().at(-1)!;
    expect(record).toMatchObject({ event: 'verification', invariants_checked: 2, invariants_broken: [expect.objectContaining({ name: 'dev-never-reaches-payments' })] });
    expect(String(record.policy_violation)).toBe(invariants.alert);
  });

  it('without a policy there is nothing more in the check', async () => {
    await setUp(null);
    const settled = await changeAndSettle();
    expect(settled.verification).toMatchObject({ status: 'as_planned' });
    expect(settled.verification).not.toHaveProperty('invariants');
    expect(audit().at(-1)).not.toHaveProperty('invariants_broken');
  });
});
