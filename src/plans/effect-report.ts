// The `routing_effect` of dry-run plans: the effective-route reads it needs (bounded, in parallel
// where independent), the computation from src/er/routing-effect.ts, and a compact output that
// stays well inside a result's text budget. A failed read leaves the plan standing, with a note.
import { z } from 'zod';
import type { CallOptions, ErClient } from '../er/client.js';
import { ErApiError, HttpFailure } from '../er/errors.js';
import {
  type AssociationEffect,
  associationEffect,
  type ChangedEntry,
  type Hop,
  type Listed,
  type PropagationEffect,
  type PropagationInput,
  prefixesOf,
  propagationEffect,
  type RouteEntry,
  type RoutingConflict,
  type TableRoutes,
} from '../er/routing-effect.js';
import { withStaticRoutes } from '../er/static-routes.js';
import type { EffectiveRoute, StaticRoute } from '../er/types.js';
import { resultText } from '../toolkit/results.js';
import type { Expectation } from './expectation.js';
import { predictPropagationTable, routeMap } from './verification.js';

/** Routes read per table: ten full API pages. A larger table is computed on these and says so. */
export const MAX_ROUTES_PER_TABLE = 20_000;
const PAGE_SIZE = 2_000;
/** Route tables read to learn an attachment's prefixes; a router has a few (the quota is small). */
export const MAX_TABLES_READ = 50;
const PARALLEL_READS = 4;
/** The JSON of one effect, as sent (compact, results.ts resultText), stays under this many characters; lists shrink (counts stay exact) to fit. */
export const EFFECT_TEXT_BUDGET = 9_000;

export const hopOutput = z.object({ attachment_id: z.string().nullable(), resource_type: z.string().nullable() });
export const routeOutput = z.object({
  destination: z.string(),
  route_type: z.string().nullable().describe('"static" or "propagation" as the API says'),
  next_hops: z.array(hopOutput),
  blackhole: z.boolean().optional().describe('Present and true for a blackhole route: traffic to it is dropped'),
});
export const changedOutput = z.object({ destination: z.string(), before: z.array(hopOutput), after: z.array(hopOutput) });
const conflictOutput = z.object({
  kind: z.string().describe('blackhole, inside_blackhole, static_route, more_specific_route or learned_from_another_attachment'),
  destination: z.string().describe('The attachment prefix concerned'),
  route_destination: z.string().describe('The destination of the route in the way'),
  message: z.string(),
});
export const listedOf = <T extends z.ZodType>(item: T, what: string) =>
  z.object({ count: z.number().int().describe(`How many ${what} in all`), entries: z.array(item).describe('The first ones by destination (at most 20)') });

export const associationEffectOutput = z
  .object({
    route_table_before: z.string().nullable().describe('The route table the attachment’s traffic is looked up in now (null: none)'),
    route_table_after: z.string().nullable().describe('The one it would use after the change'),
    added: listedOf(routeOutput, 'destinations become reachable'),
    removed: listedOf(routeOutput, 'destinations stop being reachable (no route, or a blackhole)'),
    changed: listedOf(changedOutput, 'destinations stay reachable through other next hops'),
    unchanged: z.number().int(),
    blackholed_after: listedOf(z.string(), 'destinations the table after the change drops'),
    complete: z.boolean().describe('False when a table had more routes than were read'),
  })
  .describe('What the attachment can reach before and after, from the effective routes of both tables');

export const propagationEffectOutput = z
  .object({
    route_table_id: z.string(),
    prefixes_known: z.boolean().describe('False when the attachment’s prefixes cannot be read yet (it propagates into no table)'),
    prefixes: listedOf(z.string(), 'prefixes of the attachment concerned'),
    appear: listedOf(routeOutput, 'destinations appear in the table’s effective routes'),
    disappear: listedOf(routeOutput, 'destinations disappear from them'),
    changed: listedOf(changedOutput, 'destinations change next hops'),
    conflicts: listedOf(conflictOutput, 'routes stand in the way'),
    notes: z.array(z.string()),
    complete: z.boolean().describe('False when not every route table or route could be read'),
  })
  .describe('How the target table’s effective routes change, and what stands in the way (docs/routing.md)');

