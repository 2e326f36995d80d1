// Verification after a write: the predicted table (by the routing-effect rules), the comparison
// with what is read afterwards, and the wording of the differences. Tables built by hand.
import { describe, expect, it } from 'vitest';
import type { EffectiveRoute } from '../../src/er/types.js';
import {
  compareTables,
  describeDifference,
  describeSignature,
  type Difference,
  predictPropagationTable,
  routeMap,
  signature,
} from '../../src/plans/verification.js';

const TABLE = 'rt-1';

/** A route as the API lists it: next hops by attachment id and type, or a blackhole. */
function route(destination: string, via: Array<[string, string]> | 'blackhole', route_type: 'static' | 'propagation' = 'propagation'): EffectiveRoute {
  if (via === 'blackhole') return { route_id: `r-${destination}`, destination, next_hops: [], is_blackhole: true, route_type: 'static' };
  return {
    route_id: `r-${destination}`,
    destination,
    next_hops: via.map(([attachment_id, resource_type]) => ({ attachment_id, resource_type, resource_id: `res-${attachment_id}` })),
    is_blackhole: false,
    route_type,
  };
}

const sig = (r: EffectiveRoute) => signature(r);
const expectedOf = (routes: Map<string, string>) => ({ route_table_id: TABLE, routes });
const kinds = (differences: Difference[]) => differences.map((d) => [d.destination, d.kind]);

/** A table that has a bit of everything: propagated, shared, static, blackhole. */
const seeded = [
  route('10.20.0.0/16', [['vpc-web', 'vpc']]),
  route('192.168.20.0/24', [['vpn-office', 'vpn']]),
  route('10.40.0.0/16', [['vpc-a', 'vpc'], ['vpc-b', 'vpc']]),
  route('10.10.99.0/24', [['vpc-web', 'vpc']], 'static'),
  route('10.30.0.0/16', 'blackhole'),
];

describe('signature and routeMap', () => {
  it('ignore the order of next hops and how a destination is written', () => {
    const a = route('10.1.2.3/16', [['att-b', 'vpc'], ['att-a', 'vpc']]);
    const b = route('10.1.0.0/16', [['att-a', 'vpc'], ['att-b', 'vpc']]);
    expect(sig(a)).toBe(sig(b));
    expect([...routeMap([a])]).toEqual([['10.1.0.0/16', sig(b)]]);
  });

  it('tell a static route from a propagated one through the same next hop, and a blackhole from both', () => {
    const propagated = route('10.1.0.0/16', [['att-a', 'vpc']]);
    const fixed = route('10.1.0.0/16', [['att-a', 'vpc']], 'static');
    expect(sig(propagated)).not.toBe(sig(fixed));
    expect(sig(route('10.1.0.0/16', 'blackhole'))).toBe('blackhole');
  });
});

describe('as planned: no differences', () => {
  it('association: the table reads the same after as before', () => {
    const after = [...seeded].reverse().map((r) => ({ ...r, route_id: `new-${r.route_id}` }));
    expect(compareTables(expectedOf(routeMap(seeded)), after)).toEqual([]);
  });

  it('propagation create: new prefixes appear through the attachment, the table otherwise unchanged', () => {
    const expected = predictPropagationTable({ action: 'create', attachment: { id: 'vpc-new', resource_type: 'vpc' }, target: { route_table_id: TABLE, routes: seeded }, prefixes: ['10.50.1.7/16'] });
    expect(expected?.get('10.50.0.0/16')).toBe(sig(route('10.50.0.0/16', [['vpc-new', 'vpc']])));
    expect(compareTables(expectedOf(expected!), [...seeded, route('10.50.0.0/16', [['vpc-new', 'vpc']])])).toEqual([]);
  });

  it('propagation create of a prefix the attachment already propagates there: nothing changes', () => {
    const expected = predictPropagationTable({ action: 'create', attachment: { id: 'vpc-web', resource_type: 'vpc' }, target: { route_table_id: TABLE, routes: seeded }, prefixes: ['10.20.0.0/16'] });
    expect(expected).toEqual(routeMap(seeded));
  });

  it('propagation delete: a route through the attachment alone goes, a shared one loses that hop, its static route stays', () => {
    const web = predictPropagationTable({ action: 'delete', attachment: { id: 'vpc-web', resource_type: 'vpc' }, target: { route_table_id: TABLE, routes: seeded } })!;
    expect(web.has('10.20.0.0/16')).toBe(false);
    expect(web.get('10.10.99.0/24')).toBe(sig(route('10.10.99.0/24', [['vpc-web', 'vpc']], 'static')));
    const b = predictPropagationTable({ action: 'delete', attachment: { id: 'vpc-b', resource_type: 'vpc' }, target: { route_table_id: TABLE, routes: seeded } })!;
    expect(b.get('10.40.0.0/16')).toBe(sig(route('10.40.0.0/16', [['vpc-a', 'vpc']])));
    expect(compareTables(expectedOf(web), seeded.filter((r) => r.destination !== '10.20.0.0/16'))).toEqual([]);
  });
});

