// Static routes as a change meets them. The effective routes list shows each destination's
// selected route only, and a static route there only once it is `available`; the static routes
// list shows every static route with its state. A plan reads both and merges them here: a static
// route that is on its way in (pending) already decides its destination, and one on its way out
// (deleting) no longer does. Pure.
import { canonical } from './cidr.js';
import type { EffectiveRoute, StaticRoute } from './types.js';

/** States in which a static route decides its destination, or soon will. */
const IN_EFFECT = new Set(['pending', 'available', 'modifying']);

/** A static route written as the effective route it is (or will be). */
export function asEffectiveRoute(route: StaticRoute): EffectiveRoute {
  return {
    route_id: route.id,
    destination: route.destination,
    next_hops: route.is_blackhole ? [] : (route.attachments ?? []),
    is_blackhole: route.is_blackhole === true,
    route_type: 'static',
  };
}

/**
 * The effective routes with the static routes in charge: each static route in effect replaces
 * whatever the list selected for its destination (a static route outranks propagated ones), and
 * a static route the list still shows but that is being deleted (or failed) is dropped.
 */
export function withStaticRoutes(effective: readonly EffectiveRoute[], statics: readonly StaticRoute[]): EffectiveRoute[] {
  const inEffect = new Map<string, StaticRoute>();
  const leaving = new Set<string>();
  for (const route of statics) {
    const destination = canonical(route.destination);
    if (IN_EFFECT.has(route.state)) inEffect.set(destination, route);
    else leaving.add(destination);
  }
  const merged: EffectiveRoute[] = [];
  for (const route of effective) {
    const destination = canonical(route.destination);
    if (inEffect.has(destination)) continue;
    if (route.route_type === 'static' && leaving.has(destination)) continue;
    merged.push(route);
  }
  for (const route of inEffect.values()) merged.push(asEffectiveRoute(route));
  return merged;
}

/** The table's static route to this destination, compared canonically. */
export function staticRouteTo(statics: readonly StaticRoute[], destination: string): StaticRoute | undefined {
  const wanted = canonical(destination);
  return statics.find((route) => canonical(route.destination) === wanted);
}
