// The routing effect of plans, against hand-computed tables of the sandbox topology (whose routes
// the emulator serves over HTTP; where a test needs rtb-prod to drop 10.30.0.0/16, with that
// blackhole seeded), and, for propagations, against what the emulator's tables really become once
// the change is made: the prediction and the outcome must agree.
import { describe, expect, it } from 'vitest';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import { associationEffect, type Listed, MAX_ENTRIES, prefixesOf, propagationEffect, type RouteEntry, type TableRoutes } from '../../src/er/routing-effect.js';
import type { EffectiveRoute } from '../../src/er/types.js';
import { api, type Api, apiWithProdBlackhole, AVAILABLE_AFTER_MS, routesOf } from '../routing-harness.js';

const destinations = (listed: Listed<{ destination: string }>) => listed.entries.map((e) => e.destination);
const hops = (entry: RouteEntry) => entry.next_hops.map((h) => h.attachment_id);

async function tableRoutes(a: Api, routeTableId: string): Promise<TableRoutes> {
  return { route_table_id: routeTableId, routes: await routesOf(a, routeTableId) };
}

async function allTables(a: Api): Promise<TableRoutes[]> {
  return Promise.all([ids.prodTable, ids.devTable].map((id) => tableRoutes(a, id)));
}

/** How a table really changed: destination → "hop,hop" or "blackhole". */
function snapshot(routes: readonly EffectiveRoute[]): Map<string, string> {
  return new Map(routes.map((r) => [r.destination, r.is_blackhole ? 'blackhole' : (r.next_hops ?? []).map((h) => h.attachment_id).join(',')]));
}

function actualChange(before: readonly EffectiveRoute[], after: readonly EffectiveRoute[]): { appear: string[]; disappear: string[]; changed: string[] } {
  const was = snapshot(before);
  const now = snapshot(after);
  return {
    appear: [...now.keys()].filter((d) => !was.has(d)).sort(),
    disappear: [...was.keys()].filter((d) => !now.has(d)).sort(),
    changed: [...now.keys()].filter((d) => was.has(d) && was.get(d) !== now.get(d)).sort(),
  };
}

describe('association effect on the seeded topology, rtb-prod with its blackhole', () => {
  it('payments VPC associated with rtb-prod: reaches four destinations, 10.30.0.0/16 blackholed', async () => {
    const a = await apiWithProdBlackhole();
    const effect = associationEffect(null, await tableRoutes(a, ids.prodTable));
    expect(effect.route_table_before).toBeNull();
    expect(effect.route_table_after).toBe(ids.prodTable);
    expect(effect.added.count).toBe(4);
    expect(effect.added.entries.map((e) => [e.destination, hops(e), e.route_type])).toEqual([
      ['10.10.99.0/24', [ids.webVpc], 'static'],
      ['10.20.0.0/16', [ids.webVpc], 'propagation'],
      ['192.168.20.0/24', [ids.dcVgw], 'propagation'],
      ['192.168.30.0/24', [ids.dcVgw], 'propagation'],
    ]);
    expect({ removed: effect.removed.count, changed: effect.changed.count, unchanged: effect.unchanged }).toEqual({ removed: 0, changed: 0, unchanged: 0 });
    expect(effect.blackholed_after).toEqual({ count: 1, entries: ['10.30.0.0/16'] });
  });

  it('office VPN moved from rtb-dev to rtb-prod: added, removed (one now blackholed), changed next hop, unchanged', async () => {
    const a = await apiWithProdBlackhole();
    const effect = associationEffect(await tableRoutes(a, ids.devTable), await tableRoutes(a, ids.prodTable));
    expect(destinations(effect.added)).toEqual(['10.10.99.0/24', '192.168.30.0/24']);
    expect(destinations(effect.removed)).toEqual(['10.10.0.0/16', '10.30.0.0/16', '192.168.10.0/24']);
    expect(effect.changed.count).toBe(1);
    const [changed] = effect.changed.entries;
    expect([changed!.destination, hops(changed!.before), hops(changed!.after)]).toEqual(['192.168.20.0/24', [ids.officeVpn], [ids.dcVgw]]);
    expect(effect.unchanged).toBe(1);
  });

  it('web VPC disassociated from rtb-prod: everything it reached is removed', async () => {
    const a = await apiWithProdBlackhole();
    const effect = associationEffect(await tableRoutes(a, ids.prodTable), null);
    expect(effect.route_table_after).toBeNull();
    expect(effect.removed.count).toBe(4);
    expect(destinations(effect.removed)).toEqual(['10.10.99.0/24', '10.20.0.0/16', '192.168.20.0/24', '192.168.30.0/24']);
    expect(effect.added.count + effect.changed.count + effect.unchanged).toBe(0);
    expect(effect.blackholed_after.count).toBe(0);
  });

  it('the same table before and after changes nothing', async () => {
    const a = await apiWithProdBlackhole();
    const prod = await tableRoutes(a, ids.prodTable);
    const effect = associationEffect(prod, prod);
    expect({ added: effect.added.count, removed: effect.removed.count, changed: effect.changed.count, unchanged: effect.unchanged }).toEqual({ added: 0, removed: 0, changed: 0, unchanged: 4 });
  });
});

