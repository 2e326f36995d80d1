// The three invariant kinds on routing states built by hand: what holds, what breaks them (and
// the message naming it), and what cannot be told (unknown, counted as broken). Containment is by
// longest-prefix match both ways: a route containing the prefix, and routes inside it.
import { describe, expect, it } from 'vitest';
import { appliesTo, evaluateInvariants, tablesNeeded } from '../../src/policy/invariants.js';
import type { Invariant, InvariantResult } from '../../src/policy/model.js';
import { blackholed, noReach, route, ROUTER, routesTo, stateOf, type TableSpec } from './states.js';

const ATTACHMENTS = [
  { id: 'a-fw', name: 'fw-central', route_table_id: 't-prod' },
  { id: 'a-web', name: 'vpc-web', route_table_id: 't-prod' },
  { id: 'a-vpn', name: 'vpn-office', route_table_id: 't-dev' },
  { id: 'a-vpn2', name: 'vpn-branch', route_table_id: 't-dev' },
  { id: 'a-pay', name: 'vpc-payments', route_table_id: null },
  { id: 'a-ana', name: 'vpc-analytics', route_table_id: null },
];

/** rtb-prod as given, rtb-dev as given (empty by default). */
function world(prod: TableSpec['routes'], dev: TableSpec['routes'] = [], extra: { possiblyHidden?: string[] } = {}) {
  return stateOf(
    [
      { id: 't-prod', name: 'rtb-prod', routes: prod },
      { id: 't-dev', name: 'rtb-dev', routes: dev, ...extra },
    ],
    ATTACHMENTS,
  );
}

function one(invariant: Invariant, state: ReturnType<typeof world>): InvariantResult {
  const results = evaluateInvariants([invariant], state);
  expect(results).toHaveLength(1);
  return results[0]!;
}

const DEV = { associated_with: [{ name: 'rtb-dev' }] };