export type AssociationEffectOutput = z.infer<typeof associationEffectOutput>;
export type PropagationEffectOutput = z.infer<typeof propagationEffectOutput>;

/** Either an effect, or why there is none (`routing_effect: null` plus this note). */
export type EffectOutcome<T> = { effect: T } | { effect: null; note: string };

/** An effect with what it was computed from: the tables read, and the tables as the change should leave them. */
export type ComputedEffect<T> = EffectOutcome<T> & { read: ReadTable[]; expectation: Expectation | null };

export interface ReadTable extends TableRoutes {
  complete: boolean;
  /** The table's static routes as ListStaticRoutes gives them; null when that list could not be read. */
  static_routes: StaticRoute[] | null;
}

/**
 * One table's routes as a change will meet them: its effective routes (at most
 * MAX_ROUTES_PER_TABLE), with its static routes read through their own list merged in
 * (static-routes.ts in src/er). Static routes are few (a small quota per table); if their list
 * cannot be read (a policy without er:staticRoutes:list), the effective routes alone are used.
 */
export async function readRoutes(er: ErClient, routeTableId: string, options: CallOptions): Promise<ReadTable> {
  const [effective, statics] = await Promise.all([readEffectiveRoutes(er, routeTableId, options), readStaticRoutes(er, routeTableId, options)]);
  const routes = statics ? withStaticRoutes(effective.routes, statics) : effective.routes;
  return { route_table_id: routeTableId, routes, complete: effective.complete, static_routes: statics };
}

async function readEffectiveRoutes(er: ErClient, routeTableId: string, options: CallOptions): Promise<{ routes: EffectiveRoute[]; complete: boolean }> {
  const routes: EffectiveRoute[] = [];
  for await (const route of er.listAll((marker) => er.listEffectiveRoutes(routeTableId, { ...options, marker, limit: PAGE_SIZE }))) {
    if (routes.length === MAX_ROUTES_PER_TABLE) return { routes, complete: false };
    routes.push(route);
  }
  return { routes, complete: true };
}

async function readStaticRoutes(er: ErClient, routeTableId: string, options: CallOptions): Promise<StaticRoute[] | null> {
  try {
    const routes: StaticRoute[] = [];
    for await (const route of er.listAll((marker) => er.listStaticRoutes(routeTableId, { ...options, marker, limit: PAGE_SIZE }))) {
      if (routes.length === MAX_ROUTES_PER_TABLE) break;
      routes.push(route);
    }
    return routes;
  } catch (error) {
    // A cancelled call stops here as it would at the effective routes.
    if (options.signal?.aborted) throw error;
    return null;
  }
}

/** Starts reading a table's routes; a failure is kept as a value (the plan goes on without an effect). */
export function startRead(er: ErClient, routeTableId: string | null, options: CallOptions): Promise<ReadTable | null | { failed: string }> {
  if (routeTableId === null) return Promise.resolve(null);
  return readRoutes(er, routeTableId, options).catch((error: unknown) => ({ failed: failedRead(error, options.signal) }));
}

export async function associationRoutingEffect(
  before: Promise<ReadTable | null | { failed: string }>,
  after: Promise<ReadTable | null | { failed: string }>,
): Promise<ComputedEffect<AssociationEffectOutput>> {
  const [was, will] = await Promise.all([before, after]);
  for (const read of [was, will]) if (read && 'failed' in read) return { effect: null, note: read.failed, read: [], expectation: null };
  const [b, a] = [was as ReadTable | null, will as ReadTable | null];
  const effect = associationEffect(b, a);
  const read = [...new Set([b, a])].filter((t): t is ReadTable => t !== null);
  // An association changes which table the attachment uses, not the tables' routes: both stay as read.
  const expectation = read.every((t) => t.complete) ? { tables: read.map((t) => ({ route_table_id: t.route_table_id, routes: routeMap(t.routes) })) } : null;
  return { effect: fit(compactAssociation(effect, (b?.complete ?? true) && (a?.complete ?? true))), read, expectation };
}

