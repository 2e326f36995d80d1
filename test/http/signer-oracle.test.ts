// Property test: our signer against the official Node SDK's AKSKSigner, used offline as an oracle.
// A seeded generator builds requests of the shapes the MCP server sends, and wider ones (unicode and
// reserved characters in query keys and values, repeated keys, JSON bodies, security tokens, extra
// headers); every one must get the same Authorization from both signers.
//
// Inputs left out on purpose, because we never send them and the official signer is not a
// reference for them:
// - lone UTF-16 surrogates: it throws or swallows the next character; ours encodes U+FFFD.
//   Strings from JSON and zod-validated input are well formed.
// - `undefined` query values: it signs the text "undefined"; we drop the key from both the URL
//   and the signature, so what is signed is what is sent.
// - header values with leading/trailing whitespace: it signs them untrimmed, but HTTP strips that
//   whitespace on the wire, so the server sees (and we sign) the trimmed value.
// - header names with `_` or other punctuation: it sorts canonical headers with localeCompare
//   (ICU puts `_` before `-` and digits) but SignedHeaders by code unit; the two orders agree only
//   for names made of letters, digits and `-`, which is every header we sign.
// - a lower-case `content-type` of multipart/form-data (it drops that header) and
//   X-Sdk-Content-Sha256 (it replaces the body hash): never sent.
// - paths with characters outside IDs and `/`: url.parse escapes some of them before signing.
//   Our paths are built from IDs checked against [A-Za-z0-9_-].
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { formatSdkDate, type Query, type QueryValue, sign } from '../../src/http/signer.js';
import { seededRandom } from '../../src/emulator/faults.js';

interface OracleRequest {
  endpoint: string;
  method: string;
  headers: Record<string, string>;
  queryParams?: Record<string, QueryValue | QueryValue[]>;
  data?: object;
}
interface OracleCredentials {
  withAk(ak: string): OracleCredentials;
  withSk(sk: string): OracleCredentials;
}

const require = createRequire(import.meta.url);
const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner') as {
  AKSKSigner: { sign(request: OracleRequest, credentials: OracleCredentials): Record<string, string> };
};
const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials') as {
  BasicCredentials: new () => OracleCredentials;
};

const SEED = 0x5e1f_2025;
const CASES = 600;

