// The fault plan's unforeseenRoute: once an association or propagation of a table takes effect
// (or is removed), the table's effective routes, read over the signed HTTP API, show a static
// route no plan predicted. Time moves by a fake clock and states are read back from the API, so
// nothing here depends on how busy the machine is; one test runs on the real clock and polls.
import { describe, expect, it } from 'vitest';
import { parseFaultPlan } from '../../src/emulator/faults.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import { ErClient } from '../../src/er/client.js';
import { waitForState } from '../../src/er/waiter.js';
import { systemClock } from '../../src/http/clock.js';
import { HttpClient } from '../../src/http/http-client.js';
import { CANARY, startTestEmulator } from '../helpers.js';
import { api, AVAILABLE_AFTER_MS, propagationOf, routesOf, table } from '../routing-harness.js';

const DESTINATION = '198.51.100.0/24';
const withFault = (destination = DESTINATION) => ({ faults: parseFaultPlan(JSON.stringify({ unforeseenRoute: { destination } })) });

describe('unforeseenRoute', () => {
  it('appears in the table a propagation create concerns once it is available, as a static route via another attachment', async () => {
    const a = await api(withFault());
    expect((await a.enable(ids.prodTable, ids.partnerPeering)).status).toBe(202);
    a.clock.advance(AVAILABLE_AFTER_MS - 1);
    expect((await propagationOf(a, ids.prodTable, ids.partnerPeering))?.state).toBe('pending');
    expect(await table(a, ids.prodTable)).not.toHaveProperty([DESTINATION]);

    a.clock.advance(1);
    expect((await propagationOf(a, ids.prodTable, ids.partnerPeering))?.state).toBe('available');
    // The router's attachment with the lowest id other than the peering is vpc-payments.
    expect((await table(a, ids.prodTable))[DESTINATION]).toBe(`${ids.paymentsVpc} static`);
    expect(await table(a, ids.devTable)).not.toHaveProperty([DESTINATION]);
  });

  it('has exactly the fields of an effective route in the API reference, and the same id every run', async () => {
    const routeOf = async () => {
      const a = await api(withFault());
      await a.enable(ids.prodTable, ids.partnerPeering);
      a.clock.advance(AVAILABLE_AFTER_MS);
      return (await routesOf(a, ids.prodTable)).find((r) => r.destination === DESTINATION);
    };
    const first = await routeOf();
    expect(Object.keys(first!).sort()).toEqual(['description', 'destination', 'is_blackhole', 'next_hops', 'route_id', 'route_type']);
    expect(first).toMatchObject({ description: '', is_blackhole: false, route_type: 'static', next_hops: [{ attachment_id: ids.paymentsVpc, resource_type: 'vpc', resource_id: 'd1b2c3d4-0000-4000-8000-00000000a001' }] });
    expect(Object.keys(first!.next_hops![0]!).sort()).toEqual(['attachment_id', 'resource_id', 'resource_type']);
    expect(await routeOf()).toEqual(first);
  });

  it('does not appear without the option', async () => {
    const a = await api();
    await a.enable(ids.prodTable, ids.partnerPeering);
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect((await propagationOf(a, ids.prodTable, ids.partnerPeering))?.state).toBe('available');
    const routes = await table(a, ids.prodTable);
    expect(routes['172.16.0.0/16']).toBe(`${ids.partnerPeering} propagation`);
    expect(routes).not.toHaveProperty([DESTINATION]);
  });

  it('does not appear for a propagation that ends failed', async () => {
    const a = await api(withFault());
    a.emulator.routing.failPropagationsOf(ids.partnerPeering);
    await a.enable(ids.prodTable, ids.partnerPeering);
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect((await propagationOf(a, ids.prodTable, ids.partnerPeering))?.state).toBe('failed');
    expect(await table(a, ids.prodTable)).not.toHaveProperty([DESTINATION]);
  });

  it('appears as soon as a propagation is removed, via an attachment other than the removed one', async () => {
    const a = await api(withFault());
    expect((await a.disable(ids.devTable, ids.paymentsVpc)).status).toBe(202);
    expect((await propagationOf(a, ids.devTable, ids.paymentsVpc))?.state).toBe('deleting');
    expect((await table(a, ids.devTable))[DESTINATION]).toBe(`${ids.webVpc} static`);
  });

  it('appears once an association is available', async () => {
    const a = await api(withFault());
    const ref = { erId: ids.router, routeTableId: ids.prodTable, attachmentId: ids.analyticsVpc };
    await a.er.associate(ref, 'unforeseen-assoc-1');
    expect(await table(a, ids.prodTable)).not.toHaveProperty([DESTINATION]);
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect((await a.er.findAssociation(ref))?.state).toBe('available');
    expect((await table(a, ids.prodTable))[DESTINATION]).toBe(`${ids.paymentsVpc} static`);
  });

  it('is a blackhole when the router has no other attachment (the lab router, on disassociation)', async () => {
    const a = await api(withFault());
    await a.er.disassociate({ erId: ids.labRouter, routeTableId: ids.labTable, attachmentId: ids.labVpc });
    expect((await table(a, ids.labTable))[DESTINATION]).toBe('blackhole');
  });

  it('replaces a static route the table already has to that destination', async () => {
    const a = await api(withFault('10.10.99.0/24'));
    expect((await table(a, ids.prodTable))['10.10.99.0/24']).toBe(`${ids.webVpc} static`);
    await a.enable(ids.prodTable, ids.partnerPeering);
    a.clock.advance(AVAILABLE_AFTER_MS);
    const routes = (await routesOf(a, ids.prodTable)).filter((r) => r.destination === '10.10.99.0/24');
    expect(routes.map((r) => [r.route_type, r.next_hops?.map((h) => h.attachment_id)])).toEqual([['static', [ids.paymentsVpc]]]);
  });

  it('on the real clock: polled through the API until available, then listed', async () => {
    const emulator = await startTestEmulator(withFault());
    const http = new HttpClient({ endpoint: emulator.url, credentials: CANARY });
    const er = new ErClient(http, emulator.store.topology.projectId);
    const ref = { erId: ids.router, routeTableId: ids.prodTable, attachmentId: ids.partnerPeering };
    try {
      await er.enablePropagation(ref, 'unforeseen-real-clock');
      const result = await waitForState({
        waitFor: 'available',
        poll: ({ signal, deadline }) => er.findPropagation(ref, { signal, deadline }),
        clock: systemClock,
        timeoutMs: 30_000,
        pollTimeoutMs: 10_000,
        backoff: { initialMs: 20, maxMs: 100 },
      });
      expect(result).toMatchObject({ status: 'success', state: 'available' });
      const { items } = await er.listEffectiveRoutes(ids.prodTable, { limit: 2000 });
      expect(items.filter((r) => r.destination === DESTINATION).map((r) => r.next_hops?.map((h) => h.attachment_id))).toEqual([[ids.paymentsVpc]]);
    } finally {
      await http.close();
      await emulator.close();
    }
  });
});

