// Waiting for an association to reach a state, as a small loop with no I/O of its own (in the
// manner of smithy's util-waiter): it polls through the function it is given, asks the acceptors
// of the wanted state what each observation means (success, failure, or poll again), backs off
// between polls (with jitter), and ends on success, failure, timeout or abort. Time comes from a
// Clock and chance from a random source, so tests run it without waiting and without chance; each
// observation is reported for progress notifications.
import type { Clock } from '../http/clock.js';
import { ErApiError, HttpFailure } from './errors.js';

export type WaitFor = 'available' | 'deleted' | 'terminal';
export type Decision = 'success' | 'failure' | 'retry';
export type WaitStatus = 'success' | 'failure' | 'timeout' | 'aborted';

/** The state a poll reports when the association is not there (or not listed yet). */
export const NOT_FOUND = 'not_found';

export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** Each wait is the previous one times this, up to maxMs. */
  factor?: number;
  /**
   * Each wait is cut short by a random part of it, up to this fraction (0 to 1), so that agents
   * waiting on the same router since the same moment do not poll it in lock-step. Only shorter:
   * initialMs and maxMs stay the longest a wait can be.
   */
  jitter?: number;
}

/**
 * Polling as the Terraform provider waits: start near 2 s, back off to at most 10 s. A quarter of
 * jitter spreads agents that started together over 1.5–2 s at first, 7.5–10 s later on.
 */
export const DEFAULT_BACKOFF: Required<Backoff> = { initialMs: 2_000, maxMs: 10_000, factor: 1.5, jitter: 0.25 };

/**
 * The wait before the next poll: `nominalMs` (the backoff's schedule, without chance) less up to
 * `jitter` of it, that is within [nominalMs × (1 − jitter), nominalMs]. `random` is in [0, 1).
 */
export function jitteredDelay(nominalMs: number, jitter: number, random: () => number): number {
  return nominalMs - Math.floor(nominalMs * jitter * random());
}

/**
 * Right after a create the API's list may not show the association yet: for this long from the
 * start of a wait for `available`, "not found" means "keep waiting".
 */
export const DEFAULT_NOT_FOUND_GRACE_MS = 10_000;

/** How far one poll's own retries may run past the end of the wait before it is cut off. */
export const DEFAULT_POLL_OVERRUN_MS = 5_000;

export interface Observation<T> {
  /** 1 for the first poll. */
  poll: number;
  elapsedMs: number;
  /** What the poll saw: a state, `not_found`, or undefined when the poll failed (then `error`). */
  state?: string;
  value?: T | null;
  error?: unknown;
  decision: Decision;
}

export interface WaitOptions<T extends { state: string }> {
  waitFor: WaitFor;
  /** One look: the item, or null when there is none. `deadline` bounds the look's own retries. */
  poll: (call: { signal?: AbortSignal; deadline: number }) => Promise<T | null>;
  clock: Clock;
  signal?: AbortSignal;
  /** How long to wait in all; 0 looks once. */
  timeoutMs: number;
  /** Budget of one poll (its API retries included), the call deadline in the tools. */
  pollTimeoutMs: number;
  backoff?: Backoff;
  /** See DEFAULT_NOT_FOUND_GRACE_MS; applies to `waitFor: 'available'` only. */
  notFoundGraceMs?: number;
  pollOverrunMs?: number;
  /** Whether a failed poll may succeed if tried again (throttling, 5xx, network). */
  isRetryable?: (error: unknown) => boolean;
  /** Told of every observation, without being waited for: a slow reader must not stretch the wait. */
  onObservation?: (observation: Observation<T>) => unknown;
  /** Chance for the jitter, in [0, 1); Math.random unless a test fixes it. */
  random?: () => number;
}

export interface WaitResult<T> {
  status: WaitStatus;
  /** The last state seen, `not_found` included; undefined when no poll succeeded. */
  state?: string;
  value?: T | null;
  polls: number;
  elapsedMs: number;
  /** The error of the last poll, when it failed: why a wait failed, or what it kept meeting. */
  lastError?: unknown;
}

interface Seen {
  state?: string;
  error?: unknown;
  retryable: boolean;
  /** Still inside the not-found grace period of the wait. */
  inGrace: boolean;
}

/** The first acceptor that matches decides; none matching means "poll again". */
interface Acceptor {
  matches: (seen: Seen) => boolean;
  decision: Decision;
}

const state =
  (...states: string[]) =>
  (seen: Seen) =>
    seen.state !== undefined && states.includes(seen.state);

