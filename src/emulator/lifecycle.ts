// The pending → available (or failed), deleting → gone lifecycle of an ER binding (associations
// in store.ts, propagations in propagations.ts), computed on read from timestamps.

export interface LifecycleTiming {
  /** How long a new binding stays `pending`. */
  availableAfterMs: number;
  /** How long a removed binding stays `deleting` before it disappears. */
  deletedAfterMs: number;
  now: () => number;
}

export interface LifecycleRecord {
  createdMs: number;
  created_at: string;
  deletingSinceMs?: number;
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
  if (record.deletingSinceMs !== undefined) return 'deleting';
  if (record.settled || timing.now() - record.createdMs >= timing.availableAfterMs) return record.fails ? 'failed' : 'available';
  return 'pending';
}

/** Still listed: not deleting, or deleting for less than `deletedAfterMs`. */
export function isAlive(record: LifecycleRecord, timing: LifecycleTiming): boolean {
  return record.deletingSinceMs === undefined || timing.now() - record.deletingSinceMs < timing.deletedAfterMs;
}

/** `updated_at` as the API would show it now: the time of the last change of state. */
export function updatedAt(record: LifecycleRecord, state: string, timing: LifecycleTiming): string {
  const changedMs = state === 'pending' ? record.createdMs : (record.deletingSinceMs ?? record.createdMs + (record.settled ? 0 : timing.availableAfterMs));
  // Seeded ones keep their reference-style stamp until something happens to them, and then
  // report the change in that same style (no milliseconds, no zone).
  if (record.settled) return record.deletingSinceMs === undefined ? record.created_at : referenceStyle(changedMs);
  return new Date(changedMs).toISOString();
}
