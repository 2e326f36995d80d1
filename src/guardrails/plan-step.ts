// The plan steps of a write: find the plan a call names (and why it cannot be used), make the
// plan of a call that names none, and read again what a plan read to tell whether it still holds.
// The gate decides when each runs.
import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Clock } from '../http/clock.js';
import { fingerprintChanges, type PlanBook, type PlanRecord } from '../plans/plan-book.js';
import { takesClientToken, type WriteTarget, type WriteToolDefinition } from '../tools/definition.js';
import type { ToolCall } from '../toolkit/context.js';
import { describeError, errorCodeOf } from '../toolkit/results.js';
import type { AuditOutcome } from './audit.js';
import type { Session, WriteRequest } from './gate.js';
import { refusal } from './gate-answers.js';

export interface PlanStepsOptions {
  book: PlanBook;
  clock: Clock;
  sandbox: boolean;
}

export class PlanSteps {
  constructor(private readonly options: PlanStepsOptions) {}

  /** A plan from the book for this very call, or why it cannot be used. */
  find(planId: string, tool: WriteToolDefinition, target: WriteTarget, session: Pick<Session, 'caller'>): { record: PlanRecord } | { stop: { guardrail: string; result: CallToolResult } } {
    const record = this.options.book.get(planId);
    // Over HTTP a plan belongs to its caller: another caller is told no more than an unknown id.
    if (!record || record.caller !== session.caller) {
      return { stop: { guardrail: 'plan_not_found', result: refusal('PLAN_NOT_FOUND', `No plan ${planId} of yours is known: it expired, the server restarted, or it was never made.`, 'Make a new plan with dry_run: true (nothing was sent).') } };
    }
    const { client_token: token, ...ids } = target;
    if (record.tool !== tool.name || !sameArguments(record.target, ids) || (token !== undefined && token !== record.clientToken)) {
      return {
        stop: {
          guardrail: 'plan_mismatch',
          result: refusal('PLAN_MISMATCH', `Plan ${planId} was made for ${record.tool} with ${JSON.stringify(record.target)}, not for this call's arguments.`, 'Call with exactly the arguments of the dry run (or omit plan_id to plan anew). Nothing was sent.'),
        },
      };
    }
    if (record.usedBy !== null) return { stop: alreadyUsed(record, tool) };
    return { record };
  }

  /** Makes the plan of this call and keeps it in the book: for a person to approve, or (nobody being asked) for the policy to check. */
  async make(request: WriteRequest, target: WriteTarget, purpose: 'approval' | 'policy' = 'approval'): Promise<{ record: PlanRecord } | { stop: { guardrail: string; outcome: AuditOutcome; result: CallToolResult } }> {
    const { tool, session, call } = request;
    try {
      const made = await tool.plan(target, withDeadline(this.options.clock, call));
      const { client_token: given, ...ids } = target;
      const clientToken = takesClientToken(tool) ? (given ?? randomUUID()) : null;
      const record = this.options.book.add({
        tool: tool.name,
        target: ids,
        clientToken,
        tokenFromCaller: given !== undefined,
        caller: session.caller,
        projectId: session.projectId,
        made,
        text: tool.describe(made.plan),
        sandbox: this.options.sandbox,
      });
      call.observe.decision({ step: 'plan', outcome: 'allowed', code: null, detail: `Plan ${record.id} made for ${tool.name}.` });
      return { record };
    } catch (error) {
      const described = describeError(error, { ids: idsOf(target), nowMs: this.options.clock.now() });
      call.observe.decision({ step: 'plan', outcome: 'refused', code: described.error_code, detail: `The plan of ${tool.name} could not be made: nothing was sent.` });
      if (request.args.dry_run) return { stop: { guardrail: 'dry_run', outcome: 'dry_run', result: refusal(described.error_code, described.error_msg, described.hint, described) } };
      if (purpose === 'policy') {
        return {
          stop: {
            guardrail: 'policy_plan_failed',
            outcome: 'failed',
            result: refusal('POLICY_UNAVAILABLE', `The plan the policy is checked on could not be made: ${described.error_msg.slice(0, 300)}`, 'Nothing was sent: a change the policy cannot check is not made. Call again; if it keeps failing, try dry_run: true to see what fails.', { retryable: described.retryable }),
          },
        };
      }
      return {
        stop: {
          guardrail: 'confirmation_plan_failed',
          outcome: 'failed',
          result: refusal('CONFIRMATION_PLAN_FAILED', `The plan to show for approval could not be made: ${described.error_msg.slice(0, 300)}`, 'Nothing was sent. Call again; if it keeps failing, try dry_run: true to see what fails.'),
        },
      };
    }
  }

