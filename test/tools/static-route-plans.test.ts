// Static routes through the whole gate, in memory against the emulator: the plan of a dry run with
// its routing effect and conflicts, the words a person approves, approval on the page or in the
// form, exactly the planned write with the plan's token, the audit trail, PLAN_STALE, and the
// check against the plan once the route has settled (one check per destination).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, type EmulatorOptions, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids, type Topology } from '../../src/emulator/topology.js';
import { openAuditLog } from '../../src/guardrails/audit.js';
import type { GuardrailSettings } from '../../src/guardrails/guardrail-settings.js';
import type { StaticRoutePlan } from '../../src/plans/static-route-plan.js';
import { connectInMemory, errorOf, expectNoCanary, type InMemoryHarness, startTestEmulator, structured, tempDir } from '../helpers.js';
import { HSM_ROUTE, staticRouteTopology } from '../static-route-topology.js';

const prod = { er_id: ids.router, route_table_id: ids.prodTable };
const dev = { er_id: ids.router, route_table_id: ids.devTable };
const MISSING = 'ffffffff-0000-4000-8000-00000000ffff';
const PAGE_BASE = 'http://127.0.0.1:9/approvals';
const PERSON = { caller: 'stdio', scopes: null };

let emulator: Emulator;
let harness: InMemoryHarness;
let auditPath: string;
/** The approval texts the form showed (with `approves`). */
let asked: string[];
const outputs: string[] = [];

afterEach(async () => {
  await harness?.close();
  await emulator?.close();
  expectNoCanary(...outputs.splice(0), ...asked.splice(0), readFileSync(auditPath, 'utf8'));
});

interface SetUp {
  settings?: Partial<GuardrailSettings>;
  emulator?: Partial<EmulatorOptions>;
  topology?: Topology;
  /** The client approves every form it is shown; without it, approval is on the page. */
  approves?: boolean;
}

async function setUp(options: SetUp = {}): Promise<void> {
  emulator = await startTestEmulator({ topology: options.topology ?? staticRouteTopology(), ...options.emulator });
  auditPath = join(tempDir('er-static-plans'), 'audit.jsonl');
  asked = [];
  harness = await connectInMemory(emulator, {
    settings: { confirmWrites: 'auto', ...options.settings },
    audit: openAuditLog(auditPath),
    pages: { urlFor: async (id) => `${PAGE_BASE}/${id}` },
    ...(options.approves ? { client: { capabilities: { elicitation: { form: {} } } } } : {}),
  });
  if (options.approves) {
    harness.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: 'accept', content: { approve: true } };
    });
  }
}

async function raw(name: string, args: Record<string, unknown>) {
  const result = await harness.client.callTool({ name, arguments: args });
  outputs.push(JSON.stringify(result));
  return result;
}

async function call<T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T> {
  return structured<T>(await raw(name, args));
}

interface DryRun {
  plan_id: string;
  plan_sha256: string;
  plan: StaticRoutePlan;
}

