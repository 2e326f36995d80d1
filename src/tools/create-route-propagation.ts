// create_route_propagation: make a route table learn an attachment's routes, idempotently, and
// converge on what really happened when the network or the API misbehaves. The same contract as
// create_route_association; simpler in one way: propagations are per table, so "already exists"
// always means "on this table".
import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AssociationRef } from '../er/client.js';
import { ER_CODES } from '../er/codes.js';
import { attemptsOf, ErApiError, isCancellation, mayHaveBeenApplied, mayStillBeInFlight } from '../er/errors.js';
import type { Propagation } from '../er/types.js';
import { callOptions, type ToolCall, type WriteAnswer, writeDeadlines } from './context.js';
import { defineWriteTool } from './definition.js';
import { propagationApproval, propagationDryRun, propagationPlanOutput } from './propagation-plan.js';
import { describeError, type ErrorContext, failure, success, type ToolError } from './results.js';
import { associationRefShape, clientTokenInput, dryRunInput, nextCallOutput, propagationOutput, waitHint } from './schemas.js';

export const createPropagationInput = z.strictObject({
  ...associationRefShape,
  client_token: clientTokenInput,
  dry_run: dryRunInput,
});

type CreateArgs = z.infer<typeof createPropagationInput>;

export const createPropagationOutput = z.object({
  dry_run: z.boolean(),
  plan: propagationPlanOutput.optional(),
  propagation: propagationOutput.optional(),
  already_propagating: z.boolean().optional().describe('True when the attachment already propagated into this route table'),
  made_by_this_call: z
    .boolean()
    .nullable()
    .optional()
    .describe('Whether this call created the propagation: false when it already existed (made by another request), null when that cannot be told'),
  request_id: z.string().nullable().optional(),
  client_token: z.string().optional().describe('The X-Client-Token sent; reuse it to retry this create safely'),
  region: z.string(),
  project_id: z.string(),
  sandbox: z.boolean().describe('True when talking to the local emulator, not Huawei Cloud'),
  note: z.string().optional().describe('How the outcome was established when the first answer was lost'),
  next: nextCallOutput.optional(),
  undo: nextCallOutput.optional(),
});

