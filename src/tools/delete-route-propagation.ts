// delete_route_propagation: the undo of create_route_propagation. The route table forgets the
// attachment's routes. A propagation that is already gone (or going) is reported as such.
import { z } from 'zod';
import type { AssociationRef } from '../er/client.js';
import { ER_CODES } from '../er/codes.js';
import { ErApiError, HttpFailure, isCancellation, mayHaveBeenApplied } from '../er/errors.js';
import { callOptions, type ToolCall, type WriteAnswer, writeDeadlines } from './context.js';
import { defineWriteTool } from './definition.js';
import { propagationApproval, propagationDryRun, propagationPlanOutput } from './propagation-plan.js';
import { describeError, type ErrorContext, failure, success } from './results.js';
import { associationRefShape, dryRunInput, nextCallOutput, waitHint } from './schemas.js';

export const deletePropagationInput = z.strictObject({
  ...associationRefShape,
  dry_run: dryRunInput,
});

type DeleteArgs = z.infer<typeof deletePropagationInput>;

export const deletePropagationOutput = z.object({
  dry_run: z.boolean(),
  plan: propagationPlanOutput.optional(),
  state: z.string().optional().describe('"deleting" once accepted; "not_found" when there was nothing to delete'),
  already_gone: z.boolean().optional().describe('True when the propagation did not exist (nothing was changed)'),
  request_id: z.string().nullable().optional(),
  region: z.string(),
  project_id: z.string(),
  sandbox: z.boolean(),
  next: nextCallOutput.optional(),
});

export const deleteRoutePropagationTool = defineWriteTool({
  name: 'delete_route_propagation',
  config: {
    title: 'Stop propagating an attachment’s routes into a route table',
    description:
      'Removes the propagation of an attachment into a route table (the undo of create_route_propagation; its result carries the ' +
      'arguments): the table forgets the attachment’s routes, so traffic looked up there can no longer reach it that way. Try ' +
      'dry_run: true first to see which destinations disappear. Then wait with get_propagation_state, wait_for "deleted".',
    inputSchema: deletePropagationInput,
    outputSchema: deletePropagationOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => deleteRoutePropagation(call, args),
  approval: (args, call) => propagationApproval(call, 'delete_route_propagation', 'disable_propagation', refOf(args)),
});

function refOf(args: DeleteArgs): AssociationRef {
  return { erId: args.er_id, routeTableId: args.route_table_id, attachmentId: args.attachment_id };
}

export async function deleteRoutePropagation(call: ToolCall, args: DeleteArgs): Promise<WriteAnswer> {
  const ref = refOf(args);
  const errorContext: ErrorContext = { ids: { er_id: args.er_id, route_table_id: args.route_table_id, attachment_id: args.attachment_id }, nowMs: call.env.clock.now() };
  if (args.dry_run) return propagationDryRun(call, 'disable_propagation', ref, errorContext);
  const deadlines = writeDeadlines(call);

  try {
    const { requestId } = await call.er.disablePropagation(ref, callOptions(call, deadlines.write));
    return deleting(call, args, requestId ?? null, 'succeeded');
  } catch (error) {
    if (error instanceof ErApiError && error.errorCode === ER_CODES.PROPAGATION_NOT_FOUND) return gone(call, error.requestId ?? null);
    const described = describeError(error, errorContext);
    if (isCancellation(error, call.signal)) {
      const mayHave = mayHaveBeenApplied(error);
      const result = failure({
        ...described,
        may_have_reached_api: mayHave,
        hint: 'Cancelled: call get_propagation_state with the same IDs to see whether the propagation is being removed.',
      });
      return { result, report: { outcome: mayHave ? 'may_have_been_applied' : 'failed', state: null, error_code: described.error_code } };
    }
    // A lost answer, or "being operated" after a retry of our own request: see what is there.
    const uncertain = error instanceof HttpFailure || (error instanceof ErApiError && error.retryable);
    if (uncertain) {
      try {
        const propagation = await call.er.findPropagation(ref, callOptions(call, deadlines.lookup));
        if (!propagation) return mayHaveBeenApplied(error) ? deletedMeanwhile(call) : gone(call, null);
        if (propagation.state === 'deleting') return deleting(call, args, null, mayHaveBeenApplied(error) ? 'succeeded' : 'no_change');
      } catch {
        // Fall through to the original error: it says more than the failed look-up.
      }
    }
    return { result: failure(described), report: { outcome: mayHaveBeenApplied(error) ? 'may_have_been_applied' : 'failed', state: null, error_code: described.error_code } };
  }
}

function deleting(call: ToolCall, args: DeleteArgs, requestId: string | null, outcome: 'succeeded' | 'no_change'): WriteAnswer {
  const result = success({
    dry_run: false,
    state: 'deleting',
    already_gone: false,
    request_id: requestId,
    region: call.env.region,
    project_id: call.projectId,
    sandbox: call.env.sandbox,
    next: {
      tool: 'get_propagation_state',
      arguments: { er_id: args.er_id, route_table_id: args.route_table_id, attachment_id: args.attachment_id, wait_for: 'deleted', timeout_seconds: waitHint(call.env) },
    },
  });
  return { result, report: { outcome, state: 'deleting', error_code: null } };
}

function gone(call: ToolCall, requestId: string | null): WriteAnswer {
  const result = success({ dry_run: false, state: 'not_found', already_gone: true, request_id: requestId, region: call.env.region, project_id: call.projectId, sandbox: call.env.sandbox });
  return { result, report: { outcome: 'no_change', state: 'not_found', error_code: null } };
}

/** The answer was lost but the propagation is gone: most likely this call removed it. */
function deletedMeanwhile(call: ToolCall): WriteAnswer {
  const result = success({ dry_run: false, state: 'not_found', already_gone: false, request_id: null, region: call.env.region, project_id: call.projectId, sandbox: call.env.sandbox });
  return { result, report: { outcome: 'succeeded', state: 'not_found', error_code: null } };
}
