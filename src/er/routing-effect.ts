// What an association or propagation does to routing, computed from effective routes read
// before the change (pure: the plan does the reads). Selection rules: docs/routing.md. Kept
// small for an agent's context: exact counts, at most MAX_ENTRIES entries per list.
import { canonical, canonicalDestinations, compareDestinations, contains, destinationKey, type Prefix, parsePrefix, sortDestinations } from './cidr.js';
import type { EffectiveRoute } from './types.js';

export const MAX_ENTRIES = 20;

export interface Hop {
  attachment_id: string | null;
  resource_type: string | null;
}

export interface RouteEntry {
  destination: string;
  next_hops: Hop[];
  is_blackhole: boolean;
  route_type: string | null;
}

/** An exact count and the first entries (by destination), at most MAX_ENTRIES of them. */
export interface Listed<T> {
  count: number;
  entries: T[];
}

export interface ChangedEntry {
  destination: string;
  before: RouteEntry;
  after: RouteEntry;
}

export interface TableRoutes {
  route_table_id: string;
  routes: readonly EffectiveRoute[];
}

export interface AssociationEffect {
  /** The table the attachment's traffic is looked up in now (null: none) and after the change. */
  route_table_before: string | null;
  route_table_after: string | null;
  /** Destinations reachable after and not before. */
  added: Listed<RouteEntry>;
  /** Destinations reachable before and not after (no route, or a blackhole now). */
  removed: Listed<RouteEntry>;
  /** Reachable both ways, through other next hops. */
  changed: Listed<ChangedEntry>;
  unchanged: number;
  /** Destinations the table used after the change drops on purpose (blackhole routes). */
  blackholed_after: Listed<string>;
}

export type ConflictKind = 'blackhole' | 'inside_blackhole' | 'static_route' | 'more_specific_route' | 'learned_from_another_attachment';

export interface RoutingConflict {
  kind: ConflictKind;
  /** The prefix of the attachment the conflict is about. */
  destination: string;
  /** The route in the way. */
  route: RouteEntry;
  message: string;
}

export interface PropagationEffect {
  route_table_id: string;
  /** False when the attachment's prefixes could not be read (it propagates into no table yet). */
  prefixes_known: boolean;
  /** The attachment's prefixes the change is about. */
  prefixes: Listed<string>;
  /** Destinations that appear in the table's effective routes. */
  appear: Listed<RouteEntry>;
  /** Destinations that disappear from them. */
  disappear: Listed<RouteEntry>;
  /** Destinations that stay, with other next hops. */
  changed: Listed<ChangedEntry>;
  conflicts: Listed<RoutingConflict>;
  notes: string[];
}

export interface PropagationInput {
  action: 'create' | 'delete';
  attachment: { id: string; resource_type: string | null };
  /** The target table's effective routes now. */
  target: TableRoutes;
  /** Create: the attachment's prefixes (see prefixesOf), or null when unknown. */
  prefixes?: readonly string[] | null;
}

/** The routes the attachment's traffic can use before and after an association change. */
export function associationEffect(before: TableRoutes | null, after: TableRoutes | null): AssociationEffect {
  const was = reachable(before);
  const will = reachable(after);
  // Routes as read, each with its canonical destination: entries are made only for those listed.
  const added: Reached[] = [];
  const removed: Reached[] = [];
  const changed: Array<{ destination: string; before: EffectiveRoute; after: EffectiveRoute }> = [];
  let unchanged = 0;
  for (const [destination, route] of will) {
    const old = was.get(destination);
    if (!old) added.push({ destination, route });
    else if (sameHops(old, route)) unchanged++;
    else changed.push({ destination, before: old, after: route });
  }
  for (const [destination, route] of was) if (!will.has(destination)) removed.push({ destination, route });
  const asEntries = (list: Listed<Reached>): Listed<RouteEntry> => ({ count: list.count, entries: list.entries.map((r) => entryOf(r.route, r.destination)) });
  const changedList = listedByDestination(changed);
  const afterRoutes = after?.routes ?? [];
  const afterDestinations = canonicalDestinations(afterRoutes);
  const blackholes = afterDestinations.filter((_, i) => afterRoutes[i]!.is_blackhole);
  return {
    route_table_before: before?.route_table_id ?? null,
    route_table_after: after?.route_table_id ?? null,
    added: asEntries(listedByDestination(added)),
    removed: asEntries(listedByDestination(removed)),
    changed: {
      count: changedList.count,
      entries: changedList.entries.map((c) => ({ destination: c.destination, before: entryOf(c.before, c.destination), after: entryOf(c.after, c.destination) })),
    },
    unchanged,
    blackholed_after: listedByDestination(blackholes, (d) => d),
  };
}

