// Where a route table sends the addresses of one prefix, by longest-prefix match (docs/routing.md,
// rule 2): each address goes by the longest route containing it. So the prefix's addresses are
// shared between the longest route containing the whole prefix and the routes inside it, each
// route keeping the addresses no longer route takes; an address no route contains is not routed.
import { comparePrefixes, contains, halves, type Prefix, parsePrefix } from '../er/cidr.js';
import type { RouteEntry } from '../er/routing-effect.js';

export interface ParsedRoute {
  prefix: Prefix;
  entry: RouteEntry;
}

export interface PrefixFate {
  /** The longest route containing the whole prefix (its own destination, or a shorter one); null: none. */
  covering: RouteEntry | null;
  /** The routes that carry at least one address of the prefix: `covering` first (when it does), then those inside, by address. */
  carriers: RouteEntry[];
  /** Some address of the prefix has no route at all. */
  unrouted: boolean;
  /**
   * Blackhole routes with a shorter destination containing a carrier. The static-route guide says
   * traffic inside a blackhole's destination is dropped (UNVERIFIED, docs/routing.md); by the
   * longest-prefix rule, which this follows, the carrier wins.
   */
  enclosingBlackholes: RouteEntry[];
}

interface ParsedTable {
  /** Every route whose destination parses, by address then length. */
  all: ParsedRoute[];
  /** The blackhole routes among them, in the same order: the only ones that can enclose a carrier. */
  blackholes: ParsedRoute[];
}

const parsedCache = new WeakMap<ReadonlyMap<string, RouteEntry>, ParsedTable>();

/** The table's routes with their destinations parsed once per table (a policy checks many prefixes against one). */
function parseTable(routes: ReadonlyMap<string, RouteEntry>): ParsedTable {
  let table = parsedCache.get(routes);
  if (!table) {
    const all: ParsedRoute[] = [];
    for (const entry of routes.values()) {
      const prefix = parsePrefix(entry.destination);
      if (prefix) all.push({ prefix, entry });
    }
    all.sort((a, b) => comparePrefixes(a.prefix, b.prefix));
    table = { all, blackholes: all.filter((route) => route.entry.is_blackhole) };
    parsedCache.set(routes, table);
  }
  return table;
}

/** The table's routes with their destinations parsed, by address then length; destinations that do not parse are left out. */
export function parseRoutes(routes: ReadonlyMap<string, RouteEntry>): ParsedRoute[] {
  return parseTable(routes).all;
}

export function fateOf(routes: ReadonlyMap<string, RouteEntry>, prefix: Prefix): PrefixFate {
  const { all: parsed, blackholes } = parseTable(routes);
  let covering: ParsedRoute | null = null;
  const inside: ParsedRoute[] = [];
  for (const route of parsed) {
    if (contains(route.prefix, prefix)) {
      if (!covering || route.prefix.length > covering.prefix.length) covering = route;
    } else if (contains(prefix, route.prefix)) {
      inside.push(route);
    }
  }
  const carriers: ParsedRoute[] = [];
  const coveringCarries = covering !== null && !covers(prefix, inside.map((r) => r.prefix));
  if (coveringCarries) carriers.push(covering!);
  // `inside` is sorted by address then length: the routes inside one follow it.
  for (let i = 0; i < inside.length; i++) {
    const route = inside[i]!;
    const within: Prefix[] = [];
    for (let j = i + 1; j < inside.length && contains(route.prefix, inside[j]!.prefix); j++) within.push(inside[j]!.prefix);
    if (!covers(route.prefix, within)) carriers.push(route);
  }
  const enclosing = new Set<RouteEntry>();
  for (const carrier of carriers) {
    for (const route of blackholes) {
      if (route.prefix.length < carrier.prefix.length && contains(route.prefix, carrier.prefix)) enclosing.add(route.entry);
    }
  }
  return {
    covering: covering?.entry ?? null,
    carriers: carriers.map((r) => r.entry),
    unrouted: covering === null && !covers(prefix, inside.map((r) => r.prefix)),
    enclosingBlackholes: [...enclosing],
  };
}

/** Whether the prefixes (each within `target`) together hold every address of `target`. */
export function covers(target: Prefix, subs: readonly Prefix[]): boolean {
  if (subs.length === 0) return false;
  if (subs.some((s) => s.length <= target.length)) return true;
  // Every sub is longer than the target, so the target can be split in two.
  const [low, high] = halves(target);
  return covers(low, subs.filter((s) => contains(low, s))) && covers(high, subs.filter((s) => contains(high, s)));
}
