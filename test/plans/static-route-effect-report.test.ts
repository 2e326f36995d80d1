// The lines the person approving a static route reads about its routing effect.
import { describe, expect, it } from 'vitest';
import { staticRouteRoutingEffect, describeStaticRouteEffect } from '../../src/plans/static-route-effect-report.js';
import type { EffectiveRoute } from '../../src/er/types.js';

const TABLE = 'rtb-1';
const via = (destination: string, attachment: string): EffectiveRoute => ({ route_id: `r-${destination}`, destination, next_hops: [{ attachment_id: attachment, resource_type: 'vpc' }], is_blackhole: false, route_type: 'propagation' });
const read = (...routes: EffectiveRoute[]) => ({ route_table_id: TABLE, routes, static_routes: [], complete: true });
const associated = [{ id: 'a-1', attachment_id: 'att-web', resource_type: 'vpc' }];
const blackhole = { attachment_id: null, resource_type: null, is_blackhole: true };

function lines(routes: EffectiveRoute[], destination: string): string[] {
  const { effect } = staticRouteRoutingEffect(read(...routes), associated as never, { action: 'create', destination, route: blackhole });
  return describeStaticRouteEffect(effect, undefined);
}

describe('describeStaticRouteEffect', () => {
  it('a blackhole where there was no route: dropped now and after, nobody affected', () => {
    expect(lines([via('10.20.0.0/16', 'att-web')], '10.30.0.0/16')).toEqual([
      'Routing effect: traffic to 10.30.0.0/16 goes nowhere (no route: dropped) now, to the blackhole route 10.30.0.0/16 (dropped) after.',
      "Traffic to 10.30.0.0/16 is dropped before and after: no attachment's traffic changes.",
    ]);
  });

  it('a blackhole in front of a propagated route: the attachments associated with the table are affected', () => {
    expect(lines([via('10.30.0.0/16', 'att-analytics')], '10.30.0.0/16')).toEqual([
      'Routing effect: traffic to 10.30.0.0/16 goes via att-analytics (propagation 10.30.0.0/16) now, to the blackhole route 10.30.0.0/16 (dropped) after.',
      'Attachments whose traffic to 10.30.0.0/16 changes (associated with this table): 1.',
      'Affected: att-web',
    ]);
  });
});
