// Propagations and effective routes of the ER emulator over real HTTP on 127.0.0.1: lifecycle on
// a fake clock, idempotence tokens, documented error codes, faults, and the routes each seeded
// table selects (hand-computed from the sandbox topology and docs/routing.md).
import { describe, expect, it } from 'vitest';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import type { HttpResult } from '../../src/http/http-client.js';
import { api, apiWithProdBlackhole, AVAILABLE_AFTER_MS, DELETED_AFTER_MS, expectApiError, propagationOf, routesOf, table } from '../routing-harness.js';


describe('seeded routing', () => {
  it('rtb-prod: vpc-web and the Direct Connect gateway learned, and a more specific static route; a seeded blackhole is listed as one', async () => {
    const sandbox = {
      '10.10.99.0/24': `${ids.webVpc} static`,
      '10.20.0.0/16': `${ids.webVpc} propagation`,
      '192.168.20.0/24': `${ids.dcVgw} propagation`,
      '192.168.30.0/24': `${ids.dcVgw} propagation`,
    };
    expect(await table(await api(), ids.prodTable)).toEqual(sandbox);
    expect(await table(await apiWithProdBlackhole(), ids.prodTable)).toEqual({ ...sandbox, '10.30.0.0/16': 'blackhole' });
  });

  it('rtb-dev: the VPN, vpc-web, payments and analytics learned', async () => {
    const a = await api();
    expect(await table(a, ids.devTable)).toEqual({
      '10.10.0.0/16': `${ids.paymentsVpc} propagation`,
      '10.20.0.0/16': `${ids.webVpc} propagation`,
      '10.30.0.0/16': `${ids.analyticsVpc} propagation`,
      '192.168.10.0/24': `${ids.officeVpn} propagation`,
      '192.168.20.0/24': `${ids.officeVpn} propagation`,
    });
  });

  it('lists the seeded propagations as available, with the documented fields', async () => {
    const a = await api();
    const { items } = await a.er.listPropagations(ids.router, ids.prodTable);
    expect(items.map((p) => p.attachment_id).sort()).toEqual([ids.webVpc, ids.dcVgw].sort());
    expect(items.find((p) => p.attachment_id === ids.dcVgw)).toMatchObject({
      er_id: ids.router,
      route_table_id: ids.prodTable,
      resource_type: 'vgw',
      resource_id: 'd1b2c3d4-0000-4000-8000-00000000a006',
      state: 'available',
      project_id: a.emulator.store.topology.projectId,
      route_policy: { import_policy_id: '' },
      created_at: '2020-03-11T15:13:31',
    });
  });
});

describe('propagation lifecycle on a fake clock', () => {
  it('goes pending → available; its prefixes become routes only once available', async () => {
    const a = await api();
    const created = await a.enable(ids.prodTable, ids.partnerPeering, 'prop-token-0001');
    expect(created.status).toBe(202);
    expect(created.headers['x-client-token']).toBe('prop-token-0001');
    const body = a.body(created);
    expect(body.request_id).toMatch(/\S/);
    expect(body.propagation).toMatchObject({ route_table_id: ids.prodTable, attachment_id: ids.partnerPeering, resource_type: 'peering', state: 'pending' });

    expect(await table(a, ids.prodTable)).not.toHaveProperty(['172.16.0.0/16']);
    a.clock.advance(AVAILABLE_AFTER_MS - 1);
    expect((await propagationOf(a, ids.prodTable, ids.partnerPeering))?.state).toBe('pending');
    a.clock.advance(1);
    const available = await propagationOf(a, ids.prodTable, ids.partnerPeering);
    expect(available).toMatchObject({ id: (body.propagation as { id: string }).id, state: 'available' });
    expect((await table(a, ids.prodTable))['172.16.0.0/16']).toBe(`${ids.partnerPeering} propagation`);
  });

  it('goes available → deleting → gone after disable; routes go at once; a new propagation is allowed after', async () => {
    const a = await api();
    const disabled = await a.disable(ids.prodTable, ids.dcVgw);
    expect(disabled.status).toBe(202);
    expect(disabled.body).toBe('');
    expect((await propagationOf(a, ids.prodTable, ids.dcVgw))?.state).toBe('deleting');
    expect(Object.keys(await table(a, ids.prodTable))).not.toContain('192.168.30.0/24');
    a.clock.advance(DELETED_AFTER_MS - 1);
    expect((await propagationOf(a, ids.prodTable, ids.dcVgw))?.state).toBe('deleting');
    a.clock.advance(1);
    expect(await propagationOf(a, ids.prodTable, ids.dcVgw)).toBeNull();
    expect((await a.enable(ids.prodTable, ids.dcVgw)).status).toBe(202);
  });

  it('shows the VPN as the route to 192.168.20.0/24 in prod only once the Direct Connect gateway stops propagating', async () => {
    const a = await api();
    await a.enable(ids.prodTable, ids.officeVpn);
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect((await table(a, ids.prodTable))['192.168.20.0/24']).toBe(`${ids.dcVgw} propagation`);
    expect((await table(a, ids.prodTable))['192.168.10.0/24']).toBe(`${ids.officeVpn} propagation`);
    await a.disable(ids.prodTable, ids.dcVgw);
    expect((await table(a, ids.prodTable))['192.168.20.0/24']).toBe(`${ids.officeVpn} propagation`);
  });

  it('keeps a blackhole in front of a propagated route to the same destination', async () => {
    const a = await apiWithProdBlackhole();
    await a.enable(ids.prodTable, ids.analyticsVpc);
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect((await propagationOf(a, ids.prodTable, ids.analyticsVpc))?.state).toBe('available');
    expect((await table(a, ids.prodTable))['10.30.0.0/16']).toBe('blackhole');
  });

  it('failPropagationsOf makes the next propagation end failed, contributing no route', async () => {
    const a = await api();
    a.emulator.routing.failPropagationsOf(ids.partnerPeering);
    await a.enable(ids.prodTable, ids.partnerPeering);
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect((await propagationOf(a, ids.prodTable, ids.partnerPeering))?.state).toBe('failed');
    expect(Object.keys(await table(a, ids.prodTable))).not.toContain('172.16.0.0/16');
    expect((await a.disable(ids.prodTable, ids.partnerPeering)).status).toBe(202);
  });

  it('lets one attachment propagate into several tables', async () => {
    const a = await api();
    expect((await a.enable(ids.prodTable, ids.paymentsVpc)).status).toBe(202);
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect((await table(a, ids.prodTable))['10.10.0.0/16']).toBe(`${ids.paymentsVpc} propagation`);
    expect((await table(a, ids.devTable))['10.10.0.0/16']).toBe(`${ids.paymentsVpc} propagation`);
  });
});

