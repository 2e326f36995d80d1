// Routing states built by hand for the invariant tests: a router, named tables with their routes,
// and named attachments with the table each is associated with.
import type { RouteEntry } from '../../src/er/routing-effect.js';
import type { Invariant } from '../../src/policy/model.js';
import type { RoutingState, StateAttachment, TableRouting } from '../../src/policy/routing-state.js';

export const ROUTER = { id: 'er-1', name: 'er-core' };

/** A route: through these attachments (ids), or a blackhole (null). */
export function route(destination: string, via: string | string[] | null, route_type: 'static' | 'propagation' = 'propagation'): RouteEntry {
  if (via === null) return { destination, next_hops: [], is_blackhole: true, route_type: 'static' };
  const ids = Array.isArray(via) ? via : [via];
  return { destination, next_hops: ids.map((attachment_id) => ({ attachment_id, resource_type: 'vpc' })), is_blackhole: false, route_type };
}

export interface TableSpec {
  id: string;
  name: string | null;
  /** The table's routes, or why they are not known. */
  routes: RouteEntry[] | { unknown: string };
  possiblyHidden?: string[];
}

export function stateOf(tables: TableSpec[], attachments: Array<Partial<StateAttachment> & { id: string }>, extra: Partial<RoutingState> = {}): RoutingState {
  const routes = new Map<string, TableRouting>();
  for (const table of tables) {
    routes.set(
      table.id,
      Array.isArray(table.routes)
        ? { known: true, routes: new Map(table.routes.map((r) => [r.destination, r])), ...(table.possiblyHidden ? { possiblyHidden: table.possiblyHidden } : {}) }
        : { known: false, reason: table.routes.unknown },
    );
  }
  return {
    router: ROUTER,
    attachments: attachments.map((a) => ({ name: null, resource_type: 'vpc', route_table_id: null, ...a })),
    routeTables: tables.map((t) => ({ id: t.id, name: t.name })),
    routes,
    ...extra,
  };
}

let line = 0;

/** An invariant as a policy file would give it (the name doubles as its identity in results). */
export function noReach(from: Extract<Invariant, { kind: 'no_reach' }>['from'], prefix: string, extra: Partial<Invariant> = {}): Invariant {
  return { name: `no-reach-${prefix}`, line: ++line, kind: 'no_reach', from, prefix, ...extra } as Invariant;
}

export function routesTo(route_table: { id: string } | { name: string }, prefix: string, attachment: { id: string } | { name: string }, extra: Partial<Invariant> = {}): Invariant {
  return { name: `routes-to-${prefix}`, line: ++line, kind: 'routes_to', route_table, prefix, attachment, ...extra } as Invariant;
}

export function blackholed(route_table: { id: string } | { name: string }, prefix: string, extra: Partial<Invariant> = {}): Invariant {
  return { name: `blackholed-${prefix}`, line: ++line, kind: 'blackholed', route_table, prefix, ...extra } as Invariant;
}
