// The plan of an association's create or delete (its dry run, its approval): read-only look-ups
// that say what a create or delete would change, and why it would not work, before anything is
// written. What every plan has is in plan-common.ts; this file adds where the attachment is
// associated now and what moving it changes.
import { z } from 'zod';
import type { AssociationRef, CallOptions, ErClient } from '../er/client.js';
import type { Association, Attachment, Router } from '../er/types.js';
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
import { associationEffectOutput, associationRoutingEffect, describeAssociationEffect, startRead } from './effect-report.js';

export type PlanAction = 'associate' | 'disassociate';

export const planOutput = z
  .object({
    action: z.enum(['associate', 'disassociate']),
    region: z.string(),
    project_id: z.string(),
    ...subjectsOutput,
    current_association: z
      .object({ route_table_id: z.string(), state: z.string().nullable() })
      .nullable()
      .describe('Where the attachment is associated now, or null'),
    conflicts: conflictsOutput,
    will_change: willChangeOutput,
    routing_effect: associationEffectOutput.nullable().optional(),
    routing_effect_note: routingEffectNoteOutput,
  })
  .describe('What the change would do, from read-only look-ups');

export type Plan = z.infer<typeof planOutput>;

export type AssociationPlan = MadePlan & { plan: Plan };

/**
 * The plan, its routing effect, and what it depends on. The table the attachment would use is
 * read alongside the plan's look-ups; the one it uses now is known only from them, and read right after.
 */
export async function planAssociation(call: ToolCall, action: PlanAction, ref: AssociationRef, options: CallOptions): Promise<AssociationPlan> {
  const target = action === 'associate' ? startRead(call.er, ref.routeTableId, options) : Promise.resolve(null);
  const { plan, fingerprint } = await planBase(call, action, ref, options);
  const current = plan.current_association?.route_table_id ?? null;
  const without = (note: string): AssociationPlan => ({ plan: { ...plan, routing_effect: null, routing_effect_note: note }, fingerprint, expectation: null });
  if (plan.conflicts.some((c) => c.kind.endsWith('_not_found'))) return without('not computed: an ID does not exist');
  if (action === 'disassociate' && current !== ref.routeTableId) return without('not computed: nothing to disassociate on this route table');
  const before = action === 'associate' ? (current === ref.routeTableId ? target : startRead(call.er, current, options)) : startRead(call.er, ref.routeTableId, options);
  const outcome = await associationRoutingEffect(before, target);
  const routed = { ...fingerprint, ...routesFingerprint(outcome.read) };
  if (!outcome.effect) return { ...without(outcome.note), fingerprint: routed };
  return { plan: { ...plan, routing_effect: outcome.effect }, fingerprint: routed, expectation: outcome.expectation };
}

async function planBase(call: ToolCall, action: PlanAction, ref: AssociationRef, options: CallOptions): Promise<{ plan: Plan; fingerprint: Record<string, string> }> {
  const { er } = call;
  const found = await lookUpSubjects(er, ref, options);
  const { router, table, attachment } = found;
  const base = planSubjects(call, action, ref, found);
  const conflicts = subjectConflicts(ref, found, action === 'associate');
  const subjects = subjectsFingerprint(found);
  if (!router) return { plan: { ...base, current_association: null, conflicts, will_change: false }, fingerprint: subjects };

  const current = attachment ? await currentAssociation(er, ref, attachment, table !== undefined, options) : null;
  const fingerprint = { ...subjects, current_association: current ? `${current.route_table_id} (${current.state ?? 'state unknown'})` : 'none' };
  const onRequestedTable = current?.route_table_id === ref.routeTableId;

  if (action === 'associate') {
    if (current && !onRequestedTable) conflicts.push(associatedElsewhere(ref, router, current));
    return { plan: { ...base, current_association: current, conflicts, will_change: conflicts.length === 0 && !onRequestedTable }, fingerprint };
  }
  if (current && !onRequestedTable) {
    conflicts.push({
      kind: 'associated_elsewhere',
      message:
        `Attachment ${ref.attachmentId} is associated with route table ${current.route_table_id}, not ${ref.routeTableId}: there is nothing to delete here. ` +
        `To remove its association, use route_table_id ${current.route_table_id}.`,
    });
  }
  if (onRequestedTable && current.state !== null && BUSY_STATES.has(current.state)) conflicts.push(inProgressConflict('association', 'get_association_state', current.state));
  return { plan: { ...base, current_association: current, conflicts, will_change: conflicts.length === 0 && onRequestedTable }, fingerprint };
}

export function describePlan(tool: string, plan: Plan): string {
  const effect = plan.routing_effect ? { effect: plan.routing_effect } : { effect: null, note: plan.routing_effect_note ?? 'not computed' };
  const associating = plan.action === 'associate';
  return describePlanLines(plan, {
    asks: `${tool} asks to ${associating ? 'ASSOCIATE' : 'DISASSOCIATE'} an attachment ${associating ? 'with' : 'from'} a route table.`,
    now: plan.current_association
      ? `currently associated with route table ${plan.current_association.route_table_id} (${plan.current_association.state ?? 'state unknown'})`
      : 'currently not associated',
    changes: 'this will change the routing of that attachment.',
    effect: describeAssociationEffect(effect, { [plan.route_table.id]: plan.route_table.name }),
  });
}

/**
 * Where the attachment is associated now, with the association's own state when it can be read.
 * Only the attachment's list entry says where it is associated (the show does not). It is read
 * alongside the association on the requested table, the usual answer; only an attachment
 * associated elsewhere costs one more read, of the association on that table.
 */
async function currentAssociation(
  er: ErClient,
  ref: AssociationRef,
  attachment: Attachment,
  tableExists: boolean,
  options: CallOptions,
): Promise<Plan['current_association']> {
  const [listed, onRequested] = await Promise.all([
    er.findListedAttachment(ref.erId, ref.attachmentId, { ...options, resourceId: attachment.resource_id }),
    tableExists ? er.findAssociation(ref, options) : Promise.resolve(null),
  ]);
  const holder = listed?.associated && listed.route_table_id ? listed.route_table_id : null;
  if (holder === null || holder === ref.routeTableId) return onRequested ? { route_table_id: ref.routeTableId, state: onRequested.state } : null;
  const association: Association | null = await er.findAssociation({ ...ref, routeTableId: holder }, options);
  return { route_table_id: holder, state: association?.state ?? null };
}

function associatedElsewhere(ref: AssociationRef, router: Router, current: NonNullable<Plan['current_association']>): Conflict {
  const byDefault = router.enable_default_association && router.default_association_route_table_id === current.route_table_id;
  if (byDefault) {
    return {
      kind: 'default_association',
      message:
        `The router associates new attachments with its default route table ${current.route_table_id} automatically, so this attachment is already associated there: ` +
        `delete that association first (delete_route_association with route_table_id ${current.route_table_id}), then create this one.`,
    };
  }
  return {
    kind: 'associated_elsewhere',
    message:
      `Attachment ${ref.attachmentId} is already associated with route table ${current.route_table_id} and can have only one association: ` +
      `delete that one first (delete_route_association with route_table_id ${current.route_table_id}), then create this one.`,
  };
}