describe('no_reach: the attachments of a set must not reach any address of a prefix', () => {
  it('holds when no route of their table contains the prefix or lies inside it', () => {
    const result = one(noReach(DEV, '10.10.0.0/16'), world([], [route('10.20.0.0/16', 'a-web'), route('192.168.10.0/24', 'a-vpn')]));
    expect(result).toMatchObject({ kind: 'no_reach', holds: true });
    expect(result.unknown).toBeUndefined();
    expect(result.message).toContain('none of the 2 attachment(s)');
  });

  it('broken by a route to exactly the prefix: names the attachment, the table, the route, its next hop and the prefix', () => {
    const result = one(noReach(DEV, '10.10.0.0/16'), world([], [route('10.10.0.0/16', 'a-pay')]));
    expect(result.holds).toBe(false);
    expect(result.unknown).toBeUndefined();
    expect(result.message).toMatch(/^BROKEN: /);
    // Both attachments of rtb-dev reach it; the first by name is named, the other counted.
    expect(result.message).toContain('vpn-branch (a-vpn2), associated with rtb-dev (t-dev), reaches 10.10.0.0/16: the route 10.10.0.0/16 goes via vpc-payments (a-pay) (propagation)');
    expect(result.message).toContain('and 1 more attachment(s)');
  });

  it('broken by a shorter route containing the prefix (the route its traffic follows)', () => {
    const result = one(noReach(DEV, '10.10.0.0/16'), world([], [route('0.0.0.0/0', 'a-fw', 'static')]));
    expect(result.holds).toBe(false);
    expect(result.message).toContain('traffic to 10.10.0.0/16 follows the route 0.0.0.0/0, which goes via fw-central (a-fw) (static)');
  });

  it('holds when the longest route containing the prefix is a blackhole, even under a default route', () => {
    const result = one(noReach(DEV, '10.10.0.0/16'), world([], [route('0.0.0.0/0', 'a-fw', 'static'), route('10.0.0.0/8', null)]));
    expect(result.holds).toBe(true);
  });

  it('broken by a more specific route inside the prefix, even under a blackhole containing it', () => {
    const result = one(noReach(DEV, '10.0.0.0/8'), world([], [route('10.0.0.0/8', null), route('10.10.99.0/24', 'a-web', 'static')]));
    expect(result.holds).toBe(false);
    expect(result.message).toContain('the more specific route 10.10.99.0/24, inside 10.0.0.0/8, goes via vpc-web (a-web) (static)');
  });

  it('holds when the route inside carries nothing: more specific blackholes take all its addresses', () => {
    const routes = [route('10.0.0.0/8', null), route('10.10.0.0/16', 'a-pay'), route('10.10.0.0/17', null), route('10.10.128.0/17', null)];
    expect(one(noReach(DEV, '10.0.0.0/8'), world([], routes)).holds).toBe(true);
    // Take one half away and the /16 carries the other half.
    expect(one(noReach(DEV, '10.0.0.0/8'), world([], routes.slice(0, 3))).message).toContain('the more specific route 10.10.0.0/16');
  });

  it('a prefix of the other IP version is not contained: 0.0.0.0/0 does not reach 2001:db8::/32', () => {
    expect(one(noReach(DEV, '2001:db8::/32'), world([], [route('0.0.0.0/0', 'a-fw')])).holds).toBe(true);
    expect(one(noReach(DEV, '2001:db8::/32'), world([], [route('::/0', 'a-fw')])).holds).toBe(false);
  });

  it('attachments by ID and by name pattern; one associated with no table reaches nothing', () => {
    const state = world([route('10.10.0.0/16', 'a-pay')]);
    expect(one(noReach({ attachments: [{ id: 'a-pay' }] }, '10.10.0.0/16'), state)).toMatchObject({ holds: true });
    expect(one(noReach({ attachments: [{ id: 'a-pay' }] }, '10.10.0.0/16'), state).message).toContain('1 associated with no route table');
    const web = one(noReach({ attachments: [{ name: 'vpc-w*' }] }, '10.10.0.0/16'), state);
    expect(web.holds).toBe(false);
    expect(web.message).toContain('vpc-web (a-web), associated with rtb-prod (t-prod)');
    // An exact name matches only itself.
    expect(one(noReach({ attachments: [{ name: 'vpc-w' }] }, '10.10.0.0/16'), state)).toMatchObject({ holds: false, unknown: true });
  });

  it('a pattern that matches nothing is an empty set (holds); an ID or exact name that matches nothing cannot be told', () => {
    const state = world([], [route('0.0.0.0/0', 'a-fw')]);
    expect(one(noReach({ attachments: [{ name: 'vpc-lab*' }] }, '10.0.0.0/8'), state)).toMatchObject({ holds: true });
    const missingTable = one(noReach({ associated_with: [{ name: 'rtb-staging' }] }, '10.0.0.0/8'), state);
    expect(missingTable).toMatchObject({ holds: false, unknown: true });
    expect(missingTable.message).toContain('no route table "rtb-staging" on router er-core (er-1)');
    const missingAttachment = one(noReach({ attachments: [{ id: 'a-gone' }] }, '10.0.0.0/8'), state);
    expect(missingAttachment).toMatchObject({ holds: false, unknown: true });
    expect(missingAttachment.message).toContain('attachment ID a-gone');
  });

  it('unknown when the routes of a member’s table are not known; a definite break elsewhere still wins', () => {
    const unread = world([route('10.10.0.0/16', 'a-pay')], { unknown: 'the routes could not be read: HTTP.TIMEOUT' });
    const dev = one(noReach(DEV, '10.10.0.0/16'), unread);
    expect(dev).toMatchObject({ holds: false, unknown: true });
    expect(dev.message).toContain('HTTP.TIMEOUT');
    const both = one(noReach({ associated_with: [{ name: 'rtb-*' }] }, '10.10.0.0/16'), unread);
    expect(both).toMatchObject({ holds: false });
    expect(both.unknown).toBeUndefined();
    expect(both.message).toContain('reaches 10.10.0.0/16');
  });

  it('unknown when the attachment list was cut short and the set is by table or pattern', () => {
    const state = { ...world([], []), incomplete: 'the router has more than 5000 attachments: only the first were read' };
    expect(one(noReach(DEV, '10.10.0.0/16'), state)).toMatchObject({ holds: false, unknown: true });
    expect(one(noReach({ attachments: [{ id: 'a-vpn' }] }, '10.10.0.0/16'), state)).toMatchObject({ holds: true });
  });
});

