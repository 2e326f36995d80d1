// IPv4 and IPv6 prefixes, as far as routing plans need them: parse, normalise, contain, order.
// Destinations that do not parse stay opaque strings: they compare equal only to themselves.

export interface Prefix {
  version: 4 | 6;
  /** Network address with the host bits cleared. */
  network: bigint;
  length: number;
}

export function parsePrefix(text: string): Prefix | null {
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
  const prefix = parsePrefix(text);
  return prefix ? format(prefix) : text.trim();
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
  const x = parsePrefix(a);
  const y = parsePrefix(b);
  if (!x || !y) return x ? -1 : y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  if (x.version !== y.version) return x.version - y.version;
  if (x.network !== y.network) return x.network < y.network ? -1 : 1;
  return x.length - y.length;
}

export function format(prefix: Prefix): string {
  if (prefix.version === 4) {
    const octets = [24n, 16n, 8n, 0n].map((shift) => Number((prefix.network >> shift) & 255n));
    return `${octets.join('.')}/${prefix.length}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((prefix.network >> BigInt(112 - 16 * i)) & 0xffffn));
  return `${compressIPv6(groups)}/${prefix.length}`;
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
