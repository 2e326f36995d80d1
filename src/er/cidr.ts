// IPv4 and IPv6 prefixes, as far as routing plans need them: parse, normalise, contain, order.
// Destinations that do not parse stay opaque strings: they compare equal only to themselves.

export interface Prefix {
  version: 4 | 6;
  /** Network address with the host bits cleared. */
  network: bigint;
  length: number;
}

export function parsePrefix(text: string): Prefix | null {
  const v4 = ipv4Prefix(text);
  if (v4 !== undefined) return { version: 4, network: BigInt(v4.network), length: v4.length };
  return parseSlowly(text);
}

/** The general parser (IPv6, and whatever the IPv4 fast path leaves to it). */
function parseSlowly(text: string): Prefix | null {
  const [address = '', lengthText, extra] = text.trim().split('/');
  if (extra !== undefined) return null;
  const v4 = parseIPv4(address);
  const version = v4 !== null ? 4 : 6;
  const value = v4 ?? parseIPv6(address);
  if (value === null) return null;
  const bits = version === 4 ? 32 : 128;
  const length = lengthText === undefined ? bits : /^\d{1,3}$/.test(lengthText) ? Number(lengthText) : NaN;
  if (!(length >= 0 && length <= bits)) return null;
  const hostBits = BigInt(bits - length);
  return { version, network: (value >> hostBits) << hostBits, length };
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

/** Whether `inner` lies within `outer` (equal counts as within). */
export function contains(outer: Prefix, inner: Prefix): boolean {
  if (outer.version !== inner.version || inner.length < outer.length) return false;
  const bits = outer.version === 4 ? 32 : 128;
  const hostBits = BigInt(bits - outer.length);
  return inner.network >> hostBits === outer.network >> hostBits;
}

/** IPv4 before IPv6, then by address, then shorter prefix first; unparsable text last, by text. */
export function compareDestinations(a: string, b: string): number {
  const x4 = ipv4Prefix(a);
  const y4 = ipv4Prefix(b);
  if (x4 !== undefined && y4 !== undefined) return x4.network !== y4.network ? (x4.network < y4.network ? -1 : 1) : x4.length - y4.length;
  const x = parsePrefix(a);
  const y = parsePrefix(b);
  if (!x || !y) return x ? -1 : y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  if (x.version !== y.version) return x.version - y.version;
  if (x.network !== y.network) return x.network < y.network ? -1 : 1;
  return x.length - y.length;
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
  const keyed = Array.from(texts, (text) => ({ key: destinationKey(text), text }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.text);
}

export function format(prefix: Prefix): string {
  if (prefix.version === 4) return formatIPv4(Number(prefix.network), prefix.length);
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
  const network = length === 0 ? 0 : (address & (0xffffffff << (32 - length))) >>> 0;
  return { network, length };
}

function parseIPv4(text: string): bigint | null {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
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