describe('routes_to: traffic to a prefix in a table goes to exactly one attachment', () => {
  const toFw = routesTo({ name: 'rtb-prod' }, '0.0.0.0/0', { name: 'fw-central' });

  it('holds when the prefix’s own route goes there', () => {
    const result = one(toFw, world([route('0.0.0.0/0', 'a-fw', 'static')]));
    expect(result).toMatchObject({ kind: 'routes_to', holds: true });
    expect(result.message).toContain('rtb-prod (t-prod) sends 0.0.0.0/0 to fw-central (a-fw)');
  });

  it('holds by a shorter route containing the prefix, broken when that route goes elsewhere', () => {
    const state = world([route('0.0.0.0/0', 'a-fw', 'static')]);
    expect(one(routesTo({ id: 't-prod' }, '10.50.0.0/16', { id: 'a-fw' }), state).holds).toBe(true);
    const elsewhere = one(routesTo({ id: 't-prod' }, '10.50.0.0/16', { id: 'a-web' }), state);
    expect(elsewhere.holds).toBe(false);
    expect(elsewhere.message).toContain('in rtb-prod (t-prod), traffic to 10.50.0.0/16 follows the route 0.0.0.0/0, which goes via fw-central (a-fw) (static); it should go to vpc-web (a-web) alone');
  });

  it('kept when a more specific route inside the prefix goes elsewhere (another destination), which the answer counts', () => {
    const result = one(toFw, world([route('0.0.0.0/0', 'a-fw', 'static'), route('10.10.99.0/24', 'a-web', 'static')]));
    expect(result.holds).toBe(true);
    expect(result.message).toContain('sends 0.0.0.0/0 to fw-central (a-fw) (0.0.0.0/0); 1 more specific route(s) inside keep their own next hops');
  });

  it('a more specific route to the same attachment keeps it', () => {
    expect(one(toFw, world([route('0.0.0.0/0', 'a-fw', 'static'), route('10.10.99.0/24', 'a-fw', 'static')])).holds).toBe(true);
  });

  it('broken when its own route is a blackhole; a blackhole inside is another destination', () => {
    const own = one(toFw, world([route('0.0.0.0/0', null)]));
    expect(own.holds).toBe(false);
    expect(own.message).toContain('the route 0.0.0.0/0 is a blackhole route');
    expect(one(toFw, world([route('0.0.0.0/0', 'a-fw', 'static'), route('10.30.0.0/16', null)])).holds).toBe(true);
  });

  it('broken where no route holds the whole prefix (a route for part of it is not the prefix’s route)', () => {
    expect(one(toFw, world([])).message).toContain('there is no route to 0.0.0.0/0');
    const part = one(routesTo({ id: 't-prod' }, '10.10.0.0/16', { id: 'a-fw' }), world([route('10.10.0.0/17', 'a-fw')]));
    expect(part.holds).toBe(false);
    expect(part.message).toContain('there is no route to 10.10.0.0/16');
  });

  it('broken when the route shares the traffic with another attachment', () => {
    const result = one(toFw, world([route('0.0.0.0/0', ['a-fw', 'a-web'])]));
    expect(result.holds).toBe(false);
    expect(result.message).toContain('via fw-central (a-fw) and vpc-web (a-web)');
  });

  it('unknown when the route lies inside a shorter blackhole (the guide’s other reading, UNVERIFIED)', () => {
    const result = one(routesTo({ id: 't-prod' }, '10.10.0.0/16', { id: 'a-fw' }), world([route('10.0.0.0/8', null), route('10.10.0.0/16', 'a-fw')]));
    expect(result).toMatchObject({ holds: false, unknown: true });
    expect(result.message).toContain('inside the blackhole route 10.0.0.0/8');
  });

  it('unknown when the table or the attachment is not there, or the table’s routes are not known', () => {
    expect(one(routesTo({ name: 'rtb-edge' }, '0.0.0.0/0', { id: 'a-fw' }), world([]))).toMatchObject({ holds: false, unknown: true });
    expect(one(routesTo({ name: 'rtb-prod' }, '0.0.0.0/0', { name: 'fw-old' }), world([route('0.0.0.0/0', 'a-fw')])).message).toContain('no attachment "fw-old"');
    expect(one(toFw, world({ unknown: 'not read' }))).toMatchObject({ holds: false, unknown: true, message: expect.stringContaining('not read') });
  });

  it('a table pattern: every table it names must keep it', () => {
    const both = routesTo({ name: 'rtb-*' }, '0.0.0.0/0', { id: 'a-fw' });
    expect(one(both, world([route('0.0.0.0/0', 'a-fw')], [route('0.0.0.0/0', 'a-fw')])).holds).toBe(true);
    const dev = one(both, world([route('0.0.0.0/0', 'a-fw')], [route('0.0.0.0/0', 'a-vpn')]));
    expect(dev.holds).toBe(false);
    expect(dev.message).toContain('in rtb-dev (t-dev)');
  });
});

