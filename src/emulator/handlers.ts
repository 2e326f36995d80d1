// What the emulator does for each ER operation: one handler per name in src/er/operations.ts,
// over the association store, the routing store and the static routes. Bodies carry what the API
// reference lists.
import { randomUUID } from 'node:crypto';
import { canonical } from '../er/cidr.js';
import type { ErOperation } from '../er/operations.js';
import { attachmentIdFrom, filter, ok, page, type Query, type Reply } from './http-io.js';
import type { RoutingStore } from './propagations.js';
import { createRequestFrom, updateRequestFrom } from './static-route-requests.js';
import type { StaticRoutes } from './static-routes.js';
import type { Store } from './store.js';
import { attachmentView, listedAttachmentView, routerView, routeTableView } from './views.js';

export interface OperationRequest {
  /** Path parameters by their reference names, percent-decoded. */
  params: Record<string, string>;
  query: Query;
  body: Buffer;
  clientToken?: string;
}

export interface Stores {
  store: Store;
  routing: RoutingStore;
  staticRoutes: StaticRoutes;
}

type Handler = (request: OperationRequest, stores: Stores) => Reply;

/** The ER operations; the IAM project lookup is answered by the emulator itself (it knows the projects). */
export type ErApiOperation = Exclude<ErOperation, 'keystoneListProjects'>;

/** Total on purpose: an operation added to the table does not compile until it has a handler here. */
export type ErHandlers = Record<ErApiOperation, Handler>;

export const HANDLERS: ErHandlers = {
  listEnterpriseRouters: ({ query }, { store }) =>
    page(query, 'instances', filter(store.listRouters().map((r) => routerView(r, store.placement)), query, ['id', 'state', 'enterprise_project_id'])),
  showEnterpriseRouter: ({ params }, { store }) => shown({ instance: routerView(store.router(params.er_id!), store.placement) }),
  listRouteTables: ({ params, query }, { store }) => page(query, 'route_tables', filter(store.listTables(params.er_id!).map(routeTableView), query, ['state'])),
  showRouteTable: ({ params }, { store }) => shown({ route_table: routeTableView(store.table(params.er_id!, params.route_table_id!)) }),
  listAttachments: ({ params, query }, { store }) => {
    const listed = store.listAttachments(params.er_id!).map((a) => listedAttachmentView(a, store.placement, store.associationOf(a.id)));
    return page(query, 'attachments', filter(listed, query, ['state', 'resource_type', 'resource_id']));
  },
  showAttachment: ({ params }, { store }) => shown({ attachment: attachmentView(store.attachment(params.er_id!, params.attachment_id!), store.placement) }),
  listAssociations: ({ params, query }, { store }) =>
    page(query, 'associations', filter(store.listAssociations(params.er_id!, params.route_table_id!), query, ['attachment_id', 'state', 'resource_type'])),
  associateRouteTable: ({ params, body, clientToken }, { store }) =>
    created('association', store.associate(params.er_id!, params.route_table_id!, attachmentIdFrom(body), clientToken), clientToken),
  disassociateRouteTable: ({ params, body }, { store }) => {
    store.disassociate(params.er_id!, params.route_table_id!, attachmentIdFrom(body));
    return { status: 202 };
  },
  listPropagations: ({ params, query }, { routing }) =>
    page(query, 'propagations', filter(routing.list(params.er_id!, params.route_table_id!), query, ['attachment_id', 'state', 'resource_type'])),
  enablePropagation: ({ params, body, clientToken }, { routing }) =>
    created('propagation', routing.enable(params.er_id!, params.route_table_id!, attachmentIdFrom(body), clientToken), clientToken),
  disablePropagation: ({ params, body }, { routing }) => {
    routing.disable(params.er_id!, params.route_table_id!, attachmentIdFrom(body));
    return { status: 202 };
  },
  listEffectiveRoutes: ({ params, query }, { routing }) => {
    // Filters match any next hop.
    const routes = routing.effectiveRoutes(params.route_table_id!).filter(
      (r) =>
        (!query.destination || query.destination.includes(r.destination)) &&
        (!query.resource_type || r.next_hops.some((h) => query.resource_type!.includes(h.resource_type))),
    );
    return page(query, 'routes', routes, 'route_id');
  },
  listStaticRoutes: ({ params, query }, { staticRoutes }) => page(query, 'routes', staticRoutes.list(params.route_table_id!).filter((r) => staticRouteMatches(r, query))),
  showStaticRoute: ({ params }, { staticRoutes }) => shown({ route: staticRoutes.show(params.route_table_id!, params.route_id!) }),
  createStaticRoute: ({ params, body, clientToken }, { staticRoutes }) =>
    created('route', staticRoutes.create(params.route_table_id!, createRequestFrom(body), clientToken), clientToken),
  // 202 with the route, as the reference has it (not 200), and no client token.
  updateStaticRoute: ({ params, body }, { staticRoutes }) => ({
    status: 202,
    body: { route: staticRoutes.update(params.route_table_id!, params.route_id!, updateRequestFrom(body)), request_id: randomUUID() },
  }),
  deleteStaticRoute: ({ params }, { staticRoutes }) => {
    staticRoutes.delete(params.route_table_id!, params.route_id!);
    return { status: 202 };
  },
};

export function handle(operation: ErApiOperation, request: OperationRequest, stores: Stores): Reply {
  return HANDLERS[operation](request, stores);
}

/**
 * ListStaticRoutes' filters: `destination` (compared canonically), and `attachment_id` and
 * `resource_type`, which match any next hop. The reference's `sort_key`/`sort_dir` are not
 * emulated: lists come in ascending id, the order paging by marker relies on.
 */
function staticRouteMatches(route: Record<string, unknown>, query: Query): boolean {
  const hops = route.attachments as Array<Record<string, string>>;
  const anyHop = (key: string) => !query[key] || hops.some((h) => query[key]!.includes(h[key]!));
  return (!query.destination || query.destination.map(canonical).includes(route.destination as string)) && anyHop('attachment_id') && anyHop('resource_type');
}

/** A show answer: the object and the request's id. */
function shown(body: object): Reply {
  return ok({ ...body, request_id: randomUUID() });
}

/** A create's 202: the new (or replayed) object, the request id, and the client token echoed. */
function created(key: string, object: Record<string, unknown>, clientToken: string | undefined): Reply {
  return { status: 202, body: { [key]: object, request_id: randomUUID() }, headers: clientToken ? { 'x-client-token': clientToken } : {} };
}
