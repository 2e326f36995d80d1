// Every write goes through here, and only here is the order known: guardrails → plan (or the
// given plan, re-read: stale?) → the policy file's rules and invariants on that plan → a person's
// approval → the intent on disk → the write → its outcome → a check against the plan once it
// settles. The plan steps are in plan-step.ts, the policy in policy-step.ts, the approval in
// approval-step.ts; a write tool declares its own steps (tools/definition.ts);
// the agent cannot switch any of this with an argument, and a tool cannot skip it: the server
// puts every tool whose annotations say it writes behind the gate. One gate serves every session
// of the process, so a shutdown can wait for the writes of all of them, and a plan made in one
// session can be approved from a page.
import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Clock } from '../http/clock.js';
import type { Logger } from '../log.js';
import { DEFAULT_MAX_PLANS, PlanBook, type PlanRecord } from '../plans/plan-book.js';
import { type WriteArgs, type WriteTarget, type WriteToolDefinition, takesClientToken } from '../tools/definition.js';
import type { ToolCall, WriteAnswer } from '../toolkit/context.js';
import { errorCodeOf, success } from '../toolkit/results.js';
import { refusal } from './gate-answers.js';
import { auditWarning, withAuditWarning } from './audit-warning.js';
import type { AuditOutcome, AuditSink, AuditSubject, PlanApproval, PolicyAudit } from './audit.js';
import { Approvals } from './approvals.js';
import type { HumanChannel } from './confirm.js';
import { ApprovalStep } from './approval-step.js';
import { PlanSteps, withDeadline } from './plan-step.js';
import { type DryRunPolicy, PolicyStep } from './policy-step.js';
import type { CheckInvariants } from './policy-invariants.js';
import { ACTION_OF_TOOL, type CallerIdentity, type Policy } from '../policy/model.js';
import { describeCaller } from '../policy/permissions.js';
import type { GuardrailSettings } from './guardrail-settings.js';
import { SettleChecks } from './settle-checks.js';

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
  /** The policy file's rules and invariants, as loaded now (null: no policy, nothing changes); asked once per call. */
  policy?: { current(): Policy | null };
  /** The invariant engine, unless a test brings a fake one. */
  checkInvariants?: CheckInvariants;
}

/** Who is calling, from where, and how to reach the human. */
export interface Session {
  caller: string;
  projectId: string | null;
  /** The caller's scopes over HTTP; null on stdio, where the local user holds them all. */
  scopes: readonly string[] | null;
  /** The caller as a policy's rules match it (src/policy/caller-identity.ts). */
  identity: CallerIdentity;
  channel: HumanChannel;
}

export interface WriteRequest {
  tool: WriteToolDefinition;
  args: WriteArgs;
  session: Session;
  /** The call as the host made it: its signal, trace and connection; the gate sets the deadlines. */
  call: ToolCall;
}

/** Why a write tool is not listed for a caller: --read-only, no er:write scope, or no policy rule that could ever allow its action. */
export type HiddenReason = 'read_only' | 'scope' | 'policy';

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

export class WriteGate {
  private readonly inFlight = new Set<InFlight>();
  private draining = false;
  /** The bound of the drain in progress, for the answers of the writes it stops. */
  private drainBoundMs = 0;

  private readonly plans: PlanSteps;
  private readonly approval: ApprovalStep;
  private readonly policyStep: PolicyStep;

  constructor(private readonly options: GateOptions) {
    this.plans = new PlanSteps({ book: options.book, clock: options.clock, sandbox: options.sandbox });
    this.policyStep = new PolicyStep({ settings: options.settings, clock: options.clock, ...(options.checkInvariants ? { checkInvariants: options.checkInvariants } : {}) });
    this.approval = new ApprovalStep({ settings: options.settings, approvals: options.approvals, book: options.book, plans: this.plans, log: options.log, pages: () => this.options.pages });
  }

  get settings(): GuardrailSettings {
    return this.options.settings;
  }

  /** The policy as loaded now, or null without one. */
  currentPolicy(): Policy | null {
    return this.options.policy?.current() ?? null;
  }

