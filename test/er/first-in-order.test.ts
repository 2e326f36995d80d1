// The bounded selection behind listed(): the same entries as a stable sort then a slice.
import { describe, expect, it } from 'vitest';
import { canonical, compareDestinations } from '../../src/er/cidr.js';
import { firstInOrder, listed, listedByDestination, MAX_ENTRIES } from '../../src/er/routing-effect.js';

function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('firstInOrder', () => {
  it('equals a stable sort then slice, ties in input order, on random inputs and limits', () => {
    const r = random(3);
    for (let round = 0; round < 500; round++) {
      const n = Math.floor(r() * 200);
      const spread = 1 + Math.floor(r() * 50); // small spreads: many ties
      const items = Array.from({ length: n }, (_, id) => ({ id, value: Math.floor(r() * spread) }));
      const order = (a: { value: number }, b: { value: number }) => a.value - b.value;
      const limit = Math.floor(r() * 30);
      expect(firstInOrder(items, order, limit)).toEqual([...items].sort(order).slice(0, limit));
    }
  });

  it('keeps nothing for a limit of 0, everything sorted when the limit exceeds the items', () => {
    expect(firstInOrder([3, 1, 2], (a, b) => a - b, 0)).toEqual([]);
    expect(firstInOrder([3, 1, 2], (a, b) => a - b, 10)).toEqual([1, 2, 3]);
  });
});

describe('listed and listedByDestination', () => {
  const r = random(9);
  const destinations = Array.from({ length: 3_000 }, () => {
    const kind = r();
    if (kind < 0.6) return `10.${Math.floor(r() * 4)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}/${Math.floor(r() * 33)}`;
    if (kind < 0.9) return canonical(`2001:db8:${Math.floor(r() * 0x10000).toString(16)}::/${Math.floor(r() * 129)}`);
    return `name-${Math.floor(r() * 100)}`;
  });

  it('give the count and the first MAX_ENTRIES of a full sort by destination', () => {
    for (let round = 0; round < 30; round++) {
      const items = destinations.filter(() => r() < 0.3).map((destination, id) => ({ destination, id }));
      const expected = [...items].sort((a, b) => compareDestinations(a.destination, b.destination)).slice(0, MAX_ENTRIES);
      expect(listedByDestination(items)).toEqual({ count: items.length, entries: expected });
      expect(listed(items, (a, b) => compareDestinations(a.destination, b.destination))).toEqual({ count: items.length, entries: expected });
      const texts = items.map((i) => i.destination);
      expect(listedByDestination(texts, (d) => d)).toEqual({ count: texts.length, entries: [...texts].sort(compareDestinations).slice(0, MAX_ENTRIES) });
    }
  });
});
