// After a write has settled: does the route table look as the plan said it would? Pure: the
// caller reads the effective routes; this predicts, compares and words the differences.
// A route is reduced to its signature, what matters for forwarding: dropped (blackhole), or
// which attachments it goes through and whether it is static or propagated. The route type is
// part of it because a static route replacing a propagated one through the same next hop will
// no longer follow the attachment's propagation: worth reporting.
import { canonicalDestinations, sortByDestination } from '../er/cidr.js';
import { type PropagationInput, tableAfterPropagation } from '../er/routing-effect.js';
import type { EffectiveRoute } from '../er/types.js';

export type DifferenceKind = 'unexpected_route' | 'missing_route' | 'different_next_hops';

export interface Difference {
  route_table_id: string;
  destination: string;
  /** Signatures (see signature); null where there is no route. */
  expected: string | null;
  observed: string | null;
  kind: DifferenceKind;
}

export interface ExpectedTable {
  route_table_id: string;
  /** Canonical destination → signature, as routeMap and predictPropagationTable make them. */
  routes: ReadonlyMap<string, string>;
}

export interface CompareOptions {
  /**
   * An attachment whose own routes could not be predicted (a propagation create whose prefixes
   * were unknown): what its propagating alone explains is not a difference.
   */
  unpredictableVia?: string;
  /** A destination where a propagated route may appear that no read could see (expectation.ts). */
  hiddenPropagatedAt?: string;
}

/** The parts of a route a signature reads: an EffectiveRoute from the API, or a RouteEntry. */
interface RouteLike {
  is_blackhole?: boolean | null;
  route_type?: string | null;
  next_hops?: ReadonlyArray<{ attachment_id?: string | null }> | null;
}

const BLACKHOLE = 'blackhole';

/** Decoded signature: a blackhole, or a route type and the sorted next-hop attachment ids. */
export type Reading = { blackhole: true } | { blackhole: false; type: string | null; via: Array<string | null> };

/**
 * A canonical string of what a route does with traffic: `blackhole`, or the JSON of
 * `[route_type, sorted attachment ids]`. JSON, so that no attachment id can make two different
 * routes read the same; describeSignature turns it into words.
 */
export function signature(route: RouteLike): string {
  if (route.is_blackhole === true) return BLACKHOLE;
  const hops = route.next_hops ?? [];
  // One next hop (the common case): the same text, without the arrays.
  if (hops.length === 1) return `[${JSON.stringify(route.route_type ?? null)},[${JSON.stringify(hops[0]!.attachment_id ?? null)}]]`;
  const via = (route.next_hops ?? []).map((h) => h.attachment_id ?? null).sort(byId);
  return JSON.stringify([route.route_type ?? null, via]);
}

/**
 * Canonical destination → signature. For an association this is also the expectation: the
 * table's routes read before the change are what it should still show after, since an
 * association changes which table the attachment uses, not the table.
 */
export function routeMap(routes: readonly EffectiveRoute[]): Map<string, string> {
  const destinations = canonicalDestinations(routes);
  return new Map(routes.map((r, i) => [destinations[i]!, signature(r)]));
}

/**
 * The target table's effective routes after a propagation create or delete, as the plan's routing
 * effect predicts them (src/er/routing-effect.ts); null for a create whose prefixes are unknown.
 */
export function predictPropagationTable(input: PropagationInput): Map<string, string> | null {
  const after = tableAfterPropagation(input);
  if (!after) return null;
  return new Map([...after].map(([destination, entry]) => [destination, signature(entry)]));
}

/** Every destination where the table read after the change differs from the expectation, by destination. */
export function compareTables(expected: ExpectedTable, observed: readonly EffectiveRoute[], options: CompareOptions = {}): Difference[] {
  const want = expected.routes;
  const have = routeMap(observed);
  const differences: Difference[] = [];
  for (const destination of new Set([...want.keys(), ...have.keys()])) {
    const e = want.get(destination) ?? null;
    const o = have.get(destination) ?? null;
    if (e === o) continue;
    if (o !== null && options.unpredictableVia !== undefined && explainedBy(options.unpredictableVia, e, o)) continue;
    if (o !== null && e === null && destination === options.hiddenPropagatedAt && isPropagated(readSignature(o))) continue;
    const kind: DifferenceKind = e === null ? 'unexpected_route' : o === null ? 'missing_route' : 'different_next_hops';
    differences.push({ route_table_id: expected.route_table_id, destination, expected: e, observed: o, kind });
  }
  // Each destination parsed once, not at every comparison: a table can differ at thousands of them.
  return sortByDestination(differences, (difference) => difference.destination);
}

/** `via att-1 and att-2 (propagation)`, `blackhole`, or `no route` for null. */
export function describeSignature(sig: string | null): string {
  if (sig === null) return 'no route';
  const route = readSignature(sig);
  if (route.blackhole) return 'blackhole';
  const hops = route.via.length === 0 ? 'no next hop' : `via ${route.via.map((id) => id ?? 'an unknown attachment').join(' and ')}`;
  return `${hops} (${route.type ?? 'unknown route type'})`;
}

/** One line for a person or an agent: `10.1.0.0/16: expected via a (propagation), found via b (static)`. */
export function describeDifference(d: Difference): string {
  switch (d.kind) {
    case 'unexpected_route':
      return `${d.destination}: unexpected route, ${describeSignature(d.observed)}`;
    case 'missing_route':
      return `${d.destination}: expected ${describeSignature(d.expected)}, found no route`;
    case 'different_next_hops':
      return `${d.destination}: expected ${describeSignature(d.expected)}, found ${describeSignature(d.observed)}`;
  }
}

/**
 * Whether the attachment propagating this destination, which could not be foreseen, accounts for
 * the observed route: a propagated route through it alone, new or taken over from another
 * propagated route (as a higher-ranked one does; the expectation does not keep the other's
 * type to check the rank), or one it now shares with the expected next hops (the same rank).
 * Never a change to a blackhole or a static route: those keep their destination against any
 * propagation, so such a change has another cause.
 */
function explainedBy(attachmentId: string, expected: string | null, observed: string): boolean {
  const now = readSignature(observed);
  if (now.blackhole || now.type !== 'propagation' || !now.via.includes(attachmentId)) return false;
  const others = now.via.filter((id) => id !== attachmentId);
  if (others.length === 0) return expected === null || isPropagated(readSignature(expected));
  return expected === signature({ route_type: 'propagation', next_hops: others.map((id) => ({ attachment_id: id })) });
}

function isPropagated(route: Reading): boolean {
  return !route.blackhole && route.type === 'propagation';
}

/** What a signature says about the route (signature's inverse, as far as it goes). */
export function readSignature(sig: string): Reading {
  if (sig === BLACKHOLE) return { blackhole: true };
  const [type, via] = JSON.parse(sig) as [string | null, Array<string | null>];
  return { blackhole: false, type, via };
}

/** Sorts null (an attachment the API did not name) after every id. */
function byId(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
