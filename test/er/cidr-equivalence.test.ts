// The IPv4 fast path of src/er/cidr.ts, its numeric containment and the keyed ordering against the
// plain BigInt implementation they replaced, kept here as the oracle, on random and awkward texts.
import { describe, expect, it } from 'vitest';
import { canonical, canonicalDestinations, compareDestinations, contains, destinationKey, format, halves, parsePrefix, type Prefix, sortByDestination, sortDestinations } from '../../src/er/cidr.js';

// ---- The oracle: the former implementation, unchanged (every network a BigInt). ----
interface OraclePrefix {
  version: 4 | 6;
  network: bigint;
  length: number;
}
/** The oracle's prefix as src/er/cidr.ts holds it: IPv4 networks as numbers. */
function held(prefix: OraclePrefix): Prefix {
  return prefix.version === 4 ? { version: 4, network: Number(prefix.network), length: prefix.length } : { version: 6, network: prefix.network, length: prefix.length };
}
function oracleParse(text: string): OraclePrefix | null {
  const [address = '', lengthText, extra] = text.trim().split('/');
  if (extra !== undefined) return null;
  const v4 = oracleIPv4(address);
  const version = v4 !== null ? 4 : 6;
  const value = v4 ?? oracleIPv6(address);
  if (value === null) return null;
  const bits = version === 4 ? 32 : 128;
  const length = lengthText === undefined ? bits : /^\d{1,3}$/.test(lengthText) ? Number(lengthText) : NaN;
  if (!(length >= 0 && length <= bits)) return null;
  const hostBits = BigInt(bits - length);
  return { version, network: (value >> hostBits) << hostBits, length };
}
function oracleIPv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}
function oracleIPv6(text: string): bigint | null {
  if (!/^[0-9A-Fa-f:]+$/.test(text) || text.split('::').length > 2) return null;
  const [head = '', tail] = text.split('::');
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return null;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}
function oracleFormat(prefix: OraclePrefix): string {
  if (prefix.version === 4) return `${[24n, 16n, 8n, 0n].map((s) => Number((prefix.network >> s) & 255n)).join('.')}/${prefix.length}`;
  return format(held(prefix)); // IPv6 formatting is unchanged code
}
function oracleCanonical(text: string): string {
  const prefix = oracleParse(text);
  return prefix ? oracleFormat(prefix) : text.trim();
}
function oracleContains(outer: OraclePrefix, inner: OraclePrefix): boolean {
  if (outer.version !== inner.version || inner.length < outer.length) return false;
  const hostBits = BigInt((outer.version === 4 ? 32 : 128) - outer.length);
  return inner.network >> hostBits === outer.network >> hostBits;
}
function oracleCompare(a: string, b: string): number {
  const x = oracleParse(a);
  const y = oracleParse(b);
  if (!x || !y) return x ? -1 : y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  if (x.version !== y.version) return x.version - y.version;
  if (x.network !== y.network) return x.network < y.network ? -1 : 1;
  return x.length - y.length;
}

// ---- Random texts: mostly valid prefixes, many near misses. ----
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
function texts(count: number, seed: number): string[] {
  const r = random(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(items: readonly T[]) => items[int(items.length)]!;
  const octet = () => pick([String(int(256)), String(int(256)), String(int(256)), '0', '255', '256', '999', '007', '00', '', '1000', 'a']);
  const length = (max: number) => pick([String(int(max + 1)), String(int(max + 1)), String(max), '0', String(max + 1), '033', '', '1234', 'x', '-1']);
  const group = () => pick([int(0x10000).toString(16), int(0x10000).toString(16).toUpperCase(), '0', 'ffff', '12345', 'g', '']);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const kind = int(10);
    let text: string;
    if (kind < 5) {
      const parts = Array.from({ length: pick([4, 4, 4, 4, 3, 5]) }, octet).join('.');
      text = pick([`${parts}/${length(32)}`, `${parts}/${length(32)}`, parts, `${parts}/${length(32)}/1`, `${parts}/`]);
    } else if (kind < 8) {
      const groups = Array.from({ length: pick([8, 8, 6, 3, 9]) }, group);
      if (r() < 0.5) groups.splice(int(groups.length), pick([1, 2, 3]), '');
      const address = groups.join(':').replace(/:{3,}/, '::');
      text = pick([`${address}/${length(128)}`, address, `::/${length(128)}`, `::ffff:${int(256)}/${length(128)}`]);
    } else {
      text = pick(['', ' ', '/', '/8', 'default', '10.0.0.0 /8', '10.0.0.0/ 8', '١٠.0.0.0/8', '10.0.0.0/8\n', '\t10.1.2.3/16 ', '+1.2.3.4/8', '1..2.3/8', '.1.2.3/8', '1.2.3.4./8', '1.2.3.4e0/8']);
    }
    if (r() < 0.1) text = pick([' ', '\t', '\n', '\u00a0']) + text + pick(['', ' ', '\u2003']);
    out.push(text);
  }
  return out;
}

