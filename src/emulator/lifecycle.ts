// The pending → available (or failed), modifying → available, deleting → gone lifecycle of an ER
// object (associations in store.ts, propagations in propagations.ts, static routes in
// static-routes.ts), computed on read from timestamps. Only static routes are ever modified.

export interface LifecycleTiming {
  /** How long a new object stays `pending` (and a modified one `modifying`). */
  availableAfterMs: number;
  /** How long a removed binding stays `deleting` before it disappears. */
  deletedAfterMs: number;
  now: () => number;
}

export interface LifecycleRecord {
  createdMs: number;
  created_at: string;
  deletingSinceMs?: number;
  /** When the last update started: `modifying` for `availableAfterMs` from then. */
  modifyingSinceMs?: number;
  /** Ends `failed` instead of `available`. */
  fails: boolean;
  /** Seeded bindings are already settled and carry the API reference's timestamp style. */
  settled: boolean;
}

/** The API reference's own example timestamp, used for seeded bindings. */
export const SEEDED_TIMESTAMP = '2020-03-11T15:13:31';

/** `YYYY-MM-DDTHH:mm:ss` in UTC, the form the API reference's examples use. */
export function referenceStyle(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

export function newRecord(nowMs: number, options: { settled: boolean; fails: boolean }): LifecycleRecord {
  return { createdMs: nowMs, created_at: options.settled ? SEEDED_TIMESTAMP : new Date(nowMs).toISOString(), fails: options.fails, settled: options.settled };
}

export function stateOf(record: LifecycleRecord, timing: LifecycleTiming): string {
  const now = timing.now();
  if (record.deletingSinceMs !== undefined) return 'deleting';
  if (!record.settled && now - record.createdMs < timing.availableAfterMs) return 'pending';
  if (record.fails) return 'failed';
  if (record.modifyingSinceMs !== undefined && now - record.modifyingSinceMs < timing.availableAfterMs) return 'modifying';
  return 'available';
}

/** Still listed: not deleting, or deleting for less than `deletedAfterMs`. */
export function isAlive(record: LifecycleRecord, timing: LifecycleTiming): boolean {
  return record.deletingSinceMs === undefined || timing.now() - record.deletingSinceMs < timing.deletedAfterMs;
}

/** `updated_at` as the API would show it now: the time of the last change of state. */
export function updatedAt(record: LifecycleRecord, state: string, timing: LifecycleTiming): string {
  const changedMs = lastChangeMs(record, state, timing);
  // Seeded ones keep their reference-style stamp until something happens to them, and then
  // report the change in that same style (no milliseconds, no zone).
  if (changedMs === undefined) return record.created_at;
  return record.settled ? referenceStyle(changedMs) : new Date(changedMs).toISOString();
}

/** When the state last changed; undefined for a seeded object nothing has happened to. */
function lastChangeMs(record: LifecycleRecord, state: string, timing: LifecycleTiming): number | undefined {
  if (state === 'deleting') return record.deletingSinceMs;
  if (state === 'modifying') return record.modifyingSinceMs;
  if (record.modifyingSinceMs !== undefined) return record.modifyingSinceMs + timing.availableAfterMs;
  if (state === 'pending') return record.createdMs;
  return record.settled ? undefined : record.createdMs + timing.availableAfterMs;
}
