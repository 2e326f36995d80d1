// The emulator's HTTP plumbing: reading a request, writing a reply, query strings and the API's
// paging and error bodies. No ER semantics here.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error.js';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Query = Record<string, string[]>;

const MAX_BODY_BYTES = 1024 * 1024;

export function ok(body: object): Reply {
  return { status: 200, body };
}

export function apiError(status: number, code: string, message: string): Reply {
  return { status, body: { error_code: code, error_msg: message, request_id: randomUUID() } };
}

/** The API's answer to a path or method it does not have. */
export function notFoundReply(): Reply {
  return apiError(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment.');
}

export function send(res: ServerResponse, reply: Reply): void {
  const isRaw = typeof reply.body === 'string';
  const payload = reply.body === undefined ? '' : isRaw ? (reply.body as string) : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'x-request-id': (reply.body as { request_id?: string } | undefined)?.request_id ?? randomUUID(),
    ...(payload && !isRaw ? { 'content-type': 'application/json' } : {}),
    ...reply.headers,
  });
  res.end(payload);
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Repeated keys become arrays; values are percent-decoded (never `+` as space, as signing requires). */
export function parseQuery(search: string): Query {
  const query: Query = {};
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = safeDecode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : safeDecode(pair.slice(eq + 1));
    (query[key] ??= []).push(value);
  }
  return query;
}

export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The items whose `key` is among the query's values for it, for each filter key the query names. */
export function filter<T extends object>(items: T[], query: Query, keys: string[]): T[] {
  return items.filter((item) =>
    keys.every((key) => {
      const wanted = query[key];
      return !wanted || wanted.includes(String((item as Record<string, unknown>)[key] ?? ''));
    }),
  );
}

/** `limit` + `marker` paging; like the real API, the last page may still carry a marker. */
export function page(query: Query, key: string, items: Array<object>, idKey = 'id'): Reply {
  const limitText = query.limit?.[0] ?? '2000';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 2000) return apiError(400, 'ER.04009005', 'limit must be from 1 to 2000.');
  const marker = query.marker?.[0];
  let start = 0;
  if (marker !== undefined) {
    const ids = items.map((item) => String((item as Record<string, unknown>)[idKey] ?? ''));
    const index = ids.indexOf(marker);
    // The marker's item may be gone by the next page (an association finished deleting): carry on
    // after where it would have been. Lists here come in ascending id order (seeded ids are
    // ordered, new ids grow), so that is the first id that sorts after the marker.
    start = index !== -1 ? index + 1 : ids.findIndex((id) => id > marker);
    if (start === -1) start = items.length;
  }
  const slice = items.slice(start, start + limit);
  const last = slice[slice.length - 1] as Record<string, unknown> | undefined;
  return ok({ [key]: slice, page_info: { next_marker: String(last?.[idKey] ?? ''), current_count: slice.length }, request_id: randomUUID() });
}

/** The request body as a JSON object; anything else is the API's 400. */
export function jsonBody(body: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'ER.04009005', 'The request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ApiError(400, 'ER.04009005', 'The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

export function attachmentIdFrom(body: Buffer): string {
  const id = jsonBody(body).attachment_id;
  if (typeof id !== 'string' || id === '') throw new ApiError(400, 'ER.04009005', 'attachment_id is required.');
  return id;
}
