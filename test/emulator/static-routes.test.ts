// Static routes of the ER emulator over real signed HTTP on 127.0.0.1: the seeded routes, lists,
// create/update/delete with their lifecycle on a fake clock, idempotence tokens, the reference's
// error codes, faults, the effective routes they make, and the ErClient's static-route calls.
import { describe, expect, it } from 'vitest';
import { parseFaultPlan } from '../../src/emulator/faults.js';
import { SEEDED_TIMESTAMP } from '../../src/emulator/lifecycle.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import { pathOf } from '../../src/er/operations.js';
import type { HttpResult } from '../../src/http/http-client.js';
import { PROD_BLACKHOLE_ROUTE } from '../helpers.js';
import { type Api, api, apiWithProdBlackhole, AVAILABLE_AFTER_MS, DELETED_AFTER_MS, expectApiError, table } from '../routing-harness.js';

const MISSING = 'ffffffff-0000-4000-8000-00000000ffff';

interface RouteBody {
  destination?: unknown;
  attachment_id?: unknown;
  is_blackhole?: unknown;
  description?: unknown;
}

/** Raw static-route calls (one attempt each), so a test sees every status, header and code. */
function routes(a: Api) {
  const project_id = a.emulator.store.topology.projectId;
  const headers = (token?: string) => ({ 'X-Project-Id': project_id, ...(token ? { 'X-Client-Token': token } : {}) });
  const one = (tableId: string, routeId: string) => ({ project_id, route_table_id: tableId, route_id: routeId });
  return {
    create: (tableId: string, route: RouteBody, token?: string) =>
      a.http.request({ method: 'POST', path: pathOf('createStaticRoute', { project_id, route_table_id: tableId }), json: { route }, headers: headers(token) }),
    update: (tableId: string, routeId: string, route: RouteBody) =>
      a.http.request({ method: 'PUT', path: pathOf('updateStaticRoute', one(tableId, routeId)), json: { route }, headers: headers() }),
    remove: (tableId: string, routeId: string) => a.http.request({ method: 'DELETE', path: pathOf('deleteStaticRoute', one(tableId, routeId)), headers: headers() }),
    show: (tableId: string, routeId: string) => a.http.request({ method: 'GET', path: pathOf('showStaticRoute', one(tableId, routeId)), headers: headers() }),
  };
}

type Route = Record<string, unknown> & { id: string; state: string };

function routeOf(a: Api, result: HttpResult): Route {
  return a.body(result).route as Route;
}

function codeOf(a: Api, result: HttpResult): { status: number; code: string | undefined } {
  return { status: result.status, code: a.body(result).error_code };
}

async function stateOf(a: Api, tableId: string, routeId: string): Promise<string> {
  const shown = await routes(a).show(tableId, routeId);
  return shown.status === 404 ? 'gone' : routeOf(a, shown).state;
}


/** The invariant: one live static route per (table, destination). */
function expectOnePerDestination(a: Api): void {
  const keys = a.emulator.staticRoutes.allStaticRoutes().map((r) => `${String(r.route_table_id)} ${String(r.destination)}`);
  expect(new Set(keys).size).toBe(keys.length);
}

