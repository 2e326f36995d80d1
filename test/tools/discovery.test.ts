// The four list_* tools in memory against the emulator: fields, filters, paging, the size budget,
// and strict cursors.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { generatedTopology, SANDBOX_IDS, type Topology } from '../../src/emulator/topology.js';
import { ConnectionState } from '../../src/connection.js';
import { systemClock } from '../../src/http/clock.js';
import { MAX_SCAN_PER_CALL, TEXT_BUDGET } from '../../src/toolkit/paging.js';
import { connectInMemory, errorOf, type InMemoryHarness, startTestEmulator, structured, textOf, useInMemorySession } from '../helpers.js';

interface ListResult {
  count: number;
  next_cursor?: string;
  truncated: boolean;
  note?: string;
  [key: string]: unknown;
}

const LIST_TOOLS = ['list_enterprise_routers', 'list_route_tables', 'list_attachments', 'list_route_associations'];

async function list(client: Client, name: string, args: Record<string, unknown>): Promise<ListResult> {
  const result = await client.callTool({ name, arguments: args });
  const body = structured<ListResult>(result);
  expect(JSON.parse(textOf(result))).toEqual(body);
  return body;
}

/** Follows next_cursor to the end; returns every item and how many calls it took. */
async function listAll(client: Client, name: string, key: string, args: Record<string, unknown>): Promise<{ items: Array<Record<string, unknown>>; calls: ListResult[] }> {
  const items: Array<Record<string, unknown>> = [];
  const calls: ListResult[] = [];
  let cursor: string | undefined;
  do {
    const body = await list(client, name, cursor ? { ...args, cursor } : args);
    calls.push(body);
    items.push(...(body[key] as Array<Record<string, unknown>>));
    cursor = body.next_cursor;
    if (calls.length > 500) throw new Error('paging did not end');
  } while (cursor);
  return { items, calls };
}

