// The pure parts of static routes in plans: how the static-routes list is merged with the
// effective routes, and what one static route's create or delete does to a table.
import { describe, expect, it } from 'vitest';
import { staticRouteEffect, tableAfterStaticRoute } from '../../src/er/static-route-effect.js';
import { withStaticRoutes } from '../../src/er/static-routes.js';
import type { EffectiveRoute, StaticRoute } from '../../src/er/types.js';

const via = (attachment: string, type = 'vpc') => [{ attachment_id: attachment, resource_type: type, resource_id: `res-${attachment}` }];
const propagated = (destination: string, attachment: string): EffectiveRoute => ({ route_id: `p-${destination}`, destination, next_hops: via(attachment), is_blackhole: false, route_type: 'propagation' });
const staticVia = (destination: string, attachment: string, state = 'available'): StaticRoute => ({ id: `s-${destination}`, destination, state, type: 'static', is_blackhole: false, attachments: via(attachment) });
const blackhole = (destination: string, state = 'available'): StaticRoute => ({ id: `s-${destination}`, destination, state, type: 'static', is_blackhole: true, attachments: [] });

describe('withStaticRoutes', () => {
  it('a pending static route takes its destination from the propagated route the list still shows', () => {
    const merged = withStaticRoutes([propagated('10.1.0.0/16', 'att-a')], [staticVia('10.1.0.0/16', 'att-fw', 'pending')]);
    expect(merged).toEqual([expect.objectContaining({ destination: '10.1.0.0/16', route_type: 'static', next_hops: via('att-fw') })]);
  });

  it('a static route being deleted no longer counts, even while the effective routes still list it', () => {
    const listed: EffectiveRoute = { route_id: 's-10.9.0.0/16', destination: '10.9.0.0/16', next_hops: [], is_blackhole: true, route_type: 'static' };
    expect(withStaticRoutes([listed, propagated('10.1.0.0/16', 'att-a')], [blackhole('10.9.0.0/16', 'deleting')]).map((r) => r.destination)).toEqual(['10.1.0.0/16']);
  });

  it('compares destinations canonically (IPv6 case and compression)', () => {
    const listed = propagated('2001:DB8:0:0::/32', 'att-a');
    expect(withStaticRoutes([listed], [blackhole('2001:db8::/32')])).toEqual([expect.objectContaining({ is_blackhole: true, route_type: 'static' })]);
  });
});