/**
 * The attachment's prefixes as far as effective routes show them: destinations of propagated
 * routes whose next hops include it, in any table. Routes it loses to others are not visible.
 */
export function prefixesOf(attachmentId: string, tables: readonly TableRoutes[]): string[] {
  const found = new Set<string>();
  for (const table of tables) {
    for (const route of table.routes) {
      if (route.route_type !== 'static' && !route.is_blackhole && (route.next_hops ?? []).some((h) => h.attachment_id === attachmentId)) {
        found.add(canonical(route.destination));
      }
    }
  }
  return sortDestinations(found);
}

/** What the target table's effective routes gain or lose when the attachment starts or stops propagating into it. */
export function propagationEffect(input: PropagationInput): PropagationEffect {
  return input.action === 'create' ? createEffect(input) : deleteEffect(input);
}

/**
 * The target table's effective routes once the change has settled, destination → route, by the
 * same rules as propagationEffect; null for a create whose prefixes are unknown. What a check
 * after the change compares the table with.
 */
export function tableAfterPropagation(input: PropagationInput): Map<string, RouteEntry> | null {
  const routes = indexRoutes(input.target.routes).byDestination;
  if (input.action === 'delete') {
    for (const [destination, entry] of routes) {
      const after = withdraw(entry, input.attachment.id);
      if (after === null) routes.delete(destination);
      else routes.set(destination, after);
    }
    return routes;
  }
  if (!input.prefixes) return null;
  const own: Hop = { attachment_id: input.attachment.id, resource_type: input.attachment.resource_type };
  for (const destination of input.prefixes.map(canonical)) {
    const current = routes.get(destination);
    if (!current) routes.set(destination, { destination, next_hops: [own], is_blackhole: false, route_type: 'propagation' });
    else if (!current.next_hops.some((h) => h.attachment_id === own.attachment_id)) routes.set(destination, contest(current, own).after);
  }
  return routes;
}

function createEffect(input: PropagationInput): PropagationEffect {
  const { attachment, target } = input;
  const notes: string[] = [];
  if (!input.prefixes) {
    notes.push(
      'The prefixes this attachment would propagate are not visible through the ER API (it propagates into no route table yet); for a VPC attachment they are the VPC\'s CIDR blocks. Routes that would appear and conflicts were not computed.',
    );
    return { ...emptyPropagation(target.route_table_id, false), notes };
  }
  const prefixes = sortDestinations(new Set(input.prefixes.map(canonical)));
  const existing = indexRoutes(target.routes);
  const own: Hop = { attachment_id: attachment.id, resource_type: attachment.resource_type };
  const appear: RouteEntry[] = [];
  const changed: ChangedEntry[] = [];
  const conflicts: RoutingConflict[] = [];
  let sameRank = false;

  for (const destination of prefixes) {
    const parsed = parsePrefix(destination);
    const current = existing.byDestination.get(destination);
    const fromUs = current?.next_hops.some((h) => h.attachment_id === attachment.id) ?? false;
    if (!current) {
      appear.push({ destination, next_hops: [own], is_blackhole: false, route_type: 'propagation' });
    } else if (!fromUs) {
      const { outcome, after } = contest(current, own);
      conflicts.push(sameDestinationConflict(destination, current, own, outcome));
      if (after !== current) changed.push({ destination, before: current, after });
      sameRank ||= outcome === 'same_rank';
    }
    if (parsed) conflicts.push(...overlapping(destination, parsed, existing.parsed, attachment.id));
  }
  if (sameRank) notes.push('Where two attachments of the same rank propagate one destination, how ER shares the traffic is not documented (docs/routing.md).');
  return {
    route_table_id: target.route_table_id,
    prefixes_known: true,
    prefixes: listedByDestination(prefixes, (d) => d),
    appear: listedByDestination(appear),
    disappear: listedByDestination<RouteEntry>([]),
    changed: listedByDestination(changed),
    conflicts: listedByDestination(conflicts),
    notes,
  };
}

/** How the attachment's route fares against the table's route to the same destination (docs/routing.md). */
type Contest = 'blackhole' | 'static_route' | 'ranks_higher' | 'same_rank' | 'ranks_lower';

/**
 * The table's route to a destination once the attachment (not yet among its next hops) propagates
 * it too. `after` is `current` itself when the route stays as it is. The one place these rules
 * live: the effect's conflicts and tableAfterPropagation's prediction both come from it.
 */
function contest(current: RouteEntry, own: Hop): { outcome: Contest; after: RouteEntry } {
  if (current.is_blackhole) return { outcome: 'blackhole', after: current };
  if (current.route_type === 'static') return { outcome: 'static_route', after: current };
  const ours = rank(own.resource_type);
  const theirs = Math.min(...current.next_hops.map((h) => rank(h.resource_type)));
  if (ours < theirs) return { outcome: 'ranks_higher', after: { ...current, next_hops: [own] } };
  if (ours === theirs) return { outcome: 'same_rank', after: { ...current, next_hops: [...current.next_hops, own] } };
  return { outcome: 'ranks_lower', after: current };
}