describe('seeded static routes and lists', () => {
  it('the sandbox seeds one static route: rtb-prod sends 10.10.99.0/24 through vpc-web (no blackhole: the README\'s example makes it)', async () => {
    const a = await api();
    expect((await a.er.listStaticRoutes(ids.prodTable)).items.map((r) => [r.id, r.destination, r.is_blackhole])).toEqual([[ids.prodHsmRoute, '10.10.99.0/24', false]]);
    expect(a.emulator.staticRoutes.allStaticRoutes()).toHaveLength(1);
    expect(await table(a, ids.prodTable)).not.toHaveProperty(['10.30.0.0/16']);
  });

  it('lists rtb-prod: the blackhole and the HSM route through vpc-web, settled, with the documented fields', async () => {
    const a = await apiWithProdBlackhole();
    const { items } = await a.er.listStaticRoutes(ids.prodTable);
    expect(items).toEqual([
      {
        id: PROD_BLACKHOLE_ROUTE,
        type: 'static',
        state: 'available',
        is_blackhole: true,
        destination: '10.30.0.0/16',
        attachments: [],
        route_table_id: ids.prodTable,
        created_at: SEEDED_TIMESTAMP,
        updated_at: SEEDED_TIMESTAMP,
        description: '',
      },
      {
        id: ids.prodHsmRoute,
        type: 'static',
        state: 'available',
        is_blackhole: false,
        destination: '10.10.99.0/24',
        attachments: [{ resource_id: 'd1b2c3d4-0000-4000-8000-00000000a002', resource_type: 'vpc', attachment_id: ids.webVpc }],
        route_table_id: ids.prodTable,
        created_at: SEEDED_TIMESTAMP,
        updated_at: SEEDED_TIMESTAMP,
        description: 'Payments HSM subnet via vpc-web',
      },
    ]);
    expect((await a.er.listStaticRoutes(ids.devTable)).items).toEqual([]);
    await expectApiError(a.er.listStaticRoutes(MISSING), 404, 'ER.04045001');
  });

  it("shows a static route's description on its effective route; propagated routes have none", async () => {
    const a = await apiWithProdBlackhole();
    const routes = (await a.er.listEffectiveRoutes(ids.prodTable)).items;
    expect(routes.find((r) => r.destination === '10.10.99.0/24')).toMatchObject({ route_type: 'static', description: 'Payments HSM subnet via vpc-web' });
    expect(routes.find((r) => r.destination === '10.30.0.0/16')).toMatchObject({ route_type: 'static', description: '' });
    expect(routes.find((r) => r.destination === '10.20.0.0/16')).toMatchObject({ route_type: 'propagation', description: '' });
  });

  it('filters by destination (canonically), next-hop attachment_id and resource_type', async () => {
    const a = await apiWithProdBlackhole();
    const of = async (filters: Record<string, string | string[]>) => (await a.er.listStaticRoutes(ids.prodTable, { filters })).items.map((r) => r.id);
    expect(await of({ destination: '10.30.0.0/16' })).toEqual([PROD_BLACKHOLE_ROUTE]);
    expect(await of({ destination: ['10.10.99.0/24', '192.0.2.0/24'] })).toEqual([ids.prodHsmRoute]);
    expect(await of({ attachment_id: ids.webVpc })).toEqual([ids.prodHsmRoute]);
    expect(await of({ resource_type: 'vpc' })).toEqual([ids.prodHsmRoute]);
    expect(await of({ resource_type: 'vgw' })).toEqual([]);
    await routes(a).create(ids.prodTable, { destination: '2001:db8::/32', is_blackhole: true });
    expect(await of({ destination: '2001:DB8:0::/32' })).toHaveLength(1);
  });

  it('pages by marker in ascending id, each route once; refuses limit 0', async () => {
    const a = await apiWithProdBlackhole();
    for (const destination of ['10.40.0.0/16', '10.41.0.0/16', '10.42.0.0/16']) {
      expect((await routes(a).create(ids.prodTable, { destination, attachment_id: ids.dcVgw })).status).toBe(202);
    }
    const first = await a.er.listStaticRoutes(ids.prodTable, { limit: 2 });
    expect(first.items.map((r) => r.id)).toEqual([PROD_BLACKHOLE_ROUTE, ids.prodHsmRoute]);
    const second = await a.er.listStaticRoutes(ids.prodTable, { limit: 2, marker: first.nextMarker });
    expect(second.items.map((r) => r.destination)).toEqual(['10.40.0.0/16', '10.41.0.0/16']);
    const walked: string[] = [];
    for await (const r of a.er.listAll((marker) => a.er.listStaticRoutes(ids.prodTable, { marker, limit: 2 }))) walked.push(r.id);
    expect(walked).toHaveLength(5);
    expect([...walked].sort()).toEqual(walked);
    expect(new Set(walked).size).toBe(5);
    await expectApiError(a.er.listStaticRoutes(ids.prodTable, { limit: 0 }), 400, 'ER.04009005');
  });

  it('shows a route with a request id; 404 ER.04046001 for an unknown route or one of another table', async () => {
    const a = await api();
    const shown = await routes(a).show(ids.prodTable, ids.prodHsmRoute);
    expect(shown.status).toBe(200);
    expect(a.body(shown).request_id).toMatch(/\S/);
    expect(routeOf(a, shown)).toMatchObject({ id: ids.prodHsmRoute, destination: '10.10.99.0/24', state: 'available' });
    expect(codeOf(a, await routes(a).show(ids.prodTable, MISSING))).toEqual({ status: 404, code: 'ER.04046001' });
    expect(codeOf(a, await routes(a).show(ids.devTable, ids.prodHsmRoute))).toEqual({ status: 404, code: 'ER.04046001' });
    expect(codeOf(a, await routes(a).show(MISSING, ids.prodHsmRoute))).toEqual({ status: 404, code: 'ER.04045001' });
  });
});

