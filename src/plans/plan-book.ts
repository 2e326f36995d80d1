// Plans as handles. A dry run (or a write without a plan) leaves its plan here under an opaque,
// unguessable id, with the arguments and the caller it was made for, what it read (a fingerprint,
// to tell later whether the world moved), the text a person approves, and that person's decision.
// Plans live in memory, bounded in number and age; the audit file is their durable record.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../http/clock.js';
import type { ApprovalChannel, Decision, PlanView } from '../approvals/desk.js';
import type { Expectation } from './expectation.js';

/** What a write tool's plan step returns: the plan, what it depends on, and what it predicts. */
export interface MadePlan {
  /** The structured plan, as a dry run shows it. */
  plan: Record<string, unknown>;
  /** Everything read that the plan's effect depends on, as stable strings by name. */
  fingerprint: Record<string, string>;
  /** The route tables as the change should leave them, for the check after it; null: nothing to check. */
  expectation: Expectation | null;
}

/** What a plan is made of when it enters the book. */
export interface NewPlan {
  tool: string;
  /** The arguments the plan was made for (the IDs and anything else but dry_run, plan_id, client_token). */
  target: Readonly<Record<string, unknown>>;
  /** The idempotence token the write will carry, fixed with the plan (null: the tool takes none). */
  clientToken: string | null;
  /** Whether the agent gave the client token (a retry may have sent it before) rather than the server. */
  tokenFromCaller: boolean;
  caller: string;
  projectId: string | null;
  made: MadePlan;
  /** The plan in words, as the person sees it; the record's sha256 is of this text. */
  text: string;
  sandbox: boolean;
}

export interface PlanRecord extends NewPlan {
  id: string;
  sha256: string;
  createdAt: number;
  expiresAt: number;
  decision: Decision;
  /** Set once its write was recorded as an intent: a plan is applied at most once. */
  usedBy: string | null;
  /** Whether `approval_requested` was recorded already (asked once, however often the agent calls). */
  approvalRequested: boolean;
  /** Offered through a URL elicitation: a decision on the page then counts as channel "url". */
  offeredByUrl: boolean;
  /**
   * With a policy, set by the gate's policy step on every call with this plan: the rule that
   * allows it, and whether that rule asks for a person other than the requester to approve it.
   */
  policy?: { rule: string; secondPerson: boolean };
}

export interface PlanBookOptions {
  clock: Clock;
  /** How long a plan stays usable. */
  ttlMs: number;
  /** At most this many plans are kept; the oldest go first. */
  maxPlans: number;
  /** Told of every plan that leaves the book unused (expired or crowded out). */
  onExpired?(record: PlanRecord): void;
}

export const DEFAULT_MAX_PLANS = 200;

export class PlanBook {
  private readonly plans = new Map<string, PlanRecord>();
  private readonly decided = new Map<string, Set<() => void>>();

  constructor(private readonly options: PlanBookOptions) {}

  add(input: NewPlan): PlanRecord {
    this.sweep();
    while (this.plans.size >= this.options.maxPlans) this.drop(this.plans.values().next().value!);
    const now = this.options.clock.now();
    const record: PlanRecord = {
      ...input,
      // 24 random bytes: unguessable, so the id alone can name a plan in a URL.
      id: `plan-${randomBytes(24).toString('base64url')}`,
      sha256: sha256(input.text),
      createdAt: now,
      expiresAt: now + this.options.ttlMs,
      decision: { status: 'pending' },
      usedBy: null,
      approvalRequested: false,
      offeredByUrl: false,
    };
    this.plans.set(record.id, record);
    return record;
  }

  /** The plan, unless it is unknown or expired. */
  get(id: string): PlanRecord | undefined {
    this.sweep();
    return this.plans.get(id);
  }

  /** Records a decision and wakes whoever waits for it. */
  decide(record: PlanRecord, status: 'approved' | 'rejected', by: string, channel: ApprovalChannel): void {
    record.decision = { status, by, at: this.options.clock.now(), channel };
    for (const wake of this.decided.get(record.id) ?? []) wake();
    this.decided.delete(record.id);
  }

  /** Resolves when the plan is decided, or at the signal (a deadline, a cancelled call). */
  async whenDecided(record: PlanRecord, signal: AbortSignal): Promise<Decision> {
    if (record.decision.status !== 'pending' || signal.aborted) return record.decision;
    await new Promise<void>((resolve) => {
      const waiters = this.decided.get(record.id) ?? new Set();
      this.decided.set(record.id, waiters);
      const done = () => {
        waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
    return record.decision;
  }

  view(record: PlanRecord): PlanView {
    return {
      id: record.id,
      tool: record.tool,
      text: record.text,
      sha256: record.sha256,
      plan: record.made.plan,
      requestedBy: record.caller,
      createdAt: record.createdAt,
      expiresAt: record.expiresAt,
      sandbox: record.sandbox,
      decision: record.decision,
    };
  }

  private sweep(): void {
    const now = this.options.clock.now();
    for (const record of this.plans.values()) if (record.expiresAt <= now) this.drop(record);
  }

  private drop(record: PlanRecord): void {
    this.plans.delete(record.id);
    for (const wake of this.decided.get(record.id) ?? []) wake();
    this.decided.delete(record.id);
    if (record.usedBy === null) this.options.onExpired?.(record);
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** What changed between two fingerprints, name by name. */
export function fingerprintChanges(before: Record<string, string>, after: Record<string, string>): Array<{ what: string; before: string | null; after: string | null }> {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.filter((name) => before[name] !== after[name]).map((name) => ({ what: name, before: before[name] ?? null, after: after[name] ?? null }));
}