describe('propagation create onto a destination the table already has (rank rules)', () => {
  /** The predicted signature of one destination when the attachment propagates it into `seeded`. */
  const predicted = (destination: string, attachment: { id: string; resource_type: string }) =>
    predictPropagationTable({ action: 'create', attachment, target: { route_table_id: TABLE, routes: seeded }, prefixes: [destination] })!.get(destination);

  it('a higher-ranked attachment takes the route over', () => {
    expect(predicted('192.168.20.0/24', { id: 'vgw-dc', resource_type: 'vgw' })).toBe(sig(route('192.168.20.0/24', [['vgw-dc', 'vgw']])));
  });

  it('one of the same rank becomes another next hop', () => {
    expect(predicted('192.168.20.0/24', { id: 'vpn-branch', resource_type: 'vpn' })).toBe(sig(route('192.168.20.0/24', [['vpn-office', 'vpn'], ['vpn-branch', 'vpn']])));
  });

  it('a lower-ranked one leaves the route as it is', () => {
    expect(predicted('192.168.20.0/24', { id: 'peer-x', resource_type: 'peering' })).toBe(sig(seeded[1]!));
  });

  it('a static route and a blackhole keep their destination whatever the rank', () => {
    expect(predicted('10.10.99.0/24', { id: 'vpc-x', resource_type: 'vpc' })).toBe(sig(seeded[3]!));
    expect(predicted('10.30.0.0/16', { id: 'vpc-x', resource_type: 'vpc' })).toBe('blackhole');
  });

  it('cannot predict a create whose prefixes are unknown', () => {
    expect(predictPropagationTable({ action: 'create', attachment: { id: 'peer-x', resource_type: 'peering' }, target: { route_table_id: TABLE, routes: seeded }, prefixes: null })).toBeNull();
  });
});

describe('differences', () => {
  const expected = expectedOf(routeMap(seeded));

  it('an unexpected route, a missing route and changed next hops, sorted by destination', () => {
    const observed = [
      route('198.51.100.0/24', [['vpc-a', 'vpc']], 'static'),
      ...seeded.filter((r) => r.destination !== '10.20.0.0/16' && r.destination !== '192.168.20.0/24'),
      route('192.168.20.0/24', [['vgw-dc', 'vgw']]),
    ];
    const differences = compareTables(expected, observed);
    expect(differences).toEqual([
      { route_table_id: TABLE, destination: '10.20.0.0/16', expected: sig(seeded[0]!), observed: null, kind: 'missing_route' },
      { route_table_id: TABLE, destination: '192.168.20.0/24', expected: sig(seeded[1]!), observed: sig(route('x', [['vgw-dc', 'vgw']])), kind: 'different_next_hops' },
      { route_table_id: TABLE, destination: '198.51.100.0/24', expected: null, observed: sig(observed[0]!), kind: 'unexpected_route' },
    ]);
  });

  it('a static route replacing a propagated one through the same next hop is a difference', () => {
    const observed = seeded.map((r) => (r.destination === '10.20.0.0/16' ? { ...r, route_type: 'static' } : r));
    expect(kinds(compareTables(expected, observed))).toEqual([['10.20.0.0/16', 'different_next_hops']]);
  });

  it('a route that became a blackhole is a difference', () => {
    const observed = seeded.map((r) => (r.destination === '10.20.0.0/16' ? route('10.20.0.0/16', 'blackhole') : r));
    expect(compareTables(expected, observed)).toEqual([{ route_table_id: TABLE, destination: '10.20.0.0/16', expected: sig(seeded[0]!), observed: 'blackhole', kind: 'different_next_hops' }]);
  });
});

