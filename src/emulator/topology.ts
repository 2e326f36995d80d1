// What the emulator starts with: routers, route tables, attachments and existing associations,
// and for routing: the prefixes each attachment carries, its propagations and static routes.
//
// Each seed has two parts. Its `…Fields` are what the API shows of the object (views.ts turns
// them into bodies, field by field, with realistic defaults for what a seed leaves out). The rest
// is the emulator's own knowledge, which no API body carries: the router a table or attachment
// sits on (`er_id`, which the route table and show-attachment bodies do not have), the
// attachment's association and propagations at start, and the prefixes it brings.

/** A tag as the API shows it (`tags` of routers, route tables and attachments). */
export interface TagSeed {
  key: string;
  value: string;
}

/** What the API shows of a router (`instance`). The project comes from the topology. */
export interface RouterSeed {
  id: string;
  name: string;
  description?: string;
  state?: string;
  tags?: TagSeed[];
  charge_mode?: string;
  enterprise_project_id?: string;
  asn?: number;
  enable_default_association?: boolean;
  default_association_route_table_id?: string;
  enable_default_propagation?: boolean;
  default_propagation_route_table_id?: string;
  availability_zone_ids?: string[];
  auto_accept_shared_attachments?: boolean;
  created_at?: string;
  updated_at?: string;
}

/** What the API shows of a route table (`route_table`). */
export interface RouteTableFields {
  id: string;
  name: string;
  description?: string;
  state?: string;
  tags?: TagSeed[];
  is_default_association?: boolean;
  is_default_propagation?: boolean;
  created_at?: string;
  updated_at?: string;
}

/** A route table and the router it belongs to (the path says which; its body does not). */
export type RouteTableSeed = RouteTableFields & { er_id: string };

/** What the API shows of an attachment (`attachment`; list entries add their association). */
export interface AttachmentFields {
  id: string;
  name: string;
  description?: string;
  state?: string;
  tags?: TagSeed[];
  resource_type: string;
  resource_id: string;
  /** The project the attached resource is in; the topology's project when absent. */
  resource_project_id?: string;
  created_at?: string;
  updated_at?: string;
}

/** The emulator's knowledge of an attachment, kept out of every API body. */
export interface AttachmentRouting {
  /** The router it is attached to (list entries show it; the show body does not). */
  er_id: string;
  /** Route table this attachment is associated with at start (an `available` association). */
  associated_route_table_id?: string;
  /** Prefixes the attachment propagates: a VPC's CIDR blocks, the routes a gateway carries. */
  cidrs?: string[];
  /** Route tables this attachment propagates into at start (`available` propagations). */
  propagated_route_table_ids?: string[];
}

export type AttachmentSeed = AttachmentFields & AttachmentRouting;

/** A static route at start: either a next hop (`attachment_id`) or a blackhole. */
export interface StaticRouteSeed {
  id: string;
  route_table_id: string;
  destination: string;
  attachment_id?: string;
  is_blackhole?: boolean;
  description?: string;
}

export interface Topology {
  projectId: string;
  region: string;
  routers: RouterSeed[];
  routeTables: RouteTableSeed[];
  attachments: AttachmentSeed[];
  staticRoutes?: StaticRouteSeed[];
}

/** The sandbox's world: one router in Shanghai (cn-east-3) that the demo and README use. */
export const SANDBOX_IDS = {
  projectId: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  router: 'a1b2c3d4-0000-4000-8000-000000000001',
  labRouter: 'a1b2c3d4-0000-4000-8000-000000000002',
  prodTable: 'b1b2c3d4-0000-4000-8000-000000000011',
  devTable: 'b1b2c3d4-0000-4000-8000-000000000012',
  labTable: 'b1b2c3d4-0000-4000-8000-000000000021',
  paymentsVpc: 'c1b2c3d4-0000-4000-8000-000000000101',
  webVpc: 'c1b2c3d4-0000-4000-8000-000000000102',
  officeVpn: 'c1b2c3d4-0000-4000-8000-000000000103',
  partnerPeering: 'c1b2c3d4-0000-4000-8000-000000000104',
  analyticsVpc: 'c1b2c3d4-0000-4000-8000-000000000105',
  labVpc: 'c1b2c3d4-0000-4000-8000-000000000201',
  dcVgw: 'c1b2c3d4-0000-4000-8000-000000000106',
  prodHsmRoute: 'r1b2c3d4-0000-4000-8000-000000000302',
} as const;

/**
 * Routing in the sandbox (docs/routing.md has the rules). rtb-prod learns vpc-web and the Direct
 * Connect gateway and sends the payments HSM subnet 10.10.99.0/24 through vpc-web by a static
 * route; it has no route to the analytics VPC's 10.30.0.0/16 (the README's worked example
 * blackholes it, and tests that need that blackhole seeded add it with withProdBlackhole).
 * rtb-dev learns vpc-web,
 * the office VPN, and the payments and analytics VPCs (so their prefixes are known before they
 * are propagated anywhere else). 192.168.20.0/24 is carried by both the VPN and the Direct
 * Connect gateway: the gateway outranks the VPN where both propagate.
 */

