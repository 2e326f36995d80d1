// Shared by the list_* tools: opaque cursors, a bounded walk over API pages, and a size budget
// so that no result grows past what an agent's context (or the stdio pipe) can take.
import { createHash } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { CallOptions, ErClient, Page } from '../er/client.js';
import { callOptions, type ToolCall } from './context.js';
import { describeError, failure, resultText, success } from './results.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;
/** Characters of result text (the compact JSON as sent); beyond it the result is cut and says so. */
export const TEXT_BUDGET = 20_000;
/** A client-side name filter may need many API items per result: this bounds one call's work. */
export const MAX_SCAN_PER_CALL = 2_000;
export const MAX_PAGES_PER_CALL = 10;
/** API page size while a name filter is on (the API allows up to 2000). */
export const FILTER_PAGE_SIZE = 500;
/** Real names are at most 64 characters; a longer string is clipped so one item stays small. */
const MAX_FIELD_CHARS = 256;
const MAX_CURSOR_CHARS = 512;
/** API markers are item IDs; anything else never goes into a request from a cursor. */
const MARKER_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const CURSOR_VERSION = 1;

export const limitInput = z
  .number({ error: 'limit must be a whole number from 1 to 200' })
  .int({ error: 'limit must be a whole number from 1 to 200' })
  .min(1, { error: 'limit must be a whole number from 1 to 200' })
  .max(MAX_LIMIT, { error: 'limit must be a whole number from 1 to 200' })
  .optional()
  .describe('Most items to return, 1-200 (default 50). A result may hold fewer when it would exceed 20,000 characters.');

export const cursorInput = z
  .string()
  .max(MAX_CURSOR_CHARS, { error: 'cursor is too long: pass next_cursor exactly as a previous result gave it' })
  .optional()
  .describe('next_cursor from the previous result of this same tool, with the same other arguments. Omit to start from the beginning.');

export const nameFilterInput = z
  .string()
  .min(1)
  .max(128)
  .optional()
  .describe('Keep only items whose name contains this text, ignoring case (matched by this server, so a call may scan several API pages).');

/** A filter the API applies itself: sent as a query parameter, so kept to a plain token. */
export function apiFilterInput(name: string, description: string) {
  return z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: `${name} must be 1-64 characters of A-Z, a-z, 0-9, "_" or "-"` })
    .optional()
    .describe(description);
}

export function listOutput(itemsKey: string, item: z.ZodType, header: z.ZodRawShape) {
  return z.object({
    ...header,
    [itemsKey]: z.array(item),
    count: z.number().int().describe('How many items this result holds'),
    next_cursor: z
      .string()
      .optional()
      .describe('Present when more items follow: pass it as cursor, with the same other arguments, to continue'),
    truncated: z.boolean().describe('True when items were left out to stay under 20,000 characters; next_cursor starts at the first one left out'),
    note: z.string().optional(),
    sandbox: z.boolean().describe('True when talking to the local emulator, not Huawei Cloud'),
  });
}

/** Drops empty values and clips long strings, so that items carry only what says something. */
export function compact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null || value === '') continue;
    out[key] = typeof value === 'string' && value.length > MAX_FIELD_CHARS ? `${value.slice(0, MAX_FIELD_CHARS - 1)}…` : value;
  }
  return out;
}

export interface ListRequest<T> {
  /** Tool name: a cursor is only valid for the tool that issued it. */
  tool: string;
  itemsKey: string;
  /** Every argument except limit and cursor: a cursor is only valid for the same ones. */
  scope: Record<string, string | undefined>;
  limit?: number;
  cursor?: string;
  /** Client-side, case-insensitive substring filter on `name`. */
  name?: string;
  /** Another filter this server applies (the API has none for it); scanned like the name filter. */
  match?: (item: T) => boolean;
  fetch(er: ErClient, marker: string | undefined, limit: number, options: CallOptions): Promise<Page<T>>;
  toItem(item: T): Record<string, unknown>;
  /** Fields put before the items, e.g. the er_id listed. */
  header: Record<string, unknown>;
  /** IDs for error hints. */
  errorIds: Record<string, string | undefined>;
}