/**
 * Propagation create: the target's routes and every table's (to learn the attachment's prefixes).
 * Delete: the target's routes only.
 */
export async function propagationRoutingEffect(
  er: ErClient,
  input: { action: 'create' | 'delete'; erId: string; routeTableId: string; attachment: { id: string; resource_type: string | null } },
  options: CallOptions,
): Promise<ComputedEffect<PropagationEffectOutput>> {
  try {
    let tables: ReadTable[];
    let allTablesRead = true;
    if (input.action === 'create') {
      const ids: string[] = [];
      for await (const table of er.listAll((marker) => er.listRouteTables(input.erId, { ...options, marker, limit: 200 }))) {
        if (ids.length === MAX_TABLES_READ) {
          allTablesRead = false;
          break;
        }
        ids.push(table.id);
      }
      if (!ids.includes(input.routeTableId)) ids.push(input.routeTableId);
      tables = await inParallel(ids, PARALLEL_READS, (id) => readRoutes(er, id, options));
    } else {
      tables = [await readRoutes(er, input.routeTableId, options)];
    }
    const target = tables.find((t) => t.route_table_id === input.routeTableId)!;
    const prefixes = input.action === 'create' ? prefixesOf(input.attachment.id, tables) : null;
    const effectInput = { action: input.action, attachment: input.attachment, target, prefixes: prefixes && prefixes.length > 0 ? prefixes : null };
    const effect = propagationEffect(effectInput);
    const complete = allTablesRead && tables.every((t) => t.complete);
    return { effect: fit(compactPropagation(effect, complete)), read: tables, expectation: target.complete ? propagationExpectation(effectInput) : null };
  } catch (error) {
    return { effect: null, note: failedRead(error, options.signal), read: [], expectation: null };
  }
}

/** Lines for the human's approval message; `names` turns the route table IDs it knows into names. */
export function describeAssociationEffect(outcome: EffectOutcome<AssociationEffectOutput>, names: Record<string, string | null> = {}): string[] {
  if (!outcome.effect) return [`Routing effect: unknown (${outcome.note})`];
  const e = outcome.effect;
  const table = (id: string | null) => (id === null ? 'no route table' : names[id] ? `${names[id]} (${id})` : id);
  return [
    `Routing effect: lookups move from ${table(e.route_table_before)} to ${table(e.route_table_after)}; ` +
      `reachable destinations +${e.added.count} −${e.removed.count}, ${e.changed.count} via other next hops, ${e.unchanged} unchanged.`,
    ...sample('Reachable after', e.added.entries.map((r) => r.destination), e.added.count),
    ...sample('No longer reachable', e.removed.entries.map((r) => r.destination), e.removed.count),
  ];
}

export function describePropagationEffect(outcome: EffectOutcome<PropagationEffectOutput>, tableName: string | null = null): string[] {
  if (!outcome.effect) return [`Routing effect: unknown (${outcome.note})`];
  const e = outcome.effect;
  return [
    `Routing effect on ${tableName ?? `route table ${e.route_table_id}`}: ${e.appear.count} destination(s) appear, ${e.disappear.count} disappear, ${e.changed.count} change next hop.`,
    ...sample('Appear', e.appear.entries.map((r) => r.destination), e.appear.count),
    ...sample('Disappear', e.disappear.entries.map((r) => r.destination), e.disappear.count),
    ...e.conflicts.entries.map((c) => `Routing conflict: ${c.message}`),
    ...e.notes.map((n) => `Note: ${n}`),
  ];
}

