// What routing invariants are evaluated on: one router's attachments (and the route table each is
// associated with), its route tables, and the routes of the tables the invariants need. Read here
// (bounded, in parallel), predicted from a plan in predicted-state.ts, evaluated in invariants.ts.
import type { CallOptions, ErClient, Page } from '../er/client.js';
import { type RouteEntry, toEntry } from '../er/routing-effect.js';
import { failedRead, inParallel, MAX_ROUTES_PER_TABLE, readRoutes } from '../plans/effect-report.js';
import { tablesNeeded } from './invariants.js';
import type { Invariant, ResourceRef } from './model.js';
import { isPattern, type Named, refMatches } from './refs.js';

/** An attachment of the router, and where its traffic is looked up. */
export interface StateAttachment extends Named {
  resource_type: string | null;
  /** The route table it is associated with; null: none (it reaches nothing). */
  route_table_id: string | null;
}

/** A table's routes as far as they are known. */
export type TableRouting =
  | {
      known: true;
      /** Canonical destination → the route the table uses for it. */
      routes: ReadonlyMap<string, RouteEntry>;
      /**
       * Destinations whose route a predicted change removes: a route no read could see (a
       * propagated one the API does not list while another wins) may take them over.
       */
      possiblyHidden?: readonly string[];
    }
  | { known: false; reason: string };

export interface RoutingState {
  router: Named;
  attachments: readonly StateAttachment[];
  routeTables: readonly Named[];
  /** Set when a list was cut short: sets of attachments by table or name pattern may miss some. */
  incomplete?: string;
  /** Routes by route table ID, for the tables read (or predicted); a table absent was not read. */
  routes: ReadonlyMap<string, TableRouting>;
}

/** What a reader must read besides the lists: the tables these invariants need, and these. */
export interface RoutingNeeds {
  invariants: readonly Invariant[];
  /** Route tables whose routes are read too, by ID (the one a change touches). */
  tables?: readonly string[];
}

/** At most this many list entries are read; the router quotas are far below. */
export const MAX_ATTACHMENTS_READ = 5_000;
export const MAX_TABLES_LISTED = 500;
const PARALLEL_READS = 4;

/**
 * The router's routing state as invariants need it. The router and both lists are read first, in
 * parallel; a failure there throws (nothing can be evaluated). Then the routes of the tables
 * needed, at most PARALLEL_READS at a time: a table whose routes cannot be read, or has more than
 * are read, is kept with the reason, and invariants about it come out unknown.
 */
export async function readRoutingState(er: ErClient, erId: string, options: CallOptions, needs: RoutingNeeds): Promise<RoutingState> {
  const [router, listed, tables] = await Promise.all([
    er.getRouter(erId, options),
    readList(er, (marker) => er.listAttachments(erId, { ...options, marker, limit: 1_000 }), MAX_ATTACHMENTS_READ),
    readList(er, (marker) => er.listRouteTables(erId, { ...options, marker, limit: 1_000 }), MAX_TABLES_LISTED),
  ]);
  const attachments = listed.items.map(
    (a): StateAttachment => ({
      id: a.id,
      name: a.name ?? null,
      resource_type: a.resource_type ?? null,
      // `associated` false wins over a stale table id; a table id without the flag counts.
      route_table_id: a.associated === false ? null : a.route_table_id || null,
    }),
  );
  const cut = [listed.complete ? null : `more than ${MAX_ATTACHMENTS_READ} attachments`, tables.complete ? null : `more than ${MAX_TABLES_LISTED} route tables`].filter(Boolean);
  const skeleton: RoutingState = {
    router: { id: router.id, name: router.name ?? null },
    attachments,
    routeTables: tables.items.map((t) => ({ id: t.id, name: t.name ?? null })),
    ...(cut.length > 0 ? { incomplete: `the router has ${cut.join(' and ')}: only the first were read` } : {}),
    routes: new Map(),
  };
  const ids = [...new Set([...tablesNeeded(needs.invariants, skeleton), ...(needs.tables ?? [])])].sort();
  const read = await inParallel(ids, PARALLEL_READS, async (id): Promise<[string, TableRouting]> => {
    try {
      const table = await readRoutes(er, id, options);
      if (!table.complete) return [id, { known: false, reason: `route table ${id} has more than ${MAX_ROUTES_PER_TABLE} routes: only the first were read` }];
      const entries = table.routes.map(toEntry);
      return [id, { known: true, routes: new Map(entries.map((entry) => [entry.destination, entry])) }];
    } catch (error) {
      if (options.signal?.aborted) throw error;
      return [id, { known: false, reason: `the routes of route table ${id} could not be read: ${failedRead(error, options.signal)}` }];
    }
  });
  return { ...skeleton, routes: new Map(read) };
}

/** Every item of a list, up to `max`: a list longer than that is cut and says so. */
async function readList<T>(er: ErClient, fetchPage: (marker: string | undefined) => Promise<Page<T>>, max: number): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  for await (const item of er.listAll(fetchPage)) {
    if (items.length === max) return { items, complete: false };
    items.push(item);
  }
  return { items, complete: true };
}

/** What references found: the resources, and the references naming one exactly that found none. */
export interface Resolved<T> {
  found: T[];
  /** References by ID or exact name that match nothing here (a pattern may rightly match nothing). */
  missing: ResourceRef[];
}

function resolve<T extends Named>(refs: readonly ResourceRef[], resources: readonly T[]): Resolved<T> {
  const found = new Map<string, T>();
  const missing: ResourceRef[] = [];
  for (const ref of refs) {
    const matches = resources.filter((r) => refMatches(ref, r));
    if (matches.length === 0 && !isPattern(ref)) missing.push(ref);
    for (const match of matches) found.set(match.id, match);
  }
  return { found: [...found.values()], missing };
}

export function resolveTables(refs: readonly ResourceRef[], state: RoutingState): Resolved<Named> {
  return resolve(refs, state.routeTables);
}

export function resolveAttachments(refs: readonly ResourceRef[], state: RoutingState): Resolved<StateAttachment> {
  return resolve(refs, state.attachments);
}

/** The route table's name from the state, for messages: `rtb-dev (b1b2…)` or the ID. */
export function tableNamed(state: RoutingState, id: string): Named {
  return state.routeTables.find((t) => t.id === id) ?? { id, name: null };
}
