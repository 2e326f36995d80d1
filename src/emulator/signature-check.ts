// Checks a request's SDK-HMAC-SHA256 signature with the project's own signer, as APIG does: a
// known access key, a signed X-Sdk-Date within 15 minutes of the emulator's clock, the security
// token when the credential has one, and the same signature over the headers the client named.
import type { IncomingMessage } from 'node:http';
import { parseSdkDate, sign } from '../http/signer.js';
import { header, parseQuery } from './http-io.js';

export interface EmulatorCredential {
  ak: string;
  sk: string;
  /** When set, requests must send and sign this `X-Security-Token`. */
  securityToken?: string;
}

const MAX_SKEW_MS = 15 * 60 * 1000;

/** Why the request's signature is not accepted, or undefined when it is. */
export function signatureProblem(req: IncomingMessage, url: URL, body: Buffer, credentials: readonly EmulatorCredential[], nowMs: number): string | undefined {
  const authorization = header(req, 'authorization') ?? '';
  const match = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!match) return 'missing or malformed Authorization header';
  const [, ak, signedHeaderList, signature] = match as unknown as [string, string, string, string];
  const credential = credentials.find((c) => c.ak === ak);
  if (!credential) return 'unknown access key';
  const names = signedHeaderList.split(';');
  // The reference requires X-Sdk-Date among the signed headers; which others are signed is the client's choice.
  if (!names.includes('x-sdk-date')) return 'x-sdk-date must be signed';
  const date = parseSdkDate(header(req, 'x-sdk-date') ?? '');
  if (!date) return 'missing or malformed X-Sdk-Date';
  if (Math.abs(nowMs - date.getTime()) > MAX_SKEW_MS) return 'X-Sdk-Date is more than 15 minutes away from server time';
  if (credential.securityToken !== undefined) {
    if (!names.includes('x-security-token') || header(req, 'x-security-token') !== credential.securityToken) return 'invalid security token';
  }
  const headers: Record<string, string> = {};
  for (const name of names) headers[name] = header(req, name) ?? '';
  const expected = sign({ method: req.method ?? 'GET', path: url.pathname, query: parseQuery(url.search), headers, body }, credential);
  return expected.signature === signature ? undefined : 'signature does not match';
}