describe('idempotence, conflicts and not found', () => {
  it('replays an X-Client-Token with the first propagation, without creating another', async () => {
    const a = await api();
    const first = a.body(await a.enable(ids.prodTable, ids.paymentsVpc, 'prop-replay-0001'));
    const count = a.emulator.routing.allPropagations().length;
    const again = a.body(await a.enable(ids.prodTable, ids.paymentsVpc, 'prop-replay-0001'));
    expect((again.propagation as { id: string }).id).toBe((first.propagation as { id: string }).id);
    expect(a.emulator.routing.allPropagations()).toHaveLength(count);
  });

  it('refuses the same token for another attachment or table (ER.04009005), creating nothing', async () => {
    const a = await api();
    await a.enable(ids.prodTable, ids.paymentsVpc, 'prop-shared-0001');
    const count = a.emulator.routing.allPropagations().length;
    for (const result of [await a.enable(ids.prodTable, ids.partnerPeering, 'prop-shared-0001'), await a.enable(ids.devTable, ids.paymentsVpc, 'prop-shared-0001')]) {
      expect({ status: result.status, code: a.body(result).error_code }).toEqual({ status: 400, code: 'ER.04009005' });
    }
    expect(a.emulator.routing.allPropagations()).toHaveLength(count);
  });

  it('answers a second propagation of the same attachment into the same table with 400 ER.04003002', async () => {
    const a = await api();
    for (const result of [await a.enable(ids.prodTable, ids.webVpc), await a.enable(ids.prodTable, ids.webVpc, 'prop-new-token')]) {
      expect({ status: result.status, code: a.body(result).error_code }).toEqual({ status: 400, code: 'ER.04003002' });
    }
  });

  it('refuses to disable a pending or deleting propagation with 400 ER.04003003', async () => {
    const a = await api();
    await a.enable(ids.prodTable, ids.paymentsVpc);
    const pending = await a.disable(ids.prodTable, ids.paymentsVpc);
    expect({ status: pending.status, code: a.body(pending).error_code }).toEqual({ status: 400, code: 'ER.04003003' });
    await a.disable(ids.prodTable, ids.webVpc);
    const deleting = await a.disable(ids.prodTable, ids.webVpc);
    expect({ status: deleting.status, code: a.body(deleting).error_code }).toEqual({ status: 400, code: 'ER.04003003' });
  });

  it('answers missing things with their ER codes', async () => {
    const a = await api();
    const missing = 'ffffffff-0000-4000-8000-00000000ffff';
    const cases: Array<[Promise<HttpResult>, number, string]> = [
      [a.disable(ids.prodTable, ids.paymentsVpc), 404, 'ER.04043001'],
      [a.disable(ids.prodTable, ids.officeVpn), 404, 'ER.04043001'],
      [a.enable(missing, ids.paymentsVpc), 404, 'ER.04045001'],
      [a.enable(ids.prodTable, missing), 404, 'ER.04044001'],
      [a.enable(ids.prodTable, ids.labVpc), 404, 'ER.04044001'],
    ];
    for (const [promise, status, code] of cases) {
      const result = await promise;
      expect({ status: result.status, code: a.body(result).error_code }).toEqual({ status, code });
    }
    await expectApiError(a.er.listPropagations(ids.router, missing), 404, 'ER.04045001');
    await expectApiError(a.er.listPropagations(missing, ids.prodTable), 404, 'ER.04041001');
    await expectApiError(a.er.listEffectiveRoutes(missing), 404, 'ER.04045001');
  });
});