describe('create', () => {
  it('answers 202 with the pending route and echoes the token; available after the delay, and only then effective', async () => {
    const a = await api();
    const result = await routes(a).create(ids.prodTable, { destination: '172.16.0.0/16', attachment_id: ids.partnerPeering, description: 'partner' }, 'route-token-0001');
    expect(result.status).toBe(202);
    expect(result.headers['x-client-token']).toBe('route-token-0001');
    expect(a.body(result).request_id).toMatch(/\S/);
    const route = routeOf(a, result);
    expect(route).toMatchObject({
      type: 'static',
      state: 'pending',
      is_blackhole: false,
      destination: '172.16.0.0/16',
      attachments: [{ resource_id: 'd1b2c3d4-0000-4000-8000-00000000a004', resource_type: 'peering', attachment_id: ids.partnerPeering }],
      route_table_id: ids.prodTable,
      description: 'partner',
    });
    expect(route.updated_at).toBe(route.created_at);
    expect(await table(a, ids.prodTable)).not.toHaveProperty(['172.16.0.0/16']);

    a.clock.advance(AVAILABLE_AFTER_MS - 1);
    expect(await stateOf(a, ids.prodTable, route.id)).toBe('pending');
    a.clock.advance(1);
    const available = routeOf(a, await routes(a).show(ids.prodTable, route.id));
    expect(available.state).toBe('available');
    expect(available.updated_at).not.toBe(route.created_at);
    expect((await table(a, ids.prodTable))['172.16.0.0/16']).toBe(`${ids.partnerPeering} static`);
    expect((await a.er.listEffectiveRoutes(ids.prodTable, { filters: { destination: '172.16.0.0/16' } })).items[0]).toMatchObject({ route_id: route.id, route_type: 'static' });
  });

  it('makes a blackhole route: no attachments, and it hides a propagated route to the same destination', async () => {
    const a = await api();
    const result = await routes(a).create(ids.devTable, { destination: '10.20.0.0/16', is_blackhole: true });
    expect(result.status).toBe(202);
    expect(routeOf(a, result)).toMatchObject({ is_blackhole: true, attachments: [], state: 'pending' });
    expect((await table(a, ids.devTable))['10.20.0.0/16']).toBe(`${ids.webVpc} propagation`);
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect((await table(a, ids.devTable))['10.20.0.0/16']).toBe('blackhole');
  });

  it('replays a token with the route it made, and refuses it for another table, destination, next hop or blackhole', async () => {
    const a = await api();
    const body = { destination: '10.50.0.0/16', attachment_id: ids.dcVgw };
    const first = routeOf(a, await routes(a).create(ids.prodTable, body, 'route-replay-0001'));
    const count = a.emulator.staticRoutes.allStaticRoutes().length;
    const again = await routes(a).create(ids.prodTable, body, 'route-replay-0001');
    expect(again.status).toBe(202);
    expect(again.headers['x-client-token']).toBe('route-replay-0001');
    expect(routeOf(a, again).id).toBe(first.id);
    const others: Array<[string, RouteBody]> = [
      [ids.devTable, body],
      [ids.prodTable, { ...body, destination: '10.51.0.0/16' }],
      [ids.prodTable, { ...body, attachment_id: ids.webVpc }],
      [ids.prodTable, { destination: body.destination, is_blackhole: true }],
    ];
    for (const [tableId, other] of others) {
      expect(codeOf(a, await routes(a).create(tableId, other, 'route-replay-0001'))).toEqual({ status: 400, code: 'ER.04009005' });
    }
    expect(a.emulator.staticRoutes.allStaticRoutes()).toHaveLength(count);
  });

  it('refuses a second route to a destination in the same table (ER.04006002), written another way too; another table may have one', async () => {
    const a = await apiWithProdBlackhole();
    expect(codeOf(a, await routes(a).create(ids.prodTable, { destination: '10.30.0.0/16', attachment_id: ids.analyticsVpc }))).toEqual({ status: 400, code: 'ER.04006002' });
    expect(codeOf(a, await routes(a).create(ids.prodTable, { destination: '10.30.0.0/16', is_blackhole: true }, 'dup-token'))).toEqual({ status: 400, code: 'ER.04006002' });
    expect((await routes(a).create(ids.prodTable, { destination: '2001:DB8::/32', is_blackhole: true })).status).toBe(202);
    expect(codeOf(a, await routes(a).create(ids.prodTable, { destination: '2001:db8:0:0::/32', is_blackhole: true }))).toEqual({ status: 400, code: 'ER.04006002' });
    expect((await routes(a).create(ids.devTable, { destination: '10.30.0.0/16', is_blackhole: true })).status).toBe(202);
    expectOnePerDestination(a);
  });

  it('refuses a blackhole with a next hop, and a route with neither (ER.04006106)', async () => {
    const a = await api();
    for (const route of [{ destination: '10.60.0.0/16', is_blackhole: true, attachment_id: ids.webVpc }, { destination: '10.60.0.0/16' }, { destination: '10.60.0.0/16', is_blackhole: false }]) {
      expect(codeOf(a, await routes(a).create(ids.prodTable, route))).toEqual({ status: 400, code: 'ER.04006106' });
    }
  });

  it('refuses destinations that are not CIDR blocks (ER.04006103) or are reserved (ER.04006104); takes IPv6, written canonically', async () => {
    const a = await api();
    for (const destination of ['10.1.2.3/16', '10.0.0.0', '10.0.0.0/33', '010.0.0.0/8', ' 10.0.0.0/8', 'not-a-cidr', '', '2001:db8::1/32']) {
      expect({ destination, ...codeOf(a, await routes(a).create(ids.prodTable, { destination, is_blackhole: true })) }).toEqual({ destination, status: 400, code: 'ER.04006103' });
    }
    for (const destination of ['127.0.0.0/8', '169.254.10.0/24', '239.1.0.0/16']) {
      expect({ destination, ...codeOf(a, await routes(a).create(ids.prodTable, { destination, is_blackhole: true })) }).toEqual({ destination, status: 400, code: 'ER.04006104' });
    }
    const v6 = await routes(a).create(ids.prodTable, { destination: '2001:DB8:0::/48', is_blackhole: true });
    expect(routeOf(a, v6).destination).toBe('2001:db8::/48');
    expect((await routes(a).create(ids.prodTable, { destination: '0.0.0.0/0', attachment_id: ids.dcVgw })).status).toBe(202);
  });

  it('refuses malformed bodies with ER.04009005', async () => {
    const a = await api();
    const bad: RouteBody[] = [{ is_blackhole: true }, { destination: 10, is_blackhole: true }, { destination: '10.70.0.0/16', is_blackhole: 'yes' }, { destination: '10.70.0.0/16', is_blackhole: true, description: 'x'.repeat(256) }];
    for (const route of bad) expect(codeOf(a, await routes(a).create(ids.prodTable, route))).toEqual({ status: 400, code: 'ER.04009005' });
    const project_id = a.emulator.store.topology.projectId;
    const noRoute = await a.http.request({ method: 'POST', path: pathOf('createStaticRoute', { project_id, route_table_id: ids.prodTable }), json: { destination: '10.70.0.0/16' }, headers: { 'X-Project-Id': project_id } });
    expect(codeOf(a, noRoute)).toEqual({ status: 400, code: 'ER.04009005' });
    expect((await routes(a).create(ids.prodTable, { destination: '10.70.0.0/16', is_blackhole: true, description: 'x'.repeat(255) })).status).toBe(202);
  });

  it('needs an attachment of the table\'s own router (404 ER.04044001) and an existing table (404 ER.04045001)', async () => {
    const a = await api();
    expect(codeOf(a, await routes(a).create(ids.prodTable, { destination: '10.80.0.0/16', attachment_id: MISSING }))).toEqual({ status: 404, code: 'ER.04044001' });
    expect(codeOf(a, await routes(a).create(ids.prodTable, { destination: '10.80.0.0/16', attachment_id: ids.labVpc }))).toEqual({ status: 404, code: 'ER.04044001' });
    expect(codeOf(a, await routes(a).create(MISSING, { destination: '10.80.0.0/16', is_blackhole: true }))).toEqual({ status: 404, code: 'ER.04045001' });
    expect((await routes(a).create(ids.labTable, { destination: '10.80.0.0/16', attachment_id: ids.labVpc })).status).toBe(202);
  });

  it('refuses a route past the table\'s quota with ER.04009008; a deleting route counts until it is gone', async () => {
    const a = await apiWithProdBlackhole({ staticRouteQuota: 3 });
    const third = routeOf(a, await routes(a).create(ids.prodTable, { destination: '10.90.0.0/16', is_blackhole: true }));
    expect(codeOf(a, await routes(a).create(ids.prodTable, { destination: '10.91.0.0/16', is_blackhole: true }))).toEqual({ status: 400, code: 'ER.04009008' });
    expect((await routes(a).create(ids.devTable, { destination: '10.91.0.0/16', is_blackhole: true })).status).toBe(202);
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect((await routes(a).remove(ids.prodTable, third.id)).status).toBe(202);
    expect(codeOf(a, await routes(a).create(ids.prodTable, { destination: '10.91.0.0/16', is_blackhole: true }))).toEqual({ status: 400, code: 'ER.04009008' });
    a.clock.advance(DELETED_AFTER_MS);
    expect((await routes(a).create(ids.prodTable, { destination: '10.91.0.0/16', is_blackhole: true })).status).toBe(202);
  });

  it('failStaticRoutesTo makes the next route to that destination end failed: never effective, and deletable', async () => {
    const a = await api();
    a.emulator.staticRoutes.failStaticRoutesTo('172.16.0.0/16');
    const route = routeOf(a, await routes(a).create(ids.prodTable, { destination: '172.16.0.0/16', attachment_id: ids.partnerPeering }));
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect(await stateOf(a, ids.prodTable, route.id)).toBe('failed');
    expect(await table(a, ids.prodTable)).not.toHaveProperty(['172.16.0.0/16']);
    expect(codeOf(a, await routes(a).update(ids.prodTable, route.id, { is_blackhole: true }))).toEqual({ status: 400, code: 'ER.04005003' });
    expect((await routes(a).remove(ids.prodTable, route.id)).status).toBe(202);
  });
});

