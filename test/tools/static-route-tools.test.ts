// The static-route tools in memory against the emulator, held to the contract of the association
// and propagation tools: input checked before any request, lists, the create/delete contract (one
// token, convergence on what really happened, undo, already gone), state waits, and the
// guardrails every write tool gets from the registry. Plans, approvals and the check after a
// change are in static-route-plans.test.ts.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultPlan } from '../../src/emulator/faults.js';
import { type Emulator, type EmulatorOptions, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids, type StaticRouteSeed, type Topology } from '../../src/emulator/topology.js';
import { openAuditLog } from '../../src/guardrails/audit.js';
import type { GuardrailSettings } from '../../src/guardrails/guardrail-settings.js';
import type { ToolEnv } from '../../src/toolkit/context.js';
import { FakeClock } from '../fake-clock.js';
import { HSM_ROUTE, staticRouteTopology } from '../static-route-topology.js';
import { connectInMemory, errorOf, expectNoCanary, type InMemoryHarness, startTestEmulator, structured, tempDir, textOf, WITHOUT_APPROVAL } from '../helpers.js';

const prod = { er_id: ids.router, route_table_id: ids.prodTable };
const dev = { er_id: ids.router, route_table_id: ids.devTable };
const MISSING = 'ffffffff-0000-4000-8000-00000000ffff';
let emulator: Emulator;
let harness: InMemoryHarness;
const outputs: string[] = [];

afterEach(async () => {
  await harness?.close();
  await emulator?.close();
  // Whatever a test saw, no canary secret was in it.
  expectNoCanary(...outputs.splice(0));
});

interface SetUp {
  faults?: FaultPlan;
  settings?: Partial<GuardrailSettings>;
  topology?: Topology;
  emulator?: Partial<EmulatorOptions>;
  auditPath?: string;
  env?: Partial<ToolEnv>;
}

