// What the emulator does for each ER operation: one handler per name in src/er/operations.ts,
// over the association store and the routing store. Bodies carry what the API reference lists.
import { randomUUID } from 'node:crypto';
import type { ErOperation } from '../er/operations.js';
import { attachmentIdFrom, filter, notFoundReply, ok, page, type Query, type Reply } from './http-io.js';
import type { RoutingStore } from './propagations.js';
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
}

type Handler = (request: OperationRequest, stores: Stores) => Reply;

/** The IAM project lookup is answered by the emulator itself (it knows the projects); here are the ER operations. */
export type ErHandlers = Partial<Record<Exclude<ErOperation, 'keystoneListProjects'>, Handler>>;

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
};

export function handle(operation: ErOperation, request: OperationRequest, stores: Stores): Reply {
  const handler = HANDLERS[operation as keyof ErHandlers];
  return handler ? handler(request, stores) : notFoundReply();
}

/** A show answer: the object and the request's id. */
function shown(body: object): Reply {
  return ok({ ...body, request_id: randomUUID() });
}

/** A create's 202: the new (or replayed) object, the request id, and the client token echoed. */
function created(key: string, object: Record<string, unknown>, clientToken: string | undefined): Reply {
  return { status: 202, body: { [key]: object, request_id: randomUUID() }, headers: clientToken ? { 'x-client-token': clientToken } : {} };
}
