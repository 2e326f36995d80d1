// The IPv4 fast path of src/er/cidr.ts and the keyed ordering against the plain BigInt
// implementation they replaced, kept here as the oracle, on random and awkward texts.
import { describe, expect, it } from 'vitest';
import { canonical, canonicalDestinations, compareDestinations, contains, destinationKey, format, parsePrefix, type Prefix, sortDestinations } from '../../src/er/cidr.js';

// ---- The oracle: the former implementation, unchanged. ----
function oracleParse(text: string): Prefix | null {
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
function oracleFormat(prefix: Prefix): string {
  if (prefix.version === 4) return `${[24n, 16n, 8n, 0n].map((s) => Number((prefix.network >> s) & 255n)).join('.')}/${prefix.length}`;
  return format(prefix); // IPv6 formatting is unchanged code
}
function oracleCanonical(text: string): string {
  const prefix = oracleParse(text);
  return prefix ? oracleFormat(prefix) : text.trim();
}
function oracleContains(outer: Prefix, inner: Prefix): boolean {
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
      expect(parsePrefix(text), JSON.stringify(text)).toEqual(expected);
      expect(canonical(text), JSON.stringify(text)).toBe(oracleCanonical(text));
      if (expected) {
        parsed++;
        expect(format(expected)).toBe(oracleFormat(expected));
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

describe('sortDestinations', () => {
  it('is a stable sort by the former comparator', () => {
    for (let start = 0; start < 20_000; start += 2_000) {
      const texts = SAMPLES.slice(start, start + 2_000);
      expect(sortDestinations(texts)).toEqual([...texts].sort(oracleCompare));
    }
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