const dryRun = (tool: string, args: Record<string, unknown>) => call<DryRun>(tool, { ...args, dry_run: true });
const writes = () => emulator.requests.filter(isWrite);
const audit = () => readFileSync(auditPath, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
const destinations = (listed: { entries: Array<{ destination: string }> }) => listed.entries.map((r) => r.destination);
const via = (attachmentId: string, resourceType: string) => [{ attachment_id: attachmentId, resource_type: resourceType }];

interface Verified {
  state: string;
  verification?: { status: string; plan_id: string; attempt_id: string; differences: Array<Record<string, unknown>>; differences_count: number; note?: string };
}

describe('dry runs: the plan and its routing effect, and nothing sent', () => {
  it('0.0.0.0/0 to the DC gateway: gained, every route of the table more specific, the traffic of what is associated changes', async () => {
    await setUp();
    const made = await dryRun('create_static_route', { ...prod, destination: '0.0.0.0/0', attachment_id: ids.dcVgw });
    expect(made.plan_id).toMatch(/^plan-[A-Za-z0-9_-]{32}$/);
    const { plan } = made;
    expect(plan).toMatchObject({
      action: 'create_static_route',
      region: 'cn-east-3',
      project_id: ids.projectId,
      router: { id: ids.router, name: 'er-shanghai-core', state: 'available' },
      route_table: { id: ids.prodTable, name: 'rtb-prod', state: 'available' },
      destination: '0.0.0.0/0',
      next_hop: { is_blackhole: false, attachment: { id: ids.dcVgw, name: 'vgw-dc-shanghai', resource_type: 'vgw', state: 'available' } },
      current_route: null,
      conflicts: [],
      will_change: true,
    });
    const effect = plan.routing_effect!;
    expect(effect).toMatchObject({
      route_table_id: ids.prodTable,
      destination: '0.0.0.0/0',
      used_before: null,
      used_after: { destination: '0.0.0.0/0', route_type: 'static', next_hops: via(ids.dcVgw, 'vgw') },
      loses: { count: 0 },
      changes: { count: 0 },
      traffic_changes: true,
      complete: true,
    });
    expect(effect.gains.entries).toEqual([{ destination: '0.0.0.0/0', route_type: 'static', next_hops: via(ids.dcVgw, 'vgw') }]);
    // Every route of rtb-prod lies inside 0.0.0.0/0 and keeps its own next hops.
    expect(destinations(effect.more_specific)).toEqual(['10.10.99.0/24', '10.20.0.0/16', '192.168.20.0/24', '192.168.30.0/24']);
    // Only vpc-web is associated with rtb-prod.
    expect(effect.attachments_affected).toEqual({ count: 1, entries: via(ids.webVpc, 'vpc') });
    expect(writes()).toEqual([]);
    expect(audit()).toEqual([expect.objectContaining({ event: 'outcome', outcome: 'dry_run', tool: 'create_static_route', plan_id: made.plan_id, plan_sha256: made.plan_sha256 })]);
  });

  it('a blackhole over a propagated prefix (10.30.0.0/16 in rtb-dev, from vpc-analytics): a change, not a gain', async () => {
    await setUp();
    const { plan } = await dryRun('create_static_route', { ...dev, destination: '10.30.0.0/16', is_blackhole: true });
    expect(plan).toMatchObject({ route_table: { name: 'rtb-dev' }, next_hop: { is_blackhole: true, attachment: null }, current_route: null, conflicts: [], will_change: true });
    const effect = plan.routing_effect!;
    expect(effect.used_before).toEqual({ destination: '10.30.0.0/16', route_type: 'propagation', next_hops: via(ids.analyticsVpc, 'vpc') });
    expect(effect.used_after).toMatchObject({ destination: '10.30.0.0/16', route_type: 'static', next_hops: [], blackhole: true });
    expect(effect.changes.entries).toEqual([{ destination: '10.30.0.0/16', before: via(ids.analyticsVpc, 'vpc'), after: [] }]);
    expect({ gains: effect.gains.count, loses: effect.loses.count, more_specific: effect.more_specific.count, traffic_changes: effect.traffic_changes }).toEqual({ gains: 0, loses: 0, more_specific: 0, traffic_changes: true });
    // The office VPN is what is associated with rtb-dev.
    expect(effect.attachments_affected.entries).toEqual(via(ids.officeVpn, 'vpn'));
    expect(writes()).toEqual([]);
  });

  it('a route around a more specific one: the /24 keeps its own next hop; every associated attachment is affected', async () => {
    const topology = staticRouteTopology();
    topology.attachments.find((a) => a.id === ids.paymentsVpc)!.associated_route_table_id = ids.prodTable;
    await setUp({ topology });
    const { plan } = await dryRun('create_static_route', { ...prod, destination: '10.10.0.0/16', attachment_id: ids.paymentsVpc });
    const effect = plan.routing_effect!;
    expect(effect).toMatchObject({ used_before: null, traffic_changes: true });
    expect(destinations(effect.gains)).toEqual(['10.10.0.0/16']);
    expect(effect.more_specific.entries).toEqual([{ destination: '10.10.99.0/24', route_type: 'static', next_hops: via(ids.webVpc, 'vpc') }]);
    expect(effect.attachments_affected).toEqual({ count: 2, entries: [...via(ids.paymentsVpc, 'vpc'), ...via(ids.webVpc, 'vpc')] });
  });

  it('a static route where the same next hop propagates already: a change of route type, but no traffic goes elsewhere', async () => {
    await setUp({ approves: true });
    const { plan } = await dryRun('create_static_route', { ...prod, destination: '10.20.0.0/16', attachment_id: ids.webVpc });
    const effect = plan.routing_effect!;
    expect(effect.changes.entries).toEqual([{ destination: '10.20.0.0/16', before: via(ids.webVpc, 'vpc'), after: via(ids.webVpc, 'vpc') }]);
    expect(effect).toMatchObject({ traffic_changes: false, attachments_affected: { count: 0, entries: [] } });
    expect(plan.will_change).toBe(true);
  });

  it('delete: the table loses the route; traffic falls back to the longest route that contains it, or to none', async () => {
    await setUp({ topology: staticRouteTopology([{ id: 'r-static-plans-web-24', route_table_id: ids.prodTable, destination: '10.20.99.0/24', attachment_id: ids.dcVgw }]) });
    const hsm = await dryRun('delete_static_route', { ...prod, destination: '10.10.99.0/24' });
    expect(hsm.plan).toMatchObject({
      action: 'delete_static_route',
      next_hop: null,
      current_route: { id: HSM_ROUTE, state: 'available', is_blackhole: false, attachment_id: ids.webVpc },
      conflicts: [],
      will_change: true,
    });
    const effect = hsm.plan.routing_effect!;
    expect(effect).toMatchObject({ used_before: { destination: '10.10.99.0/24', route_type: 'static', next_hops: via(ids.webVpc, 'vpc') }, used_after: null, traffic_changes: true });
    expect(effect.loses.entries).toEqual([{ destination: '10.10.99.0/24', route_type: 'static', next_hops: via(ids.webVpc, 'vpc') }]);
    expect(effect.attachments_affected.entries).toEqual(via(ids.webVpc, 'vpc'));
    expect(effect.notes.join(' ')).toContain('a propagated route to exactly 10.10.99.0/24');

    const inside = await dryRun('delete_static_route', { ...prod, destination: '10.20.99.0/24' });
    expect(inside.plan.routing_effect).toMatchObject({
      used_before: { destination: '10.20.99.0/24', next_hops: via(ids.dcVgw, 'vgw') },
      used_after: { destination: '10.20.0.0/16', route_type: 'propagation', next_hops: via(ids.webVpc, 'vpc') },
      traffic_changes: true,
    });
    expect(writes()).toEqual([]);
  });

  it('a route to the same destination going elsewhere is a conflict: static_route_exists, nothing will change', async () => {
    await setUp();
    for (const way of [{ attachment_id: ids.paymentsVpc }, { is_blackhole: true }]) {
      const { plan } = await dryRun('create_static_route', { ...prod, destination: '10.10.99.0/24', ...way });
      expect(plan).toMatchObject({ current_route: { id: HSM_ROUTE, attachment_id: ids.webVpc }, will_change: false });
      expect(plan.conflicts.map((c) => c.kind)).toEqual(['static_route_exists']);
      expect(plan.conflicts[0]!.message).toContain(`a route via ${ids.webVpc}`);
      expect(plan.conflicts[0]!.message).toContain('delete_static_route');
    }
    expect(writes()).toEqual([]);
  });

  it('the same route already there is no change and no conflict; a delete of nothing is no change either', async () => {
    await setUp();
    const same = await dryRun('create_static_route', { ...prod, destination: '10.10.99.0/24', attachment_id: ids.webVpc });
    expect(same.plan).toMatchObject({ conflicts: [], will_change: false, routing_effect: null, current_route: { id: HSM_ROUTE } });
    expect(same.plan.routing_effect_note).toMatch(/already has this static route/);
    const nothing = await dryRun('delete_static_route', { ...prod, destination: '10.77.0.0/16' });
    expect(nothing.plan).toMatchObject({ conflicts: [], will_change: false, routing_effect: null, current_route: null });
    expect(nothing.plan.routing_effect_note).toMatch(/no static route to this destination/);
  });

  it('an attachment of another router, an unknown attachment, table or router are conflicts naming the tool that lists the right ones', async () => {
    await setUp();
    const route = { ...prod, destination: '10.40.0.0/16' };
    for (const attachment of [ids.labVpc, MISSING]) {
      const { plan } = await dryRun('create_static_route', { ...route, attachment_id: attachment });
      expect(plan.conflicts.map((c) => c.kind)).toEqual(['attachment_not_found']);
      expect(plan.conflicts[0]!.message).toContain('list_attachments');
      expect(plan.will_change).toBe(false);
    }
    const table = await dryRun('create_static_route', { ...route, route_table_id: MISSING, is_blackhole: true });
    expect(table.plan).toMatchObject({ will_change: false, routing_effect: null, routing_effect_note: 'not computed: an ID does not exist' });
    expect(table.plan.conflicts.map((c) => c.kind)).toEqual(['route_table_not_found']);
    expect(table.plan.conflicts[0]!.message).toContain('list_route_tables');
    // A table of another router is not on this one.
    const labTable = await dryRun('delete_static_route', { ...route, route_table_id: ids.labTable });
    expect(labTable.plan.conflicts.map((c) => c.kind)).toEqual(['route_table_not_found']);
    const router = await dryRun('delete_static_route', { ...route, er_id: MISSING });
    expect(router.plan.conflicts.map((c) => c.kind)).toEqual(['router_not_found']);
    expect(router.plan.conflicts[0]!.message).toContain('list_enterprise_routers');
    expect(writes()).toEqual([]);
  });

  it('a route still pending or being deleted: the delete (or create) waits for it, as a conflict', async () => {
    await setUp({ emulator: { availableAfterMs: 60 * 60_000, deletedAfterMs: 60 * 60_000 } });
    await harness.er.createStaticRoute({ routeTableId: ids.prodTable, destination: '10.40.0.0/16', isBlackhole: true }, 'someone-else-1');
    const pending = await dryRun('delete_static_route', { ...prod, destination: '10.40.0.0/16' });
    expect(pending.plan).toMatchObject({ current_route: { state: 'pending', is_blackhole: true }, will_change: false });
    expect(pending.plan.conflicts).toEqual([{ kind: 'operation_in_progress', message: expect.stringContaining('"pending"') }]);
    expect(pending.plan.conflicts[0]!.message).toContain('get_static_route_state');

    const hsm = (await harness.er.listStaticRoutes(ids.prodTable)).items.find((r) => r.destination === '10.10.99.0/24')!;
    await harness.er.deleteStaticRoute({ routeTableId: ids.prodTable, routeId: hsm.id });
    for (const tool of ['create_static_route', 'delete_static_route']) {
      const deleting = await dryRun(tool, { ...prod, destination: '10.10.99.0/24', ...(tool === 'create_static_route' ? { attachment_id: ids.webVpc } : {}) });
      expect(deleting.plan.conflicts.map((c) => c.kind), tool).toEqual(['operation_in_progress']);
      expect(deleting.plan.conflicts[0]!.message).toContain('being deleted');
      expect(deleting.plan.will_change).toBe(false);
    }
    expect(writes().map((w) => w.clientToken ?? w.operation)).toEqual(['someone-else-1', 'deleteStaticRoute']);
  });
});

describe('the words a person approves', () => {
  it('name the destination and the next hop, where traffic goes now and after, and for whom', async () => {
    await setUp({ approves: true });
    await call('create_static_route', { ...prod, destination: '0.0.0.0/0', attachment_id: ids.dcVgw, description: 'all egress through the DC' });
    await call('create_static_route', { ...dev, destination: '10.30.0.0/16', is_blackhole: true });
    await call('delete_static_route', { ...prod, destination: '10.10.99.0/24' });
    expect(asked).toHaveLength(3);
    const [toDc, blackhole, removal] = asked as [string, string, string];
    expect(toDc).toContain(`create_static_route asks to ADD a static route: 0.0.0.0/0 → attachment vgw-dc-shanghai (${ids.dcVgw}), vgw.`);
    expect(toDc).toContain('Route table: rtb-prod');
    expect(toDc).toContain('Description of the new route: all egress through the DC');
    expect(toDc).toContain('Now: no static route to 0.0.0.0/0');
    expect(toDc).toContain('Routing effect: traffic to 0.0.0.0/0 goes nowhere (no route: dropped) now');
    expect(toDc).toContain(ids.webVpc);
    expect(toDc).toContain('Unaffected more specific routes');
    expect(blackhole).toContain('ADD a static route: 10.30.0.0/16 → a BLACKHOLE (traffic is dropped).');
    expect(blackhole).toContain('Route table: rtb-dev');
    expect(blackhole).toContain(`via ${ids.analyticsVpc} (propagation 10.30.0.0/16) now`);
    expect(blackhole).toContain(ids.officeVpn);
    expect(removal).toContain('delete_static_route asks to DELETE the static route to 10.10.99.0/24.');
    expect(removal).toContain(`Now: a static route to 10.10.99.0/24 via ${ids.webVpc} (available)`);
  });
});

describe('through the gate: dry run → approval on the page → exactly the planned write → the check', () => {
  it('create: one request with the plan token, audited in order, checked as_planned once available', async () => {
    await setUp();
    const route = { ...prod, destination: '10.30.0.0/16' };
    const made = await dryRun('create_static_route', { ...route, is_blackhole: true, client_token: 'sr-planned-token' });
    expect(made.plan.will_change).toBe(true);

    const pending = await call<{ status: string; plan_id: string; approval_url: string }>('create_static_route', { ...route, is_blackhole: true, plan_id: made.plan_id });
    expect(pending).toMatchObject({ status: 'approval_required', plan_id: made.plan_id, approval_url: `${PAGE_BASE}/${made.plan_id}` });
    expect(writes()).toEqual([]);

    harness.desk.decide(made.plan_id, 'approve', PERSON, 'page');
    const created = await call<{ route: { state: string; is_blackhole: boolean }; client_token: string; plan_id: string; undo: { tool: string; arguments: Record<string, unknown> } }>('create_static_route', {
      ...route,
      is_blackhole: true,
      plan_id: made.plan_id,
    });
    expect(created).toMatchObject({ route: { state: 'pending', is_blackhole: true }, client_token: 'sr-planned-token', plan_id: made.plan_id });
    expect(created.undo).toEqual({ tool: 'delete_static_route', arguments: route });
    expect(writes().map((w) => [w.operation, w.status, w.clientToken])).toEqual([['createStaticRoute', 202, 'sr-planned-token']]);

    const waited = await call<Verified>('get_static_route_state', { ...route, wait_for: 'available', timeout_seconds: 30 });
    expect(waited.state).toBe('available');
    const records = audit();
    const intent = records.find((r) => r.event === 'intent')!;
    expect(waited.verification).toMatchObject({ status: 'as_planned', plan_id: made.plan_id, attempt_id: intent.attempt_id, differences_count: 0 });
    expect(records.map((r) => (r.event === 'outcome' || r.event === 'verification' ? `${r.event} ${String(r.outcome)}` : r.event))).toEqual([
      'outcome dry_run',
      'approval_requested',
      'outcome approval_required',
      'approved',
      'intent',
      'outcome succeeded',
      'verification verified',
    ]);
    expect(records.every((r) => r.tool === 'create_static_route')).toBe(true);
    expect(records[1]).toMatchObject({ plan_id: made.plan_id });
    expect(records[3]).toMatchObject({ plan_id: made.plan_id, person: 'stdio', channel: 'page' });
    expect(intent).toMatchObject({ plan_id: made.plan_id, plan_sha256: made.plan_sha256, approved_by: 'stdio', approval_channel: 'page', guardrail: 'approved', client_token: 'sr-planned-token' });
    expect(records[5]).toMatchObject({ attempt_id: intent.attempt_id, state: 'pending' });
    expect(records[6]).toMatchObject({ attempt_id: intent.attempt_id, plan_id: made.plan_id, differences_count: 0 });
    // Checked once: a later look has nothing left to check.
    expect(await call('get_static_route_state', route)).not.toHaveProperty('verification');
  });

  it('delete: the planned delete, then deleted is checked as_planned', async () => {
    await setUp();
    const route = { ...prod, destination: '10.10.99.0/24' };
    const made = await dryRun('delete_static_route', route);
    expect((await call<{ status: string }>('delete_static_route', { ...route, plan_id: made.plan_id })).status).toBe('approval_required');
    harness.desk.decide(made.plan_id, 'approve', PERSON, 'page');
    const deleting = await call<{ state: string; plan_id: string }>('delete_static_route', { ...route, plan_id: made.plan_id });
    expect(deleting).toMatchObject({ state: 'deleting', plan_id: made.plan_id });
    expect(writes().map((w) => `${w.operation} ${w.status}`)).toEqual(['deleteStaticRoute 202']);
    const gone = await call<Verified>('get_static_route_state', { ...route, wait_for: 'deleted', timeout_seconds: 30 });
    expect(gone.state).toBe('not_found');
    const intent = audit().find((r) => r.event === 'intent')!;
    expect(intent).toMatchObject({ tool: 'delete_static_route', plan_id: made.plan_id, plan_sha256: made.plan_sha256, approval_channel: 'page' });
    expect(gone.verification).toMatchObject({ status: 'as_planned', plan_id: made.plan_id, attempt_id: intent.attempt_id });
    expect(audit().at(-1)).toMatchObject({ event: 'verification', outcome: 'verified', attempt_id: intent.attempt_id });
  });

  it('delete of a static route hiding a propagated one: the propagated route that takes over is no difference', async () => {
    // rtb-prod sends 10.20.0.0/16 to the DC gateway by a static route, over vpc-web's propagated route to it.
    await setUp({ approves: true, topology: staticRouteTopology([{ id: 'r-static-plans-web-16', route_table_id: ids.prodTable, destination: '10.20.0.0/16', attachment_id: ids.dcVgw }]) });
    const route = { ...prod, destination: '10.20.0.0/16' };
    const deleting = await call<{ state: string }>('delete_static_route', route);
    expect(deleting.state).toBe('deleting');
    const gone = await call<Verified>('get_static_route_state', { ...route, wait_for: 'deleted', timeout_seconds: 30 });
    expect(gone.verification).toMatchObject({ status: 'as_planned', differences_count: 0 });
    // The propagated route did take over.
    const effective = await call<{ routes: Array<{ route_type: string; next_hops: Array<{ attachment_id: string }> }> }>('list_effective_routes', { route_table_id: ids.prodTable, destination: '10.20.0.0/16' });
    expect(effective.routes.map((r) => [r.route_type, r.next_hops.map((h) => h.attachment_id)])).toEqual([['propagation', [ids.webVpc]]]);
  });

  it('PLAN_STALE when rtb-prod routes differently between the dry run and the write; nothing is sent', async () => {
    await setUp({ approves: true });
    const route = { ...prod, destination: '10.30.0.0/16', is_blackhole: true };
    const made = await dryRun('create_static_route', route);
    // Someone else adds a static route to another destination in rtb-prod.
    await harness.er.createStaticRoute({ routeTableId: ids.prodTable, destination: '10.40.0.0/16', attachmentId: ids.dcVgw }, 'someone-else-2');
    const writesBefore = writes().length;
    const error = errorOf(await raw('create_static_route', { ...route, plan_id: made.plan_id }));
    expect(error.error_code).toBe('PLAN_STALE');
    const changed = (error.changed as Array<{ what: string }>).map((c) => c.what);
    expect(changed).toContain(`routes of ${ids.prodTable}`);
    expect(changed).not.toContain('current_route');
    expect(writes()).toHaveLength(writesBefore);
    expect(error.plan_id).not.toBe(made.plan_id);
    expect(asked).toEqual([]);
    expect(audit().at(-1)).toMatchObject({ event: 'outcome', outcome: 'refused', guardrail: 'plan_stale', plan_id: made.plan_id });
  });

  it('PLAN_STALE when someone adds a route to the same destination: current_route changed, and the fresh plan has the conflict', async () => {
    await setUp({ approves: true });
    const route = { ...prod, destination: '10.30.0.0/16', is_blackhole: true };
    const made = await dryRun('create_static_route', route);
    await harness.er.createStaticRoute({ routeTableId: ids.prodTable, destination: '10.30.0.0/16', attachmentId: ids.dcVgw }, 'someone-else-3');
    const writesBefore = writes().length;
    const error = errorOf(await raw('create_static_route', { ...route, plan_id: made.plan_id }));
    expect(error.error_code).toBe('PLAN_STALE');
    const changed = error.changed as Array<{ what: string; before: string; after: string }>;
    expect(changed.find((c) => c.what === 'current_route')).toMatchObject({ before: 'none', after: expect.stringContaining(`via ${ids.dcVgw}`) });
    expect((error.plan as StaticRoutePlan).conflicts.map((c) => c.kind)).toEqual(['static_route_exists']);
    expect(writes()).toHaveLength(writesBefore);
  });

  it('a route no plan could foresee makes the check differ, naming it', async () => {
    await setUp({ approves: true, emulator: { faults: { seed: 1, unforeseenRoute: { destination: '198.51.100.0/24' } } } });
    const route = { ...prod, destination: '10.30.0.0/16' };
    await call('create_static_route', { ...route, is_blackhole: true });
    const waited = await call<Verified>('get_static_route_state', { ...route, wait_for: 'available', timeout_seconds: 30 });
    expect(waited.verification!.status).toBe('differs');
    expect(waited.verification!.differences).toEqual([expect.objectContaining({ route_table_id: ids.prodTable, destination: '198.51.100.0/24', kind: 'unexpected_route', observed: expect.stringContaining('static') })]);
    expect(audit().at(-1)).toMatchObject({ event: 'verification', outcome: 'verification_differs', differences_count: 1 });
  });
});

describe('the check after a change is kept per destination', () => {
  it('two routes through the same attachment in the same table each get their own check', async () => {
    await setUp({ approves: true });
    const first = { ...prod, destination: '10.40.0.0/16', attachment_id: ids.dcVgw };
    const second = { ...prod, destination: '10.41.0.0/16', attachment_id: ids.dcVgw };
    const a = await call<{ plan_id: string }>('create_static_route', first);
    const b = await call<{ plan_id: string }>('create_static_route', second);
    expect(a.plan_id).not.toBe(b.plan_id);
    const intents = audit().filter((r) => r.event === 'intent');
    expect(intents.map((r) => r.plan_id)).toEqual([a.plan_id, b.plan_id]);

    const { attachment_id: _a, ...firstRoute } = first;
    const { attachment_id: _b, ...secondRoute } = second;
    const waitedA = await call<Verified>('get_static_route_state', { ...firstRoute, wait_for: 'available', timeout_seconds: 30 });
    expect(waitedA.verification).toMatchObject({ status: 'as_planned', plan_id: a.plan_id, attempt_id: intents[0]!.attempt_id });
    const waitedB = await call<Verified>('get_static_route_state', { ...secondRoute, wait_for: 'available', timeout_seconds: 30 });
    expect(waitedB.verification).toMatchObject({ status: 'as_planned', plan_id: b.plan_id, attempt_id: intents[1]!.attempt_id });
    expect(audit().filter((r) => r.event === 'verification').map((r) => [r.plan_id, r.outcome])).toEqual([
      [a.plan_id, 'verified'],
      [b.plan_id, 'verified'],
    ]);
  });

  it('two blackholes in the same table too (no attachment to tell them apart)', async () => {
    await setUp({ approves: true });
    const a = await call<{ plan_id: string }>('create_static_route', { ...dev, destination: '10.30.0.0/16', is_blackhole: true });
    const b = await call<{ plan_id: string }>('create_static_route', { ...dev, destination: '10.31.0.0/16', is_blackhole: true });
    const waitedB = await call<Verified>('get_static_route_state', { ...dev, destination: '10.31.0.0/16', wait_for: 'available', timeout_seconds: 30 });
    expect(waitedB.verification).toMatchObject({ status: 'as_planned', plan_id: b.plan_id });
    const waitedA = await call<Verified>('get_static_route_state', { ...dev, destination: '10.30.0.0/16', wait_for: 'available', timeout_seconds: 30 });
    expect(waitedA.verification).toMatchObject({ status: 'as_planned', plan_id: a.plan_id });
  });
});
