// Retry timing: exponential backoff with full jitter, and the Retry-After header.

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 };

/** Full jitter: a uniform wait in [0, min(cap, base·2^(attempt-1))). `attempt` counts from 1. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Only an HTTP date (it names a weekday or month): Date.parse also reads "1.5" as a year.
  if (!/[A-Za-z]{3}/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * The retry quota of smithy's standard retry strategy (the AWS SDKs' "standard" mode), kept as
 * they keep it. Constants, not settings: they only decide how fast retrying stops once the API is
 * failing and how fast it comes back, which no operator needs to tune per deployment.
 */
export const RETRY_QUOTA = {
  /** Tokens in a full bucket, and the most it holds: about a hundred retries in a row. */
  capacity: 500,
  /** One retry after an error answer (429, 5xx, "busy") or a lost connection. */
  retryCost: 5,
  /** One retry after a timeout: double, since a timeout holds a connection and means an overloaded API. */
  timeoutRetryCost: 10,
  /** A request that succeeds at once: slowly refills a bucket an outage emptied. */
  firstAttemptRefund: 1,
} as const;

export type RetryQuota = { readonly [K in keyof typeof RETRY_QUOTA]: number };

/** What the attempt before a retry met: a timeout costs more than anything else. */
export type RetryCause = 'timeout' | 'other';

/**
 * One bucket of retry tokens, shared by every request of one HTTP client: a retry takes tokens, a
 * success gives back what its retries took (or one token when it needed none). While the API is
 * healthy the bucket stays full; in an outage it empties, and from then on each request is tried
 * once, so that many callers do not multiply the load on an API that is already failing.
 */
export class RetryBudget {
  private tokens: number;

  constructor(private readonly quota: RetryQuota = RETRY_QUOTA) {
    this.tokens = quota.capacity;
  }

  get available(): number {
    return this.tokens;
  }

  /** Pays for one retry: what it cost, or undefined (nothing taken) when the bucket cannot pay. */
  take(cause: RetryCause): number | undefined {
    const cost = cause === 'timeout' ? this.quota.timeoutRetryCost : this.quota.retryCost;
    if (cost > this.tokens) return undefined;
    this.tokens -= cost;
    return cost;
  }

  /** A request succeeded; `spent` is what its retries took (0 when it had none). */
  succeeded(spent: number): void {
    const refund = spent > 0 ? spent : this.quota.firstAttemptRefund;
    this.tokens = Math.min(this.quota.capacity, this.tokens + refund);
  }
}