export function sandboxTopology(): Topology {
  const ids = SANDBOX_IDS;
  return {
    projectId: ids.projectId,
    region: 'cn-east-3',
    routers: [
      {
        id: ids.router,
        name: 'er-shanghai-core',
        description: 'Core router of the Shanghai VPCs',
        tags: [{ key: 'env', value: 'prod' }],
        asn: 64512,
        enable_default_association: false,
        enable_default_propagation: false,
      },
      {
        id: ids.labRouter,
        name: 'er-shanghai-lab',
        asn: 64513,
        enable_default_association: true,
        default_association_route_table_id: ids.labTable,
        enable_default_propagation: true,
        default_propagation_route_table_id: ids.labTable,
      },
    ],
    routeTables: [
      { id: ids.prodTable, er_id: ids.router, name: 'rtb-prod', description: 'Production workloads', tags: [{ key: 'env', value: 'prod' }] },
      { id: ids.devTable, er_id: ids.router, name: 'rtb-dev' },
      { id: ids.labTable, er_id: ids.labRouter, name: 'rtb-lab-default', is_default_association: true, is_default_propagation: true },
    ],
    attachments: [
      {
        id: ids.paymentsVpc, er_id: ids.router, name: 'vpc-payments', resource_type: 'vpc', resource_id: 'd1b2c3d4-0000-4000-8000-00000000a001',
        description: 'Payments VPC', tags: [{ key: 'team', value: 'payments' }],
        cidrs: ['10.10.0.0/16'], propagated_route_table_ids: [ids.devTable],
      },
      {
        id: ids.webVpc, er_id: ids.router, name: 'vpc-web', resource_type: 'vpc', resource_id: 'd1b2c3d4-0000-4000-8000-00000000a002', associated_route_table_id: ids.prodTable,
        cidrs: ['10.20.0.0/16'], propagated_route_table_ids: [ids.prodTable, ids.devTable],
      },
      {
        id: ids.officeVpn, er_id: ids.router, name: 'vpn-office', resource_type: 'vpn', resource_id: 'd1b2c3d4-0000-4000-8000-00000000a003', associated_route_table_id: ids.devTable,
        cidrs: ['192.168.10.0/24', '192.168.20.0/24'], propagated_route_table_ids: [ids.devTable],
      },
      { id: ids.partnerPeering, er_id: ids.router, name: 'peering-partner', resource_type: 'peering', resource_id: 'd1b2c3d4-0000-4000-8000-00000000a004', cidrs: ['172.16.0.0/16'] },
      {
        id: ids.analyticsVpc, er_id: ids.router, name: 'vpc-analytics', resource_type: 'vpc', resource_id: 'd1b2c3d4-0000-4000-8000-00000000a005',
        cidrs: ['10.30.0.0/16'], propagated_route_table_ids: [ids.devTable],
      },
      {
        id: ids.dcVgw, er_id: ids.router, name: 'vgw-dc-shanghai', resource_type: 'vgw', resource_id: 'd1b2c3d4-0000-4000-8000-00000000a006',
        cidrs: ['192.168.20.0/24', '192.168.30.0/24'], propagated_route_table_ids: [ids.prodTable],
      },
      {
        id: ids.labVpc, er_id: ids.labRouter, name: 'vpc-lab', resource_type: 'vpc', resource_id: 'd1b2c3d4-0000-4000-8000-00000000a201', associated_route_table_id: ids.labTable,
        cidrs: ['10.200.0.0/16'], propagated_route_table_ids: [ids.labTable],
      },
    ],
    staticRoutes: [
      { id: ids.prodHsmRoute, route_table_id: ids.prodTable, destination: '10.10.99.0/24', attachment_id: ids.webVpc, description: 'Payments HSM subnet via vpc-web' },
    ],
  };
}

/** A large generated world for paging, truncation and load tests: one router, many attachments. */
export function generatedTopology(options: { attachments: number; routeTables?: number; nameLength?: number }): Topology {
  const erId = 'gen-router-0001';
  const tableCount = options.routeTables ?? 2;
  const pad = (n: number) => String(n).padStart(6, '0');
  const routeTables = Array.from({ length: tableCount }, (_, i) => ({ id: `gen-rt-${pad(i)}`, er_id: erId, name: `rtb-generated-${i}` }));
  const filler = 'x'.repeat(Math.max(0, (options.nameLength ?? 20) - 12));
  const types = ['vpc', 'vpn', 'peering', 'vgw', 'ecn'];
  const attachments = Array.from({ length: options.attachments }, (_, i) => ({
    id: `gen-att-${pad(i)}`,
    er_id: erId,
    name: `att-${pad(i)}-${filler}`,
    resource_type: types[i % types.length]!,
    resource_id: `gen-res-${pad(i)}`,
    cidrs: [`10.${Math.floor(i / 256) % 256}.${i % 256}.0/24`],
  }));
  return {
    projectId: '11112222333344445555666677778888',
    region: 'cn-north-4',
    routers: [{ id: erId, name: 'er-generated' }],
    routeTables,
    attachments,
  };
}
