// The approval step of a write: the person's decision on its plan, through whatever the client
// has (already decided on the page, the client's form, a URL elicitation to the page, or
// approval_required with the page's URL), and the re-check that the plan still holds after a
// wait for a person. The gate decides when it runs.
import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../log.js';
import type { PlanBook, PlanRecord } from '../plans/plan-book.js';
import type { AuditOutcome, PlanApproval } from './audit.js';
import type { Approvals } from './approvals.js';
import { askApproval, canElicit, canElicitUrl, type ConfirmationAnswer, offerUrl } from './confirm.js';
import type { ApprovalEnd, DecisionEvent } from '../observe/observer.js';
import type { ApprovalPages, WriteRequest } from './gate.js';
import { approvalRequired, refusal } from './gate-answers.js';
import type { GuardrailSettings } from './guardrail-settings.js';
import type { PlanSteps } from './plan-step.js';

/** The longest one call waits for a decision on the page after a URL elicitation. */
const MAX_PAGE_WAIT_MS = 40_000;

/** Go ahead with what was approved, or stop: answer `result` and record `outcome`. */
export type Clearance = { go: PlanApproval } | { stop: { guardrail: string; outcome: AuditOutcome; result: CallToolResult } };

export interface ApprovalStepOptions {
  settings: GuardrailSettings;
  approvals: Approvals;
  book: PlanBook;
  plans: PlanSteps;
  log: Logger;
  /** Where pages are served now (set once the HTTP server is up); undefined: nowhere. */
  pages(): ApprovalPages | undefined;
}

export class ApprovalStep {
  constructor(private readonly options: ApprovalStepOptions) {}

  /** The person's approval of the plan, through whatever the client can do; or why the write stops. */
  async clear(record: PlanRecord | null, request: WriteRequest): Promise<Clearance> {
    const { session, call } = request;
    const told = (outcome: DecisionEvent['outcome'], code: string | null, detail: string) => call.observe.decision({ step: 'approval', outcome, code, detail });
    if (this.options.settings.confirmWrites === 'never' || !record) {
      told('allowed', null, 'Nobody is asked before a write (--confirm-writes never).');
      return { go: { plan_id: record?.id ?? null, plan_sha256: record?.sha256 ?? null, requested_by: session.caller, approved_by: null, approval_channel: 'none' } };
    }
    const approved = (r: PlanRecord): Clearance => {
      if (r.decision.status === 'rejected' || r.decision.status === 'pending') {
        told('rejected', 'DECLINED_BY_HUMAN', `Plan ${r.id} was rejected: nothing was sent.`);
        return { stop: { guardrail: 'rejected', outcome: 'declined', result: refusal('DECLINED_BY_HUMAN', `${r.decision.status === 'rejected' ? r.decision.by : 'The person'} rejected plan ${r.id}: nothing was sent.`, 'Do not retry on your own; ask the person what they want changed.', { status: 'declined', plan_id: r.id }) } };
      }
      if (r.decision.by === r.caller && this.options.approvals.needsSecondPerson(r)) {
        // The requester approved it before a rule asked for a second person (the policy changed since): that does not count.
        const who = r.policy?.secondPerson ? `policy rule ${r.policy.rule}` : 'this server';
        told('refused', 'SELF_APPROVAL', `Plan ${r.id} was approved by its requester, and a second person is required: nothing was sent.`);
        return { stop: { guardrail: 'self_approval', outcome: 'refused', result: refusal('SELF_APPROVAL', `Plan ${r.id} was approved by the person who asked for it (${r.caller}), and ${who} now requires a second person to approve it: nothing was sent.`, 'Make a new plan (dry_run: true) and have another person with er:approve approve it.') } };
      }
      told('approved', null, `Plan ${r.id} was approved (${r.decision.channel} channel).`);
      return { go: { plan_id: r.id, plan_sha256: r.sha256, requested_by: r.caller, approved_by: r.decision.by, approval_channel: r.decision.channel } };
    };
    const unrecorded = (): Clearance => {
      told('refused', 'AUDIT_UNAVAILABLE', `The approval step of plan ${record.id} could not be recorded: nothing was sent.`);
      return { stop: auditUnavailable() };
    };
    if (record.decision.status !== 'pending') return approved(record);
    if (!this.options.approvals.requested(record)) return unrecorded();

    const { approvals } = this.options;
    const { channel } = session;
    const bound = { timeoutMs: this.options.settings.confirmTimeoutMs, signal: call.signal };
    if (approvals.mayApproveOwn(session.scopes, record) && canElicit(channel)) {
      told('asked', null, `Approval of plan ${record.id} asked through the client's form.`);
      const waiting = call.observe.approvalWaitStarted({ channel: 'form', planId: record.id });
      const answer = await askApproval(channel, record.text, bound);
      waiting.end(elicitationWaitEnd(answer));
      switch (answer.kind) {
        case 'accepted':
        case 'declined':
        case 'cancelled':
          if (!approvals.decideByForm(record, answer.kind === 'accepted' ? 'approved' : 'rejected', session.caller)) return unrecorded();
          return this.afterWait(record, request, approved(record));
        case 'call_cancelled':
          return { stop: { guardrail: 'call_cancelled', outcome: 'refused', result: refusal('CANCELLED', 'The call was cancelled while waiting for approval: nothing was sent.', 'Call again if the change is still wanted.') } };
        case 'failed':
          if (answer.timedOut) told('expired', 'CONFIRMATION_FAILED', `No answer on plan ${record.id} came in time: nothing was sent.`);
          else told('refused', 'CONFIRMATION_FAILED', `The client could not ask for approval of plan ${record.id}: nothing was sent.`);
          return {
            stop: {
              guardrail: 'confirmation_failed',
              outcome: 'confirmation_failed',
              result: refusal(
                'CONFIRMATION_FAILED',
                `The client could not ask for approval: ${answer.reason}. Nothing was sent.`,
                `This is not a decision by the person: call again to ask once more (with plan_id ${record.id}), or check the MCP client.`,
              ),
            },
          };
      }
    }

    const url = await this.pageFor(record);
    if (!url) {
      told('refused', 'APPROVAL_UNAVAILABLE', `No approval page could be served for plan ${record.id}: nothing was sent.`);
      return { stop: { guardrail: 'approval_unavailable', outcome: 'refused', result: refusal('APPROVAL_UNAVAILABLE', 'No approval page could be served for this plan, so nobody can approve it: nothing was sent.', 'Check the server log (stderr); the operator may restart the server.') } };
    }
    if (approvals.mayApproveOwn(session.scopes, record) && canElicitUrl(channel)) {
      record.offeredByUrl = true;
      const elicitationId = randomUUID();
      told('asked', null, `Approval of plan ${record.id} asked through a link to the approval page (URL elicitation).`);
      // One wait for the person, from the offer of the link to their decision on the page.
      const waiting = call.observe.approvalWaitStarted({ channel: 'url', planId: record.id });
      const offered = await offerUrl(channel, { message: `Review and approve or reject this change:\n\n${record.text}`, url, elicitationId }, bound);
      record.offeredByUrl = offered.kind === 'opened' || record.decision.status !== 'pending';
      if (offered.kind === 'opened') {
        // Bounded under the 60 s most clients give a call: if the person takes longer, the plan
        // stays open and the answer says to call again with it.
        const waited = AbortSignal.any([call.signal, AbortSignal.timeout(Math.min(this.options.settings.confirmTimeoutMs, MAX_PAGE_WAIT_MS))]);
        await this.options.book.whenDecided(record, waited);
        waiting.end(pageWaitEnd(record, call.signal));
        if (record.decision.status !== 'pending') {
          void channel.completeUrl(elicitationId).catch(() => undefined);
          return this.afterWait(record, request, approved(record));
        }
      } else {
        waiting.end(elicitationWaitEnd(offered));
      }
      if (offered.kind === 'declined' || offered.kind === 'cancelled') {
        told('rejected', 'DECLINED_BY_HUMAN', `The person ${offered.kind} opening the approval page of plan ${record.id}: nothing was sent.`);
        return { stop: { guardrail: `url_${offered.kind}`, outcome: 'declined', result: refusal('DECLINED_BY_HUMAN', `The person ${offered.kind} opening the approval page: nothing was sent.`, `Do not retry on your own. The plan stays open for approval at ${url} until it expires.`, { status: 'declined', plan_id: record.id }) } };
      }
    }
    if (call.signal.aborted) return { stop: { guardrail: 'call_cancelled', outcome: 'refused', result: refusal('CANCELLED', 'The call was cancelled while waiting for approval: nothing was sent.', 'Call again if the change is still wanted.') } };
    const secondPerson = !approvals.mayApproveOwn(session.scopes, record);
    told('asked', null, `Plan ${record.id} awaits ${secondPerson ? 'a second person' : 'a person'} on the approval page (approval_required).`);
    return { stop: { guardrail: 'approval_required', outcome: 'approval_required', result: approvalRequired(record, { url, secondPerson, expiresAt: new Date(record.expiresAt).toISOString(), base: { region: call.env.region, project_id: call.projectId, sandbox: call.env.sandbox } }) } };
  }