describe('unpredictableVia: an attachment whose prefixes were unknown', () => {
  const expected = expectedOf(routeMap(seeded));
  const compare = (observed: EffectiveRoute[]) => compareTables(expected, observed, { unpredictableVia: 'peer-x' });

  it('its new propagated routes are not differences; without the option they are', () => {
    const observed = [...seeded, route('172.16.0.0/16', [['peer-x', 'peering']])];
    expect(compare(observed)).toEqual([]);
    expect(kinds(compareTables(expected, observed))).toEqual([['172.16.0.0/16', 'unexpected_route']]);
  });

  it('nor a propagated route it took over, or now shares with the expected next hops', () => {
    const observed = seeded.map((r) => {
      if (r.destination === '10.20.0.0/16') return route(r.destination, [['peer-x', 'peering']]);
      if (r.destination === '192.168.20.0/24') return route(r.destination, [['vpn-office', 'vpn'], ['peer-x', 'peering']]);
      return r;
    });
    expect(compare(observed)).toEqual([]);
  });

  it('a static or blackhole route of its own, a blackhole it replaced, or another attachment it appears with, are differences', () => {
    const observed = [
      ...seeded.filter((r) => r.destination !== '10.30.0.0/16'),
      route('10.30.0.0/16', [['peer-x', 'peering']]),
      route('172.16.0.0/16', [['peer-x', 'peering']], 'static'),
      route('172.17.0.0/16', [['peer-x', 'peering'], ['vpc-a', 'vpc']]),
    ];
    expect(kinds(compare(observed))).toEqual([
      ['10.30.0.0/16', 'different_next_hops'],
      ['172.16.0.0/16', 'unexpected_route'],
      ['172.17.0.0/16', 'unexpected_route'],
    ]);
  });

  it('routes that go missing are still differences', () => {
    expect(kinds(compare(seeded.slice(1)))).toEqual([['10.20.0.0/16', 'missing_route']]);
  });
});

describe('wording', () => {
  it('describes signatures in words', () => {
    expect(describeSignature(sig(route('10.1.0.0/16', [['att-b', 'vpn'], ['att-a', 'vpn']])))).toBe('via att-a and att-b (propagation)');
    expect(describeSignature(sig(route('10.1.0.0/16', [['att-123', 'vpc']], 'static')))).toBe('via att-123 (static)');
    expect(describeSignature('blackhole')).toBe('blackhole');
    expect(describeSignature(null)).toBe('no route');
  });

  it('describes each kind of difference in one line', () => {
    const via = (id: string, type: 'static' | 'propagation' = 'propagation') => sig(route('x', [[id, 'vpc']], type));
    const line = (d: Omit<Difference, 'route_table_id'>) => describeDifference({ route_table_id: TABLE, ...d });
    expect(line({ destination: '198.51.100.0/24', expected: null, observed: via('att-9', 'static'), kind: 'unexpected_route' })).toBe('198.51.100.0/24: unexpected route, via att-9 (static)');
    expect(line({ destination: '10.20.0.0/16', expected: via('att-1'), observed: null, kind: 'missing_route' })).toBe('10.20.0.0/16: expected via att-1 (propagation), found no route');
    expect(line({ destination: '10.20.0.0/16', expected: via('att-1'), observed: 'blackhole', kind: 'different_next_hops' })).toBe('10.20.0.0/16: expected via att-1 (propagation), found blackhole');
  });
});
