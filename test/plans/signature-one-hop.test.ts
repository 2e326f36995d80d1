// signature()'s one-next-hop shortcut writes the same text as the general JSON form.
import { describe, expect, it } from 'vitest';
import { signature } from '../../src/plans/verification.js';

describe('signature of a route with one next hop', () => {
  it('is the JSON of [route_type, [attachment id]], whatever the id and type contain', () => {
    const ids = [null, undefined, '', 'att-1', 'a"b', 'back\\slash', 'line\nbreak', 'ü ✓ 𝄞', '\u2028', '[",null]'];
    const types = [null, undefined, 'static', 'propagation', 'we"ird'];
    for (const id of ids) {
      for (const type of types) {
        const route = { destination: '10.0.0.0/8', route_type: type, next_hops: [{ attachment_id: id }] };
        expect(signature(route)).toBe(JSON.stringify([type ?? null, [id ?? null]]));
      }
    }
  });
});
