// What the emulator keeps of every request it routed, for tests: enough to check a client's
// requests against the API reference (test/contract), never enough to replay or sign one.
import type { IncomingMessage } from 'node:http';
import { type ErOperation, OPERATIONS } from '../er/operations.js';
import { header, type Query } from './http-io.js';

export interface RecordedRequest {
  method: string;
  path: string;
  /** The operation's name in src/er/operations.ts, or `unknown` for a path the API does not have. */
  operation: ErOperation | 'unknown';
  status: number;
  clientToken?: string;
  /** The query as sent, decoded; a repeated name has several values. */
  query: Query;
  /** The request headers (lower-case names) but the signature and the security token. */
  headers: Record<string, string>;
  /** The body parsed as JSON; absent when there was none, or it was not JSON. */
  json?: unknown;
}

/** Whether a recorded request was one that changes something (tests prove "nothing was sent" with it). */
export function isWrite(request: RecordedRequest): boolean {
  return request.operation !== 'unknown' && OPERATIONS[request.operation].write;
}

/** The record of one request, once its status is known. */
export function recordOf(req: IncomingMessage, seen: { path: string; operation: ErOperation | 'unknown'; query: Query; body: Buffer }, status: number): RecordedRequest {
  return {
    method: req.method ?? '',
    path: seen.path,
    operation: seen.operation,
    status,
    clientToken: header(req, 'x-client-token'),
    query: seen.query,
    headers: recordedHeaders(req),
    ...parsedJson(seen.body),
  };
}

/** Headers as received, minus what would let a reader of the log replay or sign requests. */
function recordedHeaders(req: IncomingMessage): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of Object.keys(req.headers)) {
    if (name === 'authorization' || name === 'x-security-token') continue;
    kept[name] = header(req, name) ?? '';
  }
  return kept;
}

function parsedJson(body: Buffer): { json?: unknown } {
  if (body.length === 0) return {};
  try {
    return { json: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return {};
  }
}
