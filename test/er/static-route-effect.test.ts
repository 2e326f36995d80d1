// Whether a static route changes where traffic goes: a destination with no route is dropped, as
// one with a blackhole route is, so moving between the two changes nobody's traffic.
import { describe, expect, it } from 'vitest';
import { staticRouteEffect } from '../../src/er/static-route-effect.js';
import type { EffectiveRoute } from '../../src/er/types.js';

const TABLE = 'rtb-1';
const via = (destination: string, attachment: string, route_type = 'propagation'): EffectiveRoute => ({
  route_id: `r-${destination}`,
  destination,
  next_hops: [{ attachment_id: attachment, resource_type: 'vpc' }],
  is_blackhole: false,
  route_type,
});
const blackhole = (destination: string): EffectiveRoute => ({ route_id: `b-${destination}`, destination, next_hops: [], is_blackhole: true, route_type: 'static' });
const table = (...routes: EffectiveRoute[]) => ({ route_table_id: TABLE, routes });
const dropIt = { attachment_id: null, resource_type: null, is_blackhole: true };

describe('staticRouteEffect: traffic_changes', () => {
  it('a blackhole where there was no route: dropped before and after, so traffic does not change', () => {
    const effect = staticRouteEffect(table(via('10.20.0.0/16', 'vpc-web')), { action: 'create', destination: '10.30.0.0/16', route: dropIt });
    expect(effect.used_before).toBeNull();
    expect(effect.used_after).toMatchObject({ destination: '10.30.0.0/16', is_blackhole: true });
    expect(effect.gains.count).toBe(1);
    expect(effect.traffic_changes).toBe(false);
  });

  it('deleting a blackhole that nothing else covers: dropped before and after', () => {
    const effect = staticRouteEffect(table(blackhole('10.30.0.0/16')), { action: 'delete', destination: '10.30.0.0/16' });
    expect([effect.used_before?.is_blackhole, effect.used_after]).toEqual([true, null]);
    expect(effect.loses.count).toBe(1);
    expect(effect.traffic_changes).toBe(false);
  });

  it('a blackhole in front of a route that carried the traffic, or a next hop where there was none, changes it', () => {
    expect(staticRouteEffect(table(via('10.0.0.0/8', 'vpc-core')), { action: 'create', destination: '10.30.0.0/16', route: dropIt }).traffic_changes).toBe(true);
    expect(staticRouteEffect(table(), { action: 'create', destination: '10.30.0.0/16', route: { attachment_id: 'vpc-x', resource_type: 'vpc', is_blackhole: false } }).traffic_changes).toBe(true);
  });

  it('a static route through the attachment that already carries the traffic does not change it', () => {
    const effect = staticRouteEffect(table(via('10.30.0.0/16', 'vpc-a')), { action: 'create', destination: '10.30.0.0/16', route: { attachment_id: 'vpc-a', resource_type: 'vpc', is_blackhole: false } });
    expect(effect.changes.count).toBe(1);
    expect(effect.traffic_changes).toBe(false);
  });
});