  /** Approved within this call after a wait for a person: the world may have moved meanwhile. */
  private async afterWait(record: PlanRecord, request: WriteRequest, clearance: Clearance): Promise<Clearance> {
    if ('stop' in clearance) return clearance;
    const stale = await this.options.plans.stale(record, request);
    return stale ? { stop: { ...stale, outcome: 'refused' } } : clearance;
  }

  private async pageFor(record: PlanRecord): Promise<string | null> {
    const pages = this.options.pages();
    if (!pages) return null;
    try {
      return await pages.urlFor(record.id);
    } catch (error) {
      this.options.log.error({ plan_id: record.id, err: error instanceof Error ? error.message : String(error) }, 'could not serve the approval page');
      return null;
    }
  }
}

/** How the wait for the client's form ended, or a URL elicitation's that was not opened (the same answers but `accepted`). */
function elicitationWaitEnd(answer: ConfirmationAnswer): ApprovalEnd {
  switch (answer.kind) {
    case 'accepted':
      return 'approved';
    case 'declined':
    case 'cancelled':
      return 'rejected';
    case 'call_cancelled':
      return 'cancelled';
    case 'failed':
      return answer.timedOut ? 'expired' : 'failed';
  }
}

/** How the wait for a decision on the page ended: decided, the call cancelled, or this call's bound ran out. */
function pageWaitEnd(record: PlanRecord, callSignal: AbortSignal): ApprovalEnd {
  if (record.decision.status === 'approved') return 'approved';
  if (record.decision.status === 'rejected') return 'rejected';
  return callSignal.aborted ? 'cancelled' : 'expired';
}

function auditUnavailable(): { guardrail: string; outcome: AuditOutcome; result: CallToolResult } {
  return {
    guardrail: 'audit_unavailable',
    outcome: 'refused',
    result: refusal('AUDIT_UNAVAILABLE', 'The approval step could not be written to the audit log, so the write was not sent.', 'A change that cannot be recorded is not made: fix the audit log (--audit-log / HUAWEICLOUD_ER_MCP_AUDIT_LOG) and restart the server.'),
  };
}
