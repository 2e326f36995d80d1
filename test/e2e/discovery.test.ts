// The four list_* tools through the built server over real stdio, against an emulator seeded with
// a topology large enough that every tool pages and list_attachments hits the size budget.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { generatedTopology, type Topology } from '../../src/emulator/topology.js';
import { envFor, errorOf, expectNoCanary, type SpawnedServer, spawnServer, startTestEmulator, structured, textOf } from '../helpers.js';

const ER_ID = 'gen-router-0001';
const TABLE_ID = 'gen-rt-000000';
const BUDGET = 20_000;

interface ListResult {
  count: number;
  next_cursor?: string;
  truncated: boolean;
  [key: string]: unknown;
}

/** 111 routers, 120 route tables, 1,500 attachments with 200-character names, 120 associations. */
function largeTopology(): Topology {
  const topology = generatedTopology({ attachments: 1_500, routeTables: 120, nameLength: 200 });
  for (let i = 1; i <= 110; i++) topology.routers.push({ id: `gen-router-x${String(i).padStart(4, '0')}`, name: `er-extra-${i}` });
  topology.attachments.forEach((a, i) => {
    if (i % 3 === 0 && i < 3 * 120) a.associated_route_table_id = TABLE_ID;
  });
  return topology;
}

describe('discovery tools over stdio', () => {
  let emulator: Emulator;
  let server: SpawnedServer;
  let topology: Topology;
  const outputs: string[] = [];

  /** Follows next_cursor to the end through the spawned server. */
  async function listAll(client: Client, name: string, key: string, args: Record<string, unknown>): Promise<{ ids: string[]; calls: ListResult[] }> {
    const ids: string[] = [];
    const calls: ListResult[] = [];
    let cursor: string | undefined;
    do {
      const result = await client.callTool({ name, arguments: cursor ? { ...args, cursor } : args });
      const text = textOf(result);
      outputs.push(text);
      expect(text.length).toBeLessThanOrEqual(BUDGET);
      const body = structured<ListResult>(result);
      expect(JSON.parse(text)).toEqual(body);
      calls.push(body);
      ids.push(...(body[key] as Array<{ id: string }>).map((item) => item.id));
      cursor = body.next_cursor;
      if (calls.length > 200) throw new Error('paging did not end');
    } while (cursor);
    return { ids, calls };
  }

  beforeAll(async () => {
    topology = largeTopology();
    emulator = await startTestEmulator({ topology });
    server = await spawnServer(envFor(emulator));
  });
  afterAll(async () => {
    await server.close();
    outputs.push(server.stderr());
    expectNoCanary(...outputs);
    await emulator.close();
  });

  it('lists the four discovery tools as read-only with an output schema', async () => {
    const { tools } = await server.client.listTools();
    for (const name of ['list_enterprise_routers', 'list_route_tables', 'list_attachments', 'list_route_associations']) {
      const tool = tools.find((t) => t.name === name);
      expect(tool?.annotations).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true });
      expect(tool?.outputSchema).toBeDefined();
    }
  });

  it('list_enterprise_routers pages through every router once', async () => {
    const { ids, calls } = await listAll(server.client, 'list_enterprise_routers', 'routers', { limit: 50 });
    expect(ids).toEqual(topology.routers.map((r) => r.id));
    expect(calls.map((c) => c.count)).toEqual([50, 50, 11]);
  });

  it('list_enterprise_routers filters by name', async () => {
    const result = structured<ListResult>(await server.client.callTool({ name: 'list_enterprise_routers', arguments: { name: 'ER-EXTRA-10' } }));
    expect((result.routers as Array<{ name: string }>).map((r) => r.name)).toEqual(['er-extra-10', 'er-extra-100', 'er-extra-101', 'er-extra-102', 'er-extra-103', 'er-extra-104', 'er-extra-105', 'er-extra-106', 'er-extra-107', 'er-extra-108', 'er-extra-109']);
  });

  it('list_route_tables pages through every route table once', async () => {
    const { ids, calls } = await listAll(server.client, 'list_route_tables', 'route_tables', { er_id: ER_ID, limit: 50 });
    expect(ids).toEqual(topology.routeTables.map((t) => t.id));
    expect(calls).toHaveLength(3);
  });

  it('list_route_associations pages through every association once', async () => {
    const { ids, calls } = await listAll(server.client, 'list_route_associations', 'associations', { er_id: ER_ID, route_table_id: TABLE_ID, limit: 50 });
    expect(new Set(ids).size).toBe(120);
    expect(calls.map((c) => c.count)).toEqual([50, 50, 20]);
    const vpcOnly = await listAll(server.client, 'list_route_associations', 'associations', { er_id: ER_ID, route_table_id: TABLE_ID, resource_type: 'vpc' });
    expect(vpcOnly.calls.flatMap((c) => c.associations as Array<{ resource_type: string }>).every((a) => a.resource_type === 'vpc')).toBe(true);
    expect(vpcOnly.ids).toHaveLength(24);
  });

  it('list_attachments stays under the budget, marks truncation, and its cursors reach every attachment once', async () => {
    const { ids, calls } = await listAll(server.client, 'list_attachments', 'attachments', { er_id: ER_ID, limit: 200 });
    expect(ids).toEqual(topology.attachments.map((a) => a.id));
    expect(calls[0]!.truncated).toBe(true);
    expect(calls[0]!.count).toBeLessThan(200);
    expect(calls.slice(0, -1).every((c) => c.truncated && typeof c.next_cursor === 'string')).toBe(true);
    const associated = calls.flatMap((c) => c.attachments as Array<{ associated: boolean; route_table_id?: string }>).filter((a) => a.associated);
    expect(associated).toHaveLength(120);
    expect(associated.every((a) => a.route_table_id === TABLE_ID)).toBe(true);
  });

  it('list_attachments filters by resource_type and name', async () => {
    const result = structured<ListResult>(await server.client.callTool({ name: 'list_attachments', arguments: { er_id: ER_ID, resource_type: 'peering', name: 'ATT-0012' } }));
    const expected = topology.attachments.filter((a) => a.resource_type === 'peering' && a.name.includes('att-0012')).map((a) => a.id);
    expect(expected.length).toBeGreaterThan(0);
    expect((result.attachments as Array<{ id: string }>).map((a) => a.id)).toEqual(expected);
  });

  it('a bad cursor and a bad er_id are clear errors that send no request', async () => {
    const before = emulator.requests.length;
    const cursor = errorOf(await server.client.callTool({ name: 'list_route_tables', arguments: { er_id: ER_ID, cursor: 'eyJtIjoiLi4vLi4ifQ' } }));
    expect(cursor.error_code).toBe('INVALID_CURSOR');
    const badId = await server.client.callTool({ name: 'list_attachments', arguments: { er_id: '../instances' } });
    expect(badId.isError).toBe(true);
    expect(textOf(badId)).toContain('er_id');
    expect(emulator.requests.length).toBe(before);

    const unknown = errorOf(await server.client.callTool({ name: 'list_attachments', arguments: { er_id: 'no-such-router' } }));
    expect(unknown.error_code).toBe('ER.04041001');
    expect(unknown.hint).toContain('list_enterprise_routers');
    outputs.push(JSON.stringify([cursor, badId, unknown]));
  });
});
