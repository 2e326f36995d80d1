// Every static-route tool through the built server over stdio, configured only by the documented
// variables, with a client that shows the approval form and a person who approves: list → plan
// with its routing effect → create (approved) → wait, checked against the plan → undo → wait,
// and bad input that sends nothing.
import { describe, expect, it } from 'vitest';
import { isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import { envFor, expectNoEncodedCanary, spawnServer, startTestEmulator, structured, textOf, useStdioSession } from '../helpers.js';
import { HSM_ROUTE, staticRouteTopology } from '../static-route-topology.js';

const prod = { er_id: ids.router, route_table_id: ids.prodTable };
const STATIC_ROUTE_TOOLS = ['list_static_routes', 'create_static_route', 'delete_static_route', 'get_static_route_state'];

describe('static-route tools over stdio', () => {
  const session = useStdioSession({ topology: staticRouteTopology() });

  async function call<T>(name: string, args: Record<string, unknown>): Promise<T> {
    const result = await session.server.client.callTool({ name, arguments: args });
    session.outputs.push(JSON.stringify(result));
    return structured<T>(result);
  }

  const writes = () => session.emulator.requests.filter(isWrite);

  it('lists the four tools, the delete marked destructive', async () => {
    const tools = (await session.server.client.listTools()).tools.filter((t) => STATIC_ROUTE_TOOLS.includes(t.name));
    expect(tools.map((t) => t.name).sort()).toEqual([...STATIC_ROUTE_TOOLS].sort());
    const hints = Object.fromEntries(tools.map((t) => [t.name, [t.annotations?.readOnlyHint, t.annotations?.destructiveHint]]));
    expect(hints).toEqual({
      list_static_routes: [true, false],
      get_static_route_state: [true, false],
      create_static_route: [false, false],
      delete_static_route: [false, true],
    });
  });

  it('list_static_routes shows the table’s static routes', async () => {
    const listed = await call<{ routes: Array<Record<string, unknown>>; count: number }>('list_static_routes', prod);
    expect(listed).toMatchObject({ count: 1, routes: [{ id: HSM_ROUTE, destination: '10.10.99.0/24', is_blackhole: false, attachment_id: ids.webVpc, resource_type: 'vpc', state: 'available' }] });
  });

  it('a dry run carries the routing effect and sends no write', async () => {
    const made = await call<{ plan_id: string; plan: { will_change: boolean; routing_effect: { used_before: unknown; gains: { entries: Array<{ destination: string }> }; attachments_affected: { count: number } } } }>(
      'create_static_route',
      { ...prod, destination: '0.0.0.0/0', attachment_id: ids.dcVgw, dry_run: true },
    );
    expect(made.plan.will_change).toBe(true);
    expect(made.plan.routing_effect.used_before).toBeNull();
    expect(made.plan.routing_effect.gains.entries.map((r) => r.destination)).toEqual(['0.0.0.0/0']);
    expect(made.plan.routing_effect.attachments_affected.count).toBe(1);
    expect(session.server.asked).toEqual([]);
    expect(writes()).toEqual([]);
  });

  it('creates once approved (the person read the destination), waits to available and as planned, undoes, waits until gone', async () => {
    const route = { ...prod, destination: '10.30.0.0/16' };
    const created = await call<{ route: { state: string; is_blackhole: boolean }; client_token: string; plan_id: string; undo: { tool: string; arguments: Record<string, unknown> } }>('create_static_route', {
      ...route,
      is_blackhole: true,
      description: 'analytics must not be reached from prod',
      client_token: 'e2e-static-route-1',
    });
    expect(created).toMatchObject({ route: { state: 'pending', is_blackhole: true }, client_token: 'e2e-static-route-1' });
    expect(created.plan_id).toMatch(/^plan-/);
    expect(session.server.asked).toHaveLength(1);
    expect(session.server.asked[0]).toContain('ADD a static route: 10.30.0.0/16 → a BLACKHOLE');
    expect(session.server.asked[0]).toContain('rtb-prod');
    expect(writes()).toEqual([expect.objectContaining({ operation: 'createStaticRoute', status: 202, clientToken: 'e2e-static-route-1' })]);

    const available = await call<{ state: string; verification: { status: string; plan_id: string } }>('get_static_route_state', { ...route, wait_for: 'available', timeout_seconds: 30 });
    expect(available).toMatchObject({ state: 'available', verification: { status: 'as_planned', plan_id: created.plan_id } });
    const listed = await call<{ routes: Array<Record<string, unknown>> }>('list_static_routes', route);
    expect(listed.routes).toEqual([expect.objectContaining({ destination: '10.30.0.0/16', is_blackhole: true, state: 'available', description: 'analytics must not be reached from prod' })]);

    expect(created.undo).toEqual({ tool: 'delete_static_route', arguments: route });
    const deleting = await call<{ state: string; plan_id: string }>(created.undo.tool, created.undo.arguments);
    expect(deleting.state).toBe('deleting');
    expect(session.server.asked).toHaveLength(2);
    expect(session.server.asked[1]).toContain('DELETE the static route to 10.30.0.0/16');
    const gone = await call<{ state: string; verification: { status: string; plan_id: string } }>('get_static_route_state', { ...route, wait_for: 'deleted', timeout_seconds: 30 });
    expect(gone).toMatchObject({ state: 'not_found', verification: { status: 'as_planned', plan_id: deleting.plan_id } });
    expect(writes().map((w) => `${w.operation} ${w.status}`)).toEqual(['createStaticRoute 202', 'deleteStaticRoute 202']);
  });

  it('bad destinations, next hops and IDs give a clear isError and send no request', async () => {
    const before = session.emulator.requests.length;
    const route = { ...prod, destination: '10.40.0.0/16' };
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['create_static_route', { ...route, destination: '10.40.1.0/16', is_blackhole: true }, 'the network is 10.40.0.0/16'],
      ['create_static_route', { ...route, destination: '169.254.0.0/16', is_blackhole: true }, '169.254.0.0/16'],
      ['create_static_route', { ...route, attachment_id: ids.dcVgw, is_blackhole: true }, 'not both'],
      ['create_static_route', route, 'attachment_id'],
      ['delete_static_route', { ...route, destination: '10.40.0.0' }, 'destination'],
      ['get_static_route_state', { ...route, route_table_id: '../x' }, 'route_table_id'],
      ['list_static_routes', { ...prod, destination: 'any' }, 'destination'],
    ];
    for (const [name, args, mentions] of cases) {
      const result = await session.server.client.callTool({ name, arguments: args });
      session.outputs.push(JSON.stringify(result));
      expect(result.isError, name).toBe(true);
      expect(textOf(result)).toContain(mentions);
    }
    expect(session.emulator.requests.length).toBe(before);
  });
});

