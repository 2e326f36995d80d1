// --sandbox: no variables at all, a built-in emulator, and every tool saying sandbox: true.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { type SpawnedServer, spawnServer, structured, tempDir } from '../helpers.js';

const ids = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.devTable, attachment_id: SANDBOX_IDS.partnerPeering };

describe('sandbox mode over stdio', () => {
  let server: SpawnedServer;
  beforeAll(async () => {
    server = await spawnServer({ PATH: process.env.PATH ?? '', HOME: tempDir('er-mcp-sandbox') }, ['--sandbox'], { approveForms: true });
  });
  afterAll(async () => {
    await server.close();
  });

  it('says so on stderr at start', async () => {
    // Start-up lines are written once the handshake is over (src/log.ts): wait for them.
    await vi.waitFor(() => expect(server.stderr()).toContain('SANDBOX MODE'), { timeout: 10_000 });
  });

  it.each([
    ['list_enterprise_routers', {}],
    ['list_route_tables', { er_id: ids.er_id }],
    ['list_attachments', { er_id: ids.er_id }],
    ['list_route_associations', { er_id: ids.er_id, route_table_id: SANDBOX_IDS.prodTable }],
    ['create_route_association', { ...ids, dry_run: true }],
    ['create_route_association', ids],
    ['get_association_state', ids],
    ['delete_route_association', { ...ids, dry_run: true }],
  ] as const)('%s %j answers with sandbox: true', async (name, args) => {
    const body = structured<{ sandbox: boolean }>(await server.client.callTool({ name, arguments: args }));
    expect(body.sandbox).toBe(true);
  });

  it("the README's worked example: blackhole 10.30.0.0/16 in rtb-prod (no route there before), wait, verify, undo", async () => {
    const call = async <T = Record<string, unknown>>(name: string, args: Record<string, unknown>) => structured<T>(await server.client.callTool({ name, arguments: args }));
    const route = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, destination: '10.30.0.0/16' };
    const listed = await call<{ routes: Array<{ destination: string; is_blackhole: boolean; attachment_id?: string }> }>('list_static_routes', { er_id: route.er_id, route_table_id: route.route_table_id });
    expect(listed.routes.map((r) => [r.destination, r.is_blackhole, r.attachment_id])).toEqual([['10.10.99.0/24', false, SANDBOX_IDS.webVpc]]);

    const args = { ...route, is_blackhole: true, description: 'analytics must not be reached from prod' };
    const dry = await call<{ plan_id: string; plan: { will_change: boolean; current_route: unknown; routing_effect: Record<string, unknown> } }>('create_static_route', { ...args, dry_run: true });
    expect(dry.plan).toMatchObject({ will_change: true, current_route: null });
    expect(dry.plan.routing_effect).toMatchObject({
      used_before: null,
      used_after: { destination: '10.30.0.0/16', route_type: 'static', next_hops: [], blackhole: true },
      gains: { count: 1 },
      loses: { count: 0 },
      traffic_changes: false,
      attachments_affected: { count: 0, entries: [] },
    });

    const asked = server.asked.length;
    const made = await call<{ route: Record<string, unknown>; already_present: boolean; made_by_this_call: boolean; next: { tool: string; arguments: Record<string, unknown> }; undo: { tool: string; arguments: Record<string, unknown> } }>(
      'create_static_route',
      { ...args, plan_id: dry.plan_id },
    );
    expect(server.asked.slice(asked)).toEqual([expect.stringContaining('ADD a static route: 10.30.0.0/16 → a BLACKHOLE')]);
    expect(server.asked.at(-1)).toContain('Traffic to 10.30.0.0/16 is dropped before and after');
    expect(made).toMatchObject({ already_present: false, made_by_this_call: true, route: { state: 'pending', is_blackhole: true, description: args.description } });
    expect(made.undo).toEqual({ tool: 'delete_static_route', arguments: route });
    const settled = await call<{ state: string; verification: { status: string } }>(made.next.tool, made.next.arguments);
    expect(settled).toMatchObject({ state: 'available', verification: { status: 'as_planned' } });

    // What it guards against: propagating the analytics VPC into rtb-prod would add nothing.
    const propagation = await call<{ plan: { routing_effect: { appear: { count: number }; conflicts: { entries: Array<{ kind: string; destination: string }> } } } }>('create_route_propagation', {
      er_id: route.er_id,
      route_table_id: route.route_table_id,
      attachment_id: SANDBOX_IDS.analyticsVpc,
      dry_run: true,
    });
    expect(propagation.plan.routing_effect.appear.count).toBe(0);
    expect(propagation.plan.routing_effect.conflicts.entries).toEqual([expect.objectContaining({ kind: 'blackhole', destination: '10.30.0.0/16' })]);

    const undone = await call<{ state: string; next: { tool: string; arguments: Record<string, unknown> } }>(made.undo.tool, made.undo.arguments);
    expect(undone.state).toBe('deleting');
    expect(await call(undone.next.tool, undone.next.arguments)).toMatchObject({ state: 'not_found', verification: { status: 'as_planned' } });
  });
});