function cursorOf(json: unknown): string {
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

describe('discovery tools on the sandbox topology', () => {
  const session = useInMemorySession();

  it('registers the four tools read-only, with input and output schemas', async () => {
    const { tools } = await session.harness.client.listTools();
    for (const name of LIST_TOOLS) {
      const tool = tools.find((t) => t.name === name);
      expect(tool, name).toBeDefined();
      expect(tool!.annotations).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true });
      expect(tool!.outputSchema).toBeDefined();
      for (const [param, schema] of Object.entries(tool!.inputSchema.properties ?? {})) {
        expect((schema as { description?: string }).description, `${name}.${param}`).toBeTruthy();
      }
    }
  });

  it('list_enterprise_routers returns compact routers with default-association settings', async () => {
    const body = await list(session.harness.client, 'list_enterprise_routers', {});
    expect(body.routers).toEqual([
      { id: SANDBOX_IDS.router, name: 'er-shanghai-core', state: 'available', asn: 64512, enable_default_association: false, enable_default_propagation: false },
      {
        id: SANDBOX_IDS.labRouter,
        name: 'er-shanghai-lab',
        state: 'available',
        asn: 64513,
        enable_default_association: true,
        default_association_route_table_id: SANDBOX_IDS.labTable,
        enable_default_propagation: true,
        default_propagation_route_table_id: SANDBOX_IDS.labTable,
      },
    ]);
    expect(body.count).toBe(2);
    expect(body.truncated).toBe(false);
    expect(body.next_cursor).toBeUndefined();
  });

  it('name filters match a substring, ignoring case', async () => {
    const routers = await list(session.harness.client, 'list_enterprise_routers', { name: 'LAB' });
    expect((routers.routers as Array<{ id: string }>).map((r) => r.id)).toEqual([SANDBOX_IDS.labRouter]);
    const tables = await list(session.harness.client, 'list_route_tables', { er_id: SANDBOX_IDS.router, name: 'Prod' });
    expect((tables.route_tables as Array<{ id: string }>).map((t) => t.id)).toEqual([SANDBOX_IDS.prodTable]);
    const attachments = await list(session.harness.client, 'list_attachments', { er_id: SANDBOX_IDS.router, name: 'PAYMENTS' });
    expect((attachments.attachments as Array<{ id: string }>).map((a) => a.id)).toEqual([SANDBOX_IDS.paymentsVpc]);
  });

  it('state filters go to the API', async () => {
    const available = await list(session.harness.client, 'list_enterprise_routers', { state: 'available' });
    expect(available.count).toBe(2);
    const deleting = await list(session.harness.client, 'list_enterprise_routers', { state: 'deleting' });
    expect(deleting.count).toBe(0);
    const tables = await list(session.harness.client, 'list_route_tables', { er_id: SANDBOX_IDS.router, state: 'pending' });
    expect(tables.count).toBe(0);
  });

  it('list_route_tables marks the default association table', async () => {
    const body = await list(session.harness.client, 'list_route_tables', { er_id: SANDBOX_IDS.labRouter });
    expect(body.er_id).toBe(SANDBOX_IDS.labRouter);
    expect(body.route_tables).toEqual([
      { id: SANDBOX_IDS.labTable, name: 'rtb-lab-default', state: 'available', is_default_association: true, is_default_propagation: true },
    ]);
  });

  it('list_attachments shows resource, state and where each is associated; filters by resource_type and resource_id', async () => {
    const body = await list(session.harness.client, 'list_attachments', { er_id: SANDBOX_IDS.router });
    const byId = new Map((body.attachments as Array<Record<string, unknown>>).map((a) => [a.id, a]));
    // Payments, web and analytics VPCs, the office VPN, the partner peering, the Direct Connect gateway.
    expect(byId.size).toBe(6);
    expect(byId.get(SANDBOX_IDS.webVpc)).toEqual({
      id: SANDBOX_IDS.webVpc,
      name: 'vpc-web',
      state: 'available',
      resource_type: 'vpc',
      resource_id: 'd1b2c3d4-0000-4000-8000-00000000a002',
      associated: true,
      route_table_id: SANDBOX_IDS.prodTable,
    });
    expect(byId.get(SANDBOX_IDS.paymentsVpc)).toMatchObject({ associated: false });
    expect(byId.get(SANDBOX_IDS.paymentsVpc)).not.toHaveProperty('route_table_id');

    const vpns = await list(session.harness.client, 'list_attachments', { er_id: SANDBOX_IDS.router, resource_type: 'vpn' });
    expect((vpns.attachments as Array<{ id: string }>).map((a) => a.id)).toEqual([SANDBOX_IDS.officeVpn]);
    const byResource = await list(session.harness.client, 'list_attachments', { er_id: SANDBOX_IDS.router, resource_id: 'd1b2c3d4-0000-4000-8000-00000000a004' });
    expect((byResource.attachments as Array<{ id: string }>).map((a) => a.id)).toEqual([SANDBOX_IDS.partnerPeering]);
    const vpcsNamedA = await list(session.harness.client, 'list_attachments', { er_id: SANDBOX_IDS.router, resource_type: 'vpc', name: 'a' });
    expect((vpcsNamedA.attachments as Array<{ id: string }>).map((a) => a.id)).toEqual([SANDBOX_IDS.paymentsVpc, SANDBOX_IDS.analyticsVpc]);
  });

  it('list_route_associations lists the table’s associations and filters by attachment_id and state', async () => {
    const body = await list(session.harness.client, 'list_route_associations', { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable });
    expect(body).toMatchObject({ er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, count: 1 });
    const [association] = body.associations as Array<Record<string, unknown>>;
    expect(Object.keys(association!).sort()).toEqual(['attachment_id', 'id', 'resource_id', 'resource_type', 'state']);
    expect(association).toMatchObject({ attachment_id: SANDBOX_IDS.webVpc, resource_type: 'vpc', state: 'available' });

    const other = await list(session.harness.client, 'list_route_associations', { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.officeVpn });
    expect(other.count).toBe(0);
    const pending = await list(session.harness.client, 'list_route_associations', { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, state: 'pending' });
    expect(pending.count).toBe(0);
  });

  it('a malformed er_id or filter is refused before any request', async () => {
    const before = session.emulator.requests.length;
    for (const bad of ['../x', 'a/b', 'x'.repeat(37), '', 'a?b=c']) {
      const result = await session.harness.client.callTool({ name: 'list_attachments', arguments: { er_id: bad } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('er_id');
    }
    const badState = await session.harness.client.callTool({ name: 'list_attachments', arguments: { er_id: SANDBOX_IDS.router, state: 'a&b' } });
    expect(badState.isError).toBe(true);
    expect(textOf(badState)).toContain('state');
    for (const limit of [0, 201, 1.5]) {
      const result = await session.harness.client.callTool({ name: 'list_enterprise_routers', arguments: { limit } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('limit');
    }
    const unknown = await session.harness.client.callTool({ name: 'list_enterprise_routers', arguments: { colour: 'blue' } });
    expect(unknown.isError).toBe(true);
    expect(session.emulator.requests.length).toBe(before);
  });

  it('an unknown er_id or route_table_id says which list tool finds the right one', async () => {
    const router = errorOf(await session.harness.client.callTool({ name: 'list_route_tables', arguments: { er_id: 'no-such-router' } }));
    expect(router.error_code).toBe('ER.04041001');
    expect(router.hint).toContain('list_enterprise_routers');
    const table = errorOf(
      await session.harness.client.callTool({ name: 'list_route_associations', arguments: { er_id: SANDBOX_IDS.router, route_table_id: 'no-such-table' } }),
    );
    expect(table.error_code).toBe('ER.04045001');
    expect(table.hint).toContain('list_route_tables');
  });

  it('without configuration every list tool names what to set', async () => {
    const unconfigured = await connectInMemory(session.emulator, { connection: new ConnectionState({ ready: false, problems: ['No credentials: set HUAWEICLOUD_SDK_AK.'] }, systemClock) });
    try {
      const args: Record<string, Record<string, string>> = {
        list_enterprise_routers: {},
        list_route_tables: { er_id: SANDBOX_IDS.router },
        list_attachments: { er_id: SANDBOX_IDS.router },
        list_route_associations: { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable },
      };
      for (const name of LIST_TOOLS) {
        const error = errorOf(await unconfigured.client.callTool({ name, arguments: args[name] }));
        expect(error.error_code).toBe('CONFIGURATION');
        expect(String(error.error_msg)).toContain('HUAWEICLOUD_SDK_AK');
      }
    } finally {
      await unconfigured.close();
    }
  });
});

describe('discovery tools on a large generated topology', () => {
  let emulator: Emulator;
  let harness: InMemoryHarness;
  let topology: Topology;
  const erId = 'gen-router-0001';

  beforeAll(async () => {
    topology = generatedTopology({ attachments: 5_000, routeTables: 3, nameLength: 200 });
    // 150 associations on the first table, so that associations page too.
    topology.attachments.forEach((a, i) => {
      if (i % 7 === 0 && i < 7 * 150) a.associated_route_table_id = 'gen-rt-000000';
    });
    emulator = await startTestEmulator({ topology });
    harness = await connectInMemory(emulator);
  });
  afterAll(async () => {
    await harness.close();
    await emulator.close();
  });

  it('pages across several results: every item exactly once, in API order, and no empty last result', async () => {
    const args = { er_id: erId, route_table_id: 'gen-rt-000000', limit: 50 };
    const before = emulator.requests.length;
    const { items, calls } = await listAll(harness.client, 'list_route_associations', 'associations', args);
    const expected = topology.attachments.filter((a) => a.associated_route_table_id).map((a) => a.id);
    expect(items.map((a) => a.attachment_id)).toEqual(expected);
    expect(new Set(items.map((a) => a.id)).size).toBe(150);
    // 150 is a multiple of the limit: the third result still ends the list instead of handing out
    // a cursor to an empty fourth one (one look-ahead item, then the API's empty last page).
    expect(calls.map((c) => c.count)).toEqual([50, 50, 50]);
    expect(calls.map((c) => typeof c.next_cursor)).toEqual(['string', 'string', 'undefined']);
    expect(emulator.requests.length - before).toBe(4);
  });

  it('the default limit is 50 and a filter sent to the API pages as well', async () => {
    const first = await list(harness.client, 'list_attachments', { er_id: erId, resource_type: 'vpn', name: 'att-00' });
    expect(first.count).toBe(50);
    const { items } = await listAll(harness.client, 'list_attachments', 'attachments', { er_id: erId, resource_type: 'vpn', limit: 137 });
    const expected = topology.attachments.filter((a) => a.resource_type === 'vpn').map((a) => a.id);
    expect(items.map((a) => a.id)).toEqual(expected);
    expect(items.every((a) => a.resource_type === 'vpn')).toBe(true);
  });

  it('a name filter scans several API pages per call and bounds that work, then resumes without gaps', async () => {
    // Matches att-000123-…, att-001123-…, att-002123-…, att-003123-…, att-004123-… only.
    const args = { er_id: erId, name: '123-', limit: 10 };
    let cursor: string | undefined;
    const seen: string[] = [];
    const perCall: number[] = [];
    const notes: Array<string | undefined> = [];
    do {
      const before = emulator.requests.length;
      const body = await list(harness.client, 'list_attachments', cursor ? { ...args, cursor } : args);
      perCall.push(emulator.requests.length - before);
      notes.push(body.note);
      seen.push(...(body.attachments as Array<{ id: string }>).map((a) => a.id));
      cursor = body.next_cursor;
    } while (cursor && perCall.length < 20);
    expect(seen).toEqual(['gen-att-000123', 'gen-att-001123', 'gen-att-002123', 'gen-att-003123', 'gen-att-004123']);
    // 5,000 items, at most 2,000 scanned per call: three calls, the first two say why they stopped.
    expect(perCall.length).toBe(Math.ceil(5_000 / MAX_SCAN_PER_CALL));
    expect(Math.max(...perCall)).toBeLessThanOrEqual(4);
    expect(notes[0]).toContain('next_cursor');
  });

  it('stays under the text budget: truncated, with a cursor at the first item left out, and resumes without gaps', async () => {
    const args = { er_id: erId, limit: 200 };
    const result = await harness.client.callTool({ name: 'list_attachments', arguments: args });
    const first = structured<ListResult>(result);
    expect(textOf(result).length).toBeLessThanOrEqual(TEXT_BUDGET);
    expect(first.truncated).toBe(true);
    expect(first.count).toBeGreaterThan(0);
    expect(first.count).toBeLessThan(200);
    expect(first.note).toContain('next_cursor');
    const firstIds = (first.attachments as Array<{ id: string }>).map((a) => a.id);
    expect(firstIds).toEqual(topology.attachments.slice(0, first.count).map((a) => a.id));

    const second = await list(harness.client, 'list_attachments', { ...args, cursor: first.next_cursor });
    expect((second.attachments as Array<{ id: string }>)[0]!.id).toBe(topology.attachments[first.count]!.id);
  });

  it('following cursors through truncated results sees every attachment exactly once', async () => {
    const { items, calls } = await listAll(harness.client, 'list_attachments', 'attachments', { er_id: erId, limit: 200, resource_type: 'vgw' });
    expect(items.map((a) => a.id)).toEqual(topology.attachments.filter((a) => a.resource_type === 'vgw').map((a) => a.id));
    expect(calls.length).toBeGreaterThan(5);
    expect(calls.every((c) => JSON.stringify(c).length <= TEXT_BUDGET)).toBe(true);
    expect(calls.slice(0, -1).every((c) => c.truncated)).toBe(true);
    expect(calls.at(-1)!.next_cursor).toBeUndefined();
  });

  it('refuses a bad, altered or foreign cursor with a clear error and sends no request', async () => {
    const issued = (await list(harness.client, 'list_attachments', { er_id: erId, limit: 5 })).next_cursor!;
    const decoded = JSON.parse(Buffer.from(issued, 'base64url').toString('utf8')) as Record<string, unknown>;
    const bad = [
      'not a cursor',
      'Zm9v',
      `${issued}=`,
      `${issued.slice(0, -2)}`,
      cursorOf({ ...decoded, m: '../../instances' }),
      cursorOf({ ...decoded, m: 'x'.repeat(129) }),
      cursorOf({ ...decoded, v: 2 }),
      cursorOf({ ...decoded, extra: 1 }),
      cursorOf([decoded.m]),
      cursorOf({ ...decoded, t: 'list_route_tables' }),
    ];
    const before = emulator.requests.length;
    for (const cursor of bad) {
      const result = await harness.client.callTool({ name: 'list_attachments', arguments: { er_id: erId, limit: 5, cursor } });
      const error = errorOf(result);
      expect(error.error_code, cursor).toBe('INVALID_CURSOR');
      expect(String(error.hint)).toContain('next_cursor');
    }
    // Same cursor, other arguments or another tool.
    const otherFilter = errorOf(await harness.client.callTool({ name: 'list_attachments', arguments: { er_id: erId, resource_type: 'vpc', cursor: issued } }));
    expect(otherFilter.error_msg).toContain('different arguments');
    const otherTool = errorOf(await harness.client.callTool({ name: 'list_route_tables', arguments: { er_id: erId, cursor: issued } }));
    expect(otherTool.error_msg).toContain('list_attachments');
    const tooLong = await harness.client.callTool({ name: 'list_attachments', arguments: { er_id: erId, cursor: 'A'.repeat(600) } });
    expect(tooLong.isError).toBe(true);
    expect(textOf(tooLong)).toContain('cursor');
    expect(emulator.requests.length).toBe(before);

    // The untouched cursor still works, and a different limit is fine with it.
    const next = await list(harness.client, 'list_attachments', { er_id: erId, limit: 3, cursor: issued });
    expect((next.attachments as Array<{ id: string }>).map((a) => a.id)).toEqual(['gen-att-000005', 'gen-att-000006', 'gen-att-000007']);
  });
});
