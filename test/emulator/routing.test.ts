// Route selection of the emulator (docs/routing.md), as a pure function: which route each
// destination keeps, and the shape the routes endpoint lists.
import { describe, expect, it } from 'vitest';
import { type CandidateRoute, canonicalDestination, propagatedRouteId, rankOf, selectEffectiveRoutes } from '../../src/emulator/routing.js';

const hop = (attachment_id: string, resource_type: string) => ({ attachment_id, resource_type, resource_id: `res-${attachment_id}` });
const propagated = (id: string, destination: string, attachment: string, type: string): CandidateRoute => ({
  id,
  destination,
  origin: 'propagation',
  is_blackhole: false,
  next_hop: hop(attachment, type),
});
const staticTo = (id: string, destination: string, attachment: string, type = 'vpc'): CandidateRoute => ({
  id,
  destination,
  origin: 'static',
  is_blackhole: false,
  next_hop: hop(attachment, type),
});
const blackhole = (id: string, destination: string): CandidateRoute => ({ id, destination, origin: 'static', is_blackhole: true });

describe('selectEffectiveRoutes', () => {
  it('keeps one route per destination; a static route beats every propagated one', () => {
    const routes = selectEffectiveRoutes([propagated('p1', '10.0.0.0/16', 'vpc-a', 'vpc'), staticTo('s1', '10.0.0.0/16', 'vpc-b'), propagated('p2', '10.0.0.0/16', 'vgw-a', 'vgw')]);
    expect(routes).toEqual([{ route_id: 's1', destination: '10.0.0.0/16', next_hops: [hop('vpc-b', 'vpc')], is_blackhole: false, route_type: 'static', description: '' }]);
  });

  it('ranks propagated routes VPC = CFW > virtual gateway = global DC gateway > VPN > peering > unlisted types', () => {
    const order = ['vpc', 'vgw', 'vpn', 'peering', 'ecn'];
    // Every pair: the earlier type wins whatever the input order.
    for (let i = 0; i < order.length; i++) {
      for (let j = i + 1; j < order.length; j++) {
        const better = propagated('a', '10.1.0.0/16', `att-${order[i]}`, order[i]!);
        const worse = propagated('b', '10.1.0.0/16', `att-${order[j]}`, order[j]!);
        for (const input of [[better, worse], [worse, better]]) {
          expect(selectEffectiveRoutes(input)[0]!.next_hops).toEqual([better.next_hop]);
        }
      }
    }
    expect(rankOf(propagated('x', '1.0.0.0/8', 'c', 'cfw'))).toBe(rankOf(propagated('y', '1.0.0.0/8', 'v', 'vpc')));
    expect(rankOf(propagated('x', '1.0.0.0/8', 'g', 'gdgw'))).toBe(rankOf(propagated('y', '1.0.0.0/8', 'v', 'vgw')));
  });

  it('lists equal-ranked propagations of one destination as next hops of one route, sorted by attachment', () => {
    const routes = selectEffectiveRoutes([propagated('p9', '192.168.1.0/24', 'vpn-b', 'vpn'), propagated('p3', '192.168.1.0/24', 'vpn-a', 'vpn'), propagated('p4', '192.168.1.0/24', 'peer-a', 'peering')]);
    expect(routes).toEqual([{ route_id: 'p3', destination: '192.168.1.0/24', next_hops: [hop('vpn-a', 'vpn'), hop('vpn-b', 'vpn')], is_blackhole: false, route_type: 'propagation', description: '' }]);
  });

  it('shows a blackhole as a static route without next hops that hides propagations of the same destination', () => {
    const routes = selectEffectiveRoutes([propagated('p1', '10.30.0.0/16', 'vpc-a', 'vpc'), blackhole('s1', '10.30.0.0/16')]);
    expect(routes).toEqual([{ route_id: 's1', destination: '10.30.0.0/16', next_hops: [], is_blackhole: true, route_type: 'static', description: '' }]);
  });

  it('keeps overlapping destinations apart: longest prefix is the lookup, not the listing', () => {
    const routes = selectEffectiveRoutes([propagated('p1', '10.10.0.0/16', 'vpc-a', 'vpc'), staticTo('s1', '10.10.99.0/24', 'vpc-b'), blackhole('s2', '10.0.0.0/8')]);
    expect(routes.map((r) => r.destination)).toEqual(['10.10.0.0/16', '10.10.99.0/24', '10.0.0.0/8']);
  });

  it('groups destinations written with host bits set, and lists in ascending route_id', () => {
    const routes = selectEffectiveRoutes([propagated('b', '10.1.2.3/16', 'vpc-a', 'vpc'), propagated('a', '10.1.0.0/16', 'vgw-a', 'vgw'), propagated('c', '172.16.0.0/12', 'vpc-c', 'vpc')]);
    expect(routes.map((r) => [r.route_id, r.destination])).toEqual([
      ['b', '10.1.0.0/16'],
      ['c', '172.16.0.0/12'],
    ]);
  });
});

describe('canonicalDestination and propagatedRouteId', () => {
  it('zeroes host bits of IPv4 prefixes and leaves anything else as given', () => {
    expect(canonicalDestination('10.1.2.3/16')).toBe('10.1.0.0/16');
    expect(canonicalDestination('192.168.7.130/25')).toBe('192.168.7.128/25');
    expect(canonicalDestination('0.0.0.0/0')).toBe('0.0.0.0/0');
    expect(canonicalDestination('255.255.255.255/32')).toBe('255.255.255.255/32');
    expect(canonicalDestination('2001:db8::/32')).toBe('2001:db8::/32');
    expect(canonicalDestination('300.1.1.1/8')).toBe('300.1.1.1/8');
  });

  it('gives one stable, API-shaped id per propagation and prefix', () => {
    const id = propagatedRouteId('f0000000-0000-4000-8000-000000000009', '10.10.0.0/16');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(propagatedRouteId('f0000000-0000-4000-8000-000000000009', '10.10.0.0/16')).toBe(id);
    expect(propagatedRouteId('f0000000-0000-4000-8000-000000000009', '10.10.5.0/16')).toBe(id);
    expect(propagatedRouteId('f0000000-0000-4000-8000-00000000000a', '10.10.0.0/16')).not.toBe(id);
  });
});
