// Every write goes through here, and only here is the order known: policy → plan (or the given
// plan, re-read: stale?) → a person's approval → the intent on disk → the write → its outcome →
// a check against the plan once it settles. A write tool declares its steps (tools/definition.ts);
// the agent cannot switch any of this with an argument, and a tool cannot skip it: the server
// puts every tool whose annotations say it writes behind the gate. One gate serves every session
// of the process, so a shutdown can wait for the writes of all of them, and a plan made in one
// session can be approved from a page.
import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Clock } from '../http/clock.js';
import type { Logger } from '../log.js';
import { DEFAULT_MAX_PLANS, fingerprintChanges, PlanBook, type PlanRecord } from '../plans/plan-book.js';
import { type WriteArgs, type WriteTarget, type WriteToolDefinition, takesClientToken } from '../tools/definition.js';
import type { ToolCall, WriteAnswer } from '../toolkit/context.js';
import { describeError, success } from '../toolkit/results.js';
import { approvalRequired, refusal } from './gate-answers.js';
import { auditWarning, withAuditWarning } from './audit-warning.js';
import type { AuditOutcome, AuditSink, AuditSubject, PlanApproval } from './audit.js';
import { Approvals } from './approvals.js';
import { askApproval, canElicit, canElicitUrl, type HumanChannel, offerUrl } from './confirm.js';
import type { GuardrailSettings } from './guardrail-settings.js';
import { SettleChecks } from './settle-checks.js';

/** The longest one call waits for a decision on the page after a URL elicitation. */
const MAX_PAGE_WAIT_MS = 40_000;

/** Where a person can see a plan and decide: stdio's loopback page, or /approvals over HTTP. */
export interface ApprovalPages {
  urlFor(planId: string): Promise<string>;
}

export interface GateOptions {
  settings: GuardrailSettings;
  audit: AuditSink;
  clock: Clock;
  log: Logger;
  region: string;
  sandbox: boolean;
  book: PlanBook;
  approvals: Approvals;
  checks: SettleChecks;
  /** Absent only where no page can be served: a plan that needs one then fails closed. */
  pages?: ApprovalPages;
}

/** Who is calling, from where, and how to reach the human. */
export interface Session {
  caller: string;
  projectId: string | null;
  /** The caller's scopes over HTTP; null on stdio, where the local user holds them all. */
  scopes: readonly string[] | null;
  channel: HumanChannel;
}

export interface WriteRequest {
  tool: WriteToolDefinition;
  args: WriteArgs;
  session: Session;
  /** The call as the host made it: its signal, trace and connection; the gate sets the deadlines. */
  call: ToolCall;
}

export type HiddenReason = 'read_only' | 'scope';

interface InFlight {
  subject: AuditSubject;
  /** The read tool that tells whether the write was applied. */
  stateTool: string;
  done: Promise<unknown>;
  settled: boolean;
  requestIds(): string[];
  /**
   * Makes the call answer now, without waiting for the API any longer (the shutdown's bound ran
   * out); `recorded` says whether the outcome line could be written.
   */
  stop(recorded: boolean): void;
}

/** The gate's verdict before the write: go ahead as `approval`, or answer `result` and record `outcome`. */
type Clearance = { go: PlanApproval } | { stop: { guardrail: string; outcome: AuditOutcome; result: CallToolResult } };

export class WriteGate {
  private readonly inFlight = new Set<InFlight>();
  private draining = false;
  /** The bound of the drain in progress, for the answers of the writes it stops. */
  private drainBoundMs = 0;

  constructor(private readonly options: GateOptions) {}

  get settings(): GuardrailSettings {
    return this.options.settings;
  }

  get shuttingDown(): boolean {
    return this.draining;
  }

  /** Where approval pages are served; set once the HTTP server (or nothing) is up. */
  set pages(pages: ApprovalPages | undefined) {
    this.options.pages = pages;
  }