describe('blackholed: traffic to a prefix in a table is dropped', () => {
  const dropped = blackholed({ name: 'rtb-prod' }, '10.30.0.0/16');

  it('holds by the prefix’s own blackhole, or a shorter one containing it', () => {
    expect(one(dropped, world([route('10.30.0.0/16', null)]))).toMatchObject({ kind: 'blackholed', holds: true });
    const wider = one(dropped, world([route('0.0.0.0/0', 'a-fw'), route('10.0.0.0/8', null)]));
    expect(wider.holds).toBe(true);
    expect(wider.message).toContain('by the blackhole route 10.0.0.0/8');
  });

  it('holds when blackholes inside it take every address, with no route containing it', () => {
    expect(one(dropped, world([route('10.30.0.0/17', null), route('10.30.128.0/17', null)])).holds).toBe(true);
  });

  it('broken by a more specific route inside that carries some of it', () => {
    const result = one(dropped, world([route('10.30.0.0/16', null), route('10.30.5.0/24', 'a-ana', 'static')]));
    expect(result.holds).toBe(false);
    expect(result.message).toContain('the more specific route 10.30.5.0/24, inside 10.30.0.0/16, goes via vpc-analytics (a-ana) (static): not dropped');
  });

  it('broken when the route its traffic follows is not a blackhole', () => {
    const result = one(dropped, world([route('10.0.0.0/8', 'a-web')]));
    expect(result.holds).toBe(false);
    expect(result.message).toContain('follows the route 10.0.0.0/8, which goes via vpc-web (a-web)');
  });

  it('broken when there is no route at all: dropped, but by no blackhole', () => {
    const result = one(dropped, world([route('10.20.0.0/16', 'a-web')]));
    expect(result.holds).toBe(false);
    expect(result.unknown).toBeUndefined();
    expect(result.message).toContain('there is no route to 10.30.0.0/16');
    expect(result.message).toContain('by no blackhole route');
  });

  it('unknown for a prefix that is not a CIDR block', () => {
    expect(one(blackholed({ name: 'rtb-prod' }, '10.30.0.0'), world([route('10.30.0.0/16', null)]))).toMatchObject({ holds: false, unknown: true });
  });
});

describe('routes a predicted change removes (a hidden route may take them over)', () => {
  it('unknown when such a route would change the answer, with both answers in the message', () => {
    // The prediction removed the blackhole to 10.10.0.0/16 from rtb-dev: no route is left there.
    const state = world([], [route('10.20.0.0/16', 'a-web')], { possiblyHidden: ['10.10.0.0/16'] });
    const result = one(noReach(DEV, '10.10.0.0/16'), state);
    expect(result).toMatchObject({ holds: false, unknown: true });
    expect(result.message).toContain('may take over 10.10.0.0/16 in rtb-dev (t-dev)');
    expect(result.message).toContain('reaches 10.10.0.0/16');
  });

  it('the same answer either way, or a destination outside the prefix: as evaluated', () => {
    const state = world([], [route('10.20.0.0/16', 'a-web')], { possiblyHidden: ['10.20.0.0/16', '172.16.0.0/16'] });
    expect(one(noReach(DEV, '10.10.0.0/16'), state)).toMatchObject({ holds: true });
    const reached = one(noReach(DEV, '10.20.0.0/16'), state);
    expect(reached.holds).toBe(false);
    expect(reached.unknown).toBeUndefined();
  });
});

describe('which invariants apply on a router, and which tables they need', () => {
  const state = world([route('0.0.0.0/0', 'a-fw')], [route('10.20.0.0/16', 'a-web')]);

  it('an invariant naming another router is skipped; naming this one (ID or name) or none, evaluated', () => {
    const elsewhere = blackholed({ name: 'rtb-prod' }, '10.30.0.0/16', { name: 'lab', router: { name: 'er-lab' } });
    const here = blackholed({ name: 'rtb-prod' }, '10.30.0.0/16', { name: 'core', router: { id: ROUTER.id } });
    const byName = blackholed({ name: 'rtb-prod' }, '10.30.0.0/16', { name: 'core-by-name', router: { name: 'er-c*' } });
    expect(appliesTo(elsewhere, state)).toBe(false);
    expect(evaluateInvariants([elsewhere, here, byName], state).map((r) => r.name)).toEqual(['core', 'core-by-name']);
    // Unscoped, a table missing on this router cannot be told, and the message says how to scope it.
    expect(one(blackholed({ name: 'rtb-lab' }, '10.30.0.0/16'), state).message).toContain('names it with `router`');
  });

  it('tablesNeeded: the tables named, and the tables of the attachments named', () => {
    expect(tablesNeeded([noReach({ attachments: [{ name: 'vpc-web' }] }, '10.0.0.0/8')], state)).toEqual(['t-prod']);
    expect(tablesNeeded([noReach(DEV, '10.0.0.0/8'), blackholed({ id: 't-prod' }, '10.30.0.0/16')], state)).toEqual(['t-dev', 't-prod']);
    expect(tablesNeeded([noReach({ attachments: [{ id: 'a-pay' }] }, '10.0.0.0/8')], state)).toEqual([]);
    expect(tablesNeeded([routesTo({ name: 'rtb-dev' }, '0.0.0.0/0', { id: 'a-fw' }, { router: { name: 'other' } })], state)).toEqual([]);
  });
});
