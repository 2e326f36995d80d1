// What the emulator starts with: routers, route tables, attachments and existing associations.

export interface RouterSeed {
  id: string;
  name: string;
  state?: string;
  asn?: number;
  enable_default_association?: boolean;
  default_association_route_table_id?: string;
  enable_default_propagation?: boolean;
  default_propagation_route_table_id?: string;
}

export interface RouteTableSeed {
  id: string;
  er_id: string;
  name: string;
  state?: string;
  is_default_association?: boolean;
  is_default_propagation?: boolean;
}

export interface AttachmentSeed {
  id: string;
  er_id: string;
  name: string;
  state?: string;
  resource_type: string;
  resource_id: string;
  /** Route table this attachment is associated with at start (an `available` association). */
  associated_route_table_id?: string;
}

export interface Topology {
  projectId: string;
  region: string;
  routers: RouterSeed[];
  routeTables: RouteTableSeed[];
  attachments: AttachmentSeed[];
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
} as const;

export function sandboxTopology(): Topology {
  const ids = SANDBOX_IDS;
  return {
    projectId: ids.projectId,
    region: 'cn-east-3',
    routers: [
      { id: ids.router, name: 'er-shanghai-core', asn: 64512, enable_default_association: false, enable_default_propagation: false },
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
      { id: ids.prodTable, er_id: ids.router, name: 'rtb-prod' },
      { id: ids.devTable, er_id: ids.router, name: 'rtb-dev' },
      { id: ids.labTable, er_id: ids.labRouter, name: 'rtb-lab-default', is_default_association: true, is_default_propagation: true },
    ],
    attachments: [
      { id: ids.paymentsVpc, er_id: ids.router, name: 'vpc-payments', resource_type: 'vpc', resource_id: 'd1b2c3d4-0000-4000-8000-00000000a001' },
      { id: ids.webVpc, er_id: ids.router, name: 'vpc-web', resource_type: 'vpc', resource_id: 'd1b2c3d4-0000-4000-8000-00000000a002', associated_route_table_id: ids.prodTable },
      { id: ids.officeVpn, er_id: ids.router, name: 'vpn-office', resource_type: 'vpn', resource_id: 'd1b2c3d4-0000-4000-8000-00000000a003', associated_route_table_id: ids.devTable },
      { id: ids.partnerPeering, er_id: ids.router, name: 'peering-partner', resource_type: 'peering', resource_id: 'd1b2c3d4-0000-4000-8000-00000000a004' },
      { id: ids.analyticsVpc, er_id: ids.router, name: 'vpc-analytics', resource_type: 'vpc', resource_id: 'd1b2c3d4-0000-4000-8000-00000000a005' },
      { id: ids.labVpc, er_id: ids.labRouter, name: 'vpc-lab', resource_type: 'vpc', resource_id: 'd1b2c3d4-0000-4000-8000-00000000a201', associated_route_table_id: ids.labTable },
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
  }));
  return {
    projectId: '11112222333344445555666677778888',
    region: 'cn-north-4',
    routers: [{ id: erId, name: 'er-generated' }],
    routeTables,
    attachments,
  };
}
