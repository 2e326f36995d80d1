// delete_route_association: the undo of a create. Sends the signed disassociate; an association
// that is already gone (or going) is reported as such, not as a failure.
import { z } from 'zod';
import type { AssociationRef } from '../er/client.js';
import { ER_CODES } from '../er/codes.js';
import { ErApiError, HttpFailure, isCancellation, mayHaveBeenApplied } from '../er/errors.js';
import { callOptions, type ToolCall, type WriteAnswer, writeDeadlines } from './context.js';
import { defineWriteTool } from './definition.js';
import { approvalMessage, dryRun, planOutput } from './plan.js';
import { describeError, type ErrorContext, failure, success } from './results.js';
import { associationRefShape, dryRunInput, nextCallOutput, waitHint } from './schemas.js';

export const deleteInput = z.strictObject({
  ...associationRefShape,
  dry_run: dryRunInput,
});

type DeleteArgs = z.infer<typeof deleteInput>;

export const deleteOutput = z.object({
  dry_run: z.boolean(),
  plan: planOutput.optional(),
  state: z.string().optional().describe('"deleting" once accepted; "not_found" when there was nothing to delete'),
  already_gone: z.boolean().optional().describe('True when the association did not exist (nothing was sent or changed)'),
  request_id: z.string().nullable().optional(),
  region: z.string(),
  project_id: z.string(),
  sandbox: z.boolean(),
  next: nextCallOutput.optional(),
});

export const deleteRouteAssociationTool = defineWriteTool({
  name: 'delete_route_association',
  config: {
    title: 'Remove an attachment’s association from a route table',
    description:
      'Disassociates an attachment from a route table (the undo of create_route_association; its result carries the ' +
      'arguments). Traffic through that attachment stops using the table. Try dry_run: true first. Then wait with ' +
      'get_association_state, wait_for "deleted".',
    inputSchema: deleteInput,
    outputSchema: deleteOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => deleteRouteAssociation(call, args),
  approval: (args, call) => approvalMessage(call, 'delete_route_association', 'disassociate', refOf(args)),
});

function refOf(args: DeleteArgs): AssociationRef {
  return { erId: args.er_id, routeTableId: args.route_table_id, attachmentId: args.attachment_id };
}

export async function deleteRouteAssociation(call: ToolCall, args: DeleteArgs): Promise<WriteAnswer> {
  const ref = refOf(args);
  const errorContext: ErrorContext = { ids: { er_id: args.er_id, route_table_id: args.route_table_id, attachment_id: args.attachment_id }, nowMs: call.env.clock.now() };
  if (args.dry_run) return dryRun(call, 'disassociate', ref, errorContext);
  const deadlines = writeDeadlines(call);

  try {
    const { requestId } = await call.er.disassociate(ref, callOptions(call, deadlines.write));
    return deleting(call, args, requestId ?? null, 'succeeded');
  } catch (error) {
    if (error instanceof ErApiError && error.errorCode === ER_CODES.ASSOCIATION_NOT_FOUND) return gone(call, error.requestId ?? null);
    const described = describeError(error, errorContext);
    if (isCancellation(error, call.signal)) {
      const mayHave = mayHaveBeenApplied(error);
      const result = failure({
        ...described,
        may_have_reached_api: mayHave,
        hint: 'Cancelled: call get_association_state with the same IDs to see whether the association is deleting.',
      });
      return { result, report: { outcome: mayHave ? 'may_have_been_applied' : 'failed', state: null, error_code: described.error_code } };
    }
    // A lost answer, or "operation in progress" after a retry of our own request: see what is there.
    const uncertain = error instanceof HttpFailure || (error instanceof ErApiError && error.retryable);
    if (uncertain) {
      try {
        const association = await call.er.findAssociation(ref, callOptions(call, deadlines.lookup));
        if (!association) return mayHaveBeenApplied(error) ? deletedMeanwhile(call) : gone(call, null);
        if (association.state === 'deleting') return deleting(call, args, null, mayHaveBeenApplied(error) ? 'succeeded' : 'no_change');
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
      tool: 'get_association_state',
      arguments: { er_id: args.er_id, route_table_id: args.route_table_id, attachment_id: args.attachment_id, wait_for: 'deleted', timeout_seconds: waitHint(call.env) },
    },
  });
  return { result, report: { outcome, state: 'deleting', error_code: null } };
}

function gone(call: ToolCall, requestId: string | null): WriteAnswer {
  const result = success({ dry_run: false, state: 'not_found', already_gone: true, request_id: requestId, region: call.env.region, project_id: call.projectId, sandbox: call.env.sandbox });
  return { result, report: { outcome: 'no_change', state: 'not_found', error_code: null } };
}

/** The answer was lost but the association is gone: most likely this call removed it. */
function deletedMeanwhile(call: ToolCall): WriteAnswer {
  const result = success({ dry_run: false, state: 'not_found', already_gone: false, request_id: null, region: call.env.region, project_id: call.projectId, sandbox: call.env.sandbox });
  return { result, report: { outcome: 'succeeded', state: 'not_found', error_code: null } };
}
