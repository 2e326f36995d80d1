// IPv4 and IPv6 prefixes, as far as routing plans need them: parse, normalise, contain, order.
// Destinations that do not parse stay opaque strings: they compare equal only to themselves.
// IPv4 is done on plain numbers (every address fits in a double, and bit operations work on 32
// bits); only IPv6 needs BigInt, which costs far more per operation on large tables.

export interface IPv4Prefix {
  version: 4;
  /** Network address with the host bits cleared, as an unsigned 32-bit number. */
  network: number;
  length: number;
}

export interface IPv6Prefix {
  version: 6;
  /** Network address with the host bits cleared. */
  network: bigint;
  length: number;
}

export type Prefix = IPv4Prefix | IPv6Prefix;

export function parsePrefix(text: string): Prefix | null {
  const v4 = ipv4Prefix(text);
  if (v4 !== undefined) return { version: 4, network: v4.network, length: v4.length };
  return parseSlowly(text);
}

/** The general parser (IPv6, and whatever the IPv4 fast path leaves to it). */
function parseSlowly(text: string): Prefix | null {
  const [address = '', lengthText, extra] = text.trim().split('/');
  if (extra !== undefined) return null;
  const lengthOf = (bits: number) => {
    const length = lengthText === undefined ? bits : /^\d{1,3}$/.test(lengthText) ? Number(lengthText) : NaN;
    return length >= 0 && length <= bits ? length : null;
  };
  const v4 = parseIPv4(address);
  if (v4 !== null) {
    const length = lengthOf(32);
    return length === null ? null : { version: 4, network: ipv4Network(v4, length), length };
  }
  const v6 = parseIPv6(address);
  const length = lengthOf(128);
  if (v6 === null || length === null) return null;
  const hostBits = BigInt(128 - length);
  return { version: 6, network: (v6 >> hostBits) << hostBits, length };
}

/** The address with the host bits of a prefix of `length` cleared, unsigned. */
function ipv4Network(address: number, length: number): number {
  // `<< 32` would shift by 0: a /0 has no network bits at all.
  return length === 0 ? 0 : (address & (0xffffffff << (32 - length))) >>> 0;
}

/** The destination written canonically (`10.1.2.3/16` → `10.1.0.0/16`); unparsable text trimmed. */
export function canonical(text: string): string {
  const v4 = ipv4Prefix(text);
  if (v4 !== undefined) return formatIPv4(v4.network, v4.length);
  const prefix = parseSlowly(text);
  return prefix ? format(prefix) : text.trim();
}

const canonicalOf = new WeakMap<readonly { destination: string }[], string[]>();

/**
 * canonical() of each route's destination, in the routes' order, computed once per list: the
 * steps of one plan that go over the same routes read (the effect, the expectation) share it.
 * Lists of routes read are not changed afterwards; one whose length changed is computed again.
 */
export function canonicalDestinations(routes: readonly { destination: string }[]): readonly string[] {
  const known = canonicalOf.get(routes);
  if (known && known.length === routes.length) return known;
  const destinations = routes.map((route) => canonical(route.destination));
  canonicalOf.set(routes, destinations);
  return destinations;
}

/** Whether `inner` lies within `outer` (equal counts as within). IPv4 on numbers, IPv6 on BigInt. */
export function contains(outer: Prefix, inner: Prefix): boolean {
  if (inner.length < outer.length) return false;
  if (outer.version === 4) {
    if (inner.version !== 4) return false;
    // The networks agree on the outer prefix's bits; a /0 has none (and `>>> 32` would shift by 0).
    return outer.length === 0 || (inner.network ^ outer.network) >>> (32 - outer.length) === 0;
  }
  if (inner.version !== 6) return false;
  const hostBits = BigInt(128 - outer.length);
  return inner.network >> hostBits === outer.network >> hostBits;
}

/**
 * The two prefixes one bit longer that make up `prefix` (10.0.0.0/8 → 10.0.0.0/9 and
 * 10.128.0.0/9). The prefix must be shorter than a single address.
 */
export function halves(prefix: Prefix): [Prefix, Prefix] {
  const length = prefix.length + 1;
  if (prefix.version === 4) {
    // The new bit is clear in the network: adding it is setting it, and stays below 2^32.
    return [{ version: 4, network: prefix.network, length }, { version: 4, network: prefix.network + 2 ** (32 - length), length }];
  }
  return [{ version: 6, network: prefix.network, length }, { version: 6, network: prefix.network | (1n << BigInt(128 - length)), length }];
}

