// One scenario per operation of src/er/operations.ts, on the sandbox topology: what the contract
// test asks the emulator (a valid request, as the reference lists it), and what the project's own
// client does for that operation (the calls the tools make). Each runs on a fresh emulator, so the
// writes find the seeded state: vpc-web associated with rtb-prod and propagating into it,
// vpc-payments linked to nothing, one static route in rtb-prod (10.10.99.0/24 via vpc-web).
//
// The seeds the scenarios pick carry tags, descriptions and next hops, so that every nested field
// of every fixture is met at least once (the test checks that too).
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import type { ErClient } from '../../src/er/client.js';
import { IAM_CONTENT_TYPE, lookUpProjectId } from '../../src/er/iam.js';
import type { ErOperation } from '../../src/er/operations.js';
import type { HttpClient } from '../../src/http/http-client.js';
import type { Query } from '../../src/http/signer.js';

export interface ClientContext {
  er: ErClient;
  /** The same emulator, as the IAM endpoint. */
  iam: HttpClient;
  region: string;
}

export interface Scenario {
  operation: ErOperation;
  /** The request the emulator is sent: path parameters (project_id is added), query, JSON body. */
  emulator: { params: Record<string, string>; query?: Query; json?: unknown; headers?: Record<string, string> };
  /** The client's calls for this operation; every request they send is checked. */
  client: (c: ClientContext) => Promise<unknown>;
}

const core = { erId: ids.router };
const payments = { erId: ids.router, routeTableId: ids.prodTable, attachmentId: ids.paymentsVpc };
const web = { erId: ids.router, routeTableId: ids.prodTable, attachmentId: ids.webVpc };
const onProd = { er_id: ids.router, route_table_id: ids.prodTable };

/** Walks a whole list a page of `limit` at a time, so the marker is sent too. */
async function walk<T>(er: ErClient, page: (marker: string | undefined) => Promise<{ items: T[]; nextMarker?: string }>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of er.listAll(page)) items.push(item);
  return items;
}

