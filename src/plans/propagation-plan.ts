// The plan of a propagation's create or delete (its dry run, its approval): read-only look-ups that say whether
// the attachment already propagates into the table, what stands in the way, and how the table's
// effective routes would change. Reads that do not depend on each other run together. What
// every plan has is in plan-common.ts.
import { z } from 'zod';
import type { AssociationRef, CallOptions } from '../er/client.js';
import { ErApiError } from '../er/errors.js';
import type { Propagation } from '../er/types.js';
import type { ToolCall } from '../toolkit/context.js';
import type { MadePlan } from './plan-book.js';
import {
  BUSY_STATES,
  type Conflict,
  conflictsOutput,
  describePlanLines,
  inProgressConflict,
  lookUpSubjects,
  planSubjects,
  routesFingerprint,
  routingEffectNoteOutput,
  subjectConflicts,
  subjectsFingerprint,
  subjectsOutput,
  willChangeOutput,
} from './plan-common.js';
import { describePropagationEffect, propagationEffectOutput, propagationRoutingEffect } from './effect-report.js';

export type PropagationAction = 'enable_propagation' | 'disable_propagation';

export const propagationPlanOutput = z
  .object({
    action: z.enum(['enable_propagation', 'disable_propagation']),
    region: z.string(),
    project_id: z.string(),
    ...subjectsOutput,
    current_propagation: z
      .object({ id: z.string(), state: z.string() })
      .nullable()
      .describe('The attachment’s propagation into this route table now, or null'),
    conflicts: conflictsOutput,
    will_change: willChangeOutput,
    routing_effect: propagationEffectOutput.nullable(),
    routing_effect_note: routingEffectNoteOutput,
  })
  .describe('What the change would do, from read-only look-ups');

export type PropagationPlan = z.infer<typeof propagationPlanOutput>;

export type MadePropagationPlan = MadePlan & { plan: PropagationPlan };

export async function planPropagation(call: ToolCall, action: PropagationAction, ref: AssociationRef, options: CallOptions): Promise<MadePropagationPlan> {
  const { er } = call;
  const [found, current] = await Promise.all([
    lookUpSubjects(er, ref, options),
    // A missing router or table shows in the look-ups above; here it just means "none".
    er.findPropagation(ref, options).catch((error: unknown) => {
      if (error instanceof ErApiError && error.httpStatus === 404 && error.errorCode.startsWith('ER.')) return null;
      throw error;
    }),
  ]);
  const { router, table, attachment } = found;
  const base = { ...planSubjects(call, action, ref, found), current_propagation: current ? { id: current.id, state: current.state } : null };
  const fingerprint = { ...subjectsFingerprint(found), current_propagation: current ? `${current.id} (${current.state})` : 'none' };
  const without = (plan: Omit<PropagationPlan, 'routing_effect'>, note: string): MadePropagationPlan => ({ plan: { ...plan, routing_effect: null, routing_effect_note: note }, fingerprint, expectation: null });
  const conflicts = subjectConflicts(ref, found, action === 'enable_propagation');
  if (!router || !table || !attachment) return without({ ...base, conflicts, will_change: false }, 'not computed: an ID does not exist');

  conflicts.push(...stateConflicts(action, current, ref));
  const changes = action === 'enable_propagation' ? current === null : current !== null;
  const will_change = conflicts.length === 0 && changes;
  if (!changes) {
    const note = action === 'enable_propagation' ? 'no change: the attachment already propagates into this route table' : 'no change: the attachment does not propagate into this route table';
    return without({ ...base, conflicts, will_change }, note);
  }
  const outcome = await propagationRoutingEffect(
    er,
    { action: action === 'enable_propagation' ? 'create' : 'delete', erId: ref.erId, routeTableId: ref.routeTableId, attachment: { id: attachment.id, resource_type: attachment.resource_type ?? null } },
    options,
  );
  const routed = { ...fingerprint, ...routesFingerprint(outcome.read) };
  if (!outcome.effect) return { ...without({ ...base, conflicts, will_change }, outcome.note), fingerprint: routed };
  return { plan: { ...base, conflicts, will_change, routing_effect: outcome.effect }, fingerprint: routed, expectation: outcome.expectation };
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
  if (BUSY_STATES.has(current.state)) return [inProgressConflict('propagation', 'get_propagation_state', current.state)];
  return [];
}

export function describePropagationPlan(tool: string, plan: PropagationPlan): string {
  const enabling = plan.action === 'enable_propagation';
  const effect = plan.routing_effect ? { effect: plan.routing_effect } : { effect: null, note: plan.routing_effect_note ?? 'not computed' };
  return describePlanLines(plan, {
    asks: `${tool} asks to ${enabling ? 'START' : 'STOP'} propagating an attachment's routes ${enabling ? 'into' : 'from'} a route table.`,
    now: plan.current_propagation ? `propagating into this table (${plan.current_propagation.state})` : 'not propagating into this table',
    changes: 'this will change what the route table learns.',
    effect: describePropagationEffect(effect, plan.route_table.name),
  });
}
