// The whole workflow through the built server over stdio: dry run → create → wait → delete → wait.
import { describe, expect, it } from 'vitest';
import { isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { structured, useStdioSession } from '../helpers.js';

const args = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.devTable, attachment_id: SANDBOX_IDS.analyticsVpc };

describe('create → wait → delete → wait round trip over stdio', () => {
  const session = useStdioSession();

  async function call<T>(name: string, extra: Record<string, unknown> = {}): Promise<T> {
    const result = await session.server.client.callTool({ name, arguments: { ...args, ...extra } });
    session.outputs.push(JSON.stringify(result));
    return structured<T>(result);
  }

  it('plans, creates, waits, undoes and waits again', async () => {
    const plan = await call<{ plan: { will_change: boolean; conflicts: unknown[] } }>('create_route_association', { dry_run: true });
    expect(plan.plan).toMatchObject({ will_change: true, conflicts: [] });
    expect(session.emulator.requests.filter(isWrite)).toHaveLength(0);

    const created = await call<{ association: { state: string }; undo: { tool: string; arguments: Record<string, unknown> } }>('create_route_association');
    expect(created.association.state).toBe('pending');

    const available = await call<{ state: string }>('get_association_state', { wait_for: 'available', timeout_seconds: 60 });
    expect(available.state).toBe('available');

    const undo = await session.server.client.callTool({ name: created.undo.tool, arguments: created.undo.arguments });
    session.outputs.push(JSON.stringify(undo));
    expect(structured<{ state: string }>(undo).state).toBe('deleting');

    const deleted = await call<{ state: string; terminal: boolean }>('get_association_state', { wait_for: 'deleted', timeout_seconds: 60 });
    expect(deleted).toMatchObject({ state: 'not_found', terminal: true });

    expect(session.emulator.requests.filter(isWrite).map((r) => `${r.operation} ${r.status}`)).toEqual(['associateRouteTable 202', 'disassociateRouteTable 202']);
    expect(session.emulator.store.allAssociations().some((a) => a.attachment_id === args.attachment_id)).toBe(false);
  });
});