describe('update', () => {
  it('moves the next hop: 202 modifying with the new hop; effective routes keep the old hop until it is available', async () => {
    const a = await api();
    const result = await routes(a).update(ids.prodTable, ids.prodHsmRoute, { attachment_id: ids.dcVgw });
    expect(result.status).toBe(202);
    expect(result.headers['x-client-token']).toBeUndefined();
    expect(a.body(result).request_id).toMatch(/\S/);
    expect(routeOf(a, result)).toMatchObject({
      id: ids.prodHsmRoute,
      state: 'modifying',
      is_blackhole: false,
      destination: '10.10.99.0/24',
      attachments: [{ resource_id: 'd1b2c3d4-0000-4000-8000-00000000a006', resource_type: 'vgw', attachment_id: ids.dcVgw }],
    });
    expect(routeOf(a, result).updated_at).not.toBe(SEEDED_TIMESTAMP);
    expect((await table(a, ids.prodTable))['10.10.99.0/24']).toBe(`${ids.webVpc} static`);
    a.clock.advance(AVAILABLE_AFTER_MS - 1);
    expect(await stateOf(a, ids.prodTable, ids.prodHsmRoute)).toBe('modifying');
    a.clock.advance(1);
    expect(await stateOf(a, ids.prodTable, ids.prodHsmRoute)).toBe('available');
    expect((await table(a, ids.prodTable))['10.10.99.0/24']).toBe(`${ids.dcVgw} static`);
  });

  it('turns a blackhole into an ordinary route and back; a description alone keeps the next hop', async () => {
    const a = await apiWithProdBlackhole();
    await routes(a).update(ids.prodTable, PROD_BLACKHOLE_ROUTE, { attachment_id: ids.analyticsVpc });
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect((await table(a, ids.prodTable))['10.30.0.0/16']).toBe(`${ids.analyticsVpc} static`);
    const described = routeOf(a, await routes(a).update(ids.prodTable, PROD_BLACKHOLE_ROUTE, { description: 'to analytics' }));
    expect(described).toMatchObject({ description: 'to analytics', is_blackhole: false, attachments: [expect.objectContaining({ attachment_id: ids.analyticsVpc })] });
    a.clock.advance(AVAILABLE_AFTER_MS);
    const back = routeOf(a, await routes(a).update(ids.prodTable, PROD_BLACKHOLE_ROUTE, { is_blackhole: true }));
    expect(back).toMatchObject({ is_blackhole: true, attachments: [], description: 'to analytics' });
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect((await table(a, ids.prodTable))['10.30.0.0/16']).toBe('blackhole');
  });

  it('refuses a destination change, both or neither next hop, another router\'s attachment and unknown routes', async () => {
    const a = await api();
    const update = (route: RouteBody, routeId: string = ids.prodHsmRoute) => routes(a).update(ids.prodTable, routeId, route);
    expect(codeOf(a, await update({ destination: '10.10.98.0/24', attachment_id: ids.dcVgw }))).toEqual({ status: 400, code: 'ER.04009005' });
    expect(codeOf(a, await update({ is_blackhole: true, attachment_id: ids.dcVgw }))).toEqual({ status: 400, code: 'ER.04006106' });
    expect(codeOf(a, await update({ is_blackhole: false }))).toEqual({ status: 400, code: 'ER.04006106' });
    expect(codeOf(a, await update({ attachment_id: ids.labVpc }))).toEqual({ status: 404, code: 'ER.04044001' });
    expect(codeOf(a, await update({ attachment_id: ids.dcVgw }, MISSING))).toEqual({ status: 404, code: 'ER.04046001' });
    expect(codeOf(a, await routes(a).update(ids.devTable, ids.prodHsmRoute, { attachment_id: ids.dcVgw }))).toEqual({ status: 404, code: 'ER.04046001' });
    expect(await stateOf(a, ids.prodTable, ids.prodHsmRoute)).toBe('available');
  });
});

