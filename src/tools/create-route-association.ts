// create_route_association: associate an attachment with a route table, idempotently, and
// converge on what really happened when the network or the API misbehaves.
import { randomUUID } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AssociationRef } from '../er/client.js';
import { ErApiError, HttpFailure, mayHaveBeenApplied, mayStillBeInFlight } from '../er/errors.js';
import type { Association } from '../er/types.js';
import { type ToolContext, type WriteGate, writeDeadlines } from './context.js';
import { dryRun, planOutput } from './plan.js';
import { configurationFailure, describeError, type ErrorContext, failure, success, type ToolError } from './results.js';
import { associationOutput, associationRefShape, clientTokenInput, dryRunInput, nextCallOutput } from './schemas.js';

export const createInput = z.strictObject({
  ...associationRefShape,
  client_token: clientTokenInput,
  dry_run: dryRunInput,
});

/** One shape for both answers: a dry run fills `plan`; a real create fills the association fields. */
export const createOutput = z.object({
  dry_run: z.boolean(),
  plan: planOutput.optional(),
  association: associationOutput.optional(),
  already_associated: z.boolean().optional().describe('True when the attachment was already associated with this route table'),
  request_id: z.string().nullable().optional(),
  client_token: z.string().optional().describe('The X-Client-Token sent; reuse it to retry this create safely'),
  region: z.string(),
  project_id: z.string(),
  sandbox: z.boolean().describe('True when talking to the local emulator, not Huawei Cloud'),
  note: z.string().optional().describe('How the outcome was established when the first answer was lost'),
  next: nextCallOutput.optional(),
  undo: nextCallOutput.optional(),
});

export function registerCreateRouteAssociation(server: McpServer, ctx: ToolContext, gate: WriteGate): void {
  server.registerTool(
    'create_route_association',
    {
      title: 'Associate an attachment with a route table',
      description:
        'Associates an ER attachment (VPC, VPN, peering…) with a route table of the same enterprise router. ' +
        'Call it with dry_run: true first to see the plan and any conflict. Idempotent: retries with the same ' +
        'client_token never create a duplicate. The association starts "pending": follow with get_association_state.',
      inputSchema: createInput,
      outputSchema: createOutput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    (args, extra) => gate({ tool: 'create_route_association', action: 'associate', args, extra }, () => createRouteAssociation(ctx, args, extra.signal)),
  );
}

export async function createRouteAssociation(ctx: ToolContext, args: z.infer<typeof createInput>, signal: AbortSignal): Promise<CallToolResult> {
  if (!ctx.er) return configurationFailure(ctx.problems);
  const er = ctx.er;
  const ref: AssociationRef = { erId: args.er_id, routeTableId: args.route_table_id, attachmentId: args.attachment_id };
  const clientToken = args.client_token ?? randomUUID();
  const deadlines = writeDeadlines(ctx);
  const errorContext = { ids: { er_id: args.er_id, route_table_id: args.route_table_id, attachment_id: args.attachment_id }, nowMs: ctx.clock.now() };
  if (args.dry_run) return dryRun(ctx, 'associate', ref, { signal, deadline: deadlines.lookup }, errorContext);
  const created = (association: Association, extra: { requestId?: string; alreadyAssociated?: boolean; note?: string }) =>
    success(createdResult(ctx, args, clientToken, association, extra));

  const attempt: CreateAttempt = { ctx, ref, clientToken, errorContext, lookup: { signal, deadline: deadlines.lookup }, created };
  try {
    const result = await er.associate(ref, clientToken, { signal, deadline: deadlines.write });
    ctx.log.info({ tool: 'create_route_association', association_id: result.association.id, attempts: result.attempts }, 'association created');
    return created(result.association, { requestId: result.requestId });
  } catch (error) {
    if (error instanceof ErApiError && error.errorCode === 'ER.04002002') {
      return convergeOnExisting(attempt, error);
    }
    if (isCancellation(error, signal)) return cancelledResult(error, error, clientToken, errorContext);
    if (mayHaveBeenApplied(error)) return settleUnknownOutcome(attempt, error);
    const described = describeError(error, errorContext);
    // Every attempt was refused (throttled, busy, invalid…): certainly nothing was created.
    return failure({ ...described, client_token: clientToken, ...(described.retryable ? { outcome: 'not_created' } : {}) });
  }
}

type Created = (association: Association, extra: { requestId?: string; alreadyAssociated?: boolean; note?: string }) => CallToolResult;

/** One create call, as the steps that settle its outcome need it. */
interface CreateAttempt {
  ctx: ToolContext;
  ref: AssociationRef;
  clientToken: string;
  errorContext: ErrorContext;
  /** Signal and deadline for look-ups: the call's, including the time kept back for them. */
  lookup: { signal: AbortSignal; deadline: number };
  created: Created;
}

function isCancellation(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof HttpFailure && error.kind === 'cancelled');
}

/** The client cancelled: say so, and whether the create may already have been applied. */
function cancelledResult(error: unknown, original: unknown, clientToken: string, errorContext: ErrorContext): CallToolResult {
  const mayHave = mayHaveBeenApplied(original);
  return failure({
    ...describeError(error, errorContext),
    error_code: 'HTTP.CANCELLED',
    retryable: true,
    client_token: clientToken,
    may_have_reached_api: mayHave,
    hint: mayHave
      ? `Cancelled after the create may have reached the API: call get_association_state with the same IDs to see whether it was created; calling create again with client_token ${clientToken} is safe.`
      : 'Cancelled before the API accepted anything: nothing was created.',
  });
}