describe('propagation effect on the seeded topology, checked against the emulator after the change', () => {
  /** Plans the change from today's tables, makes it, and returns the plan and the real change. */
  async function planAndApply(a: Api, action: 'create' | 'delete', attachment: { id: string; resource_type: string }, tableId: string) {
    const tables = await allTables(a);
    const target = tables.find((t) => t.route_table_id === tableId)!;
    const effect = propagationEffect({ action, attachment, target, prefixes: action === 'create' ? prefixesOf(attachment.id, tables) : null });
    const answer = action === 'create' ? await a.enable(tableId, attachment.id) : await a.disable(tableId, attachment.id);
    expect(answer.status).toBe(202);
    a.clock.advance(AVAILABLE_AFTER_MS);
    return { effect, real: actualChange(target.routes, await routesOf(a, tableId)) };
  }

  const predicted = (effect: ReturnType<typeof propagationEffect>) => ({
    appear: destinations(effect.appear).sort(),
    disappear: destinations(effect.disappear).sort(),
    changed: destinations(effect.changed).sort(),
  });

  it('payments VPC into rtb-prod: 10.10.0.0/16 appears; the more specific static 10.10.99.0/24 via vpc-web is a conflict', async () => {
    const a = await api();
    const { effect, real } = await planAndApply(a, 'create', { id: ids.paymentsVpc, resource_type: 'vpc' }, ids.prodTable);
    expect(effect.prefixes_known).toBe(true);
    expect(effect.prefixes.entries).toEqual(['10.10.0.0/16']);
    expect(effect.appear.entries).toEqual([{ destination: '10.10.0.0/16', next_hops: [{ attachment_id: ids.paymentsVpc, resource_type: 'vpc' }], is_blackhole: false, route_type: 'propagation' }]);
    expect(effect.conflicts.entries.map((c) => [c.kind, c.destination, c.route.destination, hops(c.route)])).toEqual([['more_specific_route', '10.10.0.0/16', '10.10.99.0/24', [ids.webVpc]]]);
    expect(effect.conflicts.entries[0]!.message).toContain('10.10.99.0/24');
    expect(predicted(effect)).toEqual(real);
  });

  it('analytics VPC into rtb-prod: nothing appears, the blackhole on the same destination is a conflict', async () => {
    const a = await apiWithProdBlackhole();
    const { effect, real } = await planAndApply(a, 'create', { id: ids.analyticsVpc, resource_type: 'vpc' }, ids.prodTable);
    expect(effect.appear.count).toBe(0);
    expect(effect.conflicts.entries.map((c) => [c.kind, c.destination, c.route.is_blackhole])).toEqual([['blackhole', '10.30.0.0/16', true]]);
    expect(predicted(effect)).toEqual(real);
  });

  it('office VPN into rtb-prod: 192.168.10.0/24 appears; 192.168.20.0/24 stays with the higher-ranked Direct Connect gateway', async () => {
    const a = await api();
    const { effect, real } = await planAndApply(a, 'create', { id: ids.officeVpn, resource_type: 'vpn' }, ids.prodTable);
    expect(effect.prefixes.entries).toEqual(['192.168.10.0/24', '192.168.20.0/24']);
    expect(destinations(effect.appear)).toEqual(['192.168.10.0/24']);
    expect(effect.changed.count).toBe(0);
    expect(effect.conflicts.entries.map((c) => [c.kind, c.destination, hops(c.route)])).toEqual([['learned_from_another_attachment', '192.168.20.0/24', [ids.dcVgw]]]);
    expect(effect.conflicts.entries[0]!.message).toContain('ranks higher');
    expect(predicted(effect)).toEqual(real);
  });

  it('Direct Connect gateway into rtb-dev: 192.168.30.0/24 appears and takes 192.168.20.0/24 over from the VPN', async () => {
    const a = await api();
    const { effect, real } = await planAndApply(a, 'create', { id: ids.dcVgw, resource_type: 'vgw' }, ids.devTable);
    expect(destinations(effect.appear)).toEqual(['192.168.30.0/24']);
    const [changed] = effect.changed.entries;
    expect([changed!.destination, hops(changed!.before), hops(changed!.after)]).toEqual(['192.168.20.0/24', [ids.officeVpn], [ids.dcVgw]]);
    expect(effect.conflicts.entries.map((c) => [c.kind, c.destination])).toEqual([['learned_from_another_attachment', '192.168.20.0/24']]);
    expect(predicted(effect)).toEqual(real);
  });

  it('web VPC into rtb-prod, where it already propagates: nothing changes, no conflict', async () => {
    const a = await api();
    const tables = await allTables(a);
    const effect = propagationEffect({ action: 'create', attachment: { id: ids.webVpc, resource_type: 'vpc' }, target: tables[0]!, prefixes: prefixesOf(ids.webVpc, tables) });
    expect(effect.prefixes.entries).toEqual(['10.20.0.0/16']);
    expect({ appear: effect.appear.count, changed: effect.changed.count, conflicts: effect.conflicts.count }).toEqual({ appear: 0, changed: 0, conflicts: 0 });
  });

  it('peering into rtb-prod: its prefixes are not visible anywhere, so the plan says it cannot tell', async () => {
    const a = await api();
    const tables = await allTables(a);
    expect(prefixesOf(ids.partnerPeering, tables)).toEqual([]);
    const effect = propagationEffect({ action: 'create', attachment: { id: ids.partnerPeering, resource_type: 'peering' }, target: tables[0]!, prefixes: null });
    expect(effect.prefixes_known).toBe(false);
    expect(effect.appear.count + effect.conflicts.count).toBe(0);
    expect(effect.notes.join(' ')).toMatch(/not visible/);
  });

  it('Direct Connect gateway out of rtb-prod: both of its destinations disappear', async () => {
    const a = await api();
    const { effect, real } = await planAndApply(a, 'delete', { id: ids.dcVgw, resource_type: 'vgw' }, ids.prodTable);
    expect(destinations(effect.disappear)).toEqual(['192.168.20.0/24', '192.168.30.0/24']);
    expect(effect.notes.join(' ')).toMatch(/hidden today/);
    expect(predicted(effect)).toEqual(real);
  });

  it('web VPC out of rtb-prod: its propagated route disappears, the static route through it stays', async () => {
    const a = await api();
    const { effect, real } = await planAndApply(a, 'delete', { id: ids.webVpc, resource_type: 'vpc' }, ids.prodTable);
    expect(destinations(effect.disappear)).toEqual(['10.20.0.0/16']);
    expect(effect.changed.count).toBe(0);
    expect(predicted(effect)).toEqual(real);
  });
});