async function setUp(options: SetUp = {}): Promise<void> {
  emulator = await startTestEmulator({ topology: options.topology ?? staticRouteTopology(), ...(options.faults ? { faults: options.faults } : {}), ...options.emulator });
  harness = await connectInMemory(emulator, {
    settings: options.settings ?? WITHOUT_APPROVAL,
    ...(options.auditPath ? { audit: openAuditLog(options.auditPath) } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
}

async function raw(name: string, args: Record<string, unknown>) {
  const result = await harness.client.callTool({ name, arguments: args });
  outputs.push(JSON.stringify(result));
  return result;
}

async function call<T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T> {
  return structured<T>(await raw(name, args));
}

const writes = () => emulator.requests.filter(isWrite);
/** The live static routes of a table to a destination, as the emulator holds them. */
const routesTo = (routeTableId: string, destination: string) => emulator.staticRoutes.allStaticRoutes().filter((r) => r.route_table_id === routeTableId && r.destination === destination);

interface Created {
  route: { id: string; state: string; destination: string; is_blackhole: boolean; attachments: Array<{ attachment_id: string }>; description?: string };
  already_present: boolean;
  made_by_this_call: boolean | null;
  client_token: string;
  note?: string;
  next: { tool: string; arguments: Record<string, unknown> };
  undo: { tool: string; arguments: Record<string, unknown> };
}

describe('input is checked before any request', () => {
  it('a destination that is not a CIDR block, has host bits set or lies in a reserved range is refused, naming the problem', async () => {
    await setUp();
    const cases: Array<[string, string]> = [
      ['10.0.0.0', 'must be a CIDR block'],
      ['ten/8', 'must be a CIDR block'],
      ['10.0.0.0/33', 'must be a CIDR block'],
      ['10.0.0.0/8/8', 'must be a CIDR block'],
      ['', 'must be a CIDR block'],
      ['10.1.2.3/16', 'has host bits set: the network is 10.1.0.0/16'],
      ['192.168.20.1/24', 'the network is 192.168.20.0/24'],
      ['2001:db8::1/32', 'the network is 2001:db8::/32'],
      ['127.0.0.0/8', 'lies in 127.0.0.0/8'],
      ['127.1.0.0/16', 'lies in 127.0.0.0/8'],
      ['169.254.10.0/24', 'lies in 169.254.0.0/16'],
      ['224.0.0.0/4', 'lies in 224.0.0.0/4'],
      ['239.1.0.0/16', 'lies in 224.0.0.0/4'],
    ];
    for (const [destination, says] of cases) {
      for (const [tool, extra] of [
        ['create_static_route', { is_blackhole: true, dry_run: true }],
        ['delete_static_route', { dry_run: true }],
        ['get_static_route_state', {}],
      ] as const) {
        const result = await raw(tool, { ...prod, destination, ...extra });
        expect(result.isError, `${tool} ${destination}`).toBe(true);
        expect(textOf(result), `${tool} ${destination}`).toContain(says);
      }
    }
    const listed = await raw('list_static_routes', { ...prod, destination: '10.1.2.3/16' });
    expect(textOf(listed)).toContain('the network is 10.1.0.0/16');
    expect(emulator.requests).toEqual([]);
  });

  it('an IPv6 destination is taken, and written canonically in the plan', async () => {
    await setUp();
    const { plan } = await call<{ plan: { destination: string; will_change: boolean } }>('create_static_route', { ...prod, destination: '2001:DB8:0::/32', is_blackhole: true, dry_run: true });
    expect(plan).toMatchObject({ destination: '2001:db8::/32', will_change: true });
    expect(writes()).toEqual([]);
  });

  it('a create names exactly one way for the traffic: attachment_id or is_blackhole: true', async () => {
    await setUp();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ attachment_id: ids.dcVgw, is_blackhole: true }, 'not both'],
      [{}, 'say where the route goes'],
      [{ is_blackhole: false }, 'say where the route goes'],
    ];
    for (const [way, says] of cases) {
      for (const dryRun of [true, false]) {
        const result = await raw('create_static_route', { ...prod, destination: '10.40.0.0/16', ...way, dry_run: dryRun });
        expect(result.isError, JSON.stringify(way)).toBe(true);
        expect(textOf(result)).toContain(says);
        expect(textOf(result)).toContain('attachment_id');
      }
    }
    expect(emulator.requests).toEqual([]);
  });

  it('a description that is too long or holds control characters or markup is refused', async () => {
    await setUp();
    const cases: Array<[string, string]> = [
      ['x'.repeat(256), 'at most 255 characters'],
      ['first line\nsecond line', 'control characters'],
      ['tab\there', 'control characters'],
      ['<script>alert(1)</script>', 'control characters, "<" or ">"'],
    ];
    for (const [description, says] of cases) {
      const result = await raw('create_static_route', { ...prod, destination: '10.40.0.0/16', is_blackhole: true, description });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(says);
    }
    // 255 ordinary characters (and non-ASCII letters) are fine.
    const { plan } = await call<{ plan: { will_change: boolean } }>('create_static_route', { ...prod, destination: '10.40.0.0/16', is_blackhole: true, description: `Zürich ${'y'.repeat(248)}`, dry_run: true });
    expect(plan.will_change).toBe(true);
    expect(writes()).toEqual([]);
  });

  it('bad IDs, unknown fields and a bad client_token are refused by name', async () => {
    await setUp();
    const route = { ...prod, destination: '10.40.0.0/16' };
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['create_static_route', { ...route, is_blackhole: true, route_table_id: '../x' }, 'route_table_id'],
      ['create_static_route', { ...route, attachment_id: 'a/b' }, 'attachment_id'],
      ['create_static_route', { ...route, is_blackhole: true, er_id: '' }, 'er_id'],
      ['create_static_route', { ...route, is_blackhole: true, client_token: 'x'.repeat(65) }, 'client_token'],
      ['create_static_route', { ...route, is_blackhole: true, next_hop: ids.dcVgw }, 'next_hop'],
      ['create_static_route', { ...route, is_blackhole: true, plan_id: 'plan-../../etc' }, 'plan_id'],
      ['delete_static_route', { ...route, route_table_id: 'x'.repeat(37) }, 'route_table_id'],
      ['delete_static_route', { ...route, attachment_id: ids.dcVgw }, 'attachment_id'],
      ['delete_static_route', { er_id: ids.router, route_table_id: ids.prodTable }, 'destination'],
      ['get_static_route_state', { ...route, er_id: 'a b' }, 'er_id'],
      ['get_static_route_state', { ...route, wait_for: 'gone' }, 'wait_for'],
      ['list_static_routes', { ...prod, route_table_id: '..' }, 'route_table_id'],
      ['list_static_routes', { ...prod, attachment_id: '../x' }, 'attachment_id'],
      ['list_static_routes', { ...prod, limit: 0 }, 'limit'],
    ];
    for (const [tool, args, mentions] of cases) {
      const result = await raw(tool, args);
      expect(result.isError, `${tool} ${mentions}`).toBe(true);
      expect(textOf(result), `${tool} ${mentions}`).toContain(mentions);
    }
    expect(emulator.requests).toEqual([]);
  });
});

