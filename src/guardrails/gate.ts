// Every write goes through here: allow-lists, the audit log's health, the human's approval, then
// the intent on disk before the first request and the outcome after. The agent cannot switch any
// of it with a tool argument, and a tool cannot skip it: the server wraps every tool whose
// annotations say it writes. One gate serves every session of the process, so a shutdown can wait
// for the writes of all of them.
import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Clock } from '../http/clock.js';
import type { Logger } from '../log.js';
import type { WriteAnswer } from '../toolkit/context.js';
import type { WriteArgs } from '../tools/definition.js';
import { failure } from '../toolkit/results.js';
import type { AuditOutcome, AuditSink, AuditSubject } from './audit.js';
import { askApproval, canElicit, type HumanChannel } from './confirm.js';
import type { GuardrailSettings } from './guardrail-settings.js';

export interface GateOptions {
  settings: GuardrailSettings;
  audit: AuditSink;
  clock: Clock;
  log: Logger;
  region: string;
  sandbox: boolean;
}

/** Who is calling, from where, and how to reach the human. */
export interface Session {
  caller: string;
  projectId: string | null;
  channel: HumanChannel;
}

export interface WriteCall {
  tool: string;
  args: WriteArgs;
  /** Whether the tool takes a client_token: one is then fixed here, before the intent is recorded. */
  takesToken: boolean;
  session: Session;
  signal: AbortSignal;
  /** The plan in words, for the human (read-only look-ups). */
  approval(signal: AbortSignal): Promise<string>;
  /** The write itself; its API deadline starts when it is called, after any approval. */
  perform(args: WriteArgs, signal: AbortSignal): Promise<WriteAnswer>;
  /** Request ids the API gave during the call so far. */
  requestIds(): string[];
}

export type HiddenReason = 'read_only' | 'scope';

interface InFlight {
  subject: AuditSubject;
  done: Promise<unknown>;
  settled: boolean;
  requestIds(): string[];
}

export class WriteGate {
  private readonly inFlight = new Set<InFlight>();
  private draining = false;

  constructor(private readonly options: GateOptions) {}

  get settings(): GuardrailSettings {
    return this.options.settings;
  }

  get shuttingDown(): boolean {
    return this.draining;
  }

