// The plan of a static route's create or delete (its dry run, its approval): read-only look-ups
// of the router, the table, the next hop, the table's routes (effective and static) and what is
// associated with the table; whether a static route to the destination is there already; and the
// routing effect. Reads that do not depend on each other run together.
import { z } from 'zod';
import type { CallOptions, ErClient, StaticRouteSpec } from '../er/client.js';
import type { Association, Attachment, StaticRoute } from '../er/types.js';
import { staticRouteTo } from '../er/static-routes.js';
import type { ToolCall } from '../toolkit/context.js';
import { readRoutes } from './effect-report.js';
import { type MadePlan, sha256 } from './plan-book.js';
import { BUSY_STATES, type Conflict, conflictsOutput, inProgressConflict, lookUp, routesFingerprint, routingEffectNoteOutput, willChangeOutput } from './plan-common.js';
import { describeStaticRouteEffect, staticRouteEffectOutput, staticRouteRoutingEffect } from './static-route-effect-report.js';

/** A static route as the tools name it: its router (for the allow-lists and look-ups), table and destination, and for a create where it goes. */
export interface StaticRouteTarget extends StaticRouteSpec {
  erId: string;
}

export type StaticRouteAction = 'create_static_route' | 'delete_static_route';

/** Attachments read to name the ones a change affects; a table has a few (one association per attachment). */
const MAX_ASSOCIATIONS_READ = 2_000;

const named = z.object({ id: z.string(), name: z.string().nullable(), state: z.string().nullable() });

export const staticRoutePlanOutput = z
  .object({
    action: z.enum(['create_static_route', 'delete_static_route']),
    region: z.string(),
    project_id: z.string(),
    router: named,
    route_table: named,
    destination: z.string().describe('The destination CIDR, written canonically'),
    next_hop: z
      .object({
        is_blackhole: z.boolean().describe('True: traffic to the destination is dropped'),
        attachment: z
          .object({ id: z.string(), name: z.string().nullable(), resource_type: z.string().nullable(), resource_id: z.string().nullable(), state: z.string().nullable() })
          .nullable()
          .describe('The attachment traffic goes to; null for a blackhole'),
      })
      .nullable()
      .describe('Where the new route sends traffic; null for a delete'),
    description: z.string().nullable().describe('The description the new route will carry; null when none is given (and for a delete)'),
    current_route: z
      .object({ id: z.string(), state: z.string(), is_blackhole: z.boolean(), attachment_id: z.string().nullable(), description: z.string().nullable() })
      .nullable()
      .describe('The table’s static route to this destination now, or null'),
    conflicts: conflictsOutput,
    will_change: willChangeOutput,
    routing_effect: staticRouteEffectOutput.nullable(),
    routing_effect_note: routingEffectNoteOutput,
  })
  .describe('What the change would do, from read-only look-ups');

export type StaticRoutePlan = z.infer<typeof staticRoutePlanOutput>;

