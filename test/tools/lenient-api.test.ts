// The cloud may send null where a field is unknown, new states and resource types, and
// timestamps without milliseconds or zone: tools pass them through instead of failing.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS, sandboxTopology } from '../../src/emulator/topology.js';
import { startScriptedServer, type ScriptedServer } from '../scripted-server.js';
import { connectInMemory, type InMemoryHarness, structured } from '../helpers.js';

const ids = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };
let scripted: ScriptedServer;
let harness: InMemoryHarness;

afterEach(async () => {
  await harness.close();
  await scripted.close();
});

async function serve(bodyFor: (path: string) => unknown): Promise<void> {
  scripted = await startScriptedServer((req) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(bodyFor(req.url ?? '')) }));
  const stand_in = { url: scripted.url, store: { topology: sandboxTopology() } } as unknown as Emulator;
  harness = await connectInMemory(stand_in);
}

const odd = {
  id: 'assoc-1',
  route_table_id: ids.route_table_id,
  attachment_id: ids.attachment_id,
  resource_type: 'quantum-link',
  resource_id: null,
  state: 'rebalancing',
  created_at: '2020-03-11T15:13:31',
  updated_at: null,
  route_policy: null,
};

describe('lenient parsing of API objects', () => {
  it('get_association_state passes nulls, unknown states and types, and zone-less times through', async () => {
    await serve(() => ({ associations: [odd], page_info: { next_marker: null, current_count: null }, request_id: 'r1' }));
    const body = structured<{ association: Record<string, unknown>; state: string; terminal: boolean }>(
      await harness.client.callTool({ name: 'get_association_state', arguments: ids }),
    );
    expect(body.association).toEqual(odd);
    expect(body.state).toBe('rebalancing');
    expect(body.terminal).toBe(false);
  });

  it('a dry run works when the API leaves names and states null', async () => {
    await serve((path) => {
      if (path.includes('/instances/')) return { instance: { id: ids.er_id, name: null, state: null, enable_default_association: null } };
      if (path.includes('/attachments/')) return { attachment: { id: ids.attachment_id, name: null, state: 'available', associated: null, route_table_id: null } };
      if (path.includes('/associations')) return { associations: [], page_info: null };
      return { route_table: { id: ids.route_table_id, name: 'rtb-prod', state: 'available' } };
    });
    const { plan } = structured<{ plan: { will_change: boolean; conflicts: unknown[]; router: { name: string | null } } }>(
      await harness.client.callTool({ name: 'create_route_association', arguments: { ...ids, dry_run: true } }),
    );
    expect(plan.router.name).toBeNull();
    expect(plan.conflicts).toEqual([]);
    expect(plan.will_change).toBe(true);
  });

  it('an association listed under this table but naming another table or attachment is not taken for this one', async () => {
    const strays = [
      { ...odd, id: 'assoc-other-table', route_table_id: 'rtb-somewhere-else', state: 'available' },
      { ...odd, id: 'assoc-other-attachment', attachment_id: 'att-somebody-else', state: 'available' },
    ];
    await serve(() => ({ associations: strays, page_info: { next_marker: null }, request_id: 'r1' }));
    const body = structured<{ association: unknown; state: string }>(await harness.client.callTool({ name: 'get_association_state', arguments: ids }));
    expect(body.association).toBeNull();
    expect(body.state).toBe('not_found');
  });
});