describe('delete and busy routes', () => {
  it('answers 202 without a body; deleting leaves the effective routes at once, gone after the delay; the destination is free again', async () => {
    const a = await apiWithProdBlackhole();
    const result = await routes(a).remove(ids.prodTable, ids.prodHsmRoute);
    expect(result.status).toBe(202);
    expect(result.body).toBe('');
    expect(await stateOf(a, ids.prodTable, ids.prodHsmRoute)).toBe('deleting');
    expect(await table(a, ids.prodTable)).not.toHaveProperty(['10.10.99.0/24']);
    a.clock.advance(DELETED_AFTER_MS - 1);
    expect(await stateOf(a, ids.prodTable, ids.prodHsmRoute)).toBe('deleting');
    a.clock.advance(1);
    expect(codeOf(a, await routes(a).show(ids.prodTable, ids.prodHsmRoute))).toEqual({ status: 404, code: 'ER.04046001' });
    expect(codeOf(a, await routes(a).remove(ids.prodTable, ids.prodHsmRoute))).toEqual({ status: 404, code: 'ER.04046001' });
    expect((await a.er.listStaticRoutes(ids.prodTable)).items.map((r) => r.id)).toEqual([PROD_BLACKHOLE_ROUTE]);
    expect((await routes(a).create(ids.prodTable, { destination: '10.10.99.0/24', attachment_id: ids.paymentsVpc })).status).toBe(202);
  });

  it('a new route is effective only once available and drops out as soon as it is deleted', async () => {
    const a = await api();
    const route = routeOf(a, await routes(a).create(ids.devTable, { destination: '192.168.30.0/24', attachment_id: ids.dcVgw }));
    expect(await table(a, ids.devTable)).not.toHaveProperty(['192.168.30.0/24']);
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect((await table(a, ids.devTable))['192.168.30.0/24']).toBe(`${ids.dcVgw} static`);
    await routes(a).remove(ids.devTable, route.id);
    expect(await table(a, ids.devTable)).not.toHaveProperty(['192.168.30.0/24']);
  });

  it('refuses to update or delete a pending, modifying or deleting route with ER.04005003', async () => {
    const a = await apiWithProdBlackhole();
    const pending = routeOf(a, await routes(a).create(ids.prodTable, { destination: '10.95.0.0/16', is_blackhole: true }));
    await routes(a).update(ids.prodTable, ids.prodHsmRoute, { attachment_id: ids.dcVgw });
    await routes(a).remove(ids.prodTable, PROD_BLACKHOLE_ROUTE);
    for (const routeId of [pending.id, ids.prodHsmRoute, PROD_BLACKHOLE_ROUTE]) {
      expect(codeOf(a, await routes(a).update(ids.prodTable, routeId, { description: 'busy?' }))).toEqual({ status: 400, code: 'ER.04005003' });
      expect(codeOf(a, await routes(a).remove(ids.prodTable, routeId))).toEqual({ status: 400, code: 'ER.04005003' });
    }
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect((await routes(a).remove(ids.prodTable, pending.id)).status).toBe(202);
    expect((await routes(a).update(ids.prodTable, ids.prodHsmRoute, { attachment_id: ids.webVpc })).status).toBe(202);
  });
});

