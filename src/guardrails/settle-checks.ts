// Changes made from a plan, waiting to be checked once they settle. The gate leaves one here after
// a write; when a state tool sees that link reach the state the write aims at, the tool's verify
// step compares the route tables with the plan's prediction, and the result goes to the audit on
// the write's attempt_id and into the state tool's answer. Bounded: an unwatched change is dropped.
import { canonical } from '../er/cidr.js';
import type { Logger } from '../log.js';
import type { PlanRecord } from '../plans/plan-book.js';
import type { InvariantsAfter, Verification } from '../plans/verify-routes.js';
import type { WriteToolDefinition } from '../tools/definition.js';
import { callOptions, type SettledQuery, type ToolCall } from '../toolkit/context.js';
import type { AuditSink, AuditSubject } from './audit.js';

interface Pending {
  tool: WriteToolDefinition;
  record: PlanRecord;
  subject: AuditSubject;
  expiresAt: number;
}

/** At most this many changes wait for their check; the oldest go first. */
const MAX_PENDING = 500;
/** A change nobody waited on within this time is not checked any more. */
const PENDING_MS = 60 * 60 * 1000;

export class SettleChecks {
  private readonly pending = new Map<string, Pending>();
  /** Every change made from a plan lately, checked or not, in the order they were made. */
  private readonly applied: Pending[] = [];

  constructor(private readonly options: { audit: AuditSink; log: Logger; now(): number }) {}

  add(tool: WriteToolDefinition, record: PlanRecord, subject: AuditSubject): void {
    const key = keyOf(tool.settles.stateTool, record.target);
    this.pending.delete(key);
    while (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    const now = this.options.now();
    const entry = { tool, record, subject, expiresAt: now + PENDING_MS };
    this.pending.set(key, entry);
    this.applied.push(entry);
    while (this.applied.length > MAX_PENDING || (this.applied[0] && this.applied[0].expiresAt <= now)) this.applied.shift();
  }

  /** The check of the change this state tool watched settle, if one was waiting for it. */
  async settled(query: SettledQuery, call: ToolCall): Promise<Verification | undefined> {
    const key = keyOf(query.stateTool, query.target);
    const entry = this.pending.get(key);
    if (!entry || entry.expiresAt <= this.options.now()) {
      this.pending.delete(key);
      return undefined;
    }
    const goal = entry.tool.settles.state;
    const reached = goal === 'available' ? query.state === 'available' : query.state === 'not_found' || query.state === 'deleted';
    if (!reached) return undefined;
    this.pending.delete(key);
    const { expectation } = entry.record.made;
    // Changes made after this one explain what its plan could not predict.
    const index = this.applied.indexOf(entry);
    const later = (index === -1 ? [] : this.applied.slice(index + 1))
      .filter((other) => other.record.made.expectation)
      .map((other) => ({ plan_id: other.record.id, tool: other.tool.name, expectation: other.record.made.expectation! }));
    const finding = expectation
      ? await entry.tool.verify(expectation, call, later)
      : { status: 'not_checked' as const, differences: [], differences_count: 0, note: entry.record.made.plan.routing_effect ? 'the plan made no prediction to compare' : 'the plan had no routing effect to compare with' };
    const invariants = await this.invariantsAfter(entry, call);
    const verification: Verification = { ...finding, plan_id: entry.record.id, attempt_id: entry.subject.attempt_id, ...(invariants ? { invariants } : {}) };
    try {
      this.options.audit.append({
        ...entry.subject,
        event: 'verification',
        time: new Date(this.options.now()).toISOString(),
        plan_id: entry.record.id,
        outcome: finding.status === 'as_planned' ? 'verified' : finding.status === 'differs' ? 'verification_differs' : 'not_verified',
        differences: finding.differences,
        differences_count: finding.differences_count,
        ...(finding.note ? { note: finding.note } : {}),
        ...(invariants ? { invariants_checked: invariants.checked, invariants_broken: invariants.broken } : {}),
        ...(invariants?.alert ? { policy_violation: invariants.alert } : {}),
        ...(invariants?.note ? { invariants_note: invariants.note } : {}),
      });
    } catch {
      this.options.log.error({ plan_id: entry.record.id, attempt_id: entry.subject.attempt_id }, 'could not write the verification record');
      return { ...verification, note: `${verification.note ? `${verification.note}; ` : ''}WARNING: this check could not be written to the audit log` };
    }
    return verification;
  }

  /**
   * The policy's invariants on the router's routes now that the change has settled (none without
   * a policy that has some). A violation is logged as an error too: nobody may be watching the answer.
   */
  private async invariantsAfter(entry: Pending, call: ToolCall): Promise<InvariantsAfter | undefined> {
    const invariants = call.env.policy?.current()?.invariants ?? [];
    const erId = entry.record.target.er_id;
    if (invariants.length === 0 || typeof erId !== 'string') return undefined;
    // The invariant engine loads with the first check (only a policy with invariants needs it).
    const { invariantsAfterChange } = await import('../policy/invariant-check.js');
    const found = await invariantsAfterChange(call.er, erId, callOptions(call), invariants);
    if (found.alert) this.options.log.error({ plan_id: entry.record.id, attempt_id: entry.subject.attempt_id, invariants_broken: found.broken.filter((b) => !b.unknown).map((b) => b.name) }, found.alert);
    return found;
  }
}

/** What a change is about: the link's IDs, or the static route's table and destination (one per table). */
function keyOf(stateTool: string, target: Readonly<Record<string, unknown>>): string {
  const destination = typeof target.destination === 'string' ? canonical(target.destination) : null;
  return JSON.stringify([stateTool, target.er_id, target.route_table_id, destination ?? target.attachment_id]);
}
