import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatSdkDate, parseSdkDate, percentEncode, sign, type Query } from '../../src/http/signer.js';

interface Vector {
  name: string;
  ak: string;
  sk: string;
  method: string;
  url: string;
  query: Query;
  headers: Record<string, string>;
  sign_host: boolean;
  body: string;
  expected_authorization: string;
  canonical_request?: string;
}

const vectors = (
  JSON.parse(readFileSync(new URL('../fixtures/signing-vectors.json', import.meta.url), 'utf8')) as {
    vectors: Vector[];
  }
).vectors;

describe('signer known-answer vectors', () => {
  it('has the six vectors from the shared file', () => {
    expect(vectors).toHaveLength(6);
  });

  for (const v of vectors) {
    it(`reproduces ${v.name}`, () => {
      const url = new URL(v.url);
      const headers = { ...v.headers, ...(v.sign_host ? { host: url.host } : {}) };
      const result = sign(
        { method: v.method, path: url.pathname, query: v.query, headers, body: v.body },
        { ak: v.ak, sk: v.sk },
      );
      if (v.canonical_request) expect(result.canonicalRequest).toBe(v.canonical_request);
      expect(result.authorization).toBe(v.expected_authorization);
    });
  }
});

describe('signer helpers', () => {
  it('encodes space as %20, keeps unreserved, encodes UTF-8 bytes upper-case', () => {
    expect(percentEncode('a b+c/~._-')).toBe('a%20b%2Bc%2F~._-');
    expect(percentEncode('一')).toBe('%E4%B8%80');
  });

  it('formats and parses X-Sdk-Date', () => {
    const d = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(formatSdkDate(d)).toBe('20240102T030405Z');
    expect(parseSdkDate('20240102T030405Z')?.getTime()).toBe(d.getTime());
    expect(parseSdkDate('2024-01-02')).toBeUndefined();
  });

  it('refuses to sign without X-Sdk-Date', () => {
    expect(() => sign({ method: 'GET', path: '/', headers: {}, body: '' }, { ak: 'a', sk: 'b' })).toThrow(/X-Sdk-Date/);
  });
});