describe('faults on static-route requests', () => {
  it('answers "busy" with the route table\'s code ER.04005003, never the association one, and changes nothing', async () => {
    const a = await api({ faults: { seed: 7, busy: 1 } });
    const before = a.emulator.staticRoutes.allStaticRoutes().length;
    const codes = new Set<string>();
    for (let i = 0; i < 40; i++) codes.add(a.body(await routes(a).create(ids.prodTable, { destination: '10.96.0.0/16', is_blackhole: true }, `busy-${i}`)).error_code!);
    expect(codes).toContain('ER.04005003');
    expect(codes).not.toContain('ER.04002003');
    expect(a.emulator.staticRoutes.allStaticRoutes()).toHaveLength(before);
  });

  it('faults aimed at createStaticRoute by name leave every other operation untouched', async () => {
    const a = await api({ faults: parseFaultPlan('{"seed": 3, "busy": 1, "operations": ["createStaticRoute"]}') });
    expect((await routes(a).show(ids.prodTable, ids.prodHsmRoute)).status).toBe(200);
    const refused = codeOf(a, await routes(a).create(ids.prodTable, { destination: '10.95.0.0/16', is_blackhole: true }, 'aimed-1'));
    expect([400, 503]).toContain(refused.status);
    expect(refused.code).toMatch(/^ER\.0(4|5)/);
    expect((await routes(a).update(ids.prodTable, ids.prodHsmRoute, { description: 'still answered' })).status).toBe(202);
    expect(a.emulator.faults?.counts.busy).toBe(1);
  });

  it('a fault plan naming an operation the table does not have is refused', () => {
    expect(() => parseFaultPlan('{"operations": ["create-static-route"]}')).toThrow(/operations must be a list of operation names: .*createStaticRoute/);
  });

  it('applies a create whose connection is then cut; the same token then returns it, no duplicate', async () => {
    const a = await api({ faults: { seed: 1, sequence: ['reset-after'] } });
    const body = { destination: '10.97.0.0/16', attachment_id: ids.dcVgw };
    const lost = await routes(a)
      .create(ids.prodTable, body, 'route-lost-0001')
      .then(
        () => 'answered',
        () => 'lost',
      );
    expect(lost).toBe('lost');
    expect(routeOf(a, await routes(a).create(ids.prodTable, body, 'route-lost-0001'))).toMatchObject({ destination: '10.97.0.0/16', state: 'pending' });
    expect(a.emulator.staticRoutes.allStaticRoutes().filter((r) => r.destination === '10.97.0.0/16')).toHaveLength(1);
  });

  it('the unforeseen route appears once a new static route is available', async () => {
    const a = await api({ faults: { seed: 1, unforeseenRoute: { destination: '198.51.100.0/24' } } });
    await routes(a).create(ids.devTable, { destination: '10.98.0.0/16', attachment_id: ids.dcVgw });
    expect(await table(a, ids.devTable)).not.toHaveProperty(['198.51.100.0/24']);
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect((await table(a, ids.devTable))['198.51.100.0/24']).toMatch(/ static$/);
  });
});

