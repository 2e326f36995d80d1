// Per-caller rate limit: a token bucket per caller that holds a minute's worth of requests and
// refills evenly, so a burst is allowed but a sustained flood is not.

/** The bucket of requests whose caller is not known (yet): their client address's. */
export function addressKey(remoteAddress: string | undefined): string {
  return `unauthenticated ${remoteAddress ?? ''}`;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Buckets untouched this long are full again anyway and are forgotten. */
const FORGET_AFTER_MS = 60_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private lastSweep: number;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {
    this.perMs = perMinute / 60_000;
    this.lastSweep = now();
  }

  take(key: string): RateDecision {
    const now = this.now();
    this.forgetIdle(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, updatedAt: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.updatedAt) * this.perMs);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) };
  }

  private forgetIdle(now: number): void {
    if (now - this.lastSweep < FORGET_AFTER_MS) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) if (now - bucket.updatedAt >= FORGET_AFTER_MS) this.buckets.delete(key);
  }
}