  get shuttingDown(): boolean {
    return this.draining;
  }

  /** Where approval pages are served; set once the HTTP server (or nothing) is up. */
  set pages(pages: ApprovalPages | undefined) {
    this.options.pages = pages;
  }

  /** The answer to a write tool this caller may not use, called by name (it is not even listed). */
  refuseHidden(tool: string, args: Record<string, unknown>, session: Pick<Session, 'caller' | 'projectId' | 'identity'>, reason: HiddenReason): CallToolResult {
    if (reason === 'policy') {
      const source = this.currentPolicy()?.source ?? 'the policy file';
      const action = ACTION_OF_TOOL[tool] ?? tool;
      const result = refusal(
        'POLICY_DENIED',
        `No rule of the policy (${source}) allows ${describeCaller(session.identity)} to ${action} anywhere: ${tool} is not available to you. Nothing was sent.`,
        `Ask whoever maintains the policy (${source}) for a rule that allows ${action} if you should make such changes. Read tools keep working.`,
        { rule: null, policy_rule: null },
      );
      return this.recordOutcome({ ...this.subject(tool, auditableArguments(args), session, 'policy_denied'), policy_rule: null }, { outcome: 'refused', state: null, error_code: null }, [], result);
    }
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
    // Asked once: a policy reloaded during this call applies to the next one.
    const policy = this.currentPolicy();
    let policyAudit: PolicyAudit = {};
    const stop = (guardrail: string, outcome: AuditOutcome, result: CallToolResult, extra: Partial<PlanApproval> & PolicyAudit = {}) =>
      this.recordOutcome({ ...this.subject(tool.name, request.args, session, guardrail), ...policyAudit, ...extra }, { outcome, state: null, error_code: null }, request.call.trace.requestIds, result);

    const refused = this.checkRules(target);
    if (refused) {
      request.call.observe.decision({ step: 'guardrail', outcome: 'refused', code: errorCodeOf(refused.result), detail: `The ${refused.guardrail} guardrail refused the write: nothing was sent.` });
      if (refused.guardrail === 'audit_unavailable') return refused.result;
      return stop(refused.guardrail, 'refused', refused.result);
    }
    if (dryRun && planId) {
      request.call.observe.decision({ step: 'guardrail', outcome: 'refused', code: 'INVALID_ARGUMENTS', detail: 'dry_run and plan_id were given together: nothing was sent.' });
      return stop('invalid_arguments', 'refused', refusal('INVALID_ARGUMENTS', 'dry_run and plan_id together: a dry run makes a new plan, plan_id applies one.', 'Call with dry_run: true for a new plan, or with plan_id (and without dry_run) to make the planned change.'));
    }

    let record: PlanRecord | null = null;
    if (planId) {
      const found = this.plans.find(planId, tool, target, session);
      if ('stop' in found) {
        request.call.observe.decision({ step: 'plan', outcome: 'refused', code: errorCodeOf(found.stop.result), detail: `Plan ${planId} cannot be used for this call (${found.stop.guardrail}): nothing was sent.` });
        return stop(found.stop.guardrail, 'refused', found.stop.result);
      }
      record = found.record;
      const stale = await this.plans.stale(record, request);
      if (stale) return stop(stale.guardrail, 'refused', stale.result, { plan_id: record.id, plan_sha256: record.sha256 });
    } else if (dryRun || this.settings.confirmWrites !== 'never' || policy) {
      // A policy is checked on the plan, even where nobody is asked to approve it.
      const made = await this.plans.make(request, target, dryRun || this.settings.confirmWrites !== 'never' ? 'approval' : 'policy');
      if ('stop' in made) return stop(made.stop.guardrail, made.stop.outcome, made.stop.result);
      record = made.record;
    }

    let dryRunPolicy: { answer: DryRunPolicy; blocked: string | null } | null = null;
    if (policy && record) {
      const planned = { plan_id: record.id, plan_sha256: record.sha256 };
      const verdict = await this.policyStep.clear(policy, record, request);
      if ('stop' in verdict) return stop(verdict.stop.guardrail, verdict.stop.outcome, verdict.stop.result, { ...planned, ...verdict.stop.audit });
      policyAudit = verdict.go.audit;
      dryRunPolicy = { answer: verdict.go.answer, blocked: verdict.go.blocked };
    }
    if (dryRun && record) {
      return this.recordOutcome(
        { ...this.subject(tool.name, request.args, session, 'dry_run'), ...policyAudit, plan_id: record.id, plan_sha256: record.sha256 },
        { outcome: 'dry_run', state: null, error_code: null },
        request.call.trace.requestIds,
        this.planAnswer(record, request.call, dryRunPolicy),
      );
    }

    const clearance = await this.approval.clear(record, request);
    if ('stop' in clearance) {
      const { guardrail, outcome, result } = clearance.stop;
      return stop(guardrail, outcome, result, record ? { plan_id: record.id, plan_sha256: record.sha256 } : {});
    }
    if (request.call.signal.aborted) {
      request.call.observe.decision({ step: 'guardrail', outcome: 'refused', code: 'CANCELLED', detail: 'The call was cancelled before the change was sent: nothing was sent.' });
      // Approval came, but the call was cancelled meanwhile: nothing may be sent after a cancellation.
      return stop('call_cancelled', 'refused', refusal('CANCELLED', 'The call was cancelled before the change was sent: nothing was sent.', 'Call again if the change is still wanted.'), clearance.go);
    }
    const token = record ? record.clientToken : takesClientToken(tool) ? (target.client_token ?? randomUUID()) : null;
    const writeTarget: WriteTarget = { ...target, ...(token ? { client_token: token } : {}) };
    const subject = { ...this.subject(tool.name, writeTarget, session, clearance.go.approval_channel === 'none' ? 'confirmation_disabled' : 'approved'), ...policyAudit, ...clearance.go };
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

  private async write(request: WriteRequest, plan: { target: WriteTarget; subject: AuditSubject & PlanApproval; record: PlanRecord | null; tokenFromCaller: boolean }): Promise<CallToolResult> {
    const { tool, call } = request;
    const { subject, record } = plan;
    // Two calls may carry one approved plan at once: only the first to get here applies it.
    if (record?.usedBy) {
      call.observe.decision({ step: 'plan', outcome: 'refused', code: 'PLAN_ALREADY_USED', detail: `Plan ${record.id} was already applied by another call: nothing was sent.` });
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
      const applying = tool.apply(plan.target, { ...withDeadline(this.options.clock, call), tokenFromCaller: plan.tokenFromCaller }).catch((error: unknown): WriteAnswer => {
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

  private planAnswer(record: PlanRecord, call: ToolCall, policy: { answer: DryRunPolicy; blocked: string | null } | null): CallToolResult {
    const next = `To make this change, call again with plan_id ${record.id} (and without dry_run) before it expires; it is refused if anything this plan read has changed.`;
    const secondPerson = policy?.answer.second_person_required && !policy.blocked ? ` Policy rule ${policy.answer.rule.name} requires a person other than you to approve it.` : '';
    return success({
      dry_run: true,
      plan: record.made.plan,
      plan_id: record.id,
      plan_sha256: record.sha256,
      plan_expires_at: this.isoTime(record.expiresAt),
      ...(policy ? { policy: policy.answer } : {}),
      ...this.base(call),
      hint: policy?.blocked ? `Do not apply this plan: ${policy.blocked}` : `${next}${secondPerson}`,
    });
  }

  private base(call: ToolCall): { region: string; project_id: string; sandbox: boolean } {
    return { region: call.env.region, project_id: call.projectId, sandbox: call.env.sandbox };
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



/**
 * A refused-by-name call never went through the tool's input schema: keep only the known
 * arguments, each cut short, so a hostile call cannot fill the audit log.
 */
function auditableArguments(args: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of ['er_id', 'route_table_id', 'attachment_id', 'destination', 'is_blackhole', 'client_token', 'dry_run', 'plan_id']) {
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
