// What adding or removing one static route does to a route table, computed from the table's
// routes read before the change (pure: the plan does the reads). Every attachment associated
// with the table looks its traffic up there, so a change of the route that carries traffic to
// the destination changes it for all of them, except where a more specific route keeps its own.
import { canonical, contains, type Prefix, parsePrefix } from './cidr.js';
import { type ChangedEntry, type Listed, listedByDestination, type RouteEntry, type TableRoutes, toEntry } from './routing-effect.js';

export interface StaticRouteChange {
  action: 'create' | 'delete';
  /** Canonical destination. */
  destination: string;
  /** Create: where the new route sends the traffic (an attachment, or nowhere: a blackhole). */
  route?: { attachment_id: string | null; resource_type: string | null; is_blackhole: boolean };
}

export interface StaticRouteEffect {
  route_table_id: string;
  destination: string;
  /** The route that carries traffic to the destination now: its own, or the longest one containing it; null when none does. */
  used_before: RouteEntry | null;
  /** The one after the change. */
  used_after: RouteEntry | null;
  /** Destinations the table's routes gain, lose, or keep with other next hops. */
  gains: Listed<RouteEntry>;
  loses: Listed<RouteEntry>;
  changes: Listed<ChangedEntry>;
  /** Routes inside the destination that keep their own next hops: traffic to them is not affected. */
  more_specific: Listed<RouteEntry>;
  /** Whether traffic to the destination goes somewhere else afterwards (another next hop, dropped, or no route). */
  traffic_changes: boolean;
  notes: string[];
}

export function staticRouteEffect(table: TableRoutes, change: StaticRouteChange): StaticRouteEffect {
  const routes = new Map(table.routes.map((r) => [canonical(r.destination), toEntry(r)]));
  const { destination } = change;
  const before = routes.get(destination) ?? null;
  const after = new Map(routes);
  const notes: string[] = [];
  const gains: RouteEntry[] = [];
  const loses: RouteEntry[] = [];
  const changes: ChangedEntry[] = [];
  if (change.action === 'create') {
    const added = newRoute(destination, change.route);
    after.set(destination, added);
    if (!before) gains.push(added);
    else if (!sameRoute(before, added)) changes.push({ destination, before, after: added });
  } else if (before) {
    after.delete(destination);
    loses.push(before);
    notes.push(
      `The route table lists only the route it selects for each destination: a propagated route to exactly ${destination}, hidden behind this static route, would take over after the delete.`,
    );
  }
  // The table's other routes, each parsed once for the three look-ups below.
  const target = parsePrefix(destination);
  const others = parseOthers(routes, destination);
  const inside = target ? others.filter((other) => contains(target, other.prefix)).map((other) => other.entry) : [];
  if (change.action === 'create' && change.route?.is_blackhole && inside.length > 0) {
    notes.push(
      `UNVERIFIED (docs/routing.md): the static-route guide says traffic to destinations contained in a blackhole's is dropped too; if so, the ${inside.length} more specific route(s) inside ${destination} would stop carrying traffic as well.`,
    );
  }
  const usedBefore = longestMatch(routes.get(destination), others, target);
  const usedAfter = longestMatch(after.get(destination), others, target);
  return {
    route_table_id: table.route_table_id,
    destination,
    used_before: usedBefore,
    used_after: usedAfter,
    gains: listedByDestination(gains),
    loses: listedByDestination(loses),
    changes: listedByDestination(changes),
    more_specific: listedByDestination(inside),
    traffic_changes: !sameForwarding(usedBefore, usedAfter),
    notes,
  };
}

/**
 * The table after the change, destination → route, as the check after the change compares it.
 * After a delete, a hidden propagated route may take the destination (see the note above): the
 * caller leaves that destination out of the comparison.
 */
export function tableAfterStaticRoute(table: TableRoutes, change: StaticRouteChange): Map<string, RouteEntry> {
  const after = new Map(table.routes.map((r) => [canonical(r.destination), toEntry(r)]));
  if (change.action === 'create') after.set(change.destination, newRoute(change.destination, change.route));
  else after.delete(change.destination);
  return after;
}

function newRoute(destination: string, route: StaticRouteChange['route']): RouteEntry {
  if (!route || route.is_blackhole) return { destination, next_hops: [], is_blackhole: true, route_type: 'static' };
  return { destination, next_hops: [{ attachment_id: route.attachment_id, resource_type: route.resource_type }], is_blackhole: false, route_type: 'static' };
}

interface ParsedRoute {
  prefix: Prefix;
  entry: RouteEntry;
}

/** The routes to destinations other than `destination` that parse, with their prefixes: the same before and after the change. */
function parseOthers(routes: ReadonlyMap<string, RouteEntry>, destination: string): ParsedRoute[] {
  const parsed: ParsedRoute[] = [];
  for (const [text, entry] of routes) {
    const prefix = text === destination ? null : parsePrefix(text);
    if (prefix) parsed.push({ prefix, entry });
  }
  return parsed;
}

/** The route traffic to the whole destination follows: its own (`own`), else the longest of the others containing it. */
function longestMatch(own: RouteEntry | undefined, others: readonly ParsedRoute[], target: Prefix | null): RouteEntry | null {
  if (own) return own;
  if (!target) return null;
  let best: ParsedRoute | null = null;
  for (const other of others) {
    if (contains(other.prefix, target) && (!best || other.prefix.length > best.prefix.length)) best = other;
  }
  return best?.entry ?? null;
}

/** Whether traffic goes the same way: dropped both times (no route drops it as a blackhole does), or through the same attachments. */
function sameForwarding(a: RouteEntry | null, b: RouteEntry | null): boolean {
  const dropped = (e: RouteEntry | null) => e === null || e.is_blackhole;
  if (dropped(a) || dropped(b)) return dropped(a) && dropped(b);
  const hops = (e: RouteEntry) => e.next_hops.map((h) => h.attachment_id ?? '').sort().join(',');
  return hops(a!) === hops(b!);
}

/** The same route in the table: same forwarding, and static or propagated alike. */
function sameRoute(a: RouteEntry, b: RouteEntry): boolean {
  return a.route_type === b.route_type && sameForwarding(a, b);
}