/** IPv4 before IPv6, then by network address, then shorter prefix first. */
export function comparePrefixes(a: Prefix, b: Prefix): number {
  if (a.version !== b.version) return a.version - b.version;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.length - b.length;
}

/** IPv4 before IPv6, then by address, then shorter prefix first; unparsable text last, by text. */
export function compareDestinations(a: string, b: string): number {
  const x4 = ipv4Prefix(a);
  const y4 = ipv4Prefix(b);
  if (x4 !== undefined && y4 !== undefined) return x4.network !== y4.network ? (x4.network < y4.network ? -1 : 1) : x4.length - y4.length;
  const x = parsePrefix(a);
  const y = parsePrefix(b);
  if (!x || !y) return x ? -1 : y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  return comparePrefixes(x, y);
}

/**
 * A text whose order (compared as strings, `<`) is compareDestinations' order, with equal keys
 * exactly where compareDestinations gives 0: computed once per item, so that ordering many
 * destinations parses each one once.
 */
export function destinationKey(text: string): string {
  const v4 = ipv4Prefix(text);
  if (v4 !== undefined) return `4${v4.network.toString(16).padStart(8, '0')}${v4.length.toString(16).padStart(2, '0')}`;
  const prefix = parseSlowly(text);
  if (!prefix) return `9${text}`;
  const digits = prefix.version === 4 ? 8 : 32;
  return `${prefix.version}${prefix.network.toString(16).padStart(digits, '0')}${prefix.length.toString(16).padStart(2, '0')}`;
}

/** The destinations in compareDestinations' order (a stable sort), each parsed once. */
export function sortDestinations(texts: Iterable<string>): string[] {
  return sortByDestination(texts, (text) => text);
}

/** The items in compareDestinations' order of their destinations (a stable sort), each destination parsed once. */
export function sortByDestination<T>(items: Iterable<T>, destinationOf: (item: T) => string): T[] {
  const keyed = Array.from(items, (item) => ({ key: destinationKey(destinationOf(item)), item }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.item);
}

export function format(prefix: Prefix): string {
  if (prefix.version === 4) return formatIPv4(prefix.network, prefix.length);
  const groups = Array.from({ length: 8 }, (_, i) => Number((prefix.network >> BigInt(112 - 16 * i)) & 0xffffn));
  return `${compressIPv6(groups)}/${prefix.length}`;
}

function formatIPv4(network: number, length: number): string {
  return `${network >>> 24}.${(network >>> 16) & 255}.${(network >>> 8) & 255}.${network & 255}/${length}`;
}

const DOT = 46;
const SLASH = 47;
const ZERO = 48;

/**
 * The IPv4 fast path, on numbers: `a.b.c.d` or `a.b.c.d/n` (around it, what trim() removes),
 * each part one to three digits. The network (host bits cleared, unsigned) and the length when
 * the text is such a prefix; undefined for anything else, which the general parser then decides
 * (so the two always agree: a text this accepts, the general parser accepts with the same value).
 */
function ipv4Prefix(text: string): { network: number; length: number } | undefined {
  let end = text.length;
  if (end === 0) return undefined;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(end - 1);
  if (first < ZERO || first > ZERO + 9 || last < ZERO || last > ZERO + 9) {
    const trimmed = text.trim();
    if (trimmed.length === end) return undefined;
    text = trimmed;
    end = text.length;
  }
  let address = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  let i = 0;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= ZERO && c <= ZERO + 9) {
      if (++digits > 3) return undefined;
      part = part * 10 + (c - ZERO);
    } else if (c === DOT || c === SLASH) {
      if (digits === 0 || part > 255) return undefined;
      address = address * 256 + part;
      parts++;
      part = 0;
      digits = 0;
      if (c === SLASH) break;
      if (parts === 4) return undefined;
    } else {
      return undefined;
    }
  }
  let length = 32;
  if (i === end) {
    if (digits === 0 || part > 255 || parts !== 3) return undefined;
    address = address * 256 + part;
  } else {
    if (parts !== 4) return undefined;
    length = 0;
    let lengthDigits = 0;
    for (i++; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c < ZERO || c > ZERO + 9 || ++lengthDigits > 3) return undefined;
      length = length * 10 + (c - ZERO);
    }
    if (lengthDigits === 0 || length > 32) return undefined;
  }
  return { network: ipv4Network(address, length), length };
}

function parseIPv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function parseIPv6(text: string): bigint | null {
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

/** RFC 5952 text: lower case, the longest run (of two or more) of zero groups as `::`. */
function compressIPv6(groups: number[]): string {
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}
