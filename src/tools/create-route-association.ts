// create_route_association: associate an attachment with a route table, idempotently, and
// converge on what really happened when the network or the API misbehaves.
import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AssociationRef } from '../er/client.js';
import { ER_CODES } from '../er/codes.js';
import { attemptsOf, ErApiError, isCancellation, mayHaveBeenApplied, mayStillBeInFlight } from '../er/errors.js';
import type { Association } from '../er/types.js';
import { callOptions, type ToolCall, type WriteAnswer, writeDeadlines } from './context.js';
import { defineWriteTool } from './definition.js';
import { approvalMessage, dryRun, planOutput } from './plan.js';
import { describeError, type ErrorContext, failure, success, type ToolError } from './results.js';
import { associationOutput, associationRefShape, clientTokenInput, dryRunInput, nextCallOutput, waitHint } from './schemas.js';

export const createInput = z.strictObject({
  ...associationRefShape,
  client_token: clientTokenInput,
  dry_run: dryRunInput,
});

type CreateArgs = z.infer<typeof createInput>;

/** One shape for both answers: a dry run fills `plan`; a real create fills the association fields. */
export const createOutput = z.object({
  dry_run: z.boolean(),
  plan: planOutput.optional(),
  association: associationOutput.optional(),
  already_associated: z.boolean().optional().describe('True when the attachment was already associated with this route table'),
  made_by_this_call: z
    .boolean()
    .nullable()
    .optional()
    .describe('Whether this call created the association: false when it already existed (made by another request), null when that cannot be told'),
  request_id: z.string().nullable().optional(),
  client_token: z.string().optional().describe('The X-Client-Token sent; reuse it to retry this create safely'),
  region: z.string(),
  project_id: z.string(),
  sandbox: z.boolean().describe('True when talking to the local emulator, not Huawei Cloud'),
  note: z.string().optional().describe('How the outcome was established when the first answer was lost'),
  next: nextCallOutput.optional(),
  undo: nextCallOutput.optional(),
});

