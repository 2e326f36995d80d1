// associationEffect on random tables against a plain reference: every route made an entry,
// lists fully sorted by compareDestinations and cut at MAX_ENTRIES (the way it was computed
// before the routes were kept as read and the lists selected without a full sort).
import { describe, expect, it } from 'vitest';
import { canonical, compareDestinations } from '../../src/er/cidr.js';
import { associationEffect, type ChangedEntry, MAX_ENTRIES, type RouteEntry, type TableRoutes, toEntry } from '../../src/er/routing-effect.js';
import type { EffectiveRoute } from '../../src/er/types.js';

function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function reference(before: TableRoutes | null, after: TableRoutes | null) {
  const reachable = (t: TableRoutes | null) => {
    const map = new Map<string, RouteEntry>();
    for (const r of t?.routes ?? []) {
      const e = toEntry(r);
      if (!e.is_blackhole && e.next_hops.length > 0) map.set(e.destination, e);
    }
    return map;
  };
  const ids = (e: RouteEntry) => e.next_hops.map((h) => h.attachment_id ?? '').sort().join(',');
  const was = reachable(before);
  const will = reachable(after);
  const added: RouteEntry[] = [];
  const removed: RouteEntry[] = [];
  const changed: ChangedEntry[] = [];
  let unchanged = 0;
  for (const [d, e] of will) {
    const old = was.get(d);
    if (!old) added.push(e);
    else if (ids(old) === ids(e)) unchanged++;
    else changed.push({ destination: d, before: old, after: e });
  }
  for (const [d, e] of was) if (!will.has(d)) removed.push(e);
  const by = (a: { destination: string }, b: { destination: string }) => compareDestinations(a.destination, b.destination);
  const list = <T>(items: T[], order: (a: T, b: T) => number) => ({ count: items.length, entries: [...items].sort(order).slice(0, MAX_ENTRIES) });
  const blackholes = (after?.routes ?? []).filter((r) => r.is_blackhole).map((r) => canonical(r.destination));
  return {
    route_table_before: before?.route_table_id ?? null,
    route_table_after: after?.route_table_id ?? null,
    added: list(added, by),
    removed: list(removed, by),
    changed: list(changed, by),
    unchanged,
    blackholed_after: list(blackholes, compareDestinations),
  };
}

function table(r: () => number, id: string, size: number): TableRoutes {
  const int = (n: number) => Math.floor(r() * n);
  const destination = () => {
    const k = r();
    if (k < 0.7) return `10.${int(3)}.${int(8)}.${int(256)}/${pickLength(int)}`;
    if (k < 0.9) return `2001:DB8:0:${int(16).toString(16)}::${int(4)}/${int(129)}`;
    if (k < 0.95) return ` 10.0.${int(8)}.7/24 `;
    return `unparsable-${int(5)}`;
  };
  const hop = () => ({ attachment_id: r() < 0.1 ? null : `att-${int(6)}`, resource_type: r() < 0.5 ? 'vpc' : 'vpn' });
  const routes: EffectiveRoute[] = Array.from({ length: size }, () => {
    const k = r();
    if (k < 0.08) return { destination: destination(), is_blackhole: true, next_hops: [], route_type: 'static' };
    if (k < 0.12) return { destination: destination(), next_hops: null };
    const hops = Array.from({ length: r() < 0.8 ? 1 : int(3) }, hop);
    return { destination: destination(), next_hops: hops, is_blackhole: r() < 0.05 ? false : undefined, route_type: r() < 0.3 ? 'static' : 'propagation' };
  });
  return { route_table_id: id, routes };
}
function pickLength(int: (n: number) => number) {
  return [8, 16, 24, 32, int(33)][int(5)];
}

describe('associationEffect against the plain reference', () => {
  it('gives the same effect on random tables (duplicates, blackholes, no next hop, several, unparsable)', () => {
    const r = random(42);
    for (let round = 0; round < 200; round++) {
      const before = r() < 0.1 ? null : table(r, 'rt-a', Math.floor(r() * 400));
      const after = r() < 0.1 ? null : table(r, 'rt-b', Math.floor(r() * 400));
      expect(associationEffect(before, after)).toEqual(reference(before, after));
    }
  });
});