describe('unforeseenRoute in the fault plan', () => {
  it('is read with its destination', () => {
    expect(parseFaultPlan('{"unforeseenRoute": {"destination": "198.51.100.0/24"}}').unforeseenRoute).toEqual({ destination: '198.51.100.0/24' });
  });

  it.each([
    ['"198.51.100.0/24"', 'fault plan: unforeseenRoute must be an object such as {"destination": "198.51.100.0/24"}'],
    ['[]', 'fault plan: unforeseenRoute must be an object such as'],
    ['{}', 'fault plan: unforeseenRoute.destination must be an IPv4 prefix such as 198.51.100.0/24, not missing'],
    ['{"destination": "198.51.100.0"}', 'fault plan: unforeseenRoute.destination must be an IPv4 prefix such as 198.51.100.0/24, not "198.51.100.0"'],
    ['{"destination": "198.51.300.0/24"}', 'not "198.51.300.0/24"'],
    ['{"destination": "198.51.100.0/33"}', 'not "198.51.100.0/33"'],
    ['{"destination": "2001:db8::/32"}', 'not "2001:db8::/32"'],
    ['{"destination": 24}', 'not 24'],
    ['{"destination": "198.51.100.7/24"}', 'fault plan: unforeseenRoute.destination must be written as its network address, 198.51.100.0/24, not 198.51.100.7/24'],
    ['{"destination": "198.51.100.0/24", "via": "x"}', 'fault plan: unforeseenRoute takes only destination, not via'],
  ])('refuses unforeseenRoute %s', (value, message) => {
    expect(() => parseFaultPlan(`{"unforeseenRoute": ${value}}`)).toThrow(message);
  });
});
