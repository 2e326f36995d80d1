// Where an attachment is associated is only in its ListAttachments entry (ShowAttachment has no
// association fields): findListedAttachment reads it, filtered by resource id when known, and
// trusts only an entry with the attachment's own id.
import { afterEach, describe, expect, it } from 'vitest';
import { ErClient } from '../../src/er/client.js';
import { HttpClient } from '../../src/http/http-client.js';
import { CANARY } from '../helpers.js';
import { type ScriptedServer, startScriptedServer } from '../scripted-server.js';

const PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const ER_ID = 'a1b2c3d4-0000-4000-8000-000000000001';

const entry = (id: string, routeTableId: string) => ({ id, er_id: ER_ID, resource_id: `res-${id}`, resource_type: 'vpc', associated: routeTableId !== '', route_table_id: routeTableId });
const json = (body: unknown) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

let server: ScriptedServer;
let http: HttpClient;

afterEach(async () => {
  await http?.close();
  await server?.close();
});

async function clientAnswering(pages: Array<{ attachments: unknown[]; next_marker: string }>): Promise<ErClient> {
  server = await startScriptedServer((_, index) => {
    const page = pages[Math.min(index, pages.length - 1)]!;
    return json({ attachments: page.attachments, page_info: { next_marker: page.next_marker, current_count: page.attachments.length }, request_id: `req-${index}` });
  });
  http = new HttpClient({ endpoint: server.url, credentials: CANARY });
  return new ErClient(http, PROJECT);
}

describe('findListedAttachment', () => {
  it('filters the list by the resource id it is given, and returns the entry with the attachment id', async () => {
    const er = await clientAnswering([{ attachments: [entry('att-2', 'rtb-dev'), entry('att-1', 'rtb-prod')], next_marker: '' }]);
    const found = await er.findListedAttachment(ER_ID, 'att-1', { resourceId: 'res-att-1' });
    expect(found).toMatchObject({ id: 'att-1', associated: true, route_table_id: 'rtb-prod' });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.path).toBe(`/v3/${PROJECT}/enterprise-router/${ER_ID}/attachments?resource_id=res-att-1`);
  });

  it('follows next_marker until the entry turns up, with no filter when no resource id is known', async () => {
    const er = await clientAnswering([
      { attachments: [entry('att-1', '')], next_marker: 'att-1' },
      { attachments: [entry('att-2', ''), entry('att-3', 'rtb-dev')], next_marker: 'att-3' },
      { attachments: [], next_marker: '' },
    ]);
    expect(await er.findListedAttachment(ER_ID, 'att-3')).toMatchObject({ id: 'att-3', route_table_id: 'rtb-dev' });
    expect(server.requests.map((r) => r.path.replace(/^.*\/attachments/, ''))).toEqual(['', '?marker=att-1']);
  });

  it('is null when no entry has the id, even if the server ignored the filter and listed others', async () => {
    const er = await clientAnswering([{ attachments: [entry('att-2', 'rtb-dev')], next_marker: '' }]);
    expect(await er.findListedAttachment(ER_ID, 'att-1', { resourceId: 'res-att-1' })).toBeNull();
  });
});
