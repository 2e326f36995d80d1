// Route selection in one route table, as docs/routing.md records it: for each destination the
// static route wins, else the propagated route of the best-ranked attachment type; routes of the
// same rank share the destination as several next hops (UNVERIFIED, see the doc). Pure: the
// emulator's state goes in, the effective routes the API lists come out.
import { createHash } from 'node:crypto';

export interface NextHop {
  resource_id: string;
  resource_type: string;
  attachment_id: string;
}

/** A route before selection: a static route (ordinary or blackhole) or one prefix of a propagation. */
export interface CandidateRoute {
  id: string;
  destination: string;
  origin: 'static' | 'propagation';
  is_blackhole: boolean;
  /** Absent on blackhole routes. */
  next_hop?: NextHop;
  /** A static route's own description; propagated routes have none. */
  description?: string;
}

/** One entry of `GET …/route-tables/{id}/routes`. */
export interface EffectiveRoute {
  route_id: string;
  destination: string;
  next_hops: NextHop[];
  is_blackhole: boolean;
  route_type: 'static' | 'propagation';
  /** The static route's description ('' for propagated routes), as newer reference editions list it. */
  description: string;
}

/**
 * Rank of a propagated route by its attachment's type, lower wins (the user guide's order:
 * VPC = CFW > virtual gateway = global DC gateway > VPN > peering). Types the guide does not
 * rank come last, equal to each other.
 */
const PROPAGATION_RANK: Record<string, number> = { vpc: 1, cfw: 1, vgw: 2, gdgw: 2, vpn: 3, peering: 4 };
const UNRANKED = 5;

export function rankOf(route: CandidateRoute): number {
  if (route.origin === 'static') return 0;
  return PROPAGATION_RANK[route.next_hop?.resource_type ?? ''] ?? UNRANKED;
}

/** The effective routes of one table: one per destination, in ascending `route_id` (the paging order). */
export function selectEffectiveRoutes(candidates: readonly CandidateRoute[]): EffectiveRoute[] {
  const byDestination = new Map<string, CandidateRoute[]>();
  for (const route of candidates) {
    const key = canonicalDestination(route.destination);
    const group = byDestination.get(key);
    if (group) group.push(route);
    else byDestination.set(key, [route]);
  }
  const selected: EffectiveRoute[] = [];
  for (const [destination, group] of byDestination) {
    const best = Math.min(...group.map(rankOf));
    const winners = group.filter((r) => rankOf(r) === best).sort((a, b) => compare(a.next_hop?.attachment_id ?? '', b.next_hop?.attachment_id ?? ''));
    const first = winners[0]!;
    selected.push({
      route_id: first.id,
      destination,
      // A static destination is unique in a table; only equal-ranked propagations can share one.
      next_hops: first.is_blackhole ? [] : winners.flatMap((r) => (r.next_hop ? [r.next_hop] : [])),
      is_blackhole: first.is_blackhole,
      route_type: first.origin,
      description: first.description ?? '',
    });
  }
  return selected.sort((a, b) => compare(a.route_id, b.route_id));
}

/**
 * The candidates with a static route added in place of any static route to the same destination
 * (a table holds at most one): how the fault plan's unforeseen route (unforeseen-route.ts) edits
 * a table, as an operator would.
 */
export function withStaticRoute(candidates: readonly CandidateRoute[], route: CandidateRoute): CandidateRoute[] {
  const destination = canonicalDestination(route.destination);
  return [...candidates.filter((c) => c.origin !== 'static' || canonicalDestination(c.destination) !== destination), route];
}

/** A stable id for the route one propagation contributes for one prefix, shaped like the API's ids. */
export function propagatedRouteId(propagationId: string, destination: string): string {
  return apiShapedId(`${propagationId}|${canonicalDestination(destination)}`);
}

/** A stable id for a static route the emulator adds to a table on its own (the unforeseen route). */
export function addedStaticRouteId(routeTableId: string, destination: string): string {
  return apiShapedId(`static|${routeTableId}|${canonicalDestination(destination)}`);
}

function apiShapedId(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** `10.1.2.3/16` → `10.1.0.0/16`, so equal destinations group together; anything else unchanged. */
export function canonicalDestination(text: string): string {
  return parseIPv4Prefix(text.trim()) ?? text.trim();
}

/** The canonical form of an IPv4 prefix written `a.b.c.d/n` (nothing around it), else null. */
export function parseIPv4Prefix(text: string): string | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return null;
  const octets = match.slice(1, 5).map(Number);
  const length = Number(match[5]);
  if (octets.some((o) => o > 255) || length > 32) return null;
  const value = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - length);
  const network = Math.floor(value / size) * size;
  const parts = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return `${parts.join('.')}/${length}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
