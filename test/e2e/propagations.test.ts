// Every propagation and routing tool through the built server over stdio: plan with its routing
// effect → create → wait → lists → undo → wait, and bad input that sends nothing.
import { describe, expect, it } from 'vitest';
import { isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids, sandboxTopology } from '../../src/emulator/topology.js';
import { structured, textOf, useStdioSession, withProdBlackhole } from '../helpers.js';

const args = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc };

describe('propagation tools over stdio', () => {
  // rtb-prod with its blackhole, for the association's routing effect to show one.
  const session = useStdioSession({ topology: withProdBlackhole(sandboxTopology()) });

  async function call<T>(name: string, extra: Record<string, unknown> = {}, base: Record<string, unknown> = args): Promise<T> {
    const result = await session.server.client.callTool({ name, arguments: { ...base, ...extra } });
    session.outputs.push(JSON.stringify(result));
    return structured<T>(result);
  }

  it('lists the five new tools', async () => {
    const names = (await session.server.client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['create_route_propagation', 'delete_route_propagation', 'get_propagation_state', 'list_route_propagations', 'list_effective_routes']));
  });

  it('association and propagation dry runs carry the routing effect and send no write', async () => {
    const association = await call<{ plan: { routing_effect: { added: { count: number }; blackholed_after: { entries: string[] } } } }>('create_route_association', { dry_run: true });
    expect(association.plan.routing_effect.added.count).toBe(4);
    expect(association.plan.routing_effect.blackholed_after.entries).toEqual(['10.30.0.0/16']);
    const propagation = await call<{ plan: { will_change: boolean; routing_effect: { appear: { entries: Array<{ destination: string }> }; conflicts: { count: number } } } }>(
      'create_route_propagation',
      { dry_run: true },
    );
    expect(propagation.plan.will_change).toBe(true);
    expect(propagation.plan.routing_effect.appear.entries.map((r) => r.destination)).toEqual(['10.10.0.0/16']);
    expect(propagation.plan.routing_effect.conflicts.count).toBe(1);
    expect(session.emulator.requests.filter(isWrite)).toEqual([]);
  });

  it('creates with one signed POST and its token, waits, lists, undoes and waits again', async () => {
    const created = await call<{ propagation: { state: string }; client_token: string; undo: { tool: string; arguments: Record<string, unknown> } }>('create_route_propagation', {
      client_token: 'e2e-prop-token-1',
    });
    expect(created).toMatchObject({ propagation: { state: 'pending' }, client_token: 'e2e-prop-token-1' });
    expect(session.emulator.requests.filter(isWrite)).toEqual([expect.objectContaining({ operation: 'enablePropagation', status: 202, clientToken: 'e2e-prop-token-1' })]);

    expect(await call('get_propagation_state', { wait_for: 'available', timeout_seconds: 30 })).toMatchObject({ state: 'available', terminal: true });
    const listed = await call<{ propagations: Array<{ attachment_id: string }>; count: number }>('list_route_propagations', {}, { er_id: ids.router, route_table_id: ids.prodTable });
    expect(listed.propagations.map((p) => p.attachment_id).sort()).toEqual([ids.paymentsVpc, ids.webVpc, ids.dcVgw].sort());
    const routes = await call<{ routes: Array<{ destination: string }> }>('list_effective_routes', { attachment_id: ids.paymentsVpc }, { route_table_id: ids.prodTable });
    expect(routes.routes.map((r) => r.destination)).toEqual(['10.10.0.0/16']);

    const undo = await session.server.client.callTool({ name: created.undo.tool, arguments: created.undo.arguments });
    session.outputs.push(JSON.stringify(undo));
    expect(structured<{ state: string }>(undo).state).toBe('deleting');
    expect(await call('get_propagation_state', { wait_for: 'deleted', timeout_seconds: 30 })).toMatchObject({ state: 'not_found', terminal: true });
    expect(session.emulator.requests.filter(isWrite).map((r) => `${r.operation} ${r.status}`)).toEqual(['enablePropagation 202', 'disablePropagation 202']);
  });

  it('bad IDs and a bad destination give a clear isError and send no request', async () => {
    const before = session.emulator.requests.length;
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['create_route_propagation', { ...args, route_table_id: '../x' }, 'route_table_id'],
      ['delete_route_propagation', { ...args, attachment_id: 'a/b' }, 'attachment_id'],
      ['get_propagation_state', { ...args, er_id: '' }, 'er_id'],
      ['list_route_propagations', { er_id: ids.router, route_table_id: ids.prodTable, state: '../x' }, 'state'],
      ['list_effective_routes', { route_table_id: ids.prodTable, destination: '10.0.0.0/8?x' }, 'destination'],
      ['create_route_propagation', { ...args, client_token: 'x'.repeat(65) }, 'client_token'],
    ];
    for (const [name, bad, mentions] of cases) {
      const result = await session.server.client.callTool({ name, arguments: bad });
      session.outputs.push(JSON.stringify(result));
      expect(result.isError, name).toBe(true);
      expect(textOf(result)).toContain(mentions);
    }
    expect(session.emulator.requests.length).toBe(before);
  });
});