const SAMPLES = texts(20_000, 23);

describe('the IPv4 fast path agrees with the BigInt implementation', () => {
  it('parsePrefix, canonical and format, on random and awkward texts', () => {
    let parsed = 0;
    for (const text of SAMPLES) {
      const expected = oracleParse(text);
      expect(parsePrefix(text), JSON.stringify(text)).toEqual(expected && held(expected));
      expect(canonical(text), JSON.stringify(text)).toBe(oracleCanonical(text));
      if (expected) {
        parsed++;
        expect(format(held(expected))).toBe(oracleFormat(expected));
      }
    }
    expect(parsed).toBeGreaterThan(SAMPLES.length / 10);
  });

  it('contains and compareDestinations, on random pairs', () => {
    const r = random(5);
    const valid = SAMPLES.filter((t) => oracleParse(t) !== null);
    for (let i = 0; i < 20_000; i++) {
      const a = SAMPLES[Math.floor(r() * SAMPLES.length)]!;
      const b = SAMPLES[Math.floor(r() * SAMPLES.length)]!;
      expect(Math.sign(compareDestinations(a, b)), `${JSON.stringify(a)} ${JSON.stringify(b)}`).toBe(Math.sign(oracleCompare(a, b)));
      const x = valid[Math.floor(r() * valid.length)]!;
      // A prefix and one inside or around it, often enough to see both answers.
      const y = r() < 0.5 ? valid[Math.floor(r() * valid.length)]! : `${x.trim().split('/')[0]}/${Math.floor(r() * 33)}`;
      const [px, py] = [parsePrefix(x), parsePrefix(y)];
      if (px && py) {
        expect(contains(px, py)).toBe(oracleContains(oracleParse(x)!, oracleParse(y)!));
        expect(contains(py, px)).toBe(oracleContains(oracleParse(y)!, oracleParse(x)!));
      }
    }
  });

  it('destinationKey orders as compareDestinations does, equal exactly where it gives 0', () => {
    const r = random(11);
    for (let i = 0; i < 20_000; i++) {
      const a = SAMPLES[Math.floor(r() * SAMPLES.length)]!;
      const b = r() < 0.1 ? canonical(a) : SAMPLES[Math.floor(r() * SAMPLES.length)]!;
      const [ka, kb] = [destinationKey(a), destinationKey(b)];
      expect(ka < kb ? -1 : ka > kb ? 1 : 0, `${JSON.stringify(a)} ${JSON.stringify(b)}`).toBe(Math.sign(oracleCompare(a, b)));
    }
    expect(destinationKey('10.1.2.3/16')).toBe(destinationKey('10.1.0.0/16'));
    expect(destinationKey('255.255.255.255/32') < destinationKey('::/0')).toBe(true);
    expect(destinationKey('ffff::/16') < destinationKey('a')).toBe(true);
  });
});