export async function planStaticRoute(call: ToolCall, action: StaticRouteAction, target: StaticRouteTarget, options: CallOptions): Promise<MadePlan & { plan: StaticRoutePlan }> {
  const { er } = call;
  const creating = action === 'create_static_route';
  const [router, table, attachment] = await Promise.all([
    lookUp(() => er.getRouter(target.erId, options)),
    lookUp(() => er.getRouteTable(target.erId, target.routeTableId, options)),
    creating && target.attachmentId !== undefined ? lookUp(() => er.getAttachment(target.erId, target.attachmentId!, options)) : Promise.resolve(undefined),
  ]);
  const base = {
    action,
    region: call.env.region,
    project_id: call.projectId,
    router: { id: target.erId, name: router?.name ?? null, state: router?.state ?? null },
    route_table: { id: target.routeTableId, name: table?.name ?? null, state: table?.state ?? null },
    destination: target.destination,
    next_hop: creating ? { is_blackhole: target.isBlackhole === true, attachment: target.attachmentId === undefined ? null : attachmentView(target.attachmentId, attachment) } : null,
    description: creating ? (target.description ?? null) : null,
  };
  const fingerprint: Record<string, string> = {
    router: router ? `state ${router.state ?? 'unknown'}` : 'not found',
    route_table: table ? `state ${table.state ?? 'unknown'}` : 'not found',
    ...(creating && target.attachmentId !== undefined ? { next_hop: attachment ? `state ${attachment.state ?? 'unknown'}` : 'not found' } : {}),
  };
  const conflicts = subjectConflicts(target, { router: router !== undefined, table: table !== undefined, attachment: attachment !== undefined, creating });
  for (const [kind, item] of [['router', router], ['route_table', table], ['attachment', creating ? attachment : undefined]] as const) {
    if (item?.state != null && item.state !== 'available') conflicts.push(notAvailable(kind, item.state));
  }
  if (!router || !table) {
    return { plan: { ...base, current_route: null, conflicts, will_change: false, routing_effect: null, routing_effect_note: 'not computed: an ID does not exist' }, fingerprint, expectation: null };
  }

  // The routes decide everything else: a failure to read them fails the plan (nothing is shown that was not read).
  const [routes, associations] = await Promise.all([readRoutes(er, target.routeTableId, options), readAssociations(er, target, options)]);
  const current = routes.static_routes ? (staticRouteTo(routes.static_routes, target.destination) ?? null) : await er.findStaticRoute(target.routeTableId, target.destination, options);
  const currentView = current && routeView(current);
  Object.assign(fingerprint, routesFingerprint([routes]), {
    current_route: current ? `${current.id} ${current.state} ${current.is_blackhole ? 'blackhole' : `via ${currentView!.attachment_id ?? 'nothing'}`}` : 'none',
    associations: `${associations.length} attachment(s), sha256 ${sha256(associations.map((a) => a.attachment_id ?? '').sort().join('\n')).slice(0, 16)}`,
  });
  conflicts.push(...routeConflicts(action, target, current));
  const changes = creating ? !(current && sameNextHop(current, target)) : current !== null;
  const will_change = conflicts.length === 0 && changes;
  const plan = { ...base, current_route: currentView, conflicts, will_change };
  if (!changes) {
    const note = creating ? 'no change: the table already has this static route' : 'no change: the table has no static route to this destination';
    return { plan: { ...plan, routing_effect: null, routing_effect_note: note }, fingerprint, expectation: null };
  }
  const change = creating
    ? { action: 'create' as const, destination: target.destination, route: { attachment_id: target.attachmentId ?? null, resource_type: attachment?.resource_type ?? null, is_blackhole: target.isBlackhole === true } }
    : { action: 'delete' as const, destination: target.destination };
  const { effect, expectation } = staticRouteRoutingEffect(routes, associations, change);
  return { plan: { ...plan, routing_effect: effect }, fingerprint, expectation: will_change ? expectation : null };
}

export function describeStaticRoutePlan(tool: string, plan: StaticRoutePlan): string {
  const name = (x: { id: string; name: string | null }) => (x.name ? `${x.name} (${x.id})` : x.id);
  const where = (hop: StaticRoutePlan['next_hop']) => (!hop || hop.is_blackhole || !hop.attachment ? 'a BLACKHOLE (traffic is dropped)' : `attachment ${name(hop.attachment)}${hop.attachment.resource_type ? `, ${hop.attachment.resource_type}` : ''}`);
  const current = plan.current_route;
  const lines = [
    plan.action === 'create_static_route'
      ? `${tool} asks to ADD a static route: ${plan.destination} → ${where(plan.next_hop)}.`
      : `${tool} asks to DELETE the static route to ${plan.destination}.`,
    `Region: ${plan.region}   Project: ${plan.project_id}`,
    `Router: ${name(plan.router)}`,
    `Route table: ${name(plan.route_table)}`,
    ...(plan.description ? [`Description of the new route: ${plan.description}`] : []),
    `Now: ${current ? `a static route to ${plan.destination} ${current.is_blackhole ? 'drops the traffic (blackhole)' : `via ${current.attachment_id ?? 'an unknown attachment'}`} (${current.state})` : `no static route to ${plan.destination}`}`,
    plan.will_change ? 'Effect: this changes the route table used by every attachment associated with it.' : 'Effect: the plan expects no change.',
    ...plan.conflicts.map((c) => `Conflict: ${c.message}`),
    ...describeStaticRouteEffect(plan.routing_effect, plan.routing_effect_note),
  ];
  return lines.join('\n');
}

