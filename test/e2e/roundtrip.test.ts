// The whole workflow through the built server over stdio: dry run → create → wait → delete → wait.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, isWrite } from '../../src/emulator/server.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { envFor, expectNoCanary, type SpawnedServer, spawnServer, startTestEmulator, structured } from '../helpers.js';

const args = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.devTable, attachment_id: SANDBOX_IDS.analyticsVpc };

describe('create → wait → delete → wait round trip over stdio', () => {
  let emulator: Emulator;
  let server: SpawnedServer;
  const seen: string[] = [];

  beforeAll(async () => {
    emulator = await startTestEmulator();
    server = await spawnServer(envFor(emulator));
  });
  afterAll(async () => {
    await server.close();
    expectNoCanary(server.stderr(), ...seen);
    await emulator.close();
  });

  async function call<T>(name: string, extra: Record<string, unknown> = {}): Promise<T> {
    const result = await server.client.callTool({ name, arguments: { ...args, ...extra } });
    seen.push(JSON.stringify(result));
    return structured<T>(result);
  }

  it('plans, creates, waits, undoes and waits again', async () => {
    const plan = await call<{ plan: { will_change: boolean; conflicts: unknown[] } }>('create_route_association', { dry_run: true });
    expect(plan.plan).toMatchObject({ will_change: true, conflicts: [] });
    expect(emulator.requests.filter(isWrite)).toHaveLength(0);

    const created = await call<{ association: { state: string }; undo: { tool: string; arguments: Record<string, unknown> } }>('create_route_association');
    expect(created.association.state).toBe('pending');

    const available = await call<{ state: string }>('get_association_state', { wait_for: 'available', timeout_seconds: 60 });
    expect(available.state).toBe('available');

    const undo = await server.client.callTool({ name: created.undo.tool, arguments: created.undo.arguments });
    seen.push(JSON.stringify(undo));
    expect(structured<{ state: string }>(undo).state).toBe('deleting');

    const deleted = await call<{ state: string; terminal: boolean }>('get_association_state', { wait_for: 'deleted', timeout_seconds: 60 });
    expect(deleted).toMatchObject({ state: 'not_found', terminal: true });

    expect(emulator.requests.filter(isWrite).map((r) => `${r.operation} ${r.status}`)).toEqual(['associate 202', 'disassociate 202']);
    expect(emulator.store.allAssociations().some((a) => a.attachment_id === args.attachment_id)).toBe(false);
  });
});
