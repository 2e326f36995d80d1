// Verification against the emulator: predict from the tables read before, make the change over
// HTTP, let it settle (fake clock), read again and compare. The sandbox's seeded cases end as
// predicted; with the fault plan's unforeseenRoute the one route no plan foresaw is reported.
import { describe, expect, it } from 'vitest';
import { parseFaultPlan } from '../../src/emulator/faults.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import { prefixesOf } from '../../src/er/routing-effect.js';
import { compareTables, describeDifference, predictPropagationTable, routeMap } from '../../src/plans/verification.js';
import { api, type Api, apiWithProdBlackhole, AVAILABLE_AFTER_MS, routesOf } from '../routing-harness.js';

const UNFORESEEN = { faults: parseFaultPlan('{"unforeseenRoute": {"destination": "198.51.100.0/24"}}') };

/** Predicts a propagation change from today's tables, makes it, and compares the table after. */
async function verifyPropagation(a: Api, action: 'create' | 'delete', attachment: { id: string; resource_type: string }, tableId: string) {
  const tables = await Promise.all([ids.prodTable, ids.devTable].map(async (id) => ({ route_table_id: id, routes: await routesOf(a, id) })));
  const target = tables.find((t) => t.route_table_id === tableId)!;
  const known = action === 'create' ? prefixesOf(attachment.id, tables) : [];
  const prefixes = known.length > 0 ? known : null;
  const predicted = predictPropagationTable({ action, attachment, target, prefixes });
  const answer = action === 'create' ? await a.enable(tableId, attachment.id) : await a.disable(tableId, attachment.id);
  expect(answer.status).toBe(202);
  a.clock.advance(AVAILABLE_AFTER_MS);
  const observed = await routesOf(a, tableId);
  // Unknown prefixes: the rest of the table is still expected as it was.
  const expected = { route_table_id: tableId, routes: predicted ?? routeMap(target.routes) };
  return compareTables(expected, observed, predicted ? {} : { unpredictableVia: attachment.id });
}

describe('the sandbox ends as predicted', () => {
  it.each([
    ['payments VPC into rtb-prod (a new prefix)', 'create', ids.paymentsVpc, 'vpc', ids.prodTable],
    ['office VPN into rtb-prod (a prefix it ranks lower on)', 'create', ids.officeVpn, 'vpn', ids.prodTable],
    ['Direct Connect gateway into rtb-dev (takes a prefix over)', 'create', ids.dcVgw, 'vgw', ids.devTable],
    ['peering into rtb-prod (prefixes unknown)', 'create', ids.partnerPeering, 'peering', ids.prodTable],
    ['web VPC out of rtb-prod (its static route stays)', 'delete', ids.webVpc, 'vpc', ids.prodTable],
    ['Direct Connect gateway out of rtb-prod', 'delete', ids.dcVgw, 'vgw', ids.prodTable],
  ] as const)('%s', async (_name, action, id, resource_type, tableId) => {
    const a = await api();
    expect(await verifyPropagation(a, action, { id, resource_type }, tableId)).toEqual([]);
  });

  it('analytics VPC into rtb-prod (a blackhole keeps its prefix)', async () => {
    const a = await apiWithProdBlackhole();
    expect(await verifyPropagation(a, 'create', { id: ids.analyticsVpc, resource_type: 'vpc' }, ids.prodTable)).toEqual([]);
    expect((await routesOf(a, ids.prodTable)).find((r) => r.destination === '10.30.0.0/16')?.is_blackhole).toBe(true);
  });

  it('an association leaves its table as it was', async () => {
    const a = await api();
    const before = routeMap(await routesOf(a, ids.prodTable));
    const ref = { erId: ids.router, routeTableId: ids.prodTable, attachmentId: ids.analyticsVpc };
    await a.er.associate(ref, 'verify-assoc-1');
    a.clock.advance(AVAILABLE_AFTER_MS);
    expect((await a.er.findAssociation(ref))?.state).toBe('available');
    expect(compareTables({ route_table_id: ids.prodTable, routes: before }, await routesOf(a, ids.prodTable))).toEqual([]);
  });
});

describe('with the unforeseen route fault', () => {
  it('a propagation create reports the one route no plan foresaw', async () => {
    const a = await api(UNFORESEEN);
    const differences = await verifyPropagation(a, 'create', { id: ids.paymentsVpc, resource_type: 'vpc' }, ids.prodTable);
    expect(differences.map(describeDifference)).toEqual([`198.51.100.0/24: unexpected route, via ${ids.webVpc} (static)`]);
    expect(differences[0]).toMatchObject({ route_table_id: ids.prodTable, kind: 'unexpected_route', expected: null });
  });

  it('even when the attachment’s own prefixes were unknown', async () => {
    const a = await api(UNFORESEEN);
    const differences = await verifyPropagation(a, 'create', { id: ids.partnerPeering, resource_type: 'peering' }, ids.prodTable);
    expect(differences.map(describeDifference)).toEqual([`198.51.100.0/24: unexpected route, via ${ids.paymentsVpc} (static)`]);
  });

  it('a propagation delete reports it too', async () => {
    const a = await api(UNFORESEEN);
    const differences = await verifyPropagation(a, 'delete', { id: ids.dcVgw, resource_type: 'vgw' }, ids.prodTable);
    expect(differences.map((d) => [d.destination, d.kind])).toEqual([['198.51.100.0/24', 'unexpected_route']]);
  });
});