export const createRouteAssociationTool = defineWriteTool({
  name: 'create_route_association',
  config: {
    title: 'Associate an attachment with a route table',
    description:
      'Associates an ER attachment (VPC, VPN, peering…) with a route table of the same enterprise router. ' +
      'Call it with dry_run: true first to see the plan and any conflict. Idempotent: retries with the same ' +
      'client_token never create a duplicate. The association starts "pending": follow with get_association_state.',
    inputSchema: createInput,
    outputSchema: createOutput,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => createRouteAssociation(call, args),
  approval: (args, call) => approvalMessage(call, 'create_route_association', 'associate', refOf(args)),
});

function refOf(args: { er_id: string; route_table_id: string; attachment_id: string }): AssociationRef {
  return { erId: args.er_id, routeTableId: args.route_table_id, attachmentId: args.attachment_id };
}

interface CreatedFacts {
  requestId?: string;
  alreadyAssociated?: boolean;
  /** true, false, or null when it cannot be told. */
  madeByThisCall: boolean | null;
  note?: string;
}

/** One create call, as the steps that settle its outcome need it. */
interface CreateAttempt {
  call: ToolCall;
  args: CreateArgs;
  ref: AssociationRef;
  clientToken: string;
  errorContext: ErrorContext;
  /** Deadline for look-ups: the call's, including the time kept back for them. */
  lookupDeadline: number;
}

export async function createRouteAssociation(call: ToolCall, args: CreateArgs): Promise<WriteAnswer> {
  const ref = refOf(args);
  const errorContext: ErrorContext = { ids: { er_id: args.er_id, route_table_id: args.route_table_id, attachment_id: args.attachment_id }, nowMs: call.env.clock.now() };
  if (args.dry_run) return dryRun(call, 'associate', ref, errorContext);
  // The gate fixes the token before it records the intent; the fallback serves direct callers.
  const clientToken = args.client_token ?? randomUUID();
  const deadlines = writeDeadlines(call);
  const attempt: CreateAttempt = { call, args, ref, clientToken, errorContext, lookupDeadline: deadlines.lookup };
  try {
    const result = await call.er.associate(ref, clientToken, callOptions(call, deadlines.write));
    call.env.log.info({ tool: 'create_route_association', caller: call.caller, association_id: result.association.id, attempts: result.attempts.length }, 'association created');
    return created(attempt, result.association, { requestId: result.requestId, madeByThisCall: true });
  } catch (error) {
    if (error instanceof ErApiError && error.errorCode === ER_CODES.ASSOCIATION_EXISTS) return convergeOnExisting(attempt, error);
    if (isCancellation(error, call.signal)) return cancelled(attempt, error, error);
    if (mayHaveBeenApplied(error)) return settleUnknownOutcome(attempt, error);
    const described = describeError(error, errorContext);
    // Every attempt was refused: this call created nothing. "Operation in progress" on the
    // association or attachment can mean another request is creating this very association.
    if (error instanceof ErApiError && OPERATION_IN_PROGRESS.has(error.errorCode)) return settleRefused(attempt, described);
    return refused(failure({ ...described, client_token: clientToken, ...(described.retryable ? { outcome: 'not_created' } : {}) }), described);
  }
}

/**
 * Whether an association found after a refusal may be this agent's own: made by an earlier
 * attempt of this call, or by an earlier call with the client_token the agent passed again. A
 * token the server made for this call has never been sent before it.
 */
function mayBeMine(attempt: CreateAttempt, earlierAttemptMayHaveApplied: boolean): boolean {
  return earlierAttemptMayHaveApplied || attempt.call.tokenFromCaller;
}

const ALREADY_THERE_MAYBE_MINE = 'The association exists: made by an earlier request with this client_token, or by another request.';

const OPERATION_IN_PROGRESS: ReadonlySet<string> = new Set([ER_CODES.ASSOCIATION_BUSY, ER_CODES.ATTACHMENT_BUSY]);

function created(attempt: CreateAttempt, association: Association, facts: CreatedFacts): WriteAnswer {
  const { call, args, clientToken } = attempt;
  const ids = { er_id: args.er_id, route_table_id: args.route_table_id, attachment_id: args.attachment_id };
  const result = success({
    dry_run: false,
    association,
    already_associated: facts.alreadyAssociated ?? false,
    made_by_this_call: facts.madeByThisCall,
    request_id: facts.requestId ?? null,
    client_token: clientToken,
    region: call.env.region,
    project_id: call.projectId,
    sandbox: call.env.sandbox,
    ...(facts.note ? { note: facts.note } : {}),
    next: { tool: 'get_association_state', arguments: { ...ids, wait_for: 'available', timeout_seconds: waitHint(call.env) } },
    undo: { tool: 'delete_route_association', arguments: ids },
  });
  // The audit says what this call did: nothing, when the association was there already.
  return { result, report: { outcome: facts.madeByThisCall === false ? 'no_change' : 'succeeded', state: association.state, error_code: null } };
}

/** Nothing this call sent can have been applied. */
function refused(result: CallToolResult, described: ToolError, state: string | null = null): WriteAnswer {
  return { result, report: { outcome: 'failed', state, error_code: described.error_code } };
}

/** This call's request may have been applied, and looking did not settle it. */
function unknownOutcome(attempt: CreateAttempt, described: ToolError, hint: string): WriteAnswer {
  const result = failure({ ...described, retryable: true, client_token: attempt.clientToken, outcome: 'unknown', hint });
  return { result, report: { outcome: 'may_have_been_applied', state: null, error_code: described.error_code } };
}

/** The client cancelled: say so, and whether the create may already have been applied. */
function cancelled(attempt: CreateAttempt, error: unknown, original: unknown): WriteAnswer {
  const mayHave = mayHaveBeenApplied(original);
  const described = { ...describeError(error, attempt.errorContext), error_code: 'HTTP.CANCELLED' };
  const result = failure({
    ...described,
    retryable: true,
    client_token: attempt.clientToken,
    may_have_reached_api: mayHave,
    hint: mayHave
      ? `Cancelled after the create may have reached the API: call get_association_state with the same IDs to see whether it was created; calling create again with client_token ${attempt.clientToken} is safe.`
      : 'Cancelled before the API accepted anything: nothing was created.',
  });
  return { result, report: { outcome: mayHave ? 'may_have_been_applied' : 'failed', state: null, error_code: described.error_code } };
}

/** ER.04002002: fine if it is on the requested table; otherwise say which table holds it. */
async function convergeOnExisting(attempt: CreateAttempt, original: ErApiError): Promise<WriteAnswer> {
  const { call, ref, clientToken, errorContext } = attempt;
  const described = describeError(original, errorContext);
  const mine = mayBeMine(attempt, attemptsOf(original).slice(0, -1).some((a) => a.may_have_applied));
  try {
    const existing = await call.er.findAssociation(ref, callOptions(call, attempt.lookupDeadline));
    if (existing?.state === 'deleting' || existing?.state === 'failed') return dyingAssociation(attempt, existing.state, described);
    if (existing) {
      return created(attempt, existing, {
        requestId: original.requestId,
        alreadyAssociated: !mine,
        madeByThisCall: mine ? null : false,
        note: mine ? ALREADY_THERE_MAYBE_MINE : 'The association already existed: another request made it, not this call.',
      });
    }
    const attachment = await call.er.getAttachment(ref.erId, ref.attachmentId, callOptions(call, attempt.lookupDeadline));
    const holder = attachment.route_table_id;
    if (!holder || holder === ref.routeTableId) {
      // Gone (or just settling) between the create and the look-up: nothing is in the way any more.
      return unknownOutcome(
        attempt,
        described,
        `The API said the attachment already has an association, but none is visible now: call get_association_state, or call create again with client_token ${clientToken}.`,
      );
    }
    const result = failure({
      ...described,
      client_token: clientToken,
      associated_route_table_id: holder,
      hint:
        `Attachment ${ref.attachmentId} is already associated with route table ${holder}, and an attachment can have only one association. ` +
        `Remove that association first (delete_route_association with route_table_id ${holder}), then create this one.`,
    });
    return refused(result, described);
  } catch (lookupError) {
    if (isCancellation(lookupError, call.signal)) return cancelled(attempt, lookupError, original);
    return unknownOutcome(
      attempt,
      described,
      `The API says this attachment already has an association, but looking it up failed (${describeError(lookupError, errorContext).error_msg}). Call again with client_token ${clientToken}, or call list_attachments to see where it is associated.`,
    );
  }
}

/** The association on the requested table is on its way out: it does not count as done. */
function dyingAssociation(attempt: CreateAttempt, state: 'deleting' | 'failed', described: ToolError): WriteAnswer {
  const { ref, clientToken } = attempt;
  const ids = `er_id ${ref.erId}, route_table_id ${ref.routeTableId}, attachment_id ${ref.attachmentId}`;
  const result = failure({
    ...described,
    client_token: clientToken,
    association_state: state,
    retryable: state === 'deleting',
    hint:
      state === 'deleting'
        ? `The attachment's association on this route table is being deleted: wait with get_association_state (${ids}, wait_for "deleted"), then create again.`
        : `The attachment's association on this route table has failed: remove it with delete_route_association (${ids}), then create again.`,
  });
  return refused(result, described, state);
}

/** Retries ran out after the request may have been applied: look before answering. */
async function settleUnknownOutcome(attempt: CreateAttempt, original: unknown): Promise<WriteAnswer> {
  const { call, ref, clientToken, errorContext } = attempt;
  const described = describeError(original, errorContext);
  try {
    const existing = await call.er.findAssociation(ref, callOptions(call, attempt.lookupDeadline));
    if (existing) {
      return created(attempt, existing, {
        madeByThisCall: null,
        note: `The create answered ${described.error_code} after ${described.attempts} attempt(s), but the association exists: it was created (by this call's request, as far as can be told).`,
      });
    }
    if (mayStillBeInFlight(original)) {
      return unknownOutcome(
        attempt,
        described,
        `Unknown whether it was created: an attempt lost its answer and may still be applied, and no association is visible yet. Check with get_association_state, or call again with client_token ${clientToken} (safe: never a duplicate).`,
      );
    }
    const result = failure({
      ...described,
      retryable: true,
      client_token: clientToken,
      outcome: 'not_created',
      hint: `Not created: the API failed ${described.attempts} time(s) and no association exists. Call again with client_token ${clientToken}; it cannot create a duplicate.`,
    });
    return refused(result, described);
  } catch (lookupError) {
    if (isCancellation(lookupError, call.signal)) return cancelled(attempt, lookupError, original);
    return unknownOutcome(
      attempt,
      described,
      `Unknown whether it was created: the create and the look-up both failed. Call again with client_token ${clientToken} (safe: never a duplicate), or check with get_association_state.`,
    );
  }
}

/**
 * Every attempt was refused with a passing error (throttled, busy): this call created nothing. A
 * look tells whether another request made the association meanwhile, which is what the agent wants.
 */
async function settleRefused(attempt: CreateAttempt, described: ToolError): Promise<WriteAnswer> {
  const { call, ref, clientToken } = attempt;
  const notCreated = () =>
    refused(
      failure({
        ...described,
        client_token: clientToken,
        outcome: 'not_created',
        hint: `${described.hint} Not created: every attempt was refused; calling again with client_token ${clientToken} is safe.`,
      }),
      described,
    );
  try {
    const existing = await call.er.findAssociation(ref, callOptions(call, attempt.lookupDeadline));
    if (!existing || existing.state === 'deleting' || existing.state === 'failed') return notCreated();
    const mine = mayBeMine(attempt, false);
    return created(attempt, existing, {
      alreadyAssociated: !mine,
      madeByThisCall: mine ? null : false,
      note: mine ? ALREADY_THERE_MAYBE_MINE : `This call's create was refused (${described.error_code}), but the association exists: another request made it, not this call.`,
    });
  } catch {
    // The look-up adds nothing certain: the refusal stands.
    return notCreated();
  }
}
