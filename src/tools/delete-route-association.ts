// delete_route_association: the undo of a create. Sends the signed disassociate; an association
// that is already gone (or going) is reported as such, not as a failure.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AssociationRef } from '../er/client.js';
import { ErApiError, HttpFailure, mayHaveBeenApplied } from '../er/errors.js';
import { type ToolContext, type WriteGate, writeDeadlines } from './context.js';
import { dryRun, planOutput } from './plan.js';
import { configurationFailure, describeError, type ErrorContext, failure, success } from './results.js';
import { associationRefShape, dryRunInput, nextCallOutput } from './schemas.js';

export const deleteInput = z.strictObject({
  ...associationRefShape,
  dry_run: dryRunInput,
});

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

export function registerDeleteRouteAssociation(server: McpServer, ctx: ToolContext, gate: WriteGate): void {
  server.registerTool(
    'delete_route_association',
    {
      title: 'Remove an attachment’s association from a route table',
      description:
        'Disassociates an attachment from a route table (the undo of create_route_association; its result carries the ' +
        'arguments). Traffic through that attachment stops using the table. Try dry_run: true first. Then wait with ' +
        'get_association_state, wait_for "deleted".',
      inputSchema: deleteInput,
      outputSchema: deleteOutput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    },
    (args, extra) => gate({ tool: 'delete_route_association', action: 'disassociate', args, extra }, () => deleteRouteAssociation(ctx, args, extra.signal)),
  );
}

export async function deleteRouteAssociation(ctx: ToolContext, args: z.infer<typeof deleteInput>, signal: AbortSignal): Promise<CallToolResult> {
  if (!ctx.er) return configurationFailure(ctx.problems);
  const ref: AssociationRef = { erId: args.er_id, routeTableId: args.route_table_id, attachmentId: args.attachment_id };
  const deadlines = writeDeadlines(ctx);
  const errorContext: ErrorContext = { ids: { er_id: args.er_id, route_table_id: args.route_table_id, attachment_id: args.attachment_id }, nowMs: ctx.clock.now() };
  if (args.dry_run) return dryRun(ctx, 'disassociate', ref, { signal, deadline: deadlines.lookup }, errorContext);

  try {
    const { requestId } = await ctx.er.disassociate(ref, { signal, deadline: deadlines.write });
    return success(deleting(ctx, args, requestId ?? null));
  } catch (error) {
    if (error instanceof ErApiError && error.errorCode === 'ER.04042001') return success(gone(ctx, error.requestId ?? null));
    if (signal.aborted || (error instanceof HttpFailure && error.kind === 'cancelled')) {
      return failure({
        ...describeError(error, errorContext),
        may_have_reached_api: mayHaveBeenApplied(error),
        hint: 'Cancelled: call get_association_state with the same IDs to see whether the association is deleting.',
      });
    }
    // A lost answer, or "operation in progress" after a retry of our own request: see what is there.
    const uncertain = error instanceof HttpFailure || (error instanceof ErApiError && error.retryable);
    if (uncertain) return settle(ctx, args, ref, error, errorContext, { signal, deadline: deadlines.lookup });
    return failure(describeError(error, errorContext));
  }
}

async function settle(
  ctx: ToolContext,
  args: z.infer<typeof deleteInput>,
  ref: AssociationRef,
  original: unknown,
  errorContext: ErrorContext,
  lookup: { signal: AbortSignal; deadline: number },
): Promise<CallToolResult> {
  try {
    const association = await ctx.er!.findAssociation(ref, lookup);
    if (!association) return success(gone(ctx, null));
    if (association.state === 'deleting') return success(deleting(ctx, args, null));
  } catch {
    // Fall through to the original error: it says more than the failed look-up.
  }
  return failure(describeError(original, errorContext));
}

function deleting(ctx: ToolContext, args: z.infer<typeof deleteInput>, requestId: string | null): Record<string, unknown> {
  return {
    dry_run: false,
    state: 'deleting',
    already_gone: false,
    request_id: requestId,
    region: ctx.region,
    project_id: ctx.projectId,
    sandbox: ctx.sandbox,
    next: {
      tool: 'get_association_state',
      arguments: { er_id: args.er_id, route_table_id: args.route_table_id, attachment_id: args.attachment_id, wait_for: 'deleted', timeout_seconds: 120 },
    },
  };
}

function gone(ctx: ToolContext, requestId: string | null): Record<string, unknown> {
  return { dry_run: false, state: 'not_found', already_gone: true, request_id: requestId, region: ctx.region, project_id: ctx.projectId, sandbox: ctx.sandbox };
}
