// Who may decide on a plan, and the audit lines of every decision. The approval pages (stdio's
// loopback page, /approvals over HTTP) decide through this desk; the gate records the form's
// answers and the requests through it too, so every channel follows the same rules:
// deciding needs er:approve (HTTP), a second person when the operator asks for one (for every
// change) or a policy rule does (for the changes it covers), and a decision that cannot be
// recorded is not taken.
import type { ApprovalChannel, ApprovalDesk, Approver, DecideResult, PlanView } from '../approvals/desk.js';
import type { Logger } from '../log.js';
import type { PlanBook, PlanRecord } from '../plans/plan-book.js';
import { SCOPES } from '../scopes.js';
import type { ApprovalRecord, AuditSink } from './audit.js';

export interface ApprovalsOptions {
  book: PlanBook;
  audit: AuditSink;
  log: Logger;
  region: string;
  requireSecondPerson: boolean;
  now(): number;
}

export class Approvals implements ApprovalDesk {
  constructor(private readonly options: ApprovalsOptions) {}

  view(planId: string): PlanView | undefined {
    const record = this.options.book.get(planId);
    return record && this.options.book.view(record);
  }

  decide(planId: string, decision: 'approve' | 'reject', approver: Approver, channel: ApprovalChannel): DecideResult {
    const record = this.options.book.get(planId);
    if (!record) return { ok: false, status: 404, code: 'PLAN_NOT_FOUND', message: 'No such plan: it is unknown, expired or already gone. Ask the agent for a new plan (a dry run).' };
    if (approver.scopes !== null && !approver.scopes.includes(SCOPES.approve)) {
      return { ok: false, status: 403, code: 'FORBIDDEN_SCOPE', message: `Deciding on a plan needs the ${SCOPES.approve} scope, which your token lacks.` };
    }
    const refusal = this.selfApproval(record, decision, approver.caller);
    if (refusal) return refusal;
    const status = decision === 'approve' ? 'approved' : 'rejected';
    if (record.decision.status === status) return { ok: true, view: this.options.book.view(record) };
    if (record.decision.status !== 'pending' || record.usedBy !== null) {
      return { ok: false, status: 409, code: 'ALREADY_DECIDED', message: `This plan was already ${record.decision.status === 'pending' ? 'used' : record.decision.status}.` };
    }
    // A page decision on a plan offered through URL elicitation is that elicitation's answer.
    const through: ApprovalChannel = record.offeredByUrl && channel === 'page' ? 'url' : channel;
    if (!this.record(record, status, approver.caller, through)) {
      return { ok: false, status: 503, code: 'AUDIT_UNAVAILABLE', message: 'The decision could not be written to the audit log, so it was not taken. Ask the operator to fix the audit log.' };
    }
    this.options.book.decide(record, status, approver.caller, through);
    return { ok: true, view: this.options.book.view(record) };
  }

  /** Why `caller` may not approve this plan on its own, or null. Rejecting one's own plan is always allowed. */
  selfApproval(record: PlanRecord, decision: 'approve' | 'reject', caller: string): DecideResult | null {
    if (decision !== 'approve' || !this.needsSecondPerson(record) || caller !== record.caller) return null;
    const why = this.options.requireSecondPerson ? 'this server requires a second person to approve it (--require-second-person)' : `policy rule ${record.policy!.rule} requires a second person to approve it`;
    return {
      ok: false,
      status: 403,
      code: 'SELF_APPROVAL',
      message: `You (${caller}) asked for this change, and ${why}: another person with ${SCOPES.approve} must approve it.`,
    };
  }

  /** Whether a person other than the requester must approve this plan: the operator's setting, or a policy rule for this change. */
  needsSecondPerson(record: PlanRecord): boolean {
    return this.options.requireSecondPerson || record.policy?.secondPerson === true;
  }

  /** Whether the requester may approve this plan through their own client (form or URL elicitation). */
  mayApproveOwn(scopes: readonly string[] | null, record: PlanRecord): boolean {
    return !this.needsSecondPerson(record) && (scopes === null || scopes.includes(SCOPES.approve));
  }

  /** Records the decision of a person the gate asked through the client's form, and applies it. */
  decideByForm(record: PlanRecord, status: 'approved' | 'rejected', caller: string): boolean {
    if (!this.record(record, status, caller, 'form')) return false;
    this.options.book.decide(record, status, caller, 'form');
    return true;
  }

  /** `approval_requested`, once per plan however often the agent asks. False when it could not be recorded. */
  requested(record: PlanRecord): boolean {
    if (record.approvalRequested) return true;
    record.approvalRequested = this.record(record, 'approval_requested', null, null);
    return record.approvalRequested;
  }

  /** A plan left the book undecided after a person was asked: say so in the audit. */
  expired(record: PlanRecord): void {
    if (record.approvalRequested && record.decision.status === 'pending') this.record(record, 'approval_expired', null, null);
  }

  private record(record: PlanRecord, event: ApprovalRecord['event'], person: string | null, channel: ApprovalChannel | null): boolean {
    const line: ApprovalRecord = {
      event,
      time: new Date(this.options.now()).toISOString(),
      plan_id: record.id,
      plan_sha256: record.sha256,
      tool: record.tool,
      arguments: { ...record.target, ...(record.clientToken ? { client_token: record.clientToken } : {}) },
      region: this.options.region,
      project_id: record.projectId,
      sandbox: record.sandbox,
      requested_by: record.caller,
      person,
      channel,
      ...(record.policy ? { policy_rule: record.policy.rule, second_person_required: record.policy.secondPerson } : {}),
    };
    try {
      this.options.audit.append(line);
      return true;
    } catch {
      this.options.log.error({ plan_id: record.id, event }, 'could not write the approval record');
      return false;
    }
  }
}
