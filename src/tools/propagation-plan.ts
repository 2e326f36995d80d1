// The plan behind a propagation dry run (and its approval): read-only look-ups that say whether
// the attachment already propagates into the table, what stands in the way, and how the table's
// effective routes would change. Reads that do not depend on each other run together.
import { z } from 'zod';
import type { AssociationRef, CallOptions } from '../er/client.js';
import { ErApiError } from '../er/errors.js';
import type { Propagation } from '../er/types.js';
import { callOptions, type ToolCall, type WriteAnswer } from './context.js';
import { checkAvailable, type Conflict, lookUp } from './plan.js';
import { describeError, type ErrorContext, failure, success } from './results.js';
import { describePropagationEffect, propagationEffectOutput, propagationRoutingEffect } from './routing-effect.js';

export type PropagationAction = 'enable_propagation' | 'disable_propagation';

const named = z.object({ id: z.string(), name: z.string().nullable(), state: z.string().nullable() });

export const propagationPlanOutput = z
  .object({
    action: z.enum(['enable_propagation', 'disable_propagation']),
    region: z.string(),
    project_id: z.string(),
    router: named,
    route_table: named,
    attachment: z.object({
      id: z.string(),
      name: z.string().nullable(),
      resource_type: z.string().nullable(),
      resource_id: z.string().nullable(),
      state: z.string().nullable(),
    }),
    current_propagation: z
      .object({ id: z.string(), state: z.string() })
      .nullable()
      .describe('The attachment’s propagation into this route table now, or null'),
    conflicts: z
      .array(z.object({ kind: z.string(), message: z.string().describe('What is wrong and the next step') }))
      .describe('Reasons the change cannot be made as asked; empty when it can'),
    will_change: z.boolean().describe('True when the change would be sent and would change something'),
    routing_effect: propagationEffectOutput.nullable(),
    routing_effect_note: z.string().optional().describe('Why routing_effect is null'),
  })
  .describe('What the change would do, from read-only look-ups');

export type PropagationPlan = z.infer<typeof propagationPlanOutput>;

const BUSY_STATES = new Set(['pending', 'deleting', 'modifying']);

export async function planPropagation(call: ToolCall, action: PropagationAction, ref: AssociationRef, options: CallOptions): Promise<PropagationPlan> {
  const { er } = call;
  const [router, table, attachment, current] = await Promise.all([
    lookUp(() => er.getRouter(ref.erId, options)),
    lookUp(() => er.getRouteTable(ref.erId, ref.routeTableId, options)),
    lookUp(() => er.getAttachment(ref.erId, ref.attachmentId, options)),
    // A missing router or table shows in the look-ups above; here it just means "none".
    er.findPropagation(ref, options).catch((error: unknown) => {
      if (error instanceof ErApiError && error.httpStatus === 404 && error.errorCode.startsWith('ER.')) return null;
      throw error;
    }),
  ]);
  const conflicts: Conflict[] = [];
  const base = {
    action,
    region: call.env.region,
    project_id: call.projectId,
    router: { id: ref.erId, name: router?.name ?? null, state: router?.state ?? null },
    route_table: { id: ref.routeTableId, name: table?.name ?? null, state: table?.state ?? null },
    attachment: {
      id: ref.attachmentId,
      name: attachment?.name ?? null,
      resource_type: attachment?.resource_type ?? null,
      resource_id: attachment?.resource_id ?? null,
      state: attachment?.state ?? null,
    },
    current_propagation: current ? { id: current.id, state: current.state } : null,
  };
  const notComputed = (note: string) => ({ routing_effect: null, routing_effect_note: note });

  if (!router) {
    conflicts.push({ kind: 'router_not_found', message: `Router ${ref.erId} does not exist in this project and region: call list_enterprise_routers to find the right er_id.` });
    return { ...base, conflicts, will_change: false, ...notComputed('not computed: an ID does not exist') };
  }
  if (!table) conflicts.push({ kind: 'route_table_not_found', message: `Route table ${ref.routeTableId} does not exist on router ${ref.erId}: call list_route_tables to find the right route_table_id.` });
  if (!attachment) conflicts.push({ kind: 'attachment_not_found', message: `Attachment ${ref.attachmentId} does not exist on router ${ref.erId}: call list_attachments to find the right attachment_id.` });
  checkAvailable(conflicts, 'router', router);
  checkAvailable(conflicts, 'route_table', table);
  if (action === 'enable_propagation') checkAvailable(conflicts, 'attachment', attachment);
  if (!table || !attachment) return { ...base, conflicts, will_change: false, ...notComputed('not computed: an ID does not exist') };

  conflicts.push(...stateConflicts(action, current, ref));
  const changes = action === 'enable_propagation' ? current === null : current !== null;
  const will_change = conflicts.length === 0 && changes;
  if (!changes) {
    const note = action === 'enable_propagation' ? 'no change: the attachment already propagates into this route table' : 'no change: the attachment does not propagate into this route table';
    return { ...base, conflicts, will_change, ...notComputed(note) };
  }
  const outcome = await propagationRoutingEffect(
    er,
    { action: action === 'enable_propagation' ? 'create' : 'delete', erId: ref.erId, routeTableId: ref.routeTableId, attachment: { id: attachment.id, resource_type: attachment.resource_type ?? null } },
    options,
  );
  return { ...base, conflicts, will_change, ...(outcome.effect ? { routing_effect: outcome.effect } : notComputed(outcome.note)) };
}