/** Whether the route already does what the create asks: same blackhole, or the same attachment. */
export function sameNextHop(route: StaticRoute, target: StaticRouteSpec): boolean {
  if (route.is_blackhole === true || target.isBlackhole === true) return route.is_blackhole === true && target.isBlackhole === true;
  return (route.attachments ?? []).length === 1 && route.attachments![0]!.attachment_id === target.attachmentId;
}

function routeView(route: StaticRoute): NonNullable<StaticRoutePlan['current_route']> {
  return {
    id: route.id,
    state: route.state,
    is_blackhole: route.is_blackhole === true,
    attachment_id: route.attachments?.[0]?.attachment_id ?? null,
    description: route.description ?? null,
  };
}

function attachmentView(id: string, attachment: Attachment | undefined) {
  return { id, name: attachment?.name ?? null, resource_type: attachment?.resource_type ?? null, resource_id: attachment?.resource_id ?? null, state: attachment?.state ?? null };
}

function subjectConflicts(target: StaticRouteTarget, found: { router: boolean; table: boolean; attachment: boolean; creating: boolean }): Conflict[] {
  if (!found.router) return [{ kind: 'router_not_found', message: `Router ${target.erId} does not exist in this project and region: call list_enterprise_routers to find the right er_id.` }];
  const conflicts: Conflict[] = [];
  if (!found.table) conflicts.push({ kind: 'route_table_not_found', message: `Route table ${target.routeTableId} does not exist on router ${target.erId}: call list_route_tables to find the right route_table_id.` });
  if (found.creating && target.attachmentId !== undefined && !found.attachment) {
    conflicts.push({ kind: 'attachment_not_found', message: `Attachment ${target.attachmentId} does not exist on router ${target.erId}: call list_attachments to find the next hop's attachment_id.` });
  }
  return conflicts;
}

function notAvailable(kind: 'router' | 'route_table' | 'attachment', state: string): Conflict {
  const what = kind === 'route_table' ? 'route table' : kind === 'attachment' ? 'next hop attachment' : kind;
  return { kind: `${kind}_not_available`, message: `The ${what} is "${state}", not "available": wait until it is available, then try again.` };
}

/** What the table's own static route to the destination stands in the way of. */
function routeConflicts(action: StaticRouteAction, target: StaticRouteTarget, current: StaticRoute | null): Conflict[] {
  if (!current) return [];
  const ids = `er_id ${target.erId}, route_table_id ${target.routeTableId}, destination ${target.destination}`;
  if (current.state === 'deleting') {
    return [{ kind: 'operation_in_progress', message: `The static route to ${target.destination} is being deleted: wait with get_static_route_state (${ids}, wait_for "deleted")${action === 'create_static_route' ? ', then create it again' : ''}.` }];
  }
  if (action === 'delete_static_route') return BUSY_STATES.has(current.state) ? [inProgressConflict('static route', 'get_static_route_state', current.state)] : [];
  if (current.state === 'failed') return [{ kind: 'failed_route', message: `The table has a failed static route to ${target.destination}: remove it with delete_static_route (${ids}), then create it again.` }];
  if (sameNextHop(current, target)) return [];
  const now = current.is_blackhole ? 'a blackhole route' : `a route via ${current.attachments?.[0]?.attachment_id ?? 'another next hop'}`;
  return [
    {
      kind: 'static_route_exists',
      message: `Route table ${target.routeTableId} already has a static route to ${target.destination} (${now}); a table holds one per destination. Delete it first with delete_static_route (${ids}), then create this one.`,
    },
  ];
}

async function readAssociations(er: ErClient, target: StaticRouteTarget, options: CallOptions): Promise<Association[]> {
  const found: Association[] = [];
  for await (const association of er.listAll((marker) => er.listAssociations(target.erId, target.routeTableId, { ...options, marker, limit: 1_000 }))) {
    if (found.length === MAX_ASSOCIATIONS_READ) break;
    found.push(association);
  }
  return found;
}
