// The world of the policy tests: the sandbox, except that the payments VPC (prod: 10.10.0.0/16)
// propagates into rtb-prod and not into rtb-dev. rtb-dev then has no route to the payments
// prefix, and propagating the payments VPC into rtb-dev would leak it there.
import { SANDBOX_IDS as ids, sandboxTopology, type StaticRouteSeed, type Topology } from '../../src/emulator/topology.js';
import type { Invariant } from '../../src/policy/model.js';

export function policyTopology(extra: StaticRouteSeed[] = []): Topology {
  const topology = sandboxTopology();
  topology.attachments = topology.attachments.map((a) => (a.id === ids.paymentsVpc ? { ...a, propagated_route_table_ids: [ids.prodTable] } : a));
  topology.staticRoutes = [...(topology.staticRoutes ?? []), ...extra];
  return topology;
}

/** What the network team wrote: dev must not reach payments; prod's HSM subnet goes through vpc-web; analytics stays out of prod. */
export const DEV_NO_PAYMENTS: Invariant = { name: 'dev-never-reaches-payments', line: 3, kind: 'no_reach', from: { associated_with: [{ name: 'rtb-dev' }] }, prefix: '10.10.0.0/16' };
export const HSM_VIA_WEB: Invariant = { name: 'hsm-via-web', line: 8, kind: 'routes_to', route_table: { name: 'rtb-prod' }, prefix: '10.10.99.0/24', attachment: { name: 'vpc-web' } };
export const ANALYTICS_DROPPED_IN_PROD: Invariant = { name: 'analytics-dropped-in-prod', line: 13, kind: 'blackholed', route_table: { name: 'rtb-prod' }, prefix: '10.30.0.0/16' };
