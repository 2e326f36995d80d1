// The `routing_effect` of a static route's plan: what the table gains or loses, where traffic to
// the destination goes before and after, and which attachments that changes it for (those
// associated with the table), compact enough for an agent's context.
import { z } from 'zod';
import type { Association } from '../er/types.js';
import { staticRouteEffect, type StaticRouteChange, tableAfterStaticRoute } from '../er/static-route-effect.js';
import { listed } from '../er/routing-effect.js';
import type { Expectation } from './expectation.js';
import { changed, changedOutput, fit, listedOf, mapped, type ReadTable, route, routeOutput, sample } from './effect-report.js';
import { signature } from './verification.js';

const attachmentOutput = z.object({ attachment_id: z.string(), resource_type: z.string().nullable() });

export const staticRouteEffectOutput = z
  .object({
    route_table_id: z.string(),
    destination: z.string(),
    used_before: routeOutput.nullable().describe('The route traffic to the destination follows now (its own, or the longest one containing it); null: no route'),
    used_after: routeOutput.nullable().describe('The one it follows after the change'),
    gains: listedOf(routeOutput, 'routes the table gains'),
    loses: listedOf(routeOutput, 'routes the table loses'),
    changes: listedOf(changedOutput, 'destinations keep a route with other next hops'),
    more_specific: listedOf(routeOutput, 'routes inside the destination keep their own next hops (traffic to them is not affected)'),
    traffic_changes: z.boolean().describe('True when traffic to the destination goes elsewhere afterwards (another next hop, dropped, or no route)'),
    attachments_affected: listedOf(attachmentOutput, 'attachments associated with the table send traffic to the destination elsewhere afterwards'),
    notes: z.array(z.string()),
    complete: z.boolean().describe('False when the table had more routes than were read'),
  })
  .describe('How the route table changes and whose traffic goes elsewhere (docs/routing.md)');

export type StaticRouteEffectOutput = z.infer<typeof staticRouteEffectOutput>;

/** The effect on the table as read, and what the table should look like once the change has settled. */
export function staticRouteRoutingEffect(
  table: ReadTable,
  associations: readonly Association[],
  change: StaticRouteChange,
): { effect: StaticRouteEffectOutput; expectation: Expectation | null } {
  const effect = staticRouteEffect(table, change);
  const affected = effect.traffic_changes
    ? associations.map((a) => ({ attachment_id: a.attachment_id ?? '', resource_type: a.resource_type ?? null })).filter((a) => a.attachment_id !== '')
    : [];
  const notes = [...effect.notes];
  if (table.static_routes === null) notes.push('The static routes list could not be read: pending static routes are not counted.');
  const output: StaticRouteEffectOutput = {
    route_table_id: effect.route_table_id,
    destination: effect.destination,
    used_before: effect.used_before && route(effect.used_before),
    used_after: effect.used_after && route(effect.used_after),
    gains: mapped(effect.gains, route),
    loses: mapped(effect.loses, route),
    changes: mapped(effect.changes, changed),
    more_specific: mapped(effect.more_specific, route),
    traffic_changes: effect.traffic_changes,
    attachments_affected: listed(affected, (a, b) => (a.attachment_id < b.attachment_id ? -1 : a.attachment_id > b.attachment_id ? 1 : 0)),
    notes,
    complete: table.complete,
  };
  const after = new Map([...tableAfterStaticRoute(table, change)].map(([destination, entry]) => [destination, signature(entry)]));
  const expectation: Expectation | null = table.complete
    ? { tables: [{ route_table_id: table.route_table_id, routes: after, ...(change.action === 'delete' ? { hiddenPropagatedAt: change.destination } : {}) }] }
    : null;
  return { effect: fit(output), expectation };
}

/** Lines for the person who approves: where traffic goes now and after, and for whom. */
export function describeStaticRouteEffect(effect: StaticRouteEffectOutput | null, note: string | undefined): string[] {
  if (!effect) return [`Routing effect: unknown (${note ?? 'not computed'})`];
  const way = (r: StaticRouteEffectOutput['used_before']) =>
    r === null ? 'nowhere (no route: dropped)' : r.blackhole ? `to the blackhole route ${r.destination} (dropped)` : `via ${r.next_hops.map((h) => h.attachment_id ?? 'an unknown attachment').join(' and ')} (${r.route_type ?? 'route'} ${r.destination})`;
  const dropped = (r: StaticRouteEffectOutput['used_before']) => r === null || r.blackhole === true;
  return [
    `Routing effect: traffic to ${effect.destination} goes ${way(effect.used_before)} now, ${way(effect.used_after)} after.`,
    effect.traffic_changes
      ? `Attachments whose traffic to ${effect.destination} changes (associated with this table): ${effect.attachments_affected.count}.`
      : dropped(effect.used_before) && dropped(effect.used_after)
        ? `Traffic to ${effect.destination} is dropped before and after: no attachment's traffic changes.`
        : `Traffic to ${effect.destination} goes the same way afterwards.`,
    ...sample('Affected', effect.attachments_affected.entries.map((a) => a.attachment_id), effect.attachments_affected.count),
    ...sample('Unaffected more specific routes', effect.more_specific.entries.map((r) => r.destination), effect.more_specific.count),
    ...effect.notes.map((n) => `Note: ${n}`),
  ];
}