/** What the propagation's own state stands in the way of. */
function stateConflicts(action: PropagationAction, current: Propagation | null, ref: AssociationRef): Conflict[] {
  if (!current) return [];
  const ids = `er_id ${ref.erId}, route_table_id ${ref.routeTableId}, attachment_id ${ref.attachmentId}`;
  if (action === 'enable_propagation') {
    if (current.state === 'deleting') {
      return [{ kind: 'operation_in_progress', message: `The propagation is being removed: wait with get_propagation_state (${ids}, wait_for "deleted"), then create it again.` }];
    }
    if (current.state === 'failed') {
      return [{ kind: 'failed_propagation', message: `The propagation exists but has failed: remove it with delete_route_propagation (${ids}), then create it again.` }];
    }
    return [];
  }
  if (BUSY_STATES.has(current.state)) {
    return [{ kind: 'operation_in_progress', message: `The propagation is "${current.state}": wait for it with get_propagation_state (wait_for "terminal"), then delete.` }];
  }
  return [];
}

/** Read-only look-ups only: a dry run never sends a write. */
export async function propagationDryRun(call: ToolCall, action: PropagationAction, ref: AssociationRef, errorContext: ErrorContext): Promise<WriteAnswer> {
  try {
    const plan = await planPropagation(call, action, ref, callOptions(call));
    const result = success({ dry_run: true, plan, region: call.env.region, project_id: call.projectId, sandbox: call.env.sandbox });
    return { result, report: { outcome: 'dry_run', state: plan.current_propagation?.state ?? null, error_code: null } };
  } catch (error) {
    const described = describeError(error, errorContext);
    return { result: failure(described), report: { outcome: 'dry_run', state: null, error_code: described.error_code } };
  }
}

/** The message the human approves: the plan, from the same look-ups as a dry run. */
export async function propagationApproval(call: ToolCall, tool: string, action: PropagationAction, ref: AssociationRef): Promise<string> {
  return describePropagationPlan(tool, await planPropagation(call, action, ref, callOptions(call)));
}

export function describePropagationPlan(tool: string, plan: PropagationPlan): string {
  const name = (x: { id: string; name: string | null }) => (x.name ? `${x.name} (${x.id})` : x.id);
  const enabling = plan.action === 'enable_propagation';
  const current = plan.current_propagation ? `propagating into this table (${plan.current_propagation.state})` : 'not propagating into this table';
  const effect = plan.routing_effect ? { effect: plan.routing_effect } : { effect: null, note: plan.routing_effect_note ?? 'not computed' };
  const lines = [
    `${tool} asks to ${enabling ? 'START' : 'STOP'} propagating an attachment's routes ${enabling ? 'into' : 'from'} a route table.`,
    `Region: ${plan.region}   Project: ${plan.project_id}`,
    `Router: ${name(plan.router)}`,
    `Route table: ${name(plan.route_table)}`,
    `Attachment: ${name(plan.attachment)}${plan.attachment.resource_type ? `, ${plan.attachment.resource_type} ${plan.attachment.resource_id ?? ''}` : ''}`,
    `Now: ${current}`,
    plan.will_change ? 'Effect: this will change what the route table learns.' : 'Effect: the plan expects no change.',
    ...plan.conflicts.map((c) => `Conflict: ${c.message}`),
    ...describePropagationEffect(effect, plan.route_table.name),
  ];
  return lines.join('\n');
}
