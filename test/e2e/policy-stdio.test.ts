// The policy over real stdio, the built server spawned with --policy: the local user may make
// changes in rtb-dev only, so a change in rtb-prod is refused by the rule before anything is sent,
// the write tools no rule allows are not listed, and one called by name is refused.
import { afterEach, expect, it } from 'vitest';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import { envFor, errorOf, spawnServer, type SpawnedServer, startTestEmulator, structured } from '../helpers.js';
import { policyFile } from '../policy/policy-files.js';

const POLICY = `version: 1
rules:
  - name: local-dev-links
    callers: { local: true }
    allow: [associate, disassociate]
    route_tables: [rtb-dev]
`;

let emulator: Emulator;
let server: SpawnedServer;

afterEach(async () => {
  await server?.close();
  await emulator?.close();
});

it('the local user: allowed in rtb-dev, refused in rtb-prod by name of the rule; tools no rule allows are hidden and refused by name', async () => {
  emulator = await startTestEmulator();
  server = await spawnServer(envFor(emulator), ['--audit-log', 'off', '--confirm-writes', 'never', '--policy', policyFile(POLICY, 'policy.yaml')]);
  const names = (await server.client.listTools()).tools.map((t) => t.name);
  expect(names).toEqual(expect.arrayContaining(['create_route_association', 'delete_route_association']));
  expect(names).not.toContain('create_route_propagation');
  expect(names).not.toContain('create_static_route');

  const denied = errorOf(await server.client.callTool({ name: 'create_route_association', arguments: { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc } }));
  expect(denied.error_code).toBe('POLICY_DENIED');
  expect(String(denied.error_msg)).toContain('local-dev-links');
  const hidden = errorOf(await server.client.callTool({ name: 'create_static_route', arguments: { er_id: ids.router, route_table_id: ids.devTable, destination: '10.40.0.0/16', is_blackhole: true } }));
  expect(hidden.error_code).toBe('POLICY_DENIED');
  expect(emulator.requests.filter(isWrite)).toEqual([]);

  const made = structured<{ association: { state: string } }>(await server.client.callTool({ name: 'create_route_association', arguments: { er_id: ids.router, route_table_id: ids.devTable, attachment_id: ids.paymentsVpc } }));
  expect(made.association.state).toBe('pending');
  expect(emulator.requests.filter(isWrite).map((r) => r.operation)).toEqual(['associateRouteTable']);
});
