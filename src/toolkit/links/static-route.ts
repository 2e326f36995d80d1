// The static route: where a route table sends traffic to one destination (an attachment, or
// nowhere for a blackhole). A table holds one per destination, so the destination names it; the
// API's own id is looked up when the route must be shown or deleted.
import { canonical } from '../../er/cidr.js';
import { ER_CODES } from '../../er/codes.js';
import { describeStaticRoutePlan, sameNextHop, type StaticRoutePlan, planStaticRoute, type StaticRouteTarget } from '../../plans/static-route-plan.js';
import { callOptions, type WriteAnswer } from '../context.js';
import { failure, type ToolError } from '../results.js';
import { type CreateAttempt, refused } from './create-answers.js';
import { argument, type LinkKind } from './kind.js';

export const STATIC_ROUTE: LinkKind<StaticRouteTarget> = {
  noun: 'route',
  alreadyField: 'already_present',
  tools: { create: 'create_static_route', delete: 'delete_static_route', state: 'get_static_route_state', list: 'list_static_routes' },
  // "Being operated" has no code of its own for routes: the API answers with the route table's.
  codes: { exists: ER_CODES.STATIC_ROUTE_EXISTS, busy: ER_CODES.ROUTE_TABLE_BUSY, notFound: ER_CODES.STATIC_ROUTE_NOT_FOUND },
  refOf: staticRouteRefOf,
  idsOf: (ref) => ({ er_id: ref.erId, route_table_id: ref.routeTableId, destination: ref.destination }),
  api: {
    create: async (er, ref, clientToken, options) => {
      const { route, ...rest } = await er.createStaticRoute(ref, clientToken, options);
      return { link: route, ...rest };
    },
    // The delete names the route by its id: look it up first. Nothing there, or a route already
    // being deleted, needs no request.
    remove: async (er, ref, options) => {
      const route = await er.findStaticRoute(ref.routeTableId, ref.destination, options);
      if (!route) return 'absent';
      if (route.state === 'deleting') return 'deleting';
      return er.deleteStaticRoute({ routeTableId: ref.routeTableId, routeId: route.id }, options);
    },
    // A create's ref says where the route should go: a route that goes elsewhere is not the one asked for.
    find: async (er, ref, options) => {
      const route = await er.findStaticRoute(ref.routeTableId, ref.destination, options);
      if (!route || !hasNextHop(ref)) return route;
      return sameNextHop(route, ref) ? route : null;
    },
  },
  plan: (call, change, ref) => planStaticRoute(call, change === 'create' ? 'create_static_route' : 'delete_static_route', ref, callOptions(call)),
  describe: (tool, plan) => describeStaticRoutePlan(tool, plan as StaticRoutePlan),
  existsElsewhere: goesElsewhere,
  phrases: {
    noneHere: 'No static route to this destination in this route table',
    theOneHere: 'The static route to this destination',
    beingRemoved: 'being deleted',
    isRemoving: 'is deleting',
    existsSaid: 'a static route to this destination already exists',
    existsSays: 'a static route to this destination already exists',
    lookElsewhere: 'call list_static_routes to see where it goes',
  },
};

/** The route a call names, from arguments the tool's schema has checked (the destination is a CIDR block). */
export function staticRouteRefOf(args: Readonly<Record<string, unknown>>): StaticRouteTarget {
  const attachmentId = typeof args.attachment_id === 'string' ? args.attachment_id : undefined;
  return {
    erId: argument(args, 'er_id'),
    routeTableId: argument(args, 'route_table_id'),
    destination: canonical(argument(args, 'destination')),
    ...(args.is_blackhole === true ? { isBlackhole: true } : attachmentId !== undefined ? { attachmentId } : {}),
    ...(typeof args.description === 'string' ? { description: args.description } : {}),
  };
}

function hasNextHop(ref: StaticRouteTarget): boolean {
  return ref.isBlackhole === true || ref.attachmentId !== undefined;
}

/** ER.04006002 with no route going where asked: the table's one route to the destination goes elsewhere. */
async function goesElsewhere(attempt: CreateAttempt<StaticRouteTarget>, described: ToolError): Promise<WriteAnswer | null> {
  const { call, ref, clientToken } = attempt;
  const route = await call.er.findStaticRoute(ref.routeTableId, ref.destination, callOptions(call, attempt.lookupDeadline));
  if (!route) return null;
  const now = route.is_blackhole ? 'a blackhole route' : `a route via ${route.attachments?.[0]?.attachment_id ?? 'another next hop'}`;
  const result = failure({
    ...described,
    client_token: clientToken,
    existing_route: route,
    hint:
      `Route table ${ref.routeTableId} already has a static route to ${ref.destination} (${now}), and a table holds one per destination. ` +
      `Delete it first (delete_static_route with destination ${ref.destination}), then create this one.`,
  });
  return refused(result, described);
}