describe('propagation effect: cases the sandbox does not seed', () => {
  const route = (destination: string, attachment: string | null, type: string | null, extra: Partial<EffectiveRoute> = {}): EffectiveRoute => ({
    route_id: `r-${destination}`,
    destination,
    next_hops: attachment ? [{ attachment_id: attachment, resource_type: type, resource_id: `res-${attachment}` }] : [],
    is_blackhole: attachment === null,
    route_type: attachment === null ? 'static' : 'propagation',
    ...extra,
  });

  it('a prefix inside a less specific blackhole is a conflict, and still appears (longest prefix)', () => {
    const target = { route_table_id: 'rt', routes: [route('10.0.0.0/8', null, null)] };
    const effect = propagationEffect({ action: 'create', attachment: { id: 'vpc-x', resource_type: 'vpc' }, target, prefixes: ['10.1.0.0/16'] });
    expect(destinations(effect.appear)).toEqual(['10.1.0.0/16']);
    expect(effect.conflicts.entries.map((c) => [c.kind, c.route.destination])).toEqual([['inside_blackhole', '10.0.0.0/8']]);
  });

  it('a static route to the same destination keeps precedence', () => {
    const target = { route_table_id: 'rt', routes: [route('10.1.0.0/16', 'vpc-y', 'vpc', { route_type: 'static' })] };
    const effect = propagationEffect({ action: 'create', attachment: { id: 'vpc-x', resource_type: 'vpc' }, target, prefixes: ['10.1.0.0/16'] });
    expect(effect.appear.count + effect.changed.count).toBe(0);
    expect(effect.conflicts.entries.map((c) => c.kind)).toEqual(['static_route']);
  });

  it('the same destination from an attachment of the same rank: both next hops, flagged, with a note', () => {
    const target = { route_table_id: 'rt', routes: [route('10.1.0.0/16', 'vpc-y', 'vpc')] };
    const effect = propagationEffect({ action: 'create', attachment: { id: 'vpc-x', resource_type: 'vpc' }, target, prefixes: ['10.1.0.0/16'] });
    expect(effect.changed.entries.map((c) => hops(c.after))).toEqual([['vpc-y', 'vpc-x']]);
    expect(effect.conflicts.entries.map((c) => c.kind)).toEqual(['learned_from_another_attachment']);
    expect(effect.notes.join(' ')).toMatch(/same rank/);
  });

  it('removing one of two next hops changes the route instead of removing it', () => {
    const shared: EffectiveRoute = { ...route('10.1.0.0/16', 'vpc-y', 'vpc'), next_hops: [{ attachment_id: 'vpc-x', resource_type: 'vpc' }, { attachment_id: 'vpc-y', resource_type: 'vpc' }] };
    const effect = propagationEffect({ action: 'delete', attachment: { id: 'vpc-x', resource_type: 'vpc' }, target: { route_table_id: 'rt', routes: [shared] } });
    expect(effect.disappear.count).toBe(0);
    expect(effect.changed.entries.map((c) => hops(c.after))).toEqual([['vpc-y']]);
  });

  it('keeps lists to MAX_ENTRIES entries with exact counts, first destinations first', () => {
    const prefixes = Array.from({ length: 45 }, (_, i) => `10.${44 - i}.0.0/16`);
    const effect = propagationEffect({ action: 'create', attachment: { id: 'vgw-x', resource_type: 'vgw' }, target: { route_table_id: 'rt', routes: [] }, prefixes });
    expect(effect.appear.count).toBe(45);
    expect(effect.appear.entries).toHaveLength(MAX_ENTRIES);
    expect(effect.appear.entries[0]!.destination).toBe('10.0.0.0/16');
    expect(effect.prefixes).toMatchObject({ count: 45 });
    expect(effect.prefixes.entries).toHaveLength(MAX_ENTRIES);
    const routes = prefixes.map((p) => route(p, 'vpc-y', 'vpc'));
    const association = associationEffect(null, { route_table_id: 'rt', routes });
    expect(association.added.count).toBe(45);
    expect(association.added.entries).toHaveLength(MAX_ENTRIES);
  });

  it('treats destinations that are not prefixes as opaque but still compares them', () => {
    const target = { route_table_id: 'rt', routes: [route('pl-shared', 'vpc-y', 'vpc')] };
    const effect = propagationEffect({ action: 'create', attachment: { id: 'vgw-x', resource_type: 'vgw' }, target, prefixes: ['pl-shared', '2001:db8::/32'] });
    expect(destinations(effect.appear)).toEqual(['2001:db8::/32']);
    expect(effect.conflicts.entries.map((c) => [c.kind, c.destination])).toEqual([['learned_from_another_attachment', 'pl-shared']]);
  });
});