  /**
   * Reads again what the plan read: if anything moved, the refusal (with a fresh plan), else null.
   * A plan another call applied meanwhile has moved what it read by its own doing: that call's
   * refusal is PLAN_ALREADY_USED, not PLAN_STALE.
   */
  async stale(record: PlanRecord, request: WriteRequest): Promise<{ guardrail: string; result: CallToolResult } | null> {
    const answer = await this.reread(record, request);
    const { observe } = request.call;
    if (answer && record.usedBy !== null) {
      observe.decision({ step: 'plan', outcome: 'refused', code: 'PLAN_ALREADY_USED', detail: `Plan ${record.id} was applied by another call meanwhile: nothing was sent.` });
      return alreadyUsed(record, request.tool);
    }
    if (answer) observe.decision({ step: 'plan', outcome: 'refused', code: errorCodeOf(answer), detail: `Plan ${record.id} no longer holds, or could not be checked: nothing was sent.` });
    else observe.decision({ step: 'plan', outcome: 'allowed', code: null, detail: `Plan ${record.id} still holds.` });
    return answer && { guardrail: 'plan_stale', result: answer };
  }

  private async reread(record: PlanRecord, request: WriteRequest): Promise<CallToolResult | null> {
    let now;
    try {
      now = await request.tool.plan({ ...record.target } as WriteTarget, withDeadline(this.options.clock, request.call));
    } catch (error) {
      const described = describeError(error, { ids: idsOf(record.target), nowMs: this.options.clock.now() });
      return refusal(described.error_code, `Could not check that plan ${record.id} still holds: ${described.error_msg}`, `${described.hint} Nothing was sent.`, { retryable: described.retryable });
    }
    const changed = fingerprintChanges(record.made.fingerprint, now.fingerprint);
    if (changed.length === 0) return null;
    const fresh = this.options.book.add({
      tool: record.tool,
      target: { ...record.target },
      clientToken: record.tokenFromCaller ? record.clientToken : record.clientToken === null ? null : randomUUID(),
      tokenFromCaller: record.tokenFromCaller,
      caller: record.caller,
      projectId: record.projectId,
      made: now,
      text: request.tool.describe(now.plan),
      sandbox: record.sandbox,
    });
    return refusal(
      'PLAN_STALE',
      `What plan ${record.id} read has changed since it was made (${changed.map((c) => c.what).join(', ')}): the planned change would not do what was shown, so nothing was sent.`,
      `Show the fresh plan to the person and, if it is still wanted, call again with plan_id ${fresh.id}.`,
      { changed, plan_id: fresh.id, plan_sha256: fresh.sha256, plan_expires_at: new Date(fresh.expiresAt).toISOString(), plan: fresh.made.plan },
    );
  }
}

function alreadyUsed(record: PlanRecord, tool: WriteToolDefinition): { guardrail: string; result: CallToolResult } {
  return {
    guardrail: 'plan_used',
    result: refusal(
      'PLAN_ALREADY_USED',
      `Plan ${record.id} was already applied (audit attempt ${record.usedBy}).`,
      `Check the result with ${tool.settles.stateTool}. To retry that same write safely, call ${tool.name} with client_token ${record.clientToken ?? '(none)'} and no plan_id. Nothing was sent.`,
    ),
  };
}

/** The call with this step's own API deadline, counted from now. */
export function withDeadline(clock: Clock, call: ToolCall): ToolCall {
  return { ...call, deadline: clock.now() + call.env.callDeadlineMs };
}

function idsOf(target: Readonly<Record<string, unknown>>): Record<string, string | undefined> {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { er_id: text(target.er_id), route_table_id: text(target.route_table_id), attachment_id: text(target.attachment_id), destination: text(target.destination) };
}

function sameArguments(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const canonical = (o: Readonly<Record<string, unknown>>) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
  return canonical(a) === canonical(b);
}