export const SCENARIOS: Scenario[] = [
  {
    operation: 'keystoneListProjects',
    emulator: { params: {}, query: { name: 'cn-east-3' }, headers: { 'content-type': IAM_CONTENT_TYPE } },
    client: ({ iam, region }) => lookUpProjectId(iam, region),
  },
  {
    operation: 'listEnterpriseRouters',
    emulator: { params: {}, query: { limit: 10, state: 'available' } },
    client: ({ er }) => walk(er, (marker) => er.listRouters({ limit: 1, marker, filters: { state: 'available' } })),
  },
  {
    operation: 'showEnterpriseRouter',
    emulator: { params: { er_id: ids.router } },
    client: ({ er }) => er.getRouter(core.erId),
  },
  {
    operation: 'listRouteTables',
    emulator: { params: { er_id: ids.router }, query: { limit: 10 } },
    client: ({ er }) => walk(er, (marker) => er.listRouteTables(core.erId, { limit: 1, marker, filters: { state: 'available' } })),
  },
  {
    operation: 'showRouteTable',
    emulator: { params: onProd },
    client: ({ er }) => er.getRouteTable(ids.router, ids.prodTable),
  },
  {
    operation: 'listAttachments',
    emulator: { params: { er_id: ids.router }, query: { limit: 100 } },
    client: async ({ er }) => {
      const shown = await er.getAttachment(ids.router, ids.webVpc);
      await er.findListedAttachment(ids.router, ids.webVpc, { resourceId: shown.resource_id });
      await er.findListedAttachment(ids.router, ids.paymentsVpc);
      return walk(er, (marker) => er.listAttachments(core.erId, { limit: 2, marker, filters: { state: 'available', resource_type: ['vpc', 'vpn'] } }));
    },
  },
  {
    operation: 'showAttachment',
    emulator: { params: { er_id: ids.router, attachment_id: ids.paymentsVpc } },
    client: ({ er }) => er.getAttachment(ids.router, ids.paymentsVpc),
  },
  {
    operation: 'listAssociations',
    emulator: { params: onProd, query: { attachment_id: ids.webVpc, limit: 10 } },
    client: async ({ er }) => {
      await er.findAssociation(web);
      return walk(er, (marker) => er.listAssociations(ids.router, ids.prodTable, { limit: 1, marker, filters: { state: 'available', resource_type: 'vpc' } }));
    },
  },
  {
    operation: 'associateRouteTable',
    emulator: { params: onProd, json: { attachment_id: ids.paymentsVpc } },
    client: ({ er }) => er.associate(payments, 'contract-associate-0001'),
  },
  {
    operation: 'disassociateRouteTable',
    emulator: { params: onProd, json: { attachment_id: ids.webVpc } },
    client: ({ er }) => er.disassociate(web),
  },
  {
    operation: 'listPropagations',
    emulator: { params: onProd, query: { limit: 10 } },
    client: async ({ er }) => {
      await er.findPropagation(web);
      return walk(er, (marker) => er.listPropagations(ids.router, ids.prodTable, { limit: 1, marker, filters: { state: 'available', resource_type: 'vpc' } }));
    },
  },
  {
    operation: 'enablePropagation',
    emulator: { params: onProd, json: { attachment_id: ids.paymentsVpc } },
    client: ({ er }) => er.enablePropagation(payments, 'contract-propagate-0001'),
  },
  {
    operation: 'disablePropagation',
    emulator: { params: onProd, json: { attachment_id: ids.webVpc } },
    client: ({ er }) => er.disablePropagation(web),
  },
  {
    operation: 'listEffectiveRoutes',
    emulator: { params: { route_table_id: ids.prodTable }, query: { limit: 100 } },
    client: async ({ er }) => {
      await er.listEffectiveRoutes(ids.prodTable, { limit: 10, filters: { destination: '10.20.0.0/16', resource_type: 'vpc' } });
      return walk(er, (marker) => er.listEffectiveRoutes(ids.prodTable, { limit: 2, marker }));
    },
  },
  {
    operation: 'listStaticRoutes',
    emulator: { params: { route_table_id: ids.prodTable }, query: { limit: 100 } },
    client: async ({ er }) => {
      await er.findStaticRoute(ids.prodTable, '10.10.99.0/24');
      return walk(er, (marker) => er.listStaticRoutes(ids.prodTable, { limit: 1, marker }));
    },
  },
  {
    operation: 'showStaticRoute',
    emulator: { params: { route_table_id: ids.prodTable, route_id: ids.prodHsmRoute } },
    client: ({ er }) => er.getStaticRoute({ routeTableId: ids.prodTable, routeId: ids.prodHsmRoute }),
  },
  {
    operation: 'createStaticRoute',
    emulator: { params: { route_table_id: ids.prodTable }, json: { route: { destination: '10.40.0.0/16', attachment_id: ids.paymentsVpc, description: 'contract test' } } },
    client: async ({ er }) => {
      await er.createStaticRoute({ routeTableId: ids.prodTable, destination: '10.40.0.0/16', attachmentId: ids.paymentsVpc, description: 'via payments' }, 'contract-static-0001');
      return er.createStaticRoute({ routeTableId: ids.prodTable, destination: '10.50.0.0/16', isBlackhole: true }, 'contract-static-0002');
    },
  },
  {
    operation: 'updateStaticRoute',
    emulator: { params: { route_table_id: ids.prodTable, route_id: ids.prodHsmRoute }, json: { route: { attachment_id: ids.paymentsVpc, description: 'now via payments' } } },
    client: ({ er }) => er.updateStaticRoute({ routeTableId: ids.prodTable, routeId: ids.prodHsmRoute }, { attachmentId: ids.paymentsVpc, description: 'now via payments' }),
  },
  {
    operation: 'deleteStaticRoute',
    emulator: { params: { route_table_id: ids.prodTable, route_id: ids.prodHsmRoute } },
    client: ({ er }) => er.deleteStaticRoute({ routeTableId: ids.prodTable, routeId: ids.prodHsmRoute }),
  },
];