describe('the ErClient against the emulator', () => {
  it('creates, finds, reads, updates and deletes a static route', async () => {
    const a = await apiWithProdBlackhole();
    const created = await a.er.createStaticRoute({ routeTableId: ids.devTable, destination: '10.99.0.0/16', attachmentId: ids.dcVgw, description: 'dc' }, 'client-token-0001');
    expect(created.route).toMatchObject({ destination: '10.99.0.0/16', state: 'pending', description: 'dc' });
    expect(created.requestId).toMatch(/\S/);
    expect(created.attempts).toHaveLength(1);
    const ref = { routeTableId: ids.devTable, routeId: created.route.id };
    expect((await a.er.findStaticRoute(ids.devTable, '10.99.0.0/16'))?.id).toBe(created.route.id);
    expect(await a.er.findStaticRoute(ids.prodTable, '10.99.0.0/16')).toBeNull();
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect((await a.er.getStaticRoute(ref)).state).toBe('available');

    const updated = await a.er.updateStaticRoute(ref, { isBlackhole: true });
    expect(updated.route).toMatchObject({ id: created.route.id, state: 'modifying', is_blackhole: true, attachments: [] });
    await expectApiError(a.er.deleteStaticRoute(ref), 400, 'ER.04005003');
    a.clock.advance(AVAILABLE_AFTER_MS);

    const deleted = await a.er.deleteStaticRoute(ref);
    expect(deleted.attempts.map((t) => t.status)).toEqual([202]);
    expect((await a.er.getStaticRoute(ref)).state).toBe('deleting');
    a.clock.advance(DELETED_AFTER_MS);
    expect(await a.er.findStaticRoute(ids.devTable, '10.99.0.0/16')).toBeNull();
    await expectApiError(a.er.getStaticRoute(ref), 404, 'ER.04046001');
    await expectApiError(a.er.createStaticRoute({ routeTableId: ids.prodTable, destination: '10.30.0.0/16', isBlackhole: true }, 'client-token-0002'), 400, 'ER.04006002');
    expectOnePerDestination(a);
  });
});
