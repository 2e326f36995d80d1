// A seeded fault plan: per-request chances of the failures a real gateway and router produce.
// The same seed and the same request order give the same faults, so a failing soak can be replayed.
// Two entries are not per request: associationListLagMs (eventual consistency) and
// unforeseenRoute (a table that does not end as any plan predicted).
import { type ErOperation, OPERATION_NAMES } from '../er/operations.js';
import { parseIPv4Prefix } from './routing.js';

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
  /**
   * Only requests of these operations (their names in src/er/operations.ts) meet faults and
   * latency; the others are answered untouched and draw nothing, so the targeted ones see the same
   * faults whatever else the client reads. Absent: every operation.
   */
  operations?: ErOperation[];
  /** Faults for the first requests, in this order, before the probabilities take over. */
  sequence?: FaultKind[];
  /** Milliseconds a new association stays out of association lists after its create (eventual consistency). */
  associationListLagMs?: number;
  /**
   * When an association, propagation or static route of a route table becomes available (a route
   * also when its update ends), or one is removed, the table's effective routes gain a static
   * route to this destination, through the router's attachment with the lowest id other than the
   * one concerned (a blackhole if it has none), as if someone else changed the table at that
   * moment (unforeseen-route.ts). Deterministic: the first such change of each table adds it, and
   * it stays.
   */
  unforeseenRoute?: UnforeseenRoutePlan;
}

export interface UnforeseenRoutePlan {
  /** An IPv4 prefix written as its network address, e.g. `198.51.100.0/24`. */
  destination: string;
}

export type Fault =
  | { kind: 'none' }
  | { kind: 'throttle'; retryAfterSeconds: number }
  | { kind: 'server-error'; status: number; body: string; contentType?: string }
  | { kind: 'busy'; status: number; code: string }
  | { kind: 'reset-before' }
  | { kind: 'reset-after' };

export type FaultKind = Fault['kind'];

const KINDS: readonly FaultKind[] = ['none', 'throttle', 'server-error', 'busy', 'reset-before', 'reset-after'];

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

/** mulberry32: a tiny, good-enough seeded generator (the tests' generators use it too). */
export function seededRandom(seed: number): () => number {
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
  private scripted = 0;

  constructor(private readonly plan: FaultPlan) {
    this.random = seededRandom(plan.seed);
  }

  /** Whether requests of this operation meet faults at all (the plan's `operations`). */
  targets(operation: ErOperation | 'unknown'): boolean {
    return this.plan.operations === undefined || (operation !== 'unknown' && this.plan.operations.includes(operation));
  }

  latency(): number {
    const [min, max] = this.plan.latencyMs ?? [0, 0];
    return max > 0 ? min + Math.floor(this.random() * (max - min + 1)) : 0;
  }

  /** Counts by kind (`busy`) and, for error answers, by kind and status or code (`busy:ER.04001003`). */
  next(): Fault {
    const fault = this.draw();
    const bump = (key: string) => (this.counts[key] = (this.counts[key] ?? 0) + 1);
    bump(fault.kind);
    if (fault.kind === 'server-error') bump(`${fault.kind}:${fault.status}${fault.body ? '' : ' empty'}`);
    if (fault.kind === 'busy') bump(`${fault.kind}:${fault.code}`);
    return fault;
  }

  private draw(): Fault {
    const next = this.plan.sequence?.[this.scripted];
    if (next !== undefined) {
      this.scripted += 1;
      return this.make(next);
    }
    const roll = this.random();
    let edge = 0;
    const hit = (p: number | undefined) => roll < (edge += p ?? 0);
    if (hit(this.plan.throttle)) return this.make('throttle');
    if (hit(this.plan.serverError)) return this.make('server-error');
    if (hit(this.plan.busy)) return this.make('busy');
    if (hit(this.plan.resetBeforeApply)) return this.make('reset-before');
    if (hit(this.plan.resetAfterApply)) return this.make('reset-after');
    return { kind: 'none' };
  }

  private make(kind: FaultKind): Fault {
    const pick = <T>(list: T[]): T => list[Math.floor(this.random() * list.length)]!;
    switch (kind) {
      case 'throttle':
        return { kind, retryAfterSeconds: this.plan.retryAfterSeconds ?? 1 };
      case 'server-error':
        return { kind, ...pick(SERVER_ERRORS) };
      case 'busy':
        return { kind, ...pick(BUSY) };
      default:
        return { kind };
    }
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
  let total = 0;
  for (const key of ['throttle', 'serverError', 'busy', 'resetBeforeApply', 'resetAfterApply']) {
    const p = plan[key];
    if (p !== undefined && (typeof p !== 'number' || !(p >= 0 && p <= 1))) throw new Error(`fault plan: ${key} must be a probability from 0 to 1`);
    total += (p as number | undefined) ?? 0;
  }
  if (total > 1) throw new Error('fault plan: the probabilities add up to more than 1');
  if (plan.seed !== undefined && !Number.isInteger(plan.seed)) throw new Error('fault plan: seed must be a whole number');
  const retryAfter = plan.retryAfterSeconds;
  if (retryAfter !== undefined && !(Number.isInteger(retryAfter) && (retryAfter as number) >= 0)) {
    throw new Error('fault plan: retryAfterSeconds must be a whole number of seconds, 0 or more');
  }
  const latency = plan.latencyMs;
  if (latency !== undefined && !(Array.isArray(latency) && latency.length === 2 && latency.every((n) => Number.isInteger(n) && n >= 0) && latency[0] <= latency[1])) {
    throw new Error('fault plan: latencyMs must be [min, max] in whole milliseconds, min <= max');
  }
  const lag = plan.associationListLagMs;
  if (lag !== undefined && !(Number.isInteger(lag) && (lag as number) >= 0)) {
    throw new Error('fault plan: associationListLagMs must be a whole number of milliseconds, 0 or more');
  }
  if (plan.unforeseenRoute !== undefined) checkUnforeseenRoute(plan.unforeseenRoute);
  const operations = plan.operations;
  if (operations !== undefined && !(Array.isArray(operations) && operations.every((name) => OPERATION_NAMES.includes(name as ErOperation)))) {
    throw new Error(`fault plan: operations must be a list of operation names: ${OPERATION_NAMES.join(', ')}`);
  }
  const sequence = plan.sequence;
  if (sequence !== undefined && !(Array.isArray(sequence) && sequence.every((k) => KINDS.includes(k as FaultKind)))) {
    throw new Error(`fault plan: sequence must be a list of ${KINDS.join(', ')}`);
  }
  return { seed: 1, ...(plan as Partial<FaultPlan>) } as FaultPlan;
}

function checkUnforeseenRoute(value: unknown): void {
  const example = '{"destination": "198.51.100.0/24"}';
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`fault plan: unforeseenRoute must be an object such as ${example}`);
  const { destination, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new Error(`fault plan: unforeseenRoute takes only destination, not ${unknown.join(', ')}`);
  const prefix = typeof destination === 'string' ? parseIPv4Prefix(destination) : null;
  if (prefix === null) throw new Error(`fault plan: unforeseenRoute.destination must be an IPv4 prefix such as 198.51.100.0/24, not ${JSON.stringify(destination) ?? 'missing'}`);
  // Written otherwise (host bits set, leading zeros) it would be listed as a different destination than given.
  if (prefix !== destination) throw new Error(`fault plan: unforeseenRoute.destination must be written as its network address, ${prefix}, not ${destination}`);
}