  /** The answer to a write tool this caller may not use, called by name (it is not even listed). */
  refuseHidden(tool: string, args: Record<string, unknown>, session: Pick<Session, 'caller' | 'projectId'>, reason: HiddenReason): CallToolResult {
    const result =
      reason === 'read_only'
        ? refusal(
            'READ_ONLY',
            `The server is read-only (--read-only / HUAWEICLOUD_ER_MCP_READ_ONLY): ${tool} is not available.`,
            'Ask whoever configured this MCP server to start it without --read-only if changes should be allowed. Read tools keep working.',
          )
        : refusal('FORBIDDEN_SCOPE', `Your credentials lack the er:write scope: ${tool} is not available to you.`, 'Ask for a token with the er:write scope if you should make changes. Read tools keep working.');
    const subject = this.subject(tool, auditableArguments(args), session, reason);
    return this.recordOutcome(subject, { outcome: 'refused', state: null, error_code: null }, [], result);
  }

  /** A write tool called while the connection is not usable: the tool's own answer, recorded. */
  refuseUnconfigured(tool: string, args: WriteArgs, session: Pick<Session, 'caller' | 'projectId'>, result: CallToolResult): CallToolResult {
    const subject = this.subject(tool, { ...args }, session, 'not_configured');
    return this.recordOutcome(subject, { outcome: 'failed', state: null, error_code: 'CONFIGURATION' }, [], result);
  }

  async run(request: WriteRequest): Promise<CallToolResult> {
    const { tool, session } = request;
    const { dry_run: dryRun, plan_id: planId, ...target } = request.args;
    const stop = (guardrail: string, outcome: AuditOutcome, result: CallToolResult, extra: Partial<PlanApproval> = {}) =>
      this.recordOutcome({ ...this.subject(tool.name, request.args, session, guardrail), ...extra }, { outcome, state: null, error_code: null }, request.call.trace.requestIds, result);

    const refused = this.checkRules(target);
    if (refused) {
      if (refused.guardrail === 'audit_unavailable') return refused.result;
      return stop(refused.guardrail, 'refused', refused.result);
    }
    if (dryRun && planId) {
      return stop('invalid_arguments', 'refused', refusal('INVALID_ARGUMENTS', 'dry_run and plan_id together: a dry run makes a new plan, plan_id applies one.', 'Call with dry_run: true for a new plan, or with plan_id (and without dry_run) to make the planned change.'));
    }

    let record: PlanRecord | null = null;
    if (planId) {
      const found = this.findPlan(planId, tool, target, session);
      if ('stop' in found) return stop(found.stop.guardrail, 'refused', found.stop.result);
      record = found.record;
      const stale = await this.staleness(record, request);
      if (stale) return stop('plan_stale', 'refused', stale, { plan_id: record.id, plan_sha256: record.sha256 });
    } else if (dryRun || this.settings.confirmWrites !== 'never') {
      const made = await this.makePlan(request, target);
      if ('stop' in made) return stop(made.stop.guardrail, made.stop.outcome, made.stop.result);
      record = made.record;
      if (dryRun) return this.recordOutcome({ ...this.subject(tool.name, request.args, session, 'dry_run'), plan_id: record.id, plan_sha256: record.sha256 }, { outcome: 'dry_run', state: null, error_code: null }, request.call.trace.requestIds, this.planAnswer(record, request.call));
    }

    const clearance = await this.clear(record, request);
    if ('stop' in clearance) {
      const { guardrail, outcome, result } = clearance.stop;
      return stop(guardrail, outcome, result, record ? { plan_id: record.id, plan_sha256: record.sha256 } : {});
    }
    if (request.call.signal.aborted) {
      // Approval came, but the call was cancelled meanwhile: nothing may be sent after a cancellation.
      return stop('call_cancelled', 'refused', refusal('CANCELLED', 'The call was cancelled before the change was sent: nothing was sent.', 'Call again if the change is still wanted.'), clearance.go);
    }
    const token = record ? record.clientToken : takesClientToken(tool) ? (target.client_token ?? randomUUID()) : null;
    const writeTarget: WriteTarget = { ...target, ...(token ? { client_token: token } : {}) };
    const subject = { ...this.subject(tool.name, writeTarget, session, clearance.go.approval_channel === 'none' ? 'confirmation_disabled' : 'approved'), ...clearance.go };
    return this.write(request, { target: writeTarget, subject, record, tokenFromCaller: record ? record.tokenFromCaller : typeof target.client_token === 'string' });
  }