/** The target already has a route to the prefix, not through this attachment: why it matters. */
function sameDestinationConflict(destination: string, current: RouteEntry, own: Hop, outcome: Contest): RoutingConflict {
  const holder = describeHops(current);
  const conflict = (kind: ConflictKind, message: string): RoutingConflict => ({ kind, destination, route: current, message });
  switch (outcome) {
    case 'blackhole':
      return conflict('blackhole', `${destination} is a blackhole route in this table: traffic to it stays dropped, the propagated route is not used.`);
    case 'static_route':
      return conflict('static_route', `A static route to ${destination} via ${holder} takes precedence: traffic keeps going there, the propagated route is not used.`);
    case 'ranks_higher':
      return conflict(
        'learned_from_another_attachment',
        `${destination} is already learned from ${holder}; this ${own.resource_type ?? 'attachment'} route ranks higher and takes the traffic over.`,
      );
    case 'same_rank':
      return conflict('learned_from_another_attachment', `${destination} is already learned from ${holder}, of the same rank: both become next hops (UNVERIFIED how ER shares the traffic).`);
    case 'ranks_lower':
      return conflict('learned_from_another_attachment', `${destination} is already learned from ${holder}, which ranks higher: traffic keeps going there, this route is only a backup.`);
  }
}

/** Routes in the table that overlap the prefix without being equal to it. */
function overlapping(destination: string, prefix: Prefix, routes: ReadonlyArray<{ prefix: Prefix; entry: RouteEntry }>, attachmentId: string): RoutingConflict[] {
  const found: RoutingConflict[] = [];
  for (const { prefix: other, entry } of routes) {
    if (other.length === prefix.length || entry.next_hops.some((h) => h.attachment_id === attachmentId)) continue;
    if (contains(prefix, other)) {
      found.push(
        entry.is_blackhole
          ? { kind: 'blackhole', destination, route: entry, message: `${entry.destination}, inside ${destination}, is a blackhole route: traffic to it stays dropped.` }
          : {
              kind: 'more_specific_route',
              destination,
              route: entry,
              message: `${entry.destination}, inside ${destination}, has a more specific ${entry.route_type === 'static' ? 'static ' : ''}route via ${describeHops(entry)}: traffic to it keeps going there.`,
            },
      );
    } else if (entry.is_blackhole && contains(other, prefix)) {
      found.push({
        kind: 'inside_blackhole',
        destination,
        route: entry,
        message: `${destination} lies inside the blackhole route ${entry.destination}: by longest prefix the new route wins, but the user guide also says traffic inside a blackhole is dropped (UNVERIFIED, docs/routing.md).`,
      });
    }
  }
  return found;
}

function deleteEffect(input: PropagationInput): PropagationEffect {
  const { attachment, target } = input;
  const disappear: RouteEntry[] = [];
  const changed: ChangedEntry[] = [];
  const prefixes: string[] = [];
  for (const entry of indexRoutes(target.routes).byDestination.values()) {
    const after = withdraw(entry, attachment.id);
    if (after === entry) continue;
    prefixes.push(entry.destination);
    if (after === null) disappear.push(entry);
    else changed.push({ destination: entry.destination, before: entry, after });
  }
  const notes =
    disappear.length > 0
      ? ['Effective routes show only the selected route per destination: a lower-ranked route to the same destination from another attachment, hidden today, would take over.']
      : [];
  return {
    ...emptyPropagation(target.route_table_id, true),
    prefixes: listedByDestination(prefixes, (d) => d),
    disappear: listedByDestination(disappear),
    changed: listedByDestination(changed),
    notes,
  };
}

/**
 * The route once the attachment stops propagating into the table: `entry` itself when untouched
 * (a static route, or not through the attachment), with fewer next hops, or null when it goes.
 */
function withdraw(entry: RouteEntry, attachmentId: string): RouteEntry | null {
  if (entry.route_type === 'static' || !entry.next_hops.some((h) => h.attachment_id === attachmentId)) return entry;
  const others = entry.next_hops.filter((h) => h.attachment_id !== attachmentId);
  return others.length === 0 ? null : { ...entry, next_hops: others };
}

/** Rank of a propagated route by attachment type, lower wins (docs/routing.md); unlisted types last. */
const RANKS: Record<string, number> = { vpc: 1, cfw: 1, vgw: 2, gdgw: 2, vpn: 3, peering: 4 };
function rank(resourceType: string | null): number {
  return RANKS[resourceType ?? ''] ?? 5;
}

export function toEntry(route: EffectiveRoute): RouteEntry {
  return entryOf(route, canonical(route.destination));
}

