// Every write goes through here: allow-lists, the audit log's health, the human's approval, and
// one audit record per attempt. The agent cannot switch any of it with a tool argument.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Clock } from '../er/client.js';
import type { ToolContext } from '../tools/context.js';
import { type PlanAction, planChange } from '../tools/plan.js';
import { describeError, failure } from '../tools/results.js';
import type { AuditOutcome, AuditSink } from './audit.js';
import { askApproval, canElicit, type HumanChannel } from './confirm.js';
import type { GuardrailSettings } from './settings.js';

export const WRITE_TOOLS = ['create_route_association', 'delete_route_association'] as const;

export interface WriteCall {
  tool: string;
  action: PlanAction;
  args: { er_id: string; route_table_id: string; attachment_id: string; dry_run?: boolean; client_token?: string };
  signal: AbortSignal;
  channel: HumanChannel;
}

interface Decision {
  outcome: AuditOutcome;
  guardrail: string;
}

export class WriteGuard {
  constructor(
    readonly settings: GuardrailSettings,
    private readonly audit: AuditSink,
    private readonly ctx: ToolContext,
    private readonly clock: Clock,
  ) {}

  /** The answer to a write tool called by name on a read-only server (it is not even listed). */
  refuseReadOnly(tool: string, args: Record<string, unknown>): CallToolResult {
    const result = refusal(
      'READ_ONLY',
      `The server is read-only (--read-only / HUAWEICLOUD_ER_MCP_READ_ONLY): ${tool} is not available.`,
      'Ask whoever configured this MCP server to start it without --read-only if changes should be allowed. Read tools keep working.',
    );
    this.record(tool, auditableArguments(args), { outcome: 'refused', guardrail: 'read_only' }, result);
    return result;
  }

  async run(call: WriteCall, perform: () => Promise<CallToolResult>): Promise<CallToolResult> {
    // Not configured: the tool itself explains what to set, and nothing can be sent anyway.
    if (!this.ctx.er) return this.finish(call, { outcome: 'failed', guardrail: 'not_configured' }, await perform());
    const refused = this.checkRules(call);
    if (refused) return this.finish(call, refused.decision, refused.result);

    if (call.args.dry_run) return this.finish(call, { outcome: 'dry_run', guardrail: 'dry_run' }, await perform());

    const approval = await this.confirm(call);
    if (approval.result) return this.finish(call, approval.decision, approval.result);

    const result = await perform();
    return this.finish(call, { outcome: result.isError ? 'failed' : 'succeeded', guardrail: approval.decision.guardrail }, result);
  }

  private checkRules(call: WriteCall): { decision: Decision; result: CallToolResult } | undefined {
    const { allowErIds, allowRouteTableIds } = this.settings;
    if (allowErIds && !allowErIds.has(call.args.er_id)) {
      return {
        decision: { outcome: 'refused', guardrail: 'allow_er_ids' },
        result: refusal('NOT_ALLOWED', `Router ${call.args.er_id} is not in the allow-list (--allow-er-ids / HUAWEICLOUD_ER_MCP_ALLOW_ER_IDS).`, 'This server may change only the routers it was configured for; nothing was sent.'),
      };
    }
    if (allowRouteTableIds && !allowRouteTableIds.has(call.args.route_table_id)) {
      return {
        decision: { outcome: 'refused', guardrail: 'allow_route_table_ids' },
        result: refusal(
          'NOT_ALLOWED',
          `Route table ${call.args.route_table_id} is not in the allow-list (--allow-route-table-ids / HUAWEICLOUD_ER_MCP_ALLOW_ROUTE_TABLE_IDS).`,
          'This server may change only the route tables it was configured for; nothing was sent.',
        ),
      };
    }
    const auditProblem = this.audit.problem();
    if (auditProblem) {
      return {
        decision: { outcome: 'refused', guardrail: 'audit_unavailable' },
        result: refusal('AUDIT_UNAVAILABLE', `Writes are refused because ${auditProblem}.`, 'A change that cannot be recorded is not made: fix the path or permissions (--audit-log PATH / HUAWEICLOUD_ER_MCP_AUDIT_LOG) and restart the server.'),
      };
    }
    return undefined;
  }