describe('list_static_routes', () => {
  const extra: StaticRouteSeed[] = [
    { id: 'r-static-tools-drop', route_table_id: ids.prodTable, destination: '10.99.0.0/16', is_blackhole: true },
    { id: 'r-static-tools-dc-1', route_table_id: ids.prodTable, destination: '172.20.0.0/16', attachment_id: ids.dcVgw },
    { id: 'r-static-tools-dc-2', route_table_id: ids.prodTable, destination: '172.21.0.0/16', attachment_id: ids.dcVgw },
    { id: 'r-static-tools-dev', route_table_id: ids.devTable, destination: '10.98.0.0/16', is_blackhole: true },
  ];

  it('lists the seeded routes of one table with their next hops and states', async () => {
    await setUp({ topology: staticRouteTopology(extra) });
    const listed = await call<{ er_id: string; route_table_id: string; routes: Array<Record<string, unknown>>; count: number; truncated: boolean }>('list_static_routes', prod);
    expect(listed).toMatchObject({ ...prod, count: 4, truncated: false });
    expect(listed.routes).toEqual([
      { id: HSM_ROUTE, destination: '10.10.99.0/24', is_blackhole: false, attachment_id: ids.webVpc, resource_type: 'vpc', state: 'available' },
      { id: 'r-static-tools-dc-1', destination: '172.20.0.0/16', is_blackhole: false, attachment_id: ids.dcVgw, resource_type: 'vgw', state: 'available' },
      { id: 'r-static-tools-dc-2', destination: '172.21.0.0/16', is_blackhole: false, attachment_id: ids.dcVgw, resource_type: 'vgw', state: 'available' },
      { id: 'r-static-tools-drop', destination: '10.99.0.0/16', is_blackhole: true, state: 'available' },
    ]);
    const other = await call<{ routes: Array<{ id: string }> }>('list_static_routes', dev);
    expect(other.routes.map((r) => r.id)).toEqual(['r-static-tools-dev']);
  });

  it('filters by destination (compared canonically) and by attachment', async () => {
    await setUp({ topology: staticRouteTopology(extra) });
    const drop = await call<{ routes: Array<{ id: string; is_blackhole: boolean }> }>('list_static_routes', { ...prod, destination: '10.99.0.0/16' });
    expect(drop.routes).toEqual([expect.objectContaining({ id: 'r-static-tools-drop', is_blackhole: true })]);
    const none = await call<{ routes: unknown[]; count: number }>('list_static_routes', { ...prod, destination: '10.99.0.0/17' });
    expect(none).toMatchObject({ routes: [], count: 0 });
    const viaDc = await call<{ routes: Array<{ destination: string }> }>('list_static_routes', { ...prod, attachment_id: ids.dcVgw });
    expect(viaDc.routes.map((r) => r.destination)).toEqual(['172.20.0.0/16', '172.21.0.0/16']);
  });

  it('pages with a cursor, each route once', async () => {
    await setUp({ topology: staticRouteTopology(extra) });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (; pages < 10; pages++) {
      const body = await call<{ routes: Array<{ id: string }>; next_cursor?: string }>('list_static_routes', { ...prod, limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...body.routes.map((r) => r.id));
      if (!body.next_cursor) break;
      cursor = body.next_cursor;
    }
    expect(pages).toBeGreaterThan(0);
    expect(seen.sort()).toEqual([HSM_ROUTE, 'r-static-tools-dc-1', 'r-static-tools-dc-2', 'r-static-tools-drop']);
  });

  it('an unknown route table is the API error with the hint to list tables', async () => {
    await setUp();
    const error = errorOf(await raw('list_static_routes', { ...prod, route_table_id: MISSING }));
    expect(error.error_code).toBe('ER.04045001');
    expect(String(error.hint)).toContain('list_route_tables');
  });
});

describe('create_static_route → get_static_route_state → list → delete_static_route', () => {
  it('creates pending with one token, waits to available, lists it, undoes it and waits until gone', async () => {
    await setUp();
    const route = { ...prod, destination: '10.40.0.0/16' };
    const created = await call<Created>('create_static_route', { ...route, attachment_id: ids.dcVgw, description: 'to the DC' });
    expect(created).toMatchObject({
      route: { state: 'pending', destination: '10.40.0.0/16', is_blackhole: false, attachments: [expect.objectContaining({ attachment_id: ids.dcVgw })], description: 'to the DC' },
      already_present: false,
      made_by_this_call: true,
    });
    expect(created.next).toEqual({ tool: 'get_static_route_state', arguments: { ...route, wait_for: 'available', timeout_seconds: 50 } });
    expect(created.undo).toEqual({ tool: 'delete_static_route', arguments: route });
    expect(writes().map((w) => [w.operation, w.status, w.clientToken])).toEqual([['createStaticRoute', 202, created.client_token]]);

    const available = await call<{ state: string; terminal: boolean; route: { id: string } }>(created.next.tool, { ...created.next.arguments, timeout_seconds: 10 });
    expect(available).toMatchObject({ state: 'available', terminal: true, route: { id: created.route.id } });
    // Written without a plan: there is nothing to check it against.
    expect(available).not.toHaveProperty('verification');

    const listed = await call<{ routes: Array<Record<string, unknown>> }>('list_static_routes', { ...prod, destination: '10.40.0.0/16' });
    expect(listed.routes).toEqual([{ id: created.route.id, destination: '10.40.0.0/16', is_blackhole: false, attachment_id: ids.dcVgw, resource_type: 'vgw', state: 'available', description: 'to the DC' }]);
    const effective = await call<{ routes: Array<{ destination: string; route_type: string; next_hops: Array<{ attachment_id: string }> }> }>('list_effective_routes', {
      route_table_id: ids.prodTable,
      destination: '10.40.0.0/16',
    });
    expect(effective.routes.map((r) => [r.destination, r.route_type, r.next_hops.map((h) => h.attachment_id)])).toEqual([['10.40.0.0/16', 'static', [ids.dcVgw]]]);

    const deleting = await call<{ state: string; already_gone: boolean; next: { tool: string; arguments: Record<string, unknown> } }>(created.undo.tool, created.undo.arguments);
    expect(deleting).toMatchObject({ state: 'deleting', already_gone: false });
    expect(deleting.next).toEqual({ tool: 'get_static_route_state', arguments: { ...route, wait_for: 'deleted', timeout_seconds: 50 } });
    const gone = await call<{ state: string; terminal: boolean; route: null }>(deleting.next.tool, { ...deleting.next.arguments, timeout_seconds: 10 });
    expect(gone).toMatchObject({ state: 'not_found', terminal: true, route: null });
    expect(writes().map((w) => `${w.operation} ${w.status}`)).toEqual(['createStaticRoute 202', 'deleteStaticRoute 202']);
    expect(routesTo(ids.prodTable, '10.40.0.0/16')).toEqual([]);

    // Deleting again: already gone, and nothing is sent.
    const again = await call<{ state: string; already_gone: boolean }>('delete_static_route', route);
    expect(again).toMatchObject({ state: 'not_found', already_gone: true });
    expect(writes()).toHaveLength(2);
  });

  it('a blackhole route: dropped in the table; the destination is sent canonically', async () => {
    await setUp();
    const created = await call<Created>('create_static_route', { ...dev, destination: '2001:DB8:0::/32', is_blackhole: true });
    expect(created.route).toMatchObject({ destination: '2001:db8::/32', is_blackhole: true, attachments: [] });
    expect(created.undo.arguments).toEqual({ ...dev, destination: '2001:db8::/32' });
    expect(routesTo(ids.devTable, '2001:db8::/32')).toHaveLength(1);
    const available = await call<{ state: string }>('get_static_route_state', { ...dev, destination: '2001:db8::/32', wait_for: 'available', timeout_seconds: 10 });
    expect(available.state).toBe('available');
  });

  it('a delete of a route that is not there is already_gone and sends nothing', async () => {
    await setUp();
    const absent = await call<{ state: string; already_gone: boolean; request_id: null }>('delete_static_route', { ...prod, destination: '10.77.0.0/16' });
    expect(absent).toMatchObject({ state: 'not_found', already_gone: true, request_id: null });
    expect(writes()).toEqual([]);
    // The route to 10.10.99.0/24 is not "there" for another table either.
    const elsewhere = await call<{ already_gone: boolean }>('delete_static_route', { ...dev, destination: '10.10.99.0/24' });
    expect(elsewhere.already_gone).toBe(true);
    expect(routesTo(ids.prodTable, '10.10.99.0/24')).toHaveLength(1);
  });

  it('get_static_route_state looks once by default; a wait for a route that never comes says how to create it', async () => {
    // A clock that jumps over every wait: the wait gives a route that is not there yet some time to appear.
    await setUp({ env: { clock: new FakeClock(true), poll: { initialMs: 1_000, maxMs: 1_000 } } });
    expect(await call('get_static_route_state', { ...prod, destination: '10.10.99.0/24' })).toMatchObject({ state: 'available', terminal: true, polls: 1, route: { id: HSM_ROUTE } });
    expect(await call('get_static_route_state', { ...prod, destination: '10.77.0.0/16' })).toMatchObject({ state: 'not_found', route: null, polls: 1 });
    const waited = await call<{ state: string; hint: string; timed_out?: boolean }>('get_static_route_state', { ...prod, destination: '10.77.0.0/16', wait_for: 'available', timeout_seconds: 30 });
    expect(waited.state).toBe('not_found');
    expect(waited.timed_out).toBeUndefined();
    expect(waited.hint).toContain('create_static_route');
    expect(waited.hint).toContain('list_static_routes');
  });

  it('a wait that runs out says timed_out and to call again', async () => {
    await setUp({ emulator: { availableAfterMs: 60 * 60_000 }, env: { clock: new FakeClock(true), poll: { initialMs: 1_000, maxMs: 1_000 } } });
    await call('create_static_route', { ...prod, destination: '10.40.0.0/16', is_blackhole: true });
    const result = await call<{ state: string; timed_out: boolean; hint: string }>('get_static_route_state', { ...prod, destination: '10.40.0.0/16', wait_for: 'available', timeout_seconds: 5 });
    expect(result).toMatchObject({ state: 'pending', timed_out: true });
    expect(result.hint).toContain('get_static_route_state again');
  });
});

describe('the create converges on what really happened', () => {
  it('the same token returns the same route; a fresh token converges on it, made by another request', async () => {
    await setUp();
    const route = { ...prod, destination: '10.40.0.0/16', attachment_id: ids.dcVgw };
    const first = await call<Created>('create_static_route', { ...route, client_token: 'sr-tool-token-1' });
    const again = await call<Created>('create_static_route', { ...route, client_token: 'sr-tool-token-1' });
    expect(again).toMatchObject({ route: { id: first.route.id }, already_present: false, client_token: 'sr-tool-token-1' });
    const other = await call<Created>('create_static_route', route);
    expect(other).toMatchObject({ route: { id: first.route.id }, already_present: true, made_by_this_call: false });
    expect(other.note).toMatch(/already existed: another request made it/);
    // The caller's own token again, answered "already exists" (no replay): it may have been this caller's.
    const mine = await call<Created>('create_static_route', { ...route, client_token: 'sr-tool-token-2' });
    expect(mine).toMatchObject({ route: { id: first.route.id }, already_present: false, made_by_this_call: null });
    expect(routesTo(ids.prodTable, '10.40.0.0/16')).toHaveLength(1);
  });

  it('a blackhole asked for twice converges too', async () => {
    await setUp();
    const route = { ...prod, destination: '10.30.0.0/16', is_blackhole: true };
    const first = await call<Created>('create_static_route', route);
    const second = await call<Created>('create_static_route', route);
    expect(second).toMatchObject({ route: { id: first.route.id, is_blackhole: true }, already_present: true, made_by_this_call: false });
    expect(routesTo(ids.prodTable, '10.30.0.0/16')).toHaveLength(1);
  });

  it('a create whose answer is lost is settled by looking: created, with the same token, one route', async () => {
    // Still pending when looked at, however slow the machine.
    await setUp({ emulator: { availableAfterMs: 10 * 60_000 }, faults: { seed: 3, sequence: ['reset-after', 'reset-after', 'reset-after', 'reset-after'] } });
    const body = await call<Created>('create_static_route', { ...prod, destination: '10.40.0.0/16', attachment_id: ids.dcVgw, client_token: 'sr-lost-answer' });
    expect(body).toMatchObject({ client_token: 'sr-lost-answer', made_by_this_call: null, route: { state: 'pending', destination: '10.40.0.0/16' } });
    expect(body.note).toMatch(/exists: it was created/);
    const sent = writes();
    expect(sent.length).toBeGreaterThan(1);
    expect(new Set(sent.map((w) => `${w.operation} ${w.clientToken}`))).toEqual(new Set(['createStaticRoute sr-lost-answer']));
    expect(routesTo(ids.prodTable, '10.40.0.0/16')).toHaveLength(1);
  });

  it('a create refused as busy (ER.04005003) is retried with the same token and made', async () => {
    // Seed 5 draws ER.04005003 for this busy fault.
    await setUp({ faults: { seed: 5, sequence: ['busy'] } });
    const body = await call<Created>('create_static_route', { ...prod, destination: '10.40.0.0/16', is_blackhole: true });
    expect(body).toMatchObject({ made_by_this_call: true, route: { state: 'pending' } });
    expect(writes().map((w) => [w.operation, w.status, w.clientToken])).toEqual([
      ['createStaticRoute', 400, body.client_token],
      ['createStaticRoute', 202, body.client_token],
    ]);
    expect(routesTo(ids.prodTable, '10.40.0.0/16')).toHaveLength(1);
  });

  it('a create refused as busy on every attempt says not_created with the token to retry with', async () => {
    await setUp({ faults: { seed: 5, sequence: ['busy', 'busy', 'busy', 'busy'] } });
    const error = errorOf(await raw('create_static_route', { ...prod, destination: '10.40.0.0/16', is_blackhole: true, client_token: 'sr-busy-token' }));
    expect(error).toMatchObject({ error_code: 'ER.04005003', client_token: 'sr-busy-token', retryable: true, outcome: 'not_created' });
    expect(String(error.hint)).toContain('client_token sr-busy-token');
    expect(routesTo(ids.prodTable, '10.40.0.0/16')).toEqual([]);
  });

  it('a destination whose static route goes elsewhere is refused, naming where it goes; nothing changes', async () => {
    await setUp();
    for (const way of [{ attachment_id: ids.paymentsVpc }, { is_blackhole: true }]) {
      const error = errorOf(await raw('create_static_route', { ...prod, destination: '10.10.99.0/24', ...way }));
      expect(error).toMatchObject({ error_code: 'ER.04006002', retryable: false, existing_route: { id: HSM_ROUTE } });
      expect(String(error.hint)).toContain(`a route via ${ids.webVpc}`);
      expect(String(error.hint)).toContain('delete_static_route with destination 10.10.99.0/24');
    }
    expect(routesTo(ids.prodTable, '10.10.99.0/24')).toEqual([expect.objectContaining({ id: HSM_ROUTE, is_blackhole: false, attachments: [expect.objectContaining({ attachment_id: ids.webVpc })] })]);
    expect(writes().map((w) => `${w.operation} ${w.status}`)).toEqual(['createStaticRoute 400', 'createStaticRoute 400']);
  });

  it('a blackhole in the way of a route through an attachment is named as a blackhole', async () => {
    await setUp({ topology: staticRouteTopology([{ id: 'r-static-tools-drop', route_table_id: ids.prodTable, destination: '10.99.0.0/16', is_blackhole: true }]) });
    const error = errorOf(await raw('create_static_route', { ...prod, destination: '10.99.0.0/16', attachment_id: ids.dcVgw }));
    expect(error.error_code).toBe('ER.04006002');
    expect(String(error.hint)).toContain('(a blackhole route)');
  });

  it('a full table is the API quota error, and nothing is made', async () => {
    await setUp({ emulator: { staticRouteQuota: 1 } });
    const error = errorOf(await raw('create_static_route', { ...prod, destination: '10.40.0.0/16', is_blackhole: true }));
    expect(error).toMatchObject({ error_code: 'ER.04009008', retryable: false });
    expect(routesTo(ids.prodTable, '10.40.0.0/16')).toEqual([]);
  });

  it('a next hop that is not an attachment of the router is the API error, and nothing is made', async () => {
    await setUp();
    const error = errorOf(await raw('create_static_route', { ...prod, destination: '10.40.0.0/16', attachment_id: ids.labVpc }));
    expect(error.error_code).toBe('ER.04044001');
    expect(routesTo(ids.prodTable, '10.40.0.0/16')).toEqual([]);
  });

  it('a create while the route is being deleted is refused with the wait to make', async () => {
    await setUp({ emulator: { deletedAfterMs: 60_000 } });
    await call('delete_static_route', { ...prod, destination: '10.10.99.0/24' });
    const error = errorOf(await raw('create_static_route', { ...prod, destination: '10.10.99.0/24', attachment_id: ids.webVpc }));
    expect(error).toMatchObject({ error_code: 'ER.04006002', route_state: 'deleting', retryable: true });
    expect(String(error.hint)).toContain('get_static_route_state');
    expect(String(error.hint)).toContain('wait_for "deleted"');
  });

  it('a route that ends failed: the wait says so, a create is refused with the remedy, and the delete removes it', async () => {
    await setUp();
    const route = { ...prod, destination: '10.40.0.0/16' };
    emulator.staticRoutes.failStaticRoutesTo('10.40.0.0/16');
    await call('create_static_route', { ...route, is_blackhole: true });
    const failed = await call<{ state: string; terminal: boolean }>('get_static_route_state', { ...route, wait_for: 'available', timeout_seconds: 10 });
    expect(failed).toMatchObject({ state: 'failed', terminal: true });
    const error = errorOf(await raw('create_static_route', { ...route, is_blackhole: true }));
    expect(error).toMatchObject({ error_code: 'ER.04006002', route_state: 'failed', retryable: false });
    expect(String(error.hint)).toContain('delete_static_route');
    expect((await call<{ state: string }>('delete_static_route', route)).state).toBe('deleting');
    expect(await call('get_static_route_state', { ...route, wait_for: 'deleted', timeout_seconds: 10 })).toMatchObject({ state: 'not_found' });
  });

  it('a delete whose answer is lost is settled by looking: the route is going', async () => {
    // Request 1 looks the route up; the delete (2) is applied but its answer lost, and so are its retries.
    await setUp({ emulator: { deletedAfterMs: 60 * 60_000 }, faults: { seed: 3, sequence: ['none', 'reset-after', 'reset-after', 'reset-after', 'reset-after'] } });
    const deleting = await call<{ state: string; already_gone: boolean }>('delete_static_route', { ...prod, destination: '10.10.99.0/24' });
    expect(deleting).toMatchObject({ state: 'deleting', already_gone: false });
    expect(routesTo(ids.prodTable, '10.10.99.0/24')).toEqual([expect.objectContaining({ id: HSM_ROUTE, state: 'deleting' })]);
  });

  it('a second delete while the route is being deleted says deleting, not an error, and sends nothing', async () => {
    await setUp({ emulator: { deletedAfterMs: 60 * 60_000 } });
    const route = { ...prod, destination: '10.10.99.0/24' };
    expect((await call<{ state: string }>('delete_static_route', route)).state).toBe('deleting');
    const sent = writes().length;
    expect(await call('delete_static_route', route)).toMatchObject({ state: 'deleting', already_gone: false });
    expect(writes()).toHaveLength(sent);
  });

  it('a delete of a route still pending is refused as busy; the route stays', async () => {
    await setUp({ emulator: { availableAfterMs: 60_000 } });
    await call('create_static_route', { ...prod, destination: '10.40.0.0/16', is_blackhole: true });
    const error = errorOf(await raw('delete_static_route', { ...prod, destination: '10.40.0.0/16' }));
    expect(error).toMatchObject({ error_code: 'ER.04005003', retryable: true });
    expect(routesTo(ids.prodTable, '10.40.0.0/16')).toEqual([expect.objectContaining({ state: 'pending' })]);
  });
});

describe('guardrails apply to the static-route tools through the registry', () => {
  it('read-only: the writes are not listed and are refused by name; reads still work', async () => {
    const auditPath = join(tempDir('er-static-audit'), 'audit.jsonl');
    await setUp({ settings: { readOnly: true }, auditPath });
    const names = (await harness.client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['list_static_routes', 'get_static_route_state']));
    expect(names).not.toContain('create_static_route');
    expect(names).not.toContain('delete_static_route');
    for (const [tool, args] of [
      ['create_static_route', { ...prod, destination: '10.40.0.0/16', is_blackhole: true }],
      ['delete_static_route', { ...prod, destination: '10.10.99.0/24' }],
    ] as const) {
      expect(errorOf(await raw(tool, args)).error_code).toBe('READ_ONLY');
    }
    expect((await call<{ count: number }>('list_static_routes', prod)).count).toBe(1);
    expect(writes()).toEqual([]);
  });

  it('allow-lists refuse another route table before any request', async () => {
    await setUp({ settings: { ...WITHOUT_APPROVAL, allowRouteTableIds: new Set([ids.devTable]) } });
    for (const dryRun of [true, false]) {
      for (const [tool, args] of [
        ['create_static_route', { ...prod, destination: '10.40.0.0/16', attachment_id: ids.dcVgw }],
        ['delete_static_route', { ...prod, destination: '10.10.99.0/24' }],
      ] as const) {
        const error = errorOf(await raw(tool, { ...args, dry_run: dryRun }));
        expect(error.error_code).toBe('NOT_ALLOWED');
        expect(String(error.error_msg)).toContain(ids.prodTable);
      }
    }
    expect(emulator.requests).toEqual([]);
    // The allowed table can still be changed.
    expect((await call<Created>('create_static_route', { ...dev, destination: '10.40.0.0/16', is_blackhole: true })).route.state).toBe('pending');
  });

  it('allow-lists refuse another router before any request', async () => {
    await setUp({ settings: { ...WITHOUT_APPROVAL, allowErIds: new Set([ids.labRouter]) } });
    const error = errorOf(await raw('create_static_route', { ...prod, destination: '10.40.0.0/16', is_blackhole: true }));
    expect(error.error_code).toBe('NOT_ALLOWED');
    expect(emulator.requests).toEqual([]);
  });
});