export function sample(label: string, destinations: string[], count: number): string[] {
  if (count === 0) return [];
  const shown = destinations.slice(0, 5).join(', ');
  return [`${label}: ${shown}${count > 5 ? ` and ${count - 5} more` : ''}`];
}

function hops(entry: RouteEntry): Hop[] {
  return entry.next_hops;
}

export function route(entry: RouteEntry): z.infer<typeof routeOutput> {
  return { destination: entry.destination, route_type: entry.route_type, next_hops: hops(entry), ...(entry.is_blackhole ? { blackhole: true } : {}) };
}

export function changed(entry: ChangedEntry): z.infer<typeof changedOutput> {
  return { destination: entry.destination, before: hops(entry.before), after: hops(entry.after) };
}

function conflict(entry: RoutingConflict): z.infer<typeof conflictOutput> {
  return { kind: entry.kind, destination: entry.destination, route_destination: entry.route.destination, message: entry.message };
}

export function mapped<T, U>(listed: Listed<T>, f: (item: T) => U): { count: number; entries: U[] } {
  return { count: listed.count, entries: listed.entries.map(f) };
}

function compactAssociation(e: AssociationEffect, complete: boolean): AssociationEffectOutput {
  return {
    route_table_before: e.route_table_before,
    route_table_after: e.route_table_after,
    added: mapped(e.added, route),
    removed: mapped(e.removed, route),
    changed: mapped(e.changed, changed),
    unchanged: e.unchanged,
    blackholed_after: e.blackholed_after,
    complete,
  };
}

function compactPropagation(e: PropagationEffect, complete: boolean): PropagationEffectOutput {
  return {
    route_table_id: e.route_table_id,
    prefixes_known: e.prefixes_known,
    prefixes: e.prefixes,
    appear: mapped(e.appear, route),
    disappear: mapped(e.disappear, route),
    changed: mapped(e.changed, changed),
    conflicts: mapped(e.conflicts, conflict),
    notes: e.notes,
    complete,
  };
}

/** Halves every list's entries until the effect's JSON fits EFFECT_TEXT_BUDGET; counts stay exact. */
export function fit<T extends Record<string, unknown>>(effect: T): T {
  let current = effect;
  for (let keep = 10; resultText(current).length > EFFECT_TEXT_BUDGET && keep >= 1; keep = Math.floor(keep / 2)) {
    const cut: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(effect)) {
      const list = value as { count?: unknown; entries?: unknown[] };
      cut[key] = list && typeof list === 'object' && Array.isArray(list.entries) ? { ...list, entries: list.entries.slice(0, keep) } : value;
    }
    current = cut as T;
  }
  return current;
}

export function failedRead(error: unknown, signal: AbortSignal | undefined): string {
  // A cancelled call ends here too; the caller's own next request reports the cancellation.
  if (signal?.aborted) return 'the call was cancelled';
  if (error instanceof ErApiError) return `reading effective routes failed: ${error.errorCode} (HTTP ${error.httpStatus})`;
  if (error instanceof HttpFailure) return `reading effective routes failed: ${error.kind}`;
  return 'reading effective routes failed';
}

export async function inParallel<T, U>(items: readonly T[], width: number, work: (item: T) => Promise<U>): Promise<U[]> {
  const results = new Array<U>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!);
      }
    }),
  );
  return results;
}

/**
 * The target table after the propagation change. Where the attachment's prefixes are unknown the
 * table is expected unchanged, except for routes through the attachment itself.
 */
function propagationExpectation(input: PropagationInput): Expectation {
  const predicted = predictPropagationTable(input);
  const id = input.target.route_table_id;
  if (predicted) return { tables: [{ route_table_id: id, routes: predicted }] };
  return { tables: [{ route_table_id: id, routes: routeMap(input.target.routes), unpredictableVia: input.attachment.id }] };
}