describe('lists: filters and paging', () => {
  it('filters propagations by attachment_id, state and resource_type', async () => {
    const a = await api();
    await a.enable(ids.devTable, ids.dcVgw);
    const of = async (filters: Record<string, string | string[]>) =>
      (await a.er.listPropagations(ids.router, ids.devTable, { filters })).items.map((p) => p.attachment_id).sort();
    expect(await of({ state: 'pending' })).toEqual([ids.dcVgw]);
    expect(await of({ resource_type: 'vpc' })).toEqual([ids.paymentsVpc, ids.webVpc, ids.analyticsVpc].sort());
    expect(await of({ resource_type: ['vpn', 'vgw'] })).toEqual([ids.officeVpn, ids.dcVgw].sort());
    expect(await of({ attachment_id: [ids.webVpc, ids.partnerPeering] })).toEqual([ids.webVpc]);
  });

  it('walks propagations and effective routes one item per page, each once', async () => {
    const a = await apiWithProdBlackhole();
    const propagations: string[] = [];
    for await (const p of a.er.listAll((marker) => a.er.listPropagations(ids.router, ids.devTable, { marker, limit: 1 }))) propagations.push(p.id);
    expect(propagations).toHaveLength(4);
    expect(new Set(propagations).size).toBe(4);
    const routes: string[] = [];
    for await (const r of a.er.listAll((marker) => a.er.listEffectiveRoutes(ids.prodTable, { marker, limit: 2 }))) routes.push(r.route_id!);
    expect(routes).toEqual((await routesOf(a, ids.prodTable)).map((r) => r.route_id));
    expect(routes).toHaveLength(5);
    expect([...routes].sort()).toEqual(routes);
  });

  it('filters effective routes by destination and by next-hop resource type; refuses limit over 2000', async () => {
    const a = await apiWithProdBlackhole();
    const destinations = async (filters: Record<string, string | string[]>) =>
      (await a.er.listEffectiveRoutes(ids.prodTable, { filters })).items.map((r) => r.destination).sort();
    expect(await destinations({ destination: ['10.30.0.0/16', '192.168.20.0/24'] })).toEqual(['10.30.0.0/16', '192.168.20.0/24']);
    expect(await destinations({ resource_type: 'vgw' })).toEqual(['192.168.20.0/24', '192.168.30.0/24']);
    expect(await destinations({ resource_type: 'vpc' })).toEqual(['10.10.99.0/24', '10.20.0.0/16']);
    await expectApiError(a.er.listEffectiveRoutes(ids.prodTable, { limit: 2001 }), 400, 'ER.04009005');
  });
});

describe('faults on propagation requests', () => {
  it('answers "busy" with the propagation code ER.04003003, never the association one, and changes nothing', async () => {
    const a = await api({ faults: { seed: 7, busy: 1 } });
    const before = a.emulator.routing.allPropagations().length;
    const codes = new Set<string>();
    for (let i = 0; i < 40; i++) codes.add(a.body(await a.enable(ids.prodTable, ids.paymentsVpc, `busy-${i}`)).error_code!);
    expect(codes).toContain('ER.04003003');
    expect(codes).not.toContain('ER.04002003');
    expect(a.emulator.routing.allPropagations()).toHaveLength(before);
  });

  it('applies a create whose connection is then cut; the same token then returns it, no duplicate', async () => {
    const a = await api({ faults: { seed: 1, sequence: ['reset-after'] } });
    const lost = await a.enable(ids.prodTable, ids.paymentsVpc, 'prop-lost-0001').then(
      () => 'answered',
      () => 'lost',
    );
    expect(lost).toBe('lost');
    const replay = a.body(await a.enable(ids.prodTable, ids.paymentsVpc, 'prop-lost-0001'));
    expect(replay.propagation).toMatchObject({ attachment_id: ids.paymentsVpc, state: 'pending' });
    expect(a.emulator.routing.allPropagations().filter((p) => p.attachment_id === ids.paymentsVpc && p.route_table_id === ids.prodTable)).toHaveLength(1);
  });
});
