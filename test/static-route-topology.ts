// The world of the static-route tool tests: the sandbox with only the static routes they name.
import { SANDBOX_IDS as ids, sandboxTopology, type StaticRouteSeed, type Topology } from '../src/emulator/topology.js';

export const HSM_ROUTE = 'r-static-tests-hsm';

/**
 * The sandbox with the payments HSM subnet 10.10.99.0/24 sent through vpc-web in rtb-prod, and
 * whatever static routes a test adds; not the sandbox's own static routes, which may change (the
 * README's worked example adds its blackhole itself).
 */
export function staticRouteTopology(extra: StaticRouteSeed[] = []): Topology {
  const topology = sandboxTopology();
  topology.staticRoutes = [{ id: HSM_ROUTE, route_table_id: ids.prodTable, destination: '10.10.99.0/24', attachment_id: ids.webVpc }, ...extra];
  return topology;
}