interface Case {
  index: number;
  method: string;
  host: string;
  path: string;
  query: Record<string, QueryValue | QueryValue[]>;
  headers: Record<string, string>;
  body: object | undefined;
  ak: string;
  sk: string;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const RESERVED = "&=?/+%#!*'()";
// Unicode from several planes: Latin-1, Cyrillic, CJK, Arabic, an astral emoji and a combining mark.
const UNICODE = ['é', 'ü', 'ß', 'Ж', 'я', '中', '文', '路由', 'ع', '😀', '𝄞', 'e\u0301', '\u00a0', '€'];
const QUERY_KEYS = ['limit', 'marker', 'attachment_id', 'state', 'resource_type', 'resource_id', 'sort_key', 'sort_dir', 'id', 'name'];
const HOSTS = ['er.cn-north-4.myhuaweicloud.com', 'er.eu-west-101.myhuaweicloud.eu', '127.0.0.1:38211', 'localhost:8443', '[::1]:9000'];
const CONTENT_TYPES = ['application/json', 'application/json;charset=UTF-8', 'text/plain; charset=utf-8'];

class Generator {
  readonly features = new Set<string>();
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(0, list.length - 1)]!;
  }
  chars(alphabet: string, min: number, max: number): string {
    let out = '';
    for (let n = this.int(min, max); n > 0; n -= 1) out += alphabet[this.int(0, alphabet.length - 1)];
    return out;
  }

  /** Text mixing unreserved, reserved, space and unicode pieces. */
  text(maxPieces: number): string {
    let out = '';
    for (let n = this.int(0, maxPieces); n > 0; n -= 1) {
      const kind = this.int(0, 4);
      if (kind === 0) out += this.chars(ID_CHARS + '.~', 1, 6);
      else if (kind === 1) {
        out += this.pick([...RESERVED]);
        this.features.add('reserved');
      } else if (kind === 2) {
        out += ' ';
        this.features.add('space');
      } else if (kind === 3) {
        out += this.pick(UNICODE);
        this.features.add('unicode');
      } else out += String(this.int(0, 9999));
    }
    return out;
  }

  scalar(): QueryValue {
    const kind = this.int(0, 9);
    if (kind === 0) {
      this.features.add('number');
      return this.chance(0.5) ? this.int(-1000, 100000) : this.int(0, 10000) / 100;
    }
    if (kind === 1) {
      this.features.add('boolean');
      return this.chance(0.5);
    }
    if (kind === 2) {
      this.features.add('empty-value');
      return '';
    }
    if (kind === 3) return this.chars(ID_CHARS, 1, 36);
    return this.text(6);
  }

  query(): Record<string, QueryValue | QueryValue[]> {
    const query: Record<string, QueryValue | QueryValue[]> = {};
    for (let n = this.int(0, 6); n > 0; n -= 1) {
      const key = this.chance(0.6) ? this.pick(QUERY_KEYS) : this.text(3) || 'k';
      if (this.chance(0.35)) {
        const values: QueryValue[] = [];
        for (let m = this.int(0, 4); m > 0; m -= 1) values.push(this.scalar());
        // Repeat a value sometimes: the same pair twice must be signed twice.
        if (values.length > 0 && this.chance(0.3)) {
          values.push(values[0]!);
          this.features.add('duplicate-pair');
        }
        this.features.add(values.length === 0 ? 'empty-array' : 'array');
        query[key] = values;
      } else {
        query[key] = this.scalar();
      }
    }
    if (Object.keys(query).length === 0) this.features.add('no-query');
    return query;
  }

  path(): string {
    if (this.chance(0.03)) {
      this.features.add('root-path');
      return '/';
    }
    const id = () => this.chars(ID_CHARS, 1, 36);
    let path: string;
    if (this.chance(0.5)) {
      const tail = this.pick(['associate', 'disassociate', 'associations']);
      path = `/v3/${id()}/enterprise-router/${id()}/route-tables/${id()}/${tail}`;
    } else {
      const segments = Array.from({ length: this.int(1, 6) }, id);
      path = `/${segments.join('/')}`;
    }
    if (this.chance(0.05)) {
      this.features.add('trailing-slash');
      path += '/';
    }
    return path;
  }

  json(depth: number): object {
    const object: Record<string, unknown> = {};
    for (let n = this.int(0, 4); n > 0; n -= 1) {
      const key = this.chance(0.5) ? this.pick(['attachment_id', 'route_policy', 'export_policy_id', 'name', 'description']) : this.text(3);
      const kind = this.int(0, 5);
      if (kind === 0 && depth > 0) object[key] = this.json(depth - 1);
      else if (kind === 1) object[key] = [this.scalar(), this.text(3)];
      else if (kind === 2) object[key] = null;
      else object[key] = this.scalar();
    }
    return object;
  }

  headerValue(): string {
    // Printable ASCII, no whitespace at either end (see the header comment).
    const printable = ID_CHARS + ".~!#$%&'*+^`|:;,/=?@[]{}()<>\"\\ ";
    return (this.chars(ID_CHARS, 1, 1) + this.chars(printable, 0, 30) + this.chars(ID_CHARS, 1, 1)).trim();
  }

  headerName(name: string): string {
    // The caller's casing must not matter: both signers lower-case names.
    const style = this.int(0, 2);
    if (style === 0) return name.toLowerCase();
    if (style === 1) return name.toUpperCase();
    return name;
  }

  next(index: number): Case {
    const method = this.pick(['GET', 'POST', 'PUT', 'DELETE']);
    this.features.add(`method-${method}`);
    const date = new Date(Date.UTC(2000, 0, 1) + Math.floor(this.random() * 100 * 365 * 86_400_000));
    const headers: Record<string, string> = { 'X-Sdk-Date': formatSdkDate(date) };
    if (this.chance(0.7)) headers[this.headerName('X-Project-Id')] = this.chars('0123456789abcdef', 32, 32);
    if (this.chance(0.4)) {
      headers[this.headerName('X-Client-Token')] = this.chars(ID_CHARS, 1, 64);
      this.features.add('client-token');
    }
    if (this.chance(0.4)) {
      // STS tokens are long and carry base64 punctuation.
      headers[this.headerName('X-Security-Token')] = this.chars(ID_CHARS + '+/=', 40, 400);
      this.features.add('security-token');
    }
    const wantsBody = method === 'POST' || method === 'PUT' ? this.chance(0.85) : this.chance(0.15);
    const body = wantsBody ? this.json(2) : undefined;
    this.features.add(body ? 'body' : 'empty-body');
    if (body && this.chance(0.8)) headers[this.headerName('Content-Type')] = this.pick(CONTENT_TYPES);
    if (this.chance(0.25)) {
      const name = `X-${this.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 1, 8)}-${this.chars('abcdefghij', 1, 5)}`;
      headers[name] = this.headerValue();
      this.features.add('extra-header');
    }
    return {
      index,
      method,
      host: this.pick(HOSTS),
      path: this.path(),
      query: this.query(),
      headers,
      body,
      ak: this.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 20, 20),
      sk: this.chars(ID_CHARS, 20, 40),
    };
  }
}