export async function runList<T extends { id: string; name?: string | null }>(call: ToolCall, request: ListRequest<T>): Promise<CallToolResult> {
  const { er, env } = call;
  const fingerprint = fingerprintOf(request.tool, request.scope);
  let start: string | undefined;
  if (request.cursor !== undefined) {
    const decoded = decodeCursor(request.cursor, request.tool, fingerprint);
    if ('problem' in decoded) return invalidCursor(decoded.problem);
    start = decoded.marker;
  }
  const needle = request.name?.toLowerCase();
  const byName = needle === undefined ? () => true : (item: T) => (item.name ?? '').toLowerCase().includes(needle);
  const keep = request.match ? (item: T) => byName(item) && request.match!(item) : byName;
  const filtering = needle !== undefined || request.match !== undefined;
  const options = callOptions(call);
  try {
    const walked = await walk((marker, size) => request.fetch(er, marker, size, options), start, request.limit ?? DEFAULT_LIMIT, keep, filtering);
    const items = walked.items.map((w) => ({ ...w, view: request.toItem(w.item) }));
    const build = (count: number, next: string | undefined, truncated: boolean): Record<string, unknown> => ({
      ...request.header,
      [request.itemsKey]: items.slice(0, count).map((i) => i.view),
      count,
      ...(next !== undefined ? { next_cursor: encodeCursor(request.tool, fingerprint, next) } : {}),
      truncated,
      ...noteFor(truncated, walked),
      sandbox: env.sandbox,
    });
    const result = fitToBudget(build, items, walked.next);
    env.log.debug({ tool: request.tool, pages: walked.pages, scanned: walked.scanned, returned: result.count, truncated: result.truncated }, 'listed');
    return success(result);
  } catch (error) {
    return failure(describeError(error, { ids: request.errorIds, nowMs: env.clock.now() }));
  }
}

function noteFor(truncated: boolean, walked: Walked<unknown>): { note?: string } {
  if (truncated) return { note: `Cut to stay under ${TEXT_BUDGET} characters: call again with next_cursor for the rest.` };
  if (walked.scanLimited) {
    return { note: `Looked through ${walked.scanned} items for the filter and stopped to keep this call short: call again with next_cursor to keep looking.` };
  }
  return {};
}

interface Walked<T> {
  /** Each kept item with the marker that lists again from it (the ID of the item scanned before it). */
  items: Array<{ item: T; before: string | undefined }>;
  /** Marker of the first item not yet looked at, when there is more. */
  next: string | undefined;
  scanned: number;
  pages: number;
  scanLimited: boolean;
}

/**
 * Walks API pages from `start` until `limit` items are kept, the list ends, or the scan bound is hit.
 * Between pages it follows `next_marker` and stops when it is empty or repeats the marker just sent
 * (er-api.md). Inside a page it resumes by item ID, which is what the API's marker is documented to be.
 */
