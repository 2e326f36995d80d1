// SDK-HMAC-SHA256 request signing (Huawei Cloud API Gateway), as a pure function.
// See docs: canonical request → string to sign → HMAC-SHA256 keyed directly with the SK.
import { createHash, createHmac } from 'node:crypto';

export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';

export type QueryValue = string | number | boolean;
export type Query = Record<string, QueryValue | readonly QueryValue[] | undefined>;

export interface SigningKey {
  ak: string;
  sk: string;
}

export interface SignableRequest {
  method: string;
  /** The URL path as sent, without query, e.g. `/v3/p/enterprise-router/instances`. */
  path: string;
  query?: Query;
  /** Every header here is signed; it must already contain `X-Sdk-Date` (and `host`). */
  headers: Record<string, string>;
  /** The exact body bytes that will be sent. */
  body: string | Uint8Array;
}

export interface Signature {
  authorization: string;
  signedHeaders: string;
  signature: string;
  canonicalRequest: string;
}

const UNRESERVED = /[A-Za-z0-9\-_.~]/;
const ALL_UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;

/** Percent-encodes every UTF-8 byte outside the unreserved set, upper-case hex; space is %20. */
export function percentEncode(value: string): string {
  // Most IDs and values need no encoding at all: skip the per-character walk for them.
  if (ALL_UNRESERVED.test(value)) return value;
  let out = '';
  for (const char of value) {
    if (UNRESERVED.test(char)) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) {
      out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

/** Query pairs in signing order: by raw key, then raw value, as the official SDK sorts them. */
export function sortedQueryPairs(query: Query | undefined): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (!query) return pairs;
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    if (value === undefined) continue;
    const values = (Array.isArray(value) ? value : [value]).map(String).sort();
    for (const v of values) pairs.push([key, v]);
  }
  return pairs;
}

/** The query string exactly as signed; also used to build the URL so both always agree. */
export function canonicalQueryString(query: Query | undefined): string {
  return sortedQueryPairs(query)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
}

/** Each segment of the path as sent, percent-encoded, always ending in `/`. */
export function canonicalUri(path: string): string {
  const encoded = path.split('/').map(percentEncode).join('/');
  return encoded.endsWith('/') ? encoded : encoded + '/';
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sign(request: SignableRequest, key: SigningKey): Signature {
  const headers = Object.entries(request.headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const date = headers.find(([name]) => name === 'x-sdk-date')?.[1];
  if (!date) throw new Error('X-Sdk-Date header is required for signing');

  const signedHeaders = headers.map(([name]) => name).join(';');
  const canonicalHeaders = headers.map(([name, value]) => `${name}:${value}\n`).join('');
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalUri(request.path),
    canonicalQueryString(request.query),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const stringToSign = [SIGNING_ALGORITHM, date, sha256Hex(canonicalRequest)].join('\n');
  const signature = createHmac('sha256', key.sk).update(stringToSign).digest('hex');
  return {
    authorization: `${SIGNING_ALGORITHM} Access=${key.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    signedHeaders,
    signature,
    canonicalRequest,
  };
}

/** `X-Sdk-Date` format: YYYYMMDDTHHMMSSZ in UTC. */
export function formatSdkDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Parses `YYYYMMDDTHHMMSSZ`; returns undefined when malformed. */
export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
