import { describe, expect, it } from 'vitest';
import { canonical, compareDestinations, contains, parsePrefix } from '../../src/er/cidr.js';

const p = (text: string) => {
  const prefix = parsePrefix(text);
  if (!prefix) throw new Error(`does not parse: ${text}`);
  return prefix;
};

describe('parsePrefix and canonical', () => {
  it('clears host bits and writes IPv4 and IPv6 canonically', () => {
    expect(canonical('10.1.2.3/16')).toBe('10.1.0.0/16');
    expect(canonical(' 192.168.7.130/25 ')).toBe('192.168.7.128/25');
    expect(canonical('10.0.0.1')).toBe('10.0.0.1/32');
    expect(canonical('0.0.0.0/0')).toBe('0.0.0.0/0');
    expect(canonical('2001:DB8:0:0:1::/64')).toBe('2001:db8::/64');
    expect(canonical('2001:db8:0:1:0:0:0:5/64')).toBe('2001:db8:0:1::/64');
    expect(canonical('2001:db8::1:0:0:1/128')).toBe('2001:db8::1:0:0:1/128');
    expect(canonical('::/0')).toBe('::/0');
    expect(canonical('fe80:0:0:0:0:0:0:1/10')).toBe('fe80::/10');
  });

  it('leaves anything that is not a prefix as it is', () => {
    for (const text of ['10.0.0.0/33', '256.0.0.0/8', '10.0.0/8', '10.0.0.0/8/1', 'pl-abc', '1::2::3/64', '2001:db8::/129', '1:2:3:4:5:6:7:8:9/64', '']) {
      expect(parsePrefix(text)).toBeNull();
      expect(canonical(text)).toBe(text.trim());
    }
  });
});

describe('contains and compareDestinations', () => {
  it('contains equal and more specific prefixes of the same family only', () => {
    expect(contains(p('10.10.0.0/16'), p('10.10.99.0/24'))).toBe(true);
    expect(contains(p('10.10.0.0/16'), p('10.10.0.0/16'))).toBe(true);
    expect(contains(p('10.10.99.0/24'), p('10.10.0.0/16'))).toBe(false);
    expect(contains(p('10.10.0.0/16'), p('10.11.0.0/24'))).toBe(false);
    expect(contains(p('0.0.0.0/0'), p('203.0.113.7/32'))).toBe(true);
    expect(contains(p('2001:db8::/32'), p('2001:db8:ffff::/48'))).toBe(true);
    expect(contains(p('::/0'), p('10.0.0.0/8'))).toBe(false);
  });

  it('orders IPv4 by address then length, then IPv6, then unparsable text', () => {
    const sorted = ['pl-x', '2001:db8::/32', '10.10.99.0/24', '10.10.0.0/16', '9.0.0.0/8', '10.10.0.0/24'].sort(compareDestinations);
    expect(sorted).toEqual(['9.0.0.0/8', '10.10.0.0/16', '10.10.0.0/24', '10.10.99.0/24', '2001:db8::/32', 'pl-x']);
  });
});