  /**
   * Stops taking writes, waits up to `boundMs` for those in flight, and records every one still
   * unsettled then as "may have been applied": its request may have reached the API.
   */
  async drain(boundMs: number): Promise<void> {
    this.draining = true;
    this.drainBoundMs = boundMs;
    const pending = [...this.inFlight];
    if (pending.length > 0) {
      this.options.log.info({ writes: pending.length, bound_ms: boundMs }, 'waiting for writes in flight before stopping');
      const bound = new AbortController();
      await Promise.race([Promise.allSettled(pending.map((w) => w.done)), this.options.clock.sleep(boundMs, bound.signal).catch(() => undefined)]);
      bound.abort();
    }
    for (const write of this.inFlight) {
      write.settled = true;
      const recorded = this.tryAppend({
        ...write.subject,
        event: 'outcome',
        time: this.time(),
        outcome: 'may_have_been_applied',
        request_ids: write.requestIds(),
        state: null,
        error_code: null,
        note: `The server stopped ${Math.round(boundMs / 1000)} s after being asked to, before this write answered: check with ${write.stateTool} (same IDs) whether it was applied.`,
      });
      // Its caller is answered too, before the transport closes: without it the client saw its
      // request end with no answer at all (over HTTP, the stream just closed).
      write.stop(recorded);
    }
    this.inFlight.clear();
  }

  /** A plan from the book for this very call, or why it cannot be used. */
  private findPlan(planId: string, tool: WriteToolDefinition, target: WriteTarget, session: Session): { record: PlanRecord } | { stop: { guardrail: string; result: CallToolResult } } {
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
    if (record.usedBy !== null) {
      return {
        stop: {
          guardrail: 'plan_used',
          result: refusal(
            'PLAN_ALREADY_USED',
            `Plan ${planId} was already applied (audit attempt ${record.usedBy}).`,
            `Check the result with ${tool.settles.stateTool}. To retry that same write safely, call ${tool.name} with client_token ${record.clientToken ?? '(none)'} and no plan_id. Nothing was sent.`,
          ),
        },
      };
    }
    return { record };
  }

  /** Makes the plan of this call and keeps it in the book. */
  private async makePlan(request: WriteRequest, target: WriteTarget): Promise<{ record: PlanRecord } | { stop: { guardrail: string; outcome: AuditOutcome; result: CallToolResult } }> {
    const { tool, session, call } = request;
    try {
      const made = await tool.plan(target, this.withDeadline(call));
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
      return { record };
    } catch (error) {
      const described = describeError(error, { ids: idsOf(target), nowMs: this.options.clock.now() });
      if (request.args.dry_run) return { stop: { guardrail: 'dry_run', outcome: 'dry_run', result: refusal(described.error_code, described.error_msg, described.hint, described) } };
      return {
        stop: {
          guardrail: 'confirmation_plan_failed',
          outcome: 'failed',
          result: refusal('CONFIRMATION_PLAN_FAILED', `The plan to show for approval could not be made: ${described.error_msg.slice(0, 300)}`, 'Nothing was sent. Call again; if it keeps failing, try dry_run: true to see what fails.'),
        },
      };
    }
  }

  /** Reads again what the plan read: if anything moved, the refusal (with a fresh plan), else null. */
  private async staleness(record: PlanRecord, request: WriteRequest): Promise<CallToolResult | null> {
    let now;
    try {
      now = await request.tool.plan({ ...record.target } as WriteTarget, this.withDeadline(request.call));
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
      { changed, plan_id: fresh.id, plan_sha256: fresh.sha256, plan_expires_at: this.isoTime(fresh.expiresAt), plan: fresh.made.plan },
    );
  }