describe('a static route approved on the loopback page (a client without elicitation)', () => {
  it('the page shows the destination, the next hop and where traffic goes; approved there, the call with plan_id makes it', async () => {
    const emulator = await startTestEmulator({ topology: staticRouteTopology() });
    const server = await spawnServer(envFor(emulator), ['--audit-log', 'off']);
    const seen: string[] = [];
    try {
      const route = { ...prod, destination: '0.0.0.0/0', attachment_id: ids.dcVgw };
      const pending = structured<{ status: string; plan_id: string; approval_url: string }>(await server.client.callTool({ name: 'create_static_route', arguments: route }));
      seen.push(JSON.stringify(pending));
      expect(pending.status).toBe('approval_required');
      const page = await (await fetch(pending.approval_url, { headers: { accept: 'text/html' } })).text();
      seen.push(page);
      expect(page).toMatch(/<th scope="row">Destination<\/th><td><code>0\.0\.0\.0\/0<\/code>/);
      expect(page).toMatch(/<th scope="row">Next hop<\/th><td><strong>vgw-dc-shanghai<\/strong>/);
      expect(page).toMatch(/<th scope="row">Before<\/th><td>none<\/td><td><strong>no route<\/strong> \(dropped\)/);
      expect(page).not.toContain('Lookups move');
      expect(emulator.requests.filter(isWrite)).toEqual([]);

      const decided = await fetch(pending.approval_url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ decision: 'approve' }) });
      expect(decided.status).toBe(200);
      const created = structured<{ route: { state: string }; plan_id: string }>(await server.client.callTool({ name: 'create_static_route', arguments: { ...route, plan_id: pending.plan_id } }));
      seen.push(JSON.stringify(created));
      expect(created).toMatchObject({ route: { state: 'pending' }, plan_id: pending.plan_id });
      expect(emulator.requests.filter(isWrite).map((r) => `${r.operation} ${r.status}`)).toEqual(['createStaticRoute 202']);
    } finally {
      await server.close();
      await emulator.close();
    }
    expectNoEncodedCanary(...seen, server.stderr());
  });
});