describe('the numeric containment agrees with the BigInt one', () => {
  const bitsOf = (version: 4 | 6) => (version === 4 ? 32 : 128);
  const cleared = (version: 4 | 6, value: bigint, length: number): OraclePrefix => {
    const hostBits = BigInt(bitsOf(version) - length);
    return { version, network: (value >> hostBits) << hostBits, length };
  };

  /** A random prefix; its length is often at an edge (/0, /1, a single address and one bit less), its address sometimes all zeros or all ones. */
  function randomPrefix(r: () => number, version: 4 | 6): OraclePrefix {
    const bits = bitsOf(version);
    const length = r() < 0.3 ? [0, 1, bits - 1, bits][Math.floor(r() * 4)]! : Math.floor(r() * (bits + 1));
    let value = 0n;
    for (let i = 0; i < bits / 16; i++) value = (value << 16n) | BigInt(Math.floor(r() * 0x10000));
    const edge = r();
    if (edge < 0.05) value = 0n;
    else if (edge < 0.1) value = (1n << BigInt(bits)) - 1n;
    return cleared(version, value, length);
  }

  /** A prefix near `outer`: its address with other host bits, at any length, sometimes with one bit flipped. */
  function nearPrefix(r: () => number, outer: OraclePrefix): OraclePrefix {
    const bits = bitsOf(outer.version);
    const other = randomPrefix(r, outer.version);
    const hostMask = (1n << BigInt(bits - outer.length)) - 1n;
    let value = outer.network | (other.network & hostMask);
    if (r() < 0.3) value ^= 1n << BigInt(Math.floor(r() * bits));
    return cleared(outer.version, value, Math.floor(r() * (bits + 1)));
  }

  it('on 30,000 random pairs, IPv4 and IPv6, both ways, /0 and /32 (/128) included', () => {
    const r = random(2026);
    const seen = { inside: 0, outside: 0, edges: 0 };
    const disagreements: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      const version = r() < 0.6 ? 4 : 6;
      const outer = randomPrefix(r, version);
      // Mostly near each other (to see both answers), sometimes unrelated or of the other family.
      const pick = r();
      const inner = pick < 0.8 ? nearPrefix(r, outer) : randomPrefix(r, pick < 0.9 ? version : version === 4 ? 6 : 4);
      for (const [a, b] of [[outer, inner], [inner, outer]] as const) {
        const expected = oracleContains(a, b);
        // Collected rather than asserted one by one: building a message per pair would cost more than the check.
        if (contains(held(a), held(b)) !== expected) disagreements.push(`${oracleFormat(a)} ⊇ ${oracleFormat(b)}: ${expected}`);
        seen[expected ? 'inside' : 'outside']++;
        if (a.length === 0 || a.length === bitsOf(a.version)) seen.edges++;
      }
    }
    expect(disagreements.slice(0, 10)).toEqual([]);
    expect(seen.inside).toBeGreaterThan(6_000);
    expect(seen.outside).toBeGreaterThan(6_000);
    expect(seen.edges).toBeGreaterThan(3_000);
  });

  it('the edges, written out', () => {
    const p = (text: string) => parsePrefix(text)!;
    expect(contains(p('0.0.0.0/0'), p('255.255.255.255/32'))).toBe(true);
    expect(contains(p('0.0.0.0/0'), p('0.0.0.0/0'))).toBe(true);
    expect(contains(p('255.255.255.255/32'), p('255.255.255.255/32'))).toBe(true);
    expect(contains(p('255.255.255.254/32'), p('255.255.255.255/32'))).toBe(false);
    expect(contains(p('128.0.0.0/1'), p('255.0.0.0/8'))).toBe(true);
    expect(contains(p('0.0.0.0/1'), p('128.0.0.0/8'))).toBe(false);
    expect(contains(p('255.255.255.255/32'), p('0.0.0.0/0'))).toBe(false);
    expect(contains(p('0.0.0.0/0'), p('::/0'))).toBe(false);
    expect(contains(p('::/0'), p('0.0.0.0/0'))).toBe(false);
    expect(contains(p('::/0'), p('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128'))).toBe(true);
  });

  it('halves split a prefix into the two one bit longer, as the BigInt arithmetic did', () => {
    const r = random(77);
    for (let i = 0; i < 5_000; i++) {
      const version = r() < 0.6 ? 4 : 6;
      const prefix = randomPrefix(r, version);
      if (prefix.length === bitsOf(version)) continue;
      const length = prefix.length + 1;
      const oracleHalves: OraclePrefix[] = [
        { version, network: prefix.network, length },
        { version, network: prefix.network | (1n << BigInt(bitsOf(version) - length)), length },
      ];
      const expected = oracleHalves.map(held);
      const got = halves(held(prefix));
      expect(got, oracleFormat(prefix)).toEqual(expected);
      for (const half of got) expect(contains(held(prefix), half)).toBe(true);
    }
    expect(halves(parsePrefix('0.0.0.0/0')!).map(format)).toEqual(['0.0.0.0/1', '128.0.0.0/1']);
    expect(halves(parsePrefix('255.255.255.254/31')!).map(format)).toEqual(['255.255.255.254/32', '255.255.255.255/32']);
  });
});

describe('sortDestinations', () => {
  it('is a stable sort by the former comparator', () => {
    for (let start = 0; start < 20_000; start += 2_000) {
      const texts = SAMPLES.slice(start, start + 2_000);
      expect(sortDestinations(texts)).toEqual([...texts].sort(oracleCompare));
    }
  });

  it('sortByDestination orders items by their destination the same way, stably', () => {
    const items = SAMPLES.slice(0, 2_000).map((destination, index) => ({ destination, index }));
    expect(sortByDestination(items, (item) => item.destination)).toEqual([...items].sort((a, b) => oracleCompare(a.destination, b.destination)));
  });
});

describe('canonicalDestinations', () => {
  it('is canonical() of each destination, in order, computed once per list', () => {
    const routes = SAMPLES.slice(0, 500).map((destination) => ({ destination }));
    const first = canonicalDestinations(routes);
    expect(first).toEqual(routes.map((r) => canonical(r.destination)));
    expect(canonicalDestinations(routes)).toBe(first);
    // Another list with the same routes, or the list grown, is computed afresh.
    expect(canonicalDestinations(routes.slice())).not.toBe(first);
    routes.push({ destination: '10.9.9.9/8' });
    expect(canonicalDestinations(routes).at(-1)).toBe('10.0.0.0/8');
  });
});