export async function walk<T extends { id: string }>(
  fetchPage: (marker: string | undefined, size: number) => Promise<Page<T>>,
  start: string | undefined,
  limit: number,
  keep: (item: T) => boolean,
  filtering: boolean,
): Promise<Walked<T>> {
  const items: Walked<T>['items'] = [];
  let marker = start;
  let scanned = 0;
  let pages = 0;
  for (;;) {
    // One extra item tells whether more follow without a second request.
    const size = filtering ? FILTER_PAGE_SIZE : limit - items.length + 1;
    const page = await fetchPage(marker, size);
    pages += 1;
    let before = marker;
    for (const item of page.items) {
      if (items.length === limit) return { items, next: before, scanned, pages, scanLimited: false };
      scanned += 1;
      if (keep(item)) items.push({ item, before });
      before = item.id;
    }
    const nextMarker = page.nextMarker;
    if (!nextMarker || nextMarker === marker) return { items, next: undefined, scanned, pages, scanLimited: false };
    marker = nextMarker;
    if (items.length === limit) {
      // Full exactly at a page end, and the API sends a marker even on its last page: look at one
      // item so as not to hand out a cursor that leads to an empty result.
      const peek = await fetchPage(marker, 1);
      pages += 1;
      return { items, next: peek.items.length > 0 ? marker : undefined, scanned, pages, scanLimited: false };
    }
    if (scanned >= MAX_SCAN_PER_CALL || pages >= MAX_PAGES_PER_CALL) return { items, next: marker, scanned, pages, scanLimited: true };
  }
}

/**
 * The full result when it fits; otherwise the most items (at least one, so paging always moves on)
 * whose text fits, marked truncated, with a cursor at the first item left out.
 */
function fitToBudget(
  build: (count: number, next: string | undefined, truncated: boolean) => Record<string, unknown>,
  items: Array<{ before: string | undefined }>,
  next: string | undefined,
): { count: number; truncated: boolean } & Record<string, unknown> {
  const full = build(items.length, next, false);
  // One item always fits (fields are clipped), so a lone item is never cut.
  if (items.length <= 1 || textLength(full) <= TEXT_BUDGET) return { ...full, count: items.length, truncated: false };
  const cut = (k: number) => build(k, items[k]!.before, true);
  let low = 1;
  let high = items.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (textLength(cut(mid)) <= TEXT_BUDGET) low = mid;
    else high = mid - 1;
  }
  return { ...cut(low), count: low, truncated: true };
}

/** Length of the text block `success()` sends: the same compact JSON (results.ts resultText). */
export function textLength(structured: Record<string, unknown>): number {
  return resultText(structured).length;
}

function fingerprintOf(tool: string, scope: Record<string, string | undefined>): string {
  const canonical = JSON.stringify([tool, ...Object.keys(scope).sort().map((key) => [key, scope[key] ?? null])]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

function encodeCursor(tool: string, fingerprint: string, marker: string | undefined): string {
  if (marker === undefined || !MARKER_PATTERN.test(marker)) {
    throw new Error('The API returned an item ID that cannot serve as a paging marker, so paging cannot continue.');
  }
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, t: tool, q: fingerprint, m: marker }), 'utf8').toString('base64url');
}

const cursorSchema = z.strictObject({
  v: z.literal(CURSOR_VERSION),
  t: z.string(),
  q: z.string(),
  m: z.string().regex(MARKER_PATTERN),
});

/** Strict: canonical base64url, JSON of exactly the expected shape, same tool, same arguments. */
export function decodeCursor(text: string, tool: string, fingerprint: string): { marker: string } | { problem: string } {
  const notOurs = { problem: 'cursor is not a next_cursor this server issued (it may have been altered or cut short).' };
  if (text.length === 0 || text.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(text)) return notOurs;
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.toString('base64url') !== text) return notOurs;
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return notOurs;
  }
  const cursor = cursorSchema.safeParse(parsed);
  if (!cursor.success) return notOurs;
  if (cursor.data.t !== tool) return { problem: `cursor was issued by ${cursor.data.t}, not ${tool}.` };
  if (cursor.data.q !== fingerprint) return { problem: 'cursor was issued for different arguments (IDs or filters) than this call has.' };
  return { marker: cursor.data.m };
}

function invalidCursor(problem: string): CallToolResult {
  return failure({
    error_code: 'INVALID_CURSOR',
    error_msg: problem,
    http_status: null,
    request_id: null,
    retryable: false,
    attempts: 0,
    hint: 'Pass next_cursor exactly as the previous result gave it, with the same other arguments as that call; or omit cursor to start from the beginning.',
  });
}