/** A poll that failed in a way another try cannot fix (bad keys, no such router) ends any wait. */
const FAILED_POLL: Acceptor[] = [
  { matches: (seen) => seen.error !== undefined && !seen.retryable, decision: 'failure' },
  { matches: (seen) => seen.error !== undefined, decision: 'retry' },
];

export const ACCEPTORS: Readonly<Record<WaitFor, readonly Acceptor[]>> = {
  available: [
    ...FAILED_POLL,
    { matches: state('available'), decision: 'success' },
    // `failed` ends every wait: it will not turn into anything else by itself.
    { matches: state('failed'), decision: 'failure' },
    // Not listed (yet): right after a create the list lags; later, it is gone.
    { matches: (seen) => state(NOT_FOUND, 'deleted')(seen) && seen.inGrace, decision: 'retry' },
    { matches: state(NOT_FOUND, 'deleted'), decision: 'failure' },
  ],
  deleted: [
    ...FAILED_POLL,
    { matches: state(NOT_FOUND, 'deleted'), decision: 'success' },
    { matches: state('failed'), decision: 'failure' },
    // `available` right after a disassociate is the list lagging: keep polling.
  ],
  terminal: [
    ...FAILED_POLL,
    { matches: state('available', 'deleted', NOT_FOUND), decision: 'success' },
    { matches: state('failed'), decision: 'failure' },
  ],
};

export function decide(waitFor: WaitFor, seen: Seen): Decision {
  return ACCEPTORS[waitFor].find((acceptor) => acceptor.matches(seen))?.decision ?? 'retry';
}

/** Throttling, server errors, "busy" answers, lost connections and timeouts may pass. */
export function isRetryablePollError(error: unknown): boolean {
  if (error instanceof ErApiError) return error.retryable;
  if (error instanceof HttpFailure) return error.kind === 'network' || error.kind === 'timeout' || error.kind === 'deadline';
  return false;
}

export async function waitForState<T extends { state: string }>(options: WaitOptions<T>): Promise<WaitResult<T>> {
  const { clock, signal, timeoutMs } = options;
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const graceMs = options.notFoundGraceMs ?? DEFAULT_NOT_FOUND_GRACE_MS;
  const overrunMs = options.pollOverrunMs ?? DEFAULT_POLL_OVERRUN_MS;
  const isRetryable = options.isRetryable ?? isRetryablePollError;
  const random = options.random ?? Math.random;
  const jitter = options.backoff?.jitter ?? DEFAULT_BACKOFF.jitter;
  const started = clock.now();
  const end = started + timeoutMs;
  const result: WaitResult<T> = { status: 'timeout', polls: 0, elapsedMs: 0 };
  const finish = (status: WaitStatus) => ({ ...result, status, elapsedMs: clock.now() - started });
  let delay = backoff.initialMs;

  for (;;) {
    if (signal?.aborted) return finish('aborted');
    const deadline = Math.min(clock.now() + options.pollTimeoutMs, timeoutMs === 0 ? Infinity : end + overrunMs);
    let seen: Seen;
    try {
      const value = await options.poll({ signal, deadline });
      seen = { state: value?.state ?? NOT_FOUND, retryable: false, inGrace: false };
      result.state = seen.state;
      result.value = value;
      result.lastError = undefined;
    } catch (error) {
      if (signal?.aborted) return finish('aborted');
      seen = { error, retryable: isRetryable(error), inGrace: false };
      result.lastError = error;
    }
    result.polls += 1;
    const elapsedMs = clock.now() - started;
    seen.inGrace = elapsedMs < graceMs;
    const decision = decide(options.waitFor, seen);
    report(options, { poll: result.polls, elapsedMs, state: seen.state, value: seen.error === undefined ? result.value : undefined, error: seen.error, decision });
    if (decision !== 'retry') return finish(decision);

    const remaining = end - clock.now();
    if (remaining <= 0) return finish('timeout');
    try {
      await clock.sleep(Math.min(jitteredDelay(delay, jitter, random), remaining), signal);
    } catch {
      return finish('aborted');
    }
    delay = Math.min(backoff.maxMs, Math.round(delay * backoff.factor));
  }
}

function report<T extends { state: string }>(options: WaitOptions<T>, observation: Observation<T>): void {
  try {
    void Promise.resolve(options.onObservation?.(observation)).catch(() => undefined);
  } catch {
    // A failing listener is not the wait's failure.
  }
}
