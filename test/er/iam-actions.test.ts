// A 403 names the IAM action the failed call needed, for every call the ER client makes and for
// the IAM project look-up; through the tools too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_IDS, sandboxTopology } from '../../src/emulator/topology.js';
import type { Emulator } from '../../src/emulator/emulator.js';
import { ErClient } from '../../src/er/client.js';
import { ErApiError } from '../../src/er/errors.js';
import { OPERATIONS } from '../../src/er/operations.js';
import { lookUpProjectId } from '../../src/er/iam.js';
import { HttpClient } from '../../src/http/http-client.js';
import { hintFor } from '../../src/toolkit/hints.js';
import { CANARY, connectInMemory, errorOf, type InMemoryHarness, WITHOUT_APPROVAL } from '../helpers.js';
import { erError, type ScriptedServer, startScriptedServer } from '../scripted-server.js';

const ref = { erId: SANDBOX_IDS.router, routeTableId: SANDBOX_IDS.prodTable, attachmentId: SANDBOX_IDS.paymentsVpc };
const route = { routeTableId: ref.routeTableId, routeId: 'r1b2c3d4-0000-4000-8000-000000000301' };
const forbidden = { status: 403, headers: { 'content-type': 'application/json' }, body: erError('APIGW.0302', 'Forbidden.') };

let server: ScriptedServer;
let http: HttpClient;
beforeAll(async () => {
  server = await startScriptedServer(() => forbidden);
  http = new HttpClient({ endpoint: server.url, credentials: CANARY });
});
afterAll(async () => {
  await http.close();
  await server.close();
});

async function failure(call: () => Promise<unknown>): Promise<ErApiError> {
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ErApiError);
  return error as ErApiError;
}

describe('403 hints per operation', () => {
  const er = () => new ErClient(http, sandboxTopology().projectId);
  const cases: Array<[string, () => Promise<unknown>, string]> = [
    ['associateRouteTable', () => er().associate(ref, 'token-1'), 'the IAM action er:routeTables:associate (older custom policies: er:associations:associate)'],
    ['disassociateRouteTable', () => er().disassociate(ref), 'the IAM action er:routeTables:disassociate (older custom policies: er:associations:disassociate)'],
    ['listAssociations', () => er().findAssociation(ref), 'the IAM action er:routeTables:listAssociations (older custom policies: er:associations:list)'],
    ['listEnterpriseRouters', () => er().listRouters(), 'the IAM action er:instances:list'],
    ['showEnterpriseRouter', () => er().getRouter(ref.erId), 'the IAM action er:instances:get'],
    ['listRouteTables', () => er().listRouteTables(ref.erId), 'the IAM action er:routeTables:list'],
    ['showRouteTable', () => er().getRouteTable(ref.erId, ref.routeTableId), 'the IAM action er:routeTables:get'],
    ['listAttachments', () => er().listAttachments(ref.erId), 'the IAM action er:commonAttachments:list (older custom policies: er:attachments:list)'],
    ['showAttachment', () => er().getAttachment(ref.erId, ref.attachmentId), 'the IAM action er:commonAttachments:get (older custom policies: er:attachments:get)'],
    ['enablePropagation', () => er().enablePropagation(ref, 'token-1'), 'the IAM action er:routeTables:enablePropagation (older custom policies: er:propagations:enable)'],
    ['disablePropagation', () => er().disablePropagation(ref), 'the IAM action er:routeTables:disablePropagation (older custom policies: er:propagations:disable)'],
    ['listPropagations', () => er().findPropagation(ref), 'the IAM action er:routeTables:listPropagations (older custom policies: er:propagations:list)'],
    ['listEffectiveRoutes', () => er().listEffectiveRoutes(ref.routeTableId), 'the IAM action er:effectiveRoutes:list (older custom policies: er:routes:list)'],
    ['listStaticRoutes', () => er().findStaticRoute(ref.routeTableId, '10.30.0.0/16'), 'the IAM action er:staticRoutes:list (older custom policies: er:routes:list)'],
    ['showStaticRoute', () => er().getStaticRoute(route), 'the IAM action er:staticRoutes:get (older custom policies: er:routes:get)'],
    ['createStaticRoute', () => er().createStaticRoute({ routeTableId: ref.routeTableId, destination: '10.30.0.0/16', isBlackhole: true }, 'token-1'), 'the IAM action er:staticRoutes:create (older custom policies: er:routes:create)'],
    ['updateStaticRoute', () => er().updateStaticRoute(route, { attachmentId: ref.attachmentId }), 'the IAM action er:staticRoutes:update (older custom policies: er:routes:update)'],
    ['deleteStaticRoute', () => er().deleteStaticRoute(route), 'the IAM action er:staticRoutes:delete (older custom policies: er:routes:delete)'],
    ['keystoneListProjects', () => lookUpProjectId(http, 'cn-north-4'), 'an IAM action, probably iam:projects:list (not confirmed in the API reference)'],
  ];

  it.each(cases)('%s', async (operation, call, named) => {
    const error = await failure(call);
    expect(error.operation).toBe(operation);
    const hint = hintFor(error, { ids: {}, nowMs: Date.now() });
    expect(hint).toContain(`it needs ${named}`);
  });

  it('every operation in the table is covered above', () => {
    expect(cases.map(([operation]) => operation).sort()).toEqual(Object.keys(OPERATIONS).sort());
  });
});

describe('403 hints through the tools', () => {
  let harness: InMemoryHarness;
  beforeAll(async () => {
    const standIn = { url: server.url, store: { topology: sandboxTopology() } } as unknown as Emulator;
    harness = await connectInMemory(standIn, { settings: WITHOUT_APPROVAL });
  });
  afterAll(() => harness.close());

  it('create_route_association names er:routeTables:associate', async () => {
    const args = { er_id: ref.erId, route_table_id: ref.routeTableId, attachment_id: ref.attachmentId };
    const error = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: args }));
    expect(error.http_status).toBe(403);
    expect(String(error.hint)).toContain('er:routeTables:associate');
  });

  it('create_route_propagation names er:routeTables:enablePropagation', async () => {
    const args = { er_id: ref.erId, route_table_id: ref.routeTableId, attachment_id: ref.attachmentId };
    const error = errorOf(await harness.client.callTool({ name: 'create_route_propagation', arguments: args }));
    expect(error.http_status).toBe(403);
    expect(String(error.hint)).toContain('er:routeTables:enablePropagation');
  });

  it('list_enterprise_routers names er:instances:list', async () => {
    const error = errorOf(await harness.client.callTool({ name: 'list_enterprise_routers', arguments: {} }));
    expect(String(error.hint)).toContain('er:instances:list');
  });
});
