// A seeded fault plan: per-request chances of the failures a real gateway and router produce.
// The same seed and the same request order give the same faults, so a failing soak can be replayed.

export interface FaultPlan {
  seed: number;
  /** 429 APIGW.0308 with a Retry-After header. */
  throttle?: number;
  /** 500, 502, 503 or 504, some with HTML or empty bodies as gateways send them. */
  serverError?: number;
  /** 400 with an ER "being operated" code, or 503 ER.05039006. */
  busy?: number;
  /** The connection is cut before the request is handled: nothing happens. */
  resetBeforeApply?: number;
  /** The request is handled (the association exists), then the connection is cut. */
  resetAfterApply?: number;
  /** Added latency in milliseconds, uniform in [min, max]. */
  latencyMs?: [number, number];
  /** Seconds sent in Retry-After. */
  retryAfterSeconds?: number;
}

export type Fault =
  | { kind: 'none' }
  | { kind: 'throttle'; retryAfterSeconds: number }
  | { kind: 'server-error'; status: number; body: string; contentType?: string }
  | { kind: 'busy'; status: number; code: string }
  | { kind: 'reset-before' }
  | { kind: 'reset-after' };

const BUSY = [
  { status: 400, code: 'ER.04001003' },
  { status: 400, code: 'ER.04002003' },
  { status: 400, code: 'ER.04004003' },
  { status: 400, code: 'ER.04005003' },
  { status: 503, code: 'ER.05039006' },
];

const SERVER_ERRORS = [
  { status: 500, body: '{"error_code":"ER.05009999","error_msg":"Internal error."}', contentType: 'application/json' },
  { status: 502, body: '<html><head><title>502 Bad Gateway</title></head><body>bad gateway</body></html>', contentType: 'text/html' },
  { status: 503, body: '' },
  { status: 504, body: '{"error":{"code":"APIGW.0201","message":"Gateway timeout"}}', contentType: 'application/json' },
];

/** mulberry32: a tiny, good-enough seeded generator. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultInjector {
  private readonly random: () => number;
  readonly counts: Record<string, number> = {};

  constructor(private readonly plan: FaultPlan) {
    this.random = seededRandom(plan.seed);
  }

  latency(): number {
    const [min, max] = this.plan.latencyMs ?? [0, 0];
    return max > 0 ? min + Math.floor(this.random() * (max - min + 1)) : 0;
  }

  next(): Fault {
    const fault = this.draw();
    this.counts[fault.kind] = (this.counts[fault.kind] ?? 0) + 1;
    return fault;
  }

  private draw(): Fault {
    const roll = this.random();
    const pick = <T>(list: T[]): T => list[Math.floor(this.random() * list.length)]!;
    let edge = 0;
    const hit = (p: number | undefined) => roll < (edge += p ?? 0);
    if (hit(this.plan.throttle)) return { kind: 'throttle', retryAfterSeconds: this.plan.retryAfterSeconds ?? 1 };
    if (hit(this.plan.serverError)) return { kind: 'server-error', ...pick(SERVER_ERRORS) };
    if (hit(this.plan.busy)) return { kind: 'busy', ...pick(BUSY) };
    if (hit(this.plan.resetBeforeApply)) return { kind: 'reset-before' };
    if (hit(this.plan.resetAfterApply)) return { kind: 'reset-after' };
    return { kind: 'none' };
  }
}

/** Reads a plan from JSON (the `HUAWEICLOUD_ER_EMULATOR_FAULTS` variable); throws a clear error. */
export function parseFaultPlan(json: string): FaultPlan {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('the fault plan is not valid JSON');
  }
  if (!value || typeof value !== 'object') throw new Error('the fault plan must be a JSON object');
  const plan = value as Record<string, unknown>;
  for (const key of ['throttle', 'serverError', 'busy', 'resetBeforeApply', 'resetAfterApply']) {
    const p = plan[key];
    if (p !== undefined && (typeof p !== 'number' || p < 0 || p > 1)) throw new Error(`fault plan: ${key} must be a probability from 0 to 1`);
  }
  return { seed: 1, ...(plan as Partial<FaultPlan>) } as FaultPlan;
}
