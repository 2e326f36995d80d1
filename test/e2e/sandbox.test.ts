// --sandbox: no variables at all, a built-in emulator, and every tool saying sandbox: true.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('says so on stderr at start', () => {
    expect(server.stderr()).toContain('SANDBOX MODE');
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
});