describe('staticRouteEffect', () => {
  const table = { route_table_id: 'rtb-1', routes: [propagated('10.0.0.0/8', 'att-core'), propagated('10.30.0.0/16', 'att-analytics'), propagated('10.30.5.0/24', 'att-lab')] };

  it('a blackhole over a propagated destination: the table changes it, traffic is dropped, the more specific /24 keeps its path', () => {
    const effect = staticRouteEffect(table, { action: 'create', destination: '10.30.0.0/16', route: { attachment_id: null, resource_type: null, is_blackhole: true } });
    expect(effect.used_before).toMatchObject({ destination: '10.30.0.0/16', route_type: 'propagation' });
    expect(effect.used_after).toMatchObject({ destination: '10.30.0.0/16', is_blackhole: true, route_type: 'static' });
    expect(effect.changes.count).toBe(1);
    expect(effect.gains.count).toBe(0);
    expect(effect.more_specific.entries.map((r) => r.destination)).toEqual(['10.30.5.0/24']);
    expect(effect.traffic_changes).toBe(true);
    // Under the other reading of the guide, the /24 inside the blackhole is dropped too: the plan says so.
    expect(effect.notes.join(' ')).toMatch(/UNVERIFIED.*1 more specific route\(s\) inside 10\.30\.0\.0\/16/);
  });

  it('a new destination is a gain; before it, traffic followed the longest route containing it', () => {
    const effect = staticRouteEffect(table, { action: 'create', destination: '10.40.0.0/16', route: { attachment_id: 'att-fw', resource_type: 'cfw', is_blackhole: false } });
    expect(effect.used_before).toMatchObject({ destination: '10.0.0.0/8' });
    expect(effect.gains.entries).toEqual([expect.objectContaining({ destination: '10.40.0.0/16', next_hops: [{ attachment_id: 'att-fw', resource_type: 'cfw' }] })]);
    expect(effect.traffic_changes).toBe(true);
  });

  it('a static route through the attachment already carrying the traffic changes the table, not the traffic', () => {
    const effect = staticRouteEffect(table, { action: 'create', destination: '10.30.0.0/16', route: { attachment_id: 'att-analytics', resource_type: 'vpc', is_blackhole: false } });
    expect(effect.changes.count).toBe(1);
    expect(effect.traffic_changes).toBe(false);
  });

  it('a delete loses the route, falls back to the containing one, and says a hidden propagated route may take over', () => {
    const withStatic = { route_table_id: 'rtb-1', routes: [propagated('10.0.0.0/8', 'att-core'), { route_id: 's', destination: '10.30.0.0/16', next_hops: [], is_blackhole: true, route_type: 'static' }] };
    const effect = staticRouteEffect(withStatic, { action: 'delete', destination: '10.30.0.0/16' });
    expect(effect.loses.entries).toEqual([expect.objectContaining({ destination: '10.30.0.0/16', is_blackhole: true })]);
    expect(effect.used_after).toMatchObject({ destination: '10.0.0.0/8' });
    expect(effect.notes.join(' ')).toMatch(/hidden behind this static route/);
    expect(tableAfterStaticRoute(withStatic, { action: 'delete', destination: '10.30.0.0/16' }).has('10.30.0.0/16')).toBe(false);
  });

  it('no route at all before a create: traffic was not routed', () => {
    const effect = staticRouteEffect({ route_table_id: 'rtb-2', routes: [] }, { action: 'create', destination: '0.0.0.0/0', route: { attachment_id: 'att-fw', resource_type: 'cfw', is_blackhole: false } });
    expect(effect.used_before).toBeNull();
    expect(effect.used_after).toMatchObject({ destination: '0.0.0.0/0' });
  });
});

describe('staticRouteEffect: no route drops traffic as a blackhole does', () => {
  const dropIt = { attachment_id: null, resource_type: null, is_blackhole: true };
  const blackholeRoute = (destination: string): EffectiveRoute => ({ route_id: `b-${destination}`, destination, next_hops: [], is_blackhole: true, route_type: 'static' });

  it('a blackhole where there was no route: dropped before and after, so traffic does not change', () => {
    const effect = staticRouteEffect({ route_table_id: 'rtb-1', routes: [propagated('10.20.0.0/16', 'vpc-web')] }, { action: 'create', destination: '10.30.0.0/16', route: dropIt });
    expect(effect.used_before).toBeNull();
    expect(effect.used_after).toMatchObject({ destination: '10.30.0.0/16', is_blackhole: true });
    expect(effect.gains.count).toBe(1);
    expect(effect.traffic_changes).toBe(false);
  });

  it('deleting a blackhole that nothing else covers: dropped before and after', () => {
    const effect = staticRouteEffect({ route_table_id: 'rtb-1', routes: [blackholeRoute('10.30.0.0/16')] }, { action: 'delete', destination: '10.30.0.0/16' });
    expect([effect.used_before?.is_blackhole, effect.used_after]).toEqual([true, null]);
    expect(effect.loses.count).toBe(1);
    expect(effect.traffic_changes).toBe(false);
  });

  it('a blackhole in front of a route that carried the traffic changes it', () => {
    expect(staticRouteEffect({ route_table_id: 'rtb-1', routes: [propagated('10.0.0.0/8', 'vpc-core')] }, { action: 'create', destination: '10.30.0.0/16', route: dropIt }).traffic_changes).toBe(true);
  });
});