/** Deep copy of the query: the official signer sorts arrays in place. */
function copyQuery(query: Record<string, QueryValue | QueryValue[]>): Record<string, QueryValue | QueryValue[]> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]));
}

function officialAuthorization(c: Case): string {
  const request: OracleRequest = {
    endpoint: `https://${c.host}${c.path}`,
    method: c.method,
    headers: { ...c.headers },
    queryParams: copyQuery(c.query),
    ...(c.body ? { data: c.body } : {}),
  };
  const signed = AKSKSigner.sign(request, new BasicCredentials().withAk(c.ak).withSk(c.sk));
  const authorization = signed.Authorization;
  if (!authorization) throw new Error('the official signer returned no Authorization');
  return authorization;
}

function ourAuthorization(c: Case): { authorization: string; canonicalRequest: string } {
  const query: Query = copyQuery(c.query);
  return sign(
    { method: c.method, path: c.path, query, headers: { ...c.headers, host: c.host }, body: c.body ? JSON.stringify(c.body) : '' },
    { ak: c.ak, sk: c.sk },
  );
}

const generator = new Generator(SEED);
const cases = Array.from({ length: CASES }, (_, i) => generator.next(i));

describe('signer against the official AKSKSigner (seeded property test)', () => {
  it(`gives the same Authorization for ${CASES} random requests (seed ${SEED.toString(16)})`, () => {
    const mismatches: string[] = [];
    for (const c of cases) {
      const expected = officialAuthorization(c);
      const ours = ourAuthorization(c);
      if (ours.authorization !== expected) {
        mismatches.push(
          `case ${c.index}: ${JSON.stringify({ ...c, sk: '<sk>' })}\n  official: ${expected}\n  ours:     ${ours.authorization}\n  canonical:\n${ours.canonicalRequest}`,
        );
      }
    }
    expect(mismatches.slice(0, 3).join('\n\n')).toBe('');
    expect(mismatches).toHaveLength(0);
  });

  it('exercises every feature the property claims to cover', () => {
    const expected = [
      'method-GET', 'method-POST', 'method-PUT', 'method-DELETE',
      'reserved', 'space', 'unicode', 'number', 'boolean', 'empty-value',
      'array', 'empty-array', 'duplicate-pair', 'no-query',
      'body', 'empty-body', 'security-token', 'client-token', 'extra-header',
      'root-path', 'trailing-slash',
    ];
    expect([...generator.features].sort()).toEqual(expect.arrayContaining(expected));
    // Every reserved character shows up in some query value or key.
    const allQueryText = cases.flatMap((c) => Object.entries(c.query).flatMap(([k, v]) => [k, ...[v].flat().map(String)])).join('');
    for (const char of RESERVED) expect(allQueryText).toContain(char);
  });

  it('produces distinct signatures, so agreement is not an artefact of a constant', () => {
    const signatures = new Set(cases.map((c) => ourAuthorization(c).authorization));
    expect(signatures.size).toBe(CASES);
  });

  it('disagrees with the oracle when the secret key differs (the comparison has teeth)', () => {
    for (const c of cases.slice(0, 20)) {
      const ours = sign(
        { method: c.method, path: c.path, query: copyQuery(c.query), headers: { ...c.headers, host: c.host }, body: c.body ? JSON.stringify(c.body) : '' },
        { ak: c.ak, sk: c.sk + 'x' },
      );
      expect(ours.authorization).not.toBe(officialAuthorization(c));
    }
  });
});