/** ER.04002002: fine if it is on the requested table; otherwise say which table holds it. */
async function convergeOnExisting(attempt: CreateAttempt, original: ErApiError): Promise<CallToolResult> {
  const { ctx, ref, clientToken, errorContext, lookup, created } = attempt;
  const er = ctx.er!;
  const described = describeError(original, errorContext);
  try {
    const existing = await er.findAssociation(ref, lookup);
    if (existing?.state === 'deleting' || existing?.state === 'failed') return dyingAssociation(existing.state, described, clientToken, ref);
    if (existing) return created(existing, { requestId: original.requestId, alreadyAssociated: true });
    const attachment = await er.getAttachment(ref.erId, ref.attachmentId, lookup);
    const holder = attachment.route_table_id;
    if (!holder || holder === ref.routeTableId) {
      // Gone (or just settling) between the create and the look-up: nothing is in the way any more.
      return unknownOutcome(
        described,
        clientToken,
        `The API said the attachment already has an association, but none is visible now: call get_association_state, or call create again with client_token ${clientToken}.`,
      );
    }
    return failure({
      ...described,
      client_token: clientToken,
      associated_route_table_id: holder,
      hint:
        `Attachment ${ref.attachmentId} is already associated with route table ${holder}, and an attachment can have only one association. ` +
        `Remove that association first (delete_route_association with route_table_id ${holder}), then create this one.`,
    });
  } catch (lookupError) {
    if (isCancellation(lookupError, lookup.signal)) return cancelledResult(lookupError, original, clientToken, errorContext);
    return unknownOutcome(
      described,
      clientToken,
      `The API says this attachment already has an association, but looking it up failed (${describeError(lookupError, errorContext).error_msg}). Call again with client_token ${clientToken}, or call list_attachments to see where it is associated.`,
    );
  }
}

/** The association on the requested table is on its way out: it does not count as done. */
function dyingAssociation(state: 'deleting' | 'failed', described: ToolError, clientToken: string, ref: AssociationRef): CallToolResult {
  const ids = `er_id ${ref.erId}, route_table_id ${ref.routeTableId}, attachment_id ${ref.attachmentId}`;
  return failure({
    ...described,
    client_token: clientToken,
    association_state: state,
    retryable: state === 'deleting',
    hint:
      state === 'deleting'
        ? `The attachment's association on this route table is being deleted: wait with get_association_state (${ids}, wait_for "deleted"), then create again.`
        : `The attachment's association on this route table has failed: remove it with delete_route_association (${ids}), then create again.`,
  });
}

/** Retries ran out after the request may have been applied: look before answering. */
async function settleUnknownOutcome(attempt: CreateAttempt, original: unknown): Promise<CallToolResult> {
  const { ctx, ref, clientToken, errorContext, lookup, created } = attempt;
  const described = describeError(original, errorContext);
  try {
    const existing = await ctx.er!.findAssociation(ref, lookup);
    if (existing) {
      return created(existing, {
        note: `The create answered ${described.error_code} after ${described.attempts} attempt(s), but the association exists: it was created.`,
      });
    }
    if (mayStillBeInFlight(original)) {
      return unknownOutcome(
        described,
        clientToken,
        `Unknown whether it was created: an attempt lost its answer and may still be applied, and no association is visible yet. Check with get_association_state, or call again with client_token ${clientToken} (safe: never a duplicate).`,
      );
    }
    return failure({
      ...described,
      retryable: true,
      client_token: clientToken,
      outcome: 'not_created',
      hint: `Not created: the API failed ${described.attempts} time(s) and no association exists. Call again with client_token ${clientToken}; it cannot create a duplicate.`,
    });
  } catch (lookupError) {
    if (isCancellation(lookupError, lookup.signal)) return cancelledResult(lookupError, original, clientToken, errorContext);
    return unknownOutcome(
      described,
      clientToken,
      `Unknown whether it was created: the create and the look-up both failed. Call again with client_token ${clientToken} (safe: never a duplicate), or check with get_association_state.`,
    );
  }
}

/** Whether the association exists could not be settled: the token makes another try safe. */
function unknownOutcome(described: ToolError, clientToken: string, hint: string): CallToolResult {
  return failure({ ...described, retryable: true, client_token: clientToken, outcome: 'unknown', hint });
}

function createdResult(
  ctx: ToolContext,
  args: z.infer<typeof createInput>,
  clientToken: string,
  association: Association,
  extra: { requestId?: string; alreadyAssociated?: boolean; note?: string },
): Record<string, unknown> {
  const ids = { er_id: args.er_id, route_table_id: args.route_table_id, attachment_id: args.attachment_id };
  return {
    dry_run: false,
    association,
    already_associated: extra.alreadyAssociated ?? false,
    request_id: extra.requestId ?? null,
    client_token: clientToken,
    region: ctx.region,
    project_id: ctx.projectId,
    sandbox: ctx.sandbox,
    ...(extra.note ? { note: extra.note } : {}),
    next: { tool: 'get_association_state', arguments: { ...ids, wait_for: 'available', timeout_seconds: 120 } },
    undo: { tool: 'delete_route_association', arguments: ids },
  };
}