  /** The person's approval of the plan, through whatever the client can do; or why the write stops. */
  private async clear(record: PlanRecord | null, request: WriteRequest): Promise<Clearance> {
    const { session, call } = request;
    if (this.settings.confirmWrites === 'never' || !record) {
      return { go: { plan_id: record?.id ?? null, plan_sha256: record?.sha256 ?? null, requested_by: session.caller, approved_by: null, approval_channel: 'none' } };
    }
    const approved = (r: PlanRecord): Clearance =>
      r.decision.status === 'approved'
        ? { go: { plan_id: r.id, plan_sha256: r.sha256, requested_by: r.caller, approved_by: r.decision.by, approval_channel: r.decision.channel } }
        : { stop: { guardrail: 'rejected', outcome: 'declined', result: refusal('DECLINED_BY_HUMAN', `${r.decision.status === 'rejected' ? r.decision.by : 'The person'} rejected plan ${r.id}: nothing was sent.`, 'Do not retry on your own; ask the person what they want changed.', { status: 'declined', plan_id: r.id }) } };
    if (record.decision.status !== 'pending') return approved(record);
    if (!this.options.approvals.requested(record)) return { stop: auditUnavailable() };

    const { approvals } = this.options;
    const { channel } = session;
    const bound = { timeoutMs: this.settings.confirmTimeoutMs, signal: call.signal };
    if (approvals.mayApproveOwn(session.scopes) && canElicit(channel)) {
      const answer = await askApproval(channel, record.text, bound);
      switch (answer.kind) {
        case 'accepted':
        case 'declined':
        case 'cancelled':
          if (!approvals.decideByForm(record, answer.kind === 'accepted' ? 'approved' : 'rejected', session.caller)) return { stop: auditUnavailable() };
          return this.afterWait(record, request, approved(record));
        case 'call_cancelled':
          return { stop: { guardrail: 'call_cancelled', outcome: 'refused', result: refusal('CANCELLED', 'The call was cancelled while waiting for approval: nothing was sent.', 'Call again if the change is still wanted.') } };
        case 'failed':
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
    if (!url) return { stop: { guardrail: 'approval_unavailable', outcome: 'refused', result: refusal('APPROVAL_UNAVAILABLE', 'No approval page could be served for this plan, so nobody can approve it: nothing was sent.', 'Check the server log (stderr); the operator may restart the server.') } };
    if (approvals.mayApproveOwn(session.scopes) && canElicitUrl(channel)) {
      record.offeredByUrl = true;
      const elicitationId = randomUUID();
      const offered = await offerUrl(channel, { message: `Review and approve or reject this change:\n\n${record.text}`, url, elicitationId }, bound);
      record.offeredByUrl = offered.kind === 'opened' || record.decision.status !== 'pending';
      if (offered.kind === 'opened') {
        // Bounded under the 60 s most clients give a call: if the person takes longer, the plan
        // stays open and the answer says to call again with it.
        const waited = AbortSignal.any([call.signal, AbortSignal.timeout(Math.min(this.settings.confirmTimeoutMs, MAX_PAGE_WAIT_MS))]);
        await this.options.book.whenDecided(record, waited);
        if (record.decision.status !== 'pending') {
          void channel.completeUrl(elicitationId).catch(() => undefined);
          return this.afterWait(record, request, approved(record));
        }
      } else if (offered.kind === 'declined' || offered.kind === 'cancelled') {
        return { stop: { guardrail: `url_${offered.kind}`, outcome: 'declined', result: refusal('DECLINED_BY_HUMAN', `The person ${offered.kind} opening the approval page: nothing was sent.`, `Do not retry on your own. The plan stays open for approval at ${url} until it expires.`, { status: 'declined', plan_id: record.id }) } };
      }
    }
    if (call.signal.aborted) return { stop: { guardrail: 'call_cancelled', outcome: 'refused', result: refusal('CANCELLED', 'The call was cancelled while waiting for approval: nothing was sent.', 'Call again if the change is still wanted.') } };
    const secondPerson = !approvals.mayApproveOwn(session.scopes);
    return { stop: { guardrail: 'approval_required', outcome: 'approval_required', result: approvalRequired(record, { url, secondPerson, expiresAt: this.isoTime(record.expiresAt), base: this.base(call) }) } };
  }

  /** Approved within this call after a wait for a person: the world may have moved meanwhile. */
  private async afterWait(record: PlanRecord, request: WriteRequest, clearance: Clearance): Promise<Clearance> {
    if ('stop' in clearance) return clearance;
    const stale = await this.staleness(record, request);
    return stale ? { stop: { guardrail: 'plan_stale', outcome: 'refused', result: stale } } : clearance;
  }

  private async pageFor(record: PlanRecord): Promise<string | null> {
    if (!this.options.pages) return null;
    try {
      return await this.options.pages.urlFor(record.id);
    } catch (error) {
      this.options.log.error({ plan_id: record.id, err: error instanceof Error ? error.message : String(error) }, 'could not serve the approval page');
      return null;
    }
  }

  private async write(request: WriteRequest, plan: { target: WriteTarget; subject: AuditSubject & PlanApproval; record: PlanRecord | null; tokenFromCaller: boolean }): Promise<CallToolResult> {
    const { tool, call } = request;
    const { subject, record } = plan;
    // Two calls may carry one approved plan at once: only the first to get here applies it.
    if (record?.usedBy) {
      const result = refusal('PLAN_ALREADY_USED', `Plan ${record.id} was already applied (audit attempt ${record.usedBy}).`, `Check the result with ${tool.settles.stateTool}. Nothing was sent by this call.`);
      return this.recordOutcome({ ...subject, guardrail: 'plan_used' }, { outcome: 'refused', state: null, error_code: null }, [], result);
    }
    try {
      this.options.audit.append({ ...subject, event: 'intent', time: this.time() });
    } catch (error) {
      // Nothing is sent, and nothing more can be recorded: the log line is all the trace there is.
      const problem = this.options.audit.problem() ?? errorText(error);
      this.options.log.error({ tool: tool.name, caller: subject.caller, attempt_id: subject.attempt_id, err: problem }, 'could not write the audit intent: the write is refused, nothing was sent');
      return refusal(
        'AUDIT_UNAVAILABLE',
        `The intent of this write could not be written to the audit log (${problem}), so it was not sent.`,
        'A change that cannot be recorded is not made: fix the audit log (--audit-log / HUAWEICLOUD_ER_MCP_AUDIT_LOG; a full disk?) and restart the server.',
      );
    }
    if (record) record.usedBy = subject.attempt_id;
    // Settled once the outcome is recorded, so a shutdown waits for the record, not just the request.
    let finished!: () => void;
    let stop!: (recorded: boolean) => void;
    const stopped = new Promise<{ stopped: true; recorded: boolean }>((resolve) => (stop = (recorded) => resolve({ stopped: true, recorded })));
    const requestIds = () => [...call.trace.requestIds];
    const entry: InFlight = { subject, stateTool: tool.settles.stateTool, done: new Promise<void>((resolve) => (finished = resolve)), settled: false, requestIds, stop };
    this.inFlight.add(entry);
    try {
      // The API deadline starts now, after any wait for a person.
      const applying = tool.apply(plan.target, { ...this.withDeadline(call), tokenFromCaller: plan.tokenFromCaller }).catch((error: unknown): WriteAnswer => {
        // A bug, not an API answer: the request may have left, so the record must not say "failed".
        this.options.log.error({ tool: tool.name, caller: subject.caller, err: error instanceof Error ? error.message : String(error) }, 'write tool failed unexpectedly');
        return {
          result: refusal('INTERNAL', 'Unexpected failure inside the server while writing.', `Check with ${tool.settles.stateTool} (same IDs) whether the change was made; the server log (stderr) has details.`),
          report: { outcome: 'may_have_been_applied', state: null, error_code: 'INTERNAL' },
        };
      });
      const answer = await Promise.race([applying, stopped]);
      if ('stopped' in answer) {
        // The drain recorded the outcome as unknown; whatever the API says later reaches nobody.
        const result = serverStopped(tool, plan.target, this.drainBoundMs);
        return answer.recorded ? result : withAuditWarning(result, auditWarning('may_have_been_applied', this.options.audit.problem()));
      }
      if (record && !answer.result.isError && answer.report.outcome !== 'failed') this.options.checks.add(tool, record, subject);
      const result = record && !answer.result.isError ? withPlanId(answer.result, record.id) : answer.result;
      // Already recorded by a shutdown that could not wait any longer.
      if (entry.settled) return result;
      return this.recordOutcome(subject, answer.report, requestIds(), result);
    } finally {
      this.inFlight.delete(entry);
      finished();
    }
  }

  private planAnswer(record: PlanRecord, call: ToolCall): CallToolResult {
    return success({
      dry_run: true,
      plan: record.made.plan,
      plan_id: record.id,
      plan_sha256: record.sha256,
      plan_expires_at: this.isoTime(record.expiresAt),
      ...this.base(call),
      hint: `To make this change, call again with plan_id ${record.id} (and without dry_run) before it expires; it is refused if anything this plan read has changed.`,
    });
  }

  private base(call: ToolCall): { region: string; project_id: string; sandbox: boolean } {
    return { region: call.env.region, project_id: call.projectId, sandbox: call.env.sandbox };
  }

  /** The call with this step's own API deadline, counted from now. */
  private withDeadline(call: ToolCall): ToolCall {
    return { ...call, deadline: this.options.clock.now() + call.env.callDeadlineMs };
  }

  private checkRules(target: WriteTarget): { guardrail: string; result: CallToolResult } | undefined {
    const { allowErIds, allowRouteTableIds } = this.options.settings;
    if (this.draining) {
      return { guardrail: 'shutting_down', result: refusal('SHUTTING_DOWN', 'The server is shutting down and takes no new writes.', 'Call again once the server has been restarted; nothing was sent.') };
    }
    if (allowErIds && !allowErIds.has(target.er_id)) {
      return {
        guardrail: 'allow_er_ids',
        result: refusal('NOT_ALLOWED', `Router ${target.er_id} is not in the allow-list (--allow-er-ids / HUAWEICLOUD_ER_MCP_ALLOW_ER_IDS).`, 'This server may change only the routers it was configured for; nothing was sent.'),
      };
    }
    if (allowRouteTableIds && !allowRouteTableIds.has(target.route_table_id)) {
      return {
        guardrail: 'allow_route_table_ids',
        result: refusal(
          'NOT_ALLOWED',
          `Route table ${target.route_table_id} is not in the allow-list (--allow-route-table-ids / HUAWEICLOUD_ER_MCP_ALLOW_ROUTE_TABLE_IDS).`,
          'This server may change only the route tables it was configured for; nothing was sent.',
        ),
      };
    }
    const auditProblem = this.options.audit.problem();
    if (auditProblem) {
      return {
        // The refusal says the log is unusable: there is nowhere to record it.
        guardrail: 'audit_unavailable',
        result: refusal('AUDIT_UNAVAILABLE', `Writes are refused because ${auditProblem}.`, 'A change that cannot be recorded is not made: fix the path or permissions (--audit-log PATH / HUAWEICLOUD_ER_MCP_AUDIT_LOG) and restart the server.'),
      };
    }
    return undefined;
  }

  private subject(tool: string, args: Record<string, unknown>, session: Pick<Session, 'caller' | 'projectId'>, guardrail: string): AuditSubject {
    const token = args.client_token;
    return {
      attempt_id: randomUUID(),
      tool,
      arguments: args,
      client_token: typeof token === 'string' ? token : null,
      region: this.options.region,
      project_id: session.projectId,
      caller: session.caller,
      sandbox: this.options.sandbox,
      guardrail,
    };
  }

  private recordOutcome(subject: AuditSubject & Partial<PlanApproval>, report: { outcome: AuditOutcome; state: string | null; error_code: string | null }, requestIds: readonly string[], result: CallToolResult): CallToolResult {
    const written = this.tryAppend({ ...subject, event: 'outcome', time: this.time(), outcome: report.outcome, request_ids: [...requestIds], state: report.state, error_code: report.error_code });
    if (written) return result;
    return withAuditWarning(result, auditWarning(report.outcome, this.options.audit.problem()));
  }

  private tryAppend(record: Parameters<AuditSink['append']>[0] & { tool: string; caller: string; event: string; attempt_id: string; outcome: string }): boolean {
    try {
      this.options.audit.append(record);
      return true;
    } catch (error) {
      // stderr keeps what the audit could not: which attempt, and how it ended.
      this.options.log.error(
        { tool: record.tool, caller: record.caller, event: record.event, attempt_id: record.attempt_id, outcome: record.outcome, err: this.options.audit.problem() ?? errorText(error) },
        'could not write the audit record: further writes are refused',
      );
      return false;
    }
  }

  private time(): string {
    return this.isoTime(this.options.clock.now());
  }

  private isoTime(ms: number): string {
    return new Date(ms).toISOString();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function auditUnavailable(): { guardrail: string; outcome: AuditOutcome; result: CallToolResult } {
  return {
    guardrail: 'audit_unavailable',
    outcome: 'refused',
    result: refusal('AUDIT_UNAVAILABLE', 'The approval step could not be written to the audit log, so the write was not sent.', 'A change that cannot be recorded is not made: fix the audit log (--audit-log / HUAWEICLOUD_ER_MCP_AUDIT_LOG) and restart the server.'),
  };
}

/** A write the shutdown could not wait for: its outcome is unknown, and the caller is told how to find out. */
function serverStopped(tool: WriteToolDefinition, target: WriteTarget, boundMs: number): CallToolResult {
  const token = typeof target.client_token === 'string' ? target.client_token : null;
  const retry = token ? ` To finish the job once the server is back, call ${tool.name} again with client_token ${token}: it cannot make a duplicate.` : '';
  return refusal(
    'SERVER_STOPPED',
    `The server stopped (it waited ${Math.round(boundMs / 1000)} s for this write) before the API answered: the outcome is unknown, the change may have been applied.`,
    `Check with ${tool.settles.stateTool} (same IDs) whether it was applied.${retry}`,
    { outcome: 'unknown', ...(token ? { client_token: token } : {}) },
  );
}

/** The write's answer names the plan it applied. */
function withPlanId(result: CallToolResult, planId: string): CallToolResult {
  return success({ ...(result.structuredContent as Record<string, unknown>), plan_id: planId });
}

function idsOf(target: Readonly<Record<string, unknown>>): Record<string, string | undefined> {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { er_id: text(target.er_id), route_table_id: text(target.route_table_id), attachment_id: text(target.attachment_id) };
}

function sameArguments(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const canonical = (o: Readonly<Record<string, unknown>>) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
  return canonical(a) === canonical(b);
}

/**
 * A refused-by-name call never went through the tool's input schema: keep only the known
 * arguments, each cut short, so a hostile call cannot fill the audit log.
 */
function auditableArguments(args: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of ['er_id', 'route_table_id', 'attachment_id', 'client_token', 'dry_run', 'plan_id']) {
    const value = args[key];
    if (typeof value === 'boolean') kept[key] = value;
    else if (typeof value === 'string') kept[key] = value.slice(0, 64);
  }
  return kept;
}

/** The gate with its plan book, the approvals desk the pages use, and the checks state tools run. */
export function createGate(options: Omit<GateOptions, 'book' | 'approvals' | 'checks'> & { maxPlans?: number }): { gate: WriteGate; desk: Approvals; checks: SettleChecks } {
  const now = () => options.clock.now();
  let desk: Approvals | undefined;
  const book = new PlanBook({ clock: options.clock, ttlMs: options.settings.planTtlMs, maxPlans: options.maxPlans ?? DEFAULT_MAX_PLANS, onExpired: (record) => desk?.expired(record) });
  desk = new Approvals({ book, audit: options.audit, log: options.log, region: options.region, requireSecondPerson: options.settings.requireSecondPerson, now });
  const checks = new SettleChecks({ audit: options.audit, log: options.log, now });
  return { gate: new WriteGate({ ...options, book, approvals: desk, checks }), desk, checks };
}
