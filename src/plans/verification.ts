// TEMPORARY placeholder with the agreed signatures; replaced by the verify branch.
import { canonical } from '../er/cidr.js';
import type { PropagationInput } from '../er/routing-effect.js';
import type { EffectiveRoute } from '../er/types.js';

export interface Difference {
  route_table_id: string;
  destination: string;
  expected: string | null;
  observed: string | null;
  kind: 'unexpected_route' | 'missing_route' | 'different_next_hops';
}

export function routeMap(routes: readonly EffectiveRoute[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const r of routes) map.set(canonical(r.destination), r.is_blackhole ? 'blackhole' : `${r.route_type ?? ''}:${(r.next_hops ?? []).map((h) => h.attachment_id ?? '').sort().join(',')}`);
  return map;
}

export function predictPropagationTable(_input: PropagationInput): Map<string, string> | null {
  return null;
}

export function compareTables(expected: { route_table_id: string; routes: ReadonlyMap<string, string> }, observed: readonly EffectiveRoute[], _options: { unpredictableVia?: string } = {}): Difference[] {
  const seen = routeMap(observed);
  const out: Difference[] = [];
  for (const [destination, sig] of expected.routes) {
    const o = seen.get(destination);
    if (o === undefined) out.push({ route_table_id: expected.route_table_id, destination, expected: sig, observed: null, kind: 'missing_route' });
    else if (o !== sig) out.push({ route_table_id: expected.route_table_id, destination, expected: sig, observed: o, kind: 'different_next_hops' });
  }
  for (const [destination, o] of seen) if (!expected.routes.has(destination)) out.push({ route_table_id: expected.route_table_id, destination, expected: null, observed: o, kind: 'unexpected_route' });
  return out;
}