/** toEntry with the canonical destination known already. */
function entryOf(route: EffectiveRoute, destination: string): RouteEntry {
  return {
    destination,
    next_hops: (route.next_hops ?? []).map((h) => ({ attachment_id: h.attachment_id ?? null, resource_type: h.resource_type ?? null })),
    is_blackhole: route.is_blackhole === true,
    route_type: route.route_type ?? null,
  };
}

function indexRoutes(routes: readonly EffectiveRoute[]): { byDestination: Map<string, RouteEntry>; parsed: Array<{ prefix: Prefix; entry: RouteEntry }> } {
  const byDestination = new Map<string, RouteEntry>();
  const parsed: Array<{ prefix: Prefix; entry: RouteEntry }> = [];
  const destinations = canonicalDestinations(routes);
  for (const [i, route] of routes.entries()) {
    const entry = entryOf(route, destinations[i]!);
    byDestination.set(entry.destination, entry);
    const prefix = parsePrefix(entry.destination);
    if (prefix) parsed.push({ prefix, entry });
  }
  return { byDestination, parsed };
}

interface Reached {
  destination: string;
  route: EffectiveRoute;
}

/** Destinations traffic can be sent to (canonical) → the route as read: routes with a next hop, not blackholes. */
function reachable(table: TableRoutes | null): Map<string, EffectiveRoute> {
  const map = new Map<string, EffectiveRoute>();
  const routes = table?.routes ?? [];
  const destinations = canonicalDestinations(routes);
  for (const [i, route] of routes.entries()) {
    if (route.is_blackhole !== true && (route.next_hops ?? []).length > 0) map.set(destinations[i]!, route);
  }
  return map;
}

/** Whether two routes go through the same attachments (as toEntry lists them: a missing id as ''). */
function sameHops(a: EffectiveRoute, b: EffectiveRoute): boolean {
  const [x, y] = [a.next_hops ?? [], b.next_hops ?? []];
  // One next hop each (the common case): the same as comparing the sorted lists below.
  if (x.length === 1 && y.length === 1) return (x[0]!.attachment_id ?? '') === (y[0]!.attachment_id ?? '');
  const ids = (hops: typeof x) => hops.map((h) => h.attachment_id ?? '').sort().join(',');
  return ids(x) === ids(y);
}

function describeHops(entry: RouteEntry): string {
  return entry.next_hops.map((h) => `${h.attachment_id ?? 'unknown attachment'} (${h.resource_type ?? 'unknown type'})`).join(' and ') || 'no next hop';
}

export function byDestination(a: { destination: string }, b: { destination: string }): number {
  return compareDestinations(a.destination, b.destination);
}

/** The count, and the first MAX_ENTRIES items in `order` (ties in the items' order), as a stable sort then a slice would give them. */
export function listed<T>(items: readonly T[], order: (a: T, b: T) => number): Listed<T> {
  return { count: items.length, entries: firstInOrder(items, order, MAX_ENTRIES) };
}

/**
 * listed() by destination (compareDestinations' order), each destination parsed once rather
 * than at every comparison.
 */
export function listedByDestination<T extends { destination: string }>(items: readonly T[]): Listed<T>;
export function listedByDestination<T>(items: readonly T[], destinationOf: (item: T) => string): Listed<T>;
export function listedByDestination<T>(items: readonly T[], destinationOf?: (item: T) => string): Listed<T> {
  const of = destinationOf ?? ((item: T) => (item as { destination: string }).destination);
  const keyed = items.map((item) => ({ key: destinationKey(of(item)), item }));
  const first = firstInOrder(keyed, (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0), MAX_ENTRIES);
  return { count: items.length, entries: first.map((k) => k.item) };
}

/**
 * The first `limit` items in `order`, equal items in their original order: what a stable sort
 * then slice(0, limit) gives, without sorting everything (a bounded insertion, O(n log limit)
 * comparisons when few items come before the current last one kept).
 */
export function firstInOrder<T>(items: readonly T[], order: (a: T, b: T) => number, limit: number): T[] {
  const kept: T[] = [];
  if (limit <= 0) return kept;
  for (const item of items) {
    if (kept.length === limit && order(item, kept[limit - 1]!) >= 0) continue;
    // After every kept item that is not after it (ties keep their order).
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (order(item, kept[mid]!) < 0) high = mid;
      else low = mid + 1;
    }
    kept.splice(low, 0, item);
    if (kept.length > limit) kept.pop();
  }
  return kept;
}

function emptyPropagation(routeTableId: string, known: boolean): PropagationEffect {
  const none = { count: 0, entries: [] };
  return { route_table_id: routeTableId, prefixes_known: known, prefixes: none, appear: none, disappear: none, changed: none, conflicts: none, notes: [] };
}