  private async confirm(call: WriteCall): Promise<{ decision: Decision; result?: CallToolResult }> {
    const mode = this.settings.confirmWrites;
    if (mode === 'never') return { decision: { outcome: 'succeeded', guardrail: 'confirmation_disabled' } };
    if (!canElicit(call.channel)) {
      if (mode === 'auto') return { decision: { outcome: 'succeeded', guardrail: 'confirmation_unsupported_by_client' } };
      return {
        decision: { outcome: 'refused', guardrail: 'confirmation_required' },
        result: refusal(
          'CONFIRMATION_REQUIRED',
          'This server requires a human to approve every write (--confirm-writes=always), but this MCP client cannot ask (no elicitation support).',
          'Use an MCP client that supports elicitation, or have the server started with --confirm-writes=auto or never. Nothing was sent.',
        ),
      };
    }
    const ref = { erId: call.args.er_id, routeTableId: call.args.route_table_id, attachmentId: call.args.attachment_id };
    let plan;
    try {
      plan = await planChange(this.ctx, this.ctx.er!, call.action, ref, { signal: call.signal, deadline: this.clock.now() + this.ctx.callDeadlineMs });
    } catch (error) {
      return { decision: { outcome: 'failed', guardrail: 'confirmation_plan_failed' }, result: failure(describeError(error, { ids: { er_id: call.args.er_id, route_table_id: call.args.route_table_id, attachment_id: call.args.attachment_id }, nowMs: this.clock.now() })) };
    }
    const answer = await askApproval(call.channel, call.tool, plan);
    if (answer === 'accepted') return { decision: { outcome: 'succeeded', guardrail: 'confirmation_accepted' } };
    return {
      decision: { outcome: 'declined', guardrail: `confirmation_${answer}` },
      result: refusal(
        'DECLINED_BY_HUMAN',
        `The human ${answer === 'declined' ? 'declined' : 'cancelled'} the change: nothing was sent.`,
        'Do not retry on your own; ask the person what they want changed.',
      ),
    };
  }

  private finish(call: WriteCall, decision: Decision, result: CallToolResult): CallToolResult {
    return this.record(call.tool, call.args, decision, result);
  }

  private record(tool: string, args: Record<string, unknown>, decision: Decision, result: CallToolResult): CallToolResult {
    // The refusal already says the log is unusable; there is nowhere to record it.
    if (decision.guardrail === 'audit_unavailable') return result;
    const facts = factsOf(result);
    try {
      this.audit.append({
        time: new Date(this.clock.now()).toISOString(),
        tool,
        arguments: args,
        region: this.ctx.region,
        project_id: this.ctx.projectId,
        sandbox: this.ctx.sandbox,
        outcome: decision.outcome,
        guardrail: decision.guardrail,
        client_token: facts.clientToken,
        request_ids: facts.requestIds,
        state: facts.state,
        error_code: facts.errorCode,
      });
      return result;
    } catch {
      this.ctx.log.error({ tool, outcome: decision.outcome }, 'could not write the audit record');
      const warning = 'WARNING: this attempt could not be written to the audit log; further writes are refused until it is fixed.';
      return { ...result, content: [...(result.content ?? []), { type: 'text', text: warning }] };
    }
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

function refusal(code: string, message: string, hint: string): CallToolResult {
  return failure({ error_code: code, error_msg: message, http_status: null, request_id: null, retryable: false, attempts: 0, hint });
}

/** What the audit needs from a tool result: its token, request id, state and error code. */
function factsOf(result: CallToolResult): { clientToken: string | null; requestIds: string[]; state: string | null; errorCode: string | null } {
  let body: Record<string, unknown> | undefined = result.structuredContent;
  if (!body) {
    try {
      const text = result.content?.[0]?.type === 'text' ? result.content[0].text : '';
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = {};
    }
  }
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const association = body.association as { state?: unknown } | undefined;
  const requestId = str(body.request_id);
  return {
    clientToken: str(body.client_token),
    requestIds: requestId ? [requestId] : [],
    state: str(association?.state) ?? str(body.state),
    errorCode: str(body.error_code),
  };
}