  /** The answer to a write tool this caller may not use, called by name (it is not even listed). */
  refuseHidden(tool: string, args: Record<string, unknown>, session: Omit<Session, 'channel'>, reason: HiddenReason): CallToolResult {
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
  refuseUnconfigured(tool: string, args: WriteArgs, session: Omit<Session, 'channel'>, result: CallToolResult): CallToolResult {
    const subject = this.subject(tool, { ...args }, session, 'not_configured');
    return this.recordOutcome(subject, { outcome: 'failed', state: null, error_code: 'CONFIGURATION' }, [], result);
  }

  async run(call: WriteCall): Promise<CallToolResult> {
    const args: WriteArgs = { ...call.args };
    const refused = this.checkRules(args);
    if (refused) {
      if (refused.guardrail === 'audit_unavailable') return refused.result;
      return this.recordOutcome(this.subject(call.tool, args, call.session, refused.guardrail), { outcome: 'refused', state: null, error_code: null }, [], refused.result);
    }
    if (args.dry_run) {
      const answer = await call.perform(args, call.signal);
      return this.recordOutcome(this.subject(call.tool, args, call.session, 'dry_run'), answer.report, call.requestIds(), answer.result);
    }

    const approval = await this.confirm(call);
    if (approval.result) {
      return this.recordOutcome(this.subject(call.tool, args, call.session, approval.guardrail), { outcome: approval.outcome, state: null, error_code: null }, call.requestIds(), approval.result);
    }
    if (call.signal.aborted) {
      // Approval came, but the call was cancelled meanwhile: nothing may be sent after a cancellation.
      const result = refusal('CANCELLED', 'The call was cancelled before the change was sent: nothing was sent.', 'Call again if the change is still wanted.');
      return this.recordOutcome(this.subject(call.tool, args, call.session, 'call_cancelled'), { outcome: 'refused', state: null, error_code: null }, call.requestIds(), result);
    }
    if (call.takesToken) args.client_token ??= randomUUID();
    return this.write(call, args, this.subject(call.tool, args, call.session, approval.guardrail));
  }

  /**
   * Stops taking writes, waits up to `boundMs` for those in flight, and records every one still
   * unsettled then as "may have been applied": its request may have reached the API.
   */
  async drain(boundMs: number): Promise<void> {
    this.draining = true;
    const pending = [...this.inFlight];
    if (pending.length > 0) {
      this.options.log.info({ writes: pending.length, bound_ms: boundMs }, 'waiting for writes in flight before stopping');
      const bound = new AbortController();
      await Promise.race([Promise.allSettled(pending.map((w) => w.done)), this.options.clock.sleep(boundMs, bound.signal).catch(() => undefined)]);
      bound.abort();
    }
    for (const write of this.inFlight) {
      write.settled = true;
      this.tryAppend({
        ...write.subject,
        event: 'outcome',
        time: this.time(),
        outcome: 'may_have_been_applied',
        request_ids: write.requestIds(),
        state: null,
        error_code: null,
        note: `The server stopped ${Math.round(boundMs / 1000)} s after being asked to, before this write answered: check with ${stateToolFor(write.subject.tool)} whether it was applied.`,
      });
    }
    this.inFlight.clear();
  }

  private async write(call: WriteCall, args: WriteArgs, subject: AuditSubject): Promise<CallToolResult> {
    try {
      this.options.audit.append({ ...subject, event: 'intent', time: this.time() });
    } catch {
      this.options.log.error({ tool: call.tool, caller: subject.caller }, 'could not write the audit intent: the write is refused');
      return refusal('AUDIT_UNAVAILABLE', 'The intent of this write could not be written to the audit log, so it was not sent.', 'A change that cannot be recorded is not made: fix the audit log (--audit-log / HUAWEICLOUD_ER_MCP_AUDIT_LOG) and restart the server.');
    }
    // Settled once the outcome is recorded, so a shutdown waits for the record, not just the request.
    let finished!: () => void;
    const entry: InFlight = { subject, done: new Promise<void>((resolve) => (finished = resolve)), settled: false, requestIds: call.requestIds };
    this.inFlight.add(entry);
    try {
      let answer: WriteAnswer;
      try {
        answer = await call.perform(args, call.signal);
      } catch (error) {
        // A bug, not an API answer: the request may have left, so the record must not say "failed".
        this.options.log.error({ tool: call.tool, caller: subject.caller, err: error instanceof Error ? error.message : String(error) }, 'write tool failed unexpectedly');
        answer = {
          result: refusal('INTERNAL', 'Unexpected failure inside the server while writing.', `Check with ${stateToolFor(call.tool)} whether the change was made; the server log (stderr) has details.`),
          report: { outcome: 'may_have_been_applied', state: null, error_code: 'INTERNAL' },
        };
      }
      // Already recorded by a shutdown that could not wait any longer.
      if (entry.settled) return answer.result;
      return this.recordOutcome(subject, answer.report, call.requestIds(), answer.result);
    } finally {
      this.inFlight.delete(entry);
      finished();
    }
  }

  private checkRules(args: WriteArgs): { guardrail: string; result: CallToolResult } | undefined {
    const { allowErIds, allowRouteTableIds } = this.options.settings;
    if (this.draining) {
      return { guardrail: 'shutting_down', result: refusal('SHUTTING_DOWN', 'The server is shutting down and takes no new writes.', 'Call again once the server has been restarted; nothing was sent.') };
    }
    if (allowErIds && !allowErIds.has(args.er_id)) {
      return {
        guardrail: 'allow_er_ids',
        result: refusal('NOT_ALLOWED', `Router ${args.er_id} is not in the allow-list (--allow-er-ids / HUAWEICLOUD_ER_MCP_ALLOW_ER_IDS).`, 'This server may change only the routers it was configured for; nothing was sent.'),
      };
    }
    if (allowRouteTableIds && !allowRouteTableIds.has(args.route_table_id)) {
      return {
        guardrail: 'allow_route_table_ids',
        result: refusal(
          'NOT_ALLOWED',
          `Route table ${args.route_table_id} is not in the allow-list (--allow-route-table-ids / HUAWEICLOUD_ER_MCP_ALLOW_ROUTE_TABLE_IDS).`,
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

  private async confirm(call: WriteCall): Promise<{ guardrail: string; outcome: AuditOutcome; result?: CallToolResult }> {
    const mode = this.options.settings.confirmWrites;
    if (mode === 'never') return { guardrail: 'confirmation_disabled', outcome: 'succeeded' };
    if (!canElicit(call.session.channel)) {
      if (mode === 'auto') return { guardrail: 'confirmation_unsupported_by_client', outcome: 'succeeded' };
      return {
        guardrail: 'confirmation_required',
        outcome: 'refused',
        result: refusal(
          'CONFIRMATION_REQUIRED',
          'This server requires a human to approve every write (--confirm-writes=always), but this MCP client cannot ask (no elicitation support).',
          'Use an MCP client that supports elicitation, or have the server started with --confirm-writes=auto or never. Nothing was sent.',
        ),
      };
    }
    let message: string;
    try {
      message = await call.approval(call.signal);
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      return {
        guardrail: 'confirmation_plan_failed',
        outcome: 'failed',
        result: refusal('CONFIRMATION_PLAN_FAILED', `The plan to show for approval could not be made: ${text.slice(0, 300)}`, 'Nothing was sent. Call again; if it keeps failing, try dry_run: true to see what fails.'),
      };
    }
    const answer = await askApproval(call.session.channel, message, { timeoutMs: this.options.settings.confirmTimeoutMs, signal: call.signal });
    switch (answer.kind) {
      case 'accepted':
        return { guardrail: 'confirmation_accepted', outcome: 'succeeded' };
      case 'declined':
      case 'cancelled':
        return {
          guardrail: `confirmation_${answer.kind}`,
          outcome: 'declined',
          result: refusal('DECLINED_BY_HUMAN', `The human ${answer.kind} the change: nothing was sent.`, 'Do not retry on your own; ask the person what they want changed.'),
        };
      case 'call_cancelled':
        return { guardrail: 'call_cancelled', outcome: 'refused', result: refusal('CANCELLED', 'The call was cancelled while waiting for approval: nothing was sent.', 'Call again if the change is still wanted.') };
      case 'failed':
        return {
          guardrail: 'confirmation_failed',
          outcome: 'confirmation_failed',
          result: refusal(
            'CONFIRMATION_FAILED',
            `The client could not ask for approval: ${answer.reason}. Nothing was sent.`,
            'This is not a decision by the person: call again to ask once more, or check the MCP client (it must support elicitation forms).',
          ),
        };
    }
  }

  private subject(tool: string, args: Record<string, unknown>, session: { caller: string; projectId: string | null }, guardrail: string): AuditSubject {
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

  private recordOutcome(subject: AuditSubject, report: { outcome: AuditOutcome; state: string | null; error_code: string | null }, requestIds: string[], result: CallToolResult): CallToolResult {
    const written = this.tryAppend({ ...subject, event: 'outcome', time: this.time(), outcome: report.outcome, request_ids: requestIds, state: report.state, error_code: report.error_code });
    if (written) return result;
    const warning = 'WARNING: the outcome of this attempt could not be written to the audit log; further writes are refused until it is fixed.';
    return { ...result, content: [...(result.content ?? []), { type: 'text', text: warning }] };
  }

  private tryAppend(record: Parameters<AuditSink['append']>[0]): boolean {
    try {
      this.options.audit.append(record);
      return true;
    } catch {
      this.options.log.error({ tool: record.tool, caller: record.caller, event: record.event }, 'could not write the audit record');
      return false;
    }
  }

  private time(): string {
    return new Date(this.options.clock.now()).toISOString();
  }
}

/**
 * A refused-by-name call never went through the tool's input schema: keep only the known
 * arguments, each cut short, so a hostile call cannot fill the audit log.
 */
function auditableArguments(args: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const key of ['er_id', 'route_table_id', 'attachment_id', 'client_token', 'dry_run']) {
    const value = args[key];
    if (typeof value === 'boolean') kept[key] = value;
    else if (typeof value === 'string') kept[key] = value.slice(0, 64);
  }
  return kept;
}

/**
 * Where to look when a write's outcome is unknown. The gate knows the write only by its tool's
 * name, and each kind of change has its own state tool (get_association_state,
 * get_propagation_state, …): the advice names the write and leaves the matching to the reader.
 */
function stateToolFor(tool: string): string {
  return `the get_*_state tool for ${tool} (same IDs)`;
}

function refusal(code: string, message: string, hint: string): CallToolResult {
  return failure({ error_code: code, error_msg: message, http_status: null, request_id: null, retryable: false, attempts: 0, hint });
}