export const createRoutePropagationTool = defineWriteTool({
  name: 'create_route_propagation',
  config: {
    title: 'Propagate an attachment’s routes into a route table',
    description:
      'Makes a route table of the enterprise router learn the routes of an attachment (a VPC’s CIDR blocks, a gateway’s routes), ' +
      'so traffic looked up in that table can reach it. An association decides which table an attachment USES; a propagation decides ' +
      'which tables LEARN its routes: connecting usually needs both. Call with dry_run: true first to see the routing effect and ' +
      'conflicts. Idempotent: retries with the same client_token never create a duplicate. Starts "pending": follow with get_propagation_state.',
    inputSchema: createPropagationInput,
    outputSchema: createPropagationOutput,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => createRoutePropagation(call, args),
  approval: (args, call) => propagationApproval(call, 'create_route_propagation', 'enable_propagation', refOf(args)),
});

function refOf(args: { er_id: string; route_table_id: string; attachment_id: string }): AssociationRef {
  return { erId: args.er_id, routeTableId: args.route_table_id, attachmentId: args.attachment_id };
}

interface CreatedFacts {
  requestId?: string;
  alreadyPropagating?: boolean;
  madeByThisCall: boolean | null;
  note?: string;
}

interface CreateAttempt {
  call: ToolCall;
  args: CreateArgs;
  ref: AssociationRef;
  clientToken: string;
  errorContext: ErrorContext;
  lookupDeadline: number;
}

/**
 * Whether a propagation found after a refusal may be this agent's own: made by an earlier attempt
 * of this call, or by an earlier call with the client_token the agent passed again. A token the
 * server made for this call has never been sent before it.
 */
function mayBeMine(attempt: CreateAttempt, earlierAttemptMayHaveApplied: boolean): boolean {
  return earlierAttemptMayHaveApplied || attempt.call.tokenFromCaller;
}

const ALREADY_THERE_MAYBE_MINE = 'The propagation exists: made by an earlier request with this client_token, or by another request.';

/** Refusals that can mean another request is making this very propagation right now. */
const OPERATION_IN_PROGRESS: ReadonlySet<string> = new Set([ER_CODES.PROPAGATION_BUSY, ER_CODES.ATTACHMENT_BUSY]);

export async function createRoutePropagation(call: ToolCall, args: CreateArgs): Promise<WriteAnswer> {
  const ref = refOf(args);
  const errorContext: ErrorContext = { ids: { er_id: args.er_id, route_table_id: args.route_table_id, attachment_id: args.attachment_id }, nowMs: call.env.clock.now() };
  if (args.dry_run) return propagationDryRun(call, 'enable_propagation', ref, errorContext);
  // The gate fixes the token before it records the intent; the fallback serves direct callers.
  const clientToken = args.client_token ?? randomUUID();
  const deadlines = writeDeadlines(call);
  const attempt: CreateAttempt = { call, args, ref, clientToken, errorContext, lookupDeadline: deadlines.lookup };
  try {
    const result = await call.er.enablePropagation(ref, clientToken, callOptions(call, deadlines.write));
    call.env.log.info({ tool: 'create_route_propagation', caller: call.caller, propagation_id: result.propagation.id, attempts: result.attempts.length }, 'propagation created');
    return created(attempt, result.propagation, { requestId: result.requestId, madeByThisCall: true });
  } catch (error) {
    if (error instanceof ErApiError && error.errorCode === ER_CODES.PROPAGATION_EXISTS) return convergeOnExisting(attempt, error);
    if (isCancellation(error, call.signal)) return cancelled(attempt, error, error);
    if (mayHaveBeenApplied(error)) return settleUnknownOutcome(attempt, error);
    const described = describeError(error, errorContext);
    if (error instanceof ErApiError && OPERATION_IN_PROGRESS.has(error.errorCode)) return settleRefused(attempt, described);
    return refused(failure({ ...described, client_token: clientToken, ...(described.retryable ? { outcome: 'not_created' } : {}) }), described);
  }
}

function created(attempt: CreateAttempt, propagation: Propagation, facts: CreatedFacts): WriteAnswer {
  const { call, args, clientToken } = attempt;
  const ids = { er_id: args.er_id, route_table_id: args.route_table_id, attachment_id: args.attachment_id };
  const result = success({
    dry_run: false,
    propagation,
    already_propagating: facts.alreadyPropagating ?? false,
    made_by_this_call: facts.madeByThisCall,
    request_id: facts.requestId ?? null,
    client_token: clientToken,
    region: call.env.region,
    project_id: call.projectId,
    sandbox: call.env.sandbox,
    ...(facts.note ? { note: facts.note } : {}),
    next: { tool: 'get_propagation_state', arguments: { ...ids, wait_for: 'available', timeout_seconds: waitHint(call.env) } },
    undo: { tool: 'delete_route_propagation', arguments: ids },
  });
  return { result, report: { outcome: facts.madeByThisCall === false ? 'no_change' : 'succeeded', state: propagation.state, error_code: null } };
}

function refused(result: CallToolResult, described: ToolError, state: string | null = null): WriteAnswer {
  return { result, report: { outcome: 'failed', state, error_code: described.error_code } };
}

function unknownOutcome(attempt: CreateAttempt, described: ToolError, hint: string): WriteAnswer {
  const result = failure({ ...described, retryable: true, client_token: attempt.clientToken, outcome: 'unknown', hint });
  return { result, report: { outcome: 'may_have_been_applied', state: null, error_code: described.error_code } };
}

function cancelled(attempt: CreateAttempt, error: unknown, original: unknown): WriteAnswer {
  const mayHave = mayHaveBeenApplied(original);
  const described = { ...describeError(error, attempt.errorContext), error_code: 'HTTP.CANCELLED' };
  const result = failure({
    ...described,
    retryable: true,
    client_token: attempt.clientToken,
    may_have_reached_api: mayHave,
    hint: mayHave
      ? `Cancelled after the create may have reached the API: call get_propagation_state with the same IDs to see whether it was created; calling create again with client_token ${attempt.clientToken} is safe.`
      : 'Cancelled before the API accepted anything: nothing was created.',
  });
  return { result, report: { outcome: mayHave ? 'may_have_been_applied' : 'failed', state: null, error_code: described.error_code } };
}

/** ER.04003002: the propagation into this table exists; say whether this call made it. */
async function convergeOnExisting(attempt: CreateAttempt, original: ErApiError): Promise<WriteAnswer> {
  const { call, ref, clientToken, errorContext } = attempt;
  const described = describeError(original, errorContext);
  const mine = mayBeMine(attempt, attemptsOf(original).slice(0, -1).some((a) => a.may_have_applied));
  try {
    const existing = await call.er.findPropagation(ref, callOptions(call, attempt.lookupDeadline));
    if (existing?.state === 'deleting' || existing?.state === 'failed') return dyingPropagation(attempt, existing.state, described);
    if (existing) {
      return created(attempt, existing, {
        requestId: original.requestId,
        alreadyPropagating: !mine,
        madeByThisCall: mine ? null : false,
        note: mine ? ALREADY_THERE_MAYBE_MINE : 'The propagation already existed: another request made it, not this call.',
      });
    }
    return unknownOutcome(
      attempt,
      described,
      `The API said the propagation already exists, but none is visible now: call get_propagation_state, or call create again with client_token ${clientToken}.`,
    );
  } catch (lookupError) {
    if (isCancellation(lookupError, call.signal)) return cancelled(attempt, lookupError, original);
    return unknownOutcome(
      attempt,
      described,
      `The API says the propagation already exists, but looking it up failed (${describeError(lookupError, errorContext).error_msg}). Call again with client_token ${clientToken}, or call list_route_propagations.`,
    );
  }
}

function dyingPropagation(attempt: CreateAttempt, state: 'deleting' | 'failed', described: ToolError): WriteAnswer {
  const { ref, clientToken } = attempt;
  const ids = `er_id ${ref.erId}, route_table_id ${ref.routeTableId}, attachment_id ${ref.attachmentId}`;
  const result = failure({
    ...described,
    client_token: clientToken,
    propagation_state: state,
    retryable: state === 'deleting',
    hint:
      state === 'deleting'
        ? `The propagation into this route table is being removed: wait with get_propagation_state (${ids}, wait_for "deleted"), then create again.`
        : `The propagation into this route table has failed: remove it with delete_route_propagation (${ids}), then create again.`,
  });
  return refused(result, described, state);
}

/** Retries ran out after the request may have been applied: look before answering. */
async function settleUnknownOutcome(attempt: CreateAttempt, original: unknown): Promise<WriteAnswer> {
  const { call, ref, clientToken, errorContext } = attempt;
  const described = describeError(original, errorContext);
  try {
    const existing = await call.er.findPropagation(ref, callOptions(call, attempt.lookupDeadline));
    if (existing) {
      return created(attempt, existing, {
        madeByThisCall: null,
        note: `The create answered ${described.error_code} after ${described.attempts} attempt(s), but the propagation exists: it was created (by this call's request, as far as can be told).`,
      });
    }
    if (mayStillBeInFlight(original)) {
      return unknownOutcome(
        attempt,
        described,
        `Unknown whether it was created: an attempt lost its answer and may still be applied, and no propagation is visible yet. Check with get_propagation_state, or call again with client_token ${clientToken} (safe: never a duplicate).`,
      );
    }
    const result = failure({
      ...described,
      retryable: true,
      client_token: clientToken,
      outcome: 'not_created',
      hint: `Not created: the API failed ${described.attempts} time(s) and no propagation exists. Call again with client_token ${clientToken}; it cannot create a duplicate.`,
    });
    return refused(result, described);
  } catch (lookupError) {
    if (isCancellation(lookupError, call.signal)) return cancelled(attempt, lookupError, original);
    return unknownOutcome(
      attempt,
      described,
      `Unknown whether it was created: the create and the look-up both failed. Call again with client_token ${clientToken} (safe: never a duplicate), or check with get_propagation_state.`,
    );
  }
}

/** Every attempt was refused as busy: this call created nothing, but another request may have. */
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
    const existing = await call.er.findPropagation(ref, callOptions(call, attempt.lookupDeadline));
    if (!existing || existing.state === 'deleting' || existing.state === 'failed') return notCreated();
    const mine = mayBeMine(attempt, false);
    return created(attempt, existing, {
      alreadyPropagating: !mine,
      madeByThisCall: mine ? null : false,
      note: mine ? ALREADY_THERE_MAYBE_MINE : `This call's create was refused (${described.error_code}), but the propagation exists: another request made it, not this call.`,
    });
  } catch {
    return notCreated();
  }
}
