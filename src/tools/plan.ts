// The plan behind dry_run (and behind human confirmation): read-only look-ups that say what a
// create or delete would change, and why it would not work, before anything is written.
import { z } from 'zod';
import type { AssociationRef, CallOptions, ErClient } from '../er/client.js';
import { ErApiError } from '../er/errors.js';
import type { Association, Attachment, Router, RouteTable } from '../er/types.js';
import { callOptions, type ToolCall, type WriteAnswer } from './context.js';
import { describeError, type ErrorContext, failure, success } from './results.js';
import { associationEffectOutput, associationRoutingEffect, describeAssociationEffect, startRead } from './routing-effect.js';

export type PlanAction = 'associate' | 'disassociate';

export const planOutput = z
  .object({
    action: z.enum(['associate', 'disassociate']),
    region: z.string(),
    project_id: z.string(),
    router: z.object({ id: z.string(), name: z.string().nullable(), state: z.string().nullable() }),
    route_table: z.object({ id: z.string(), name: z.string().nullable(), state: z.string().nullable() }),
    attachment: z.object({
      id: z.string(),
      name: z.string().nullable(),
      resource_type: z.string().nullable(),
      resource_id: z.string().nullable(),
      state: z.string().nullable(),
    }),
    current_association: z
      .object({ route_table_id: z.string(), state: z.string().nullable() })
      .nullable()
      .describe('Where the attachment is associated now, or null'),
    conflicts: z
      .array(z.object({ kind: z.string(), message: z.string().describe('What is wrong and the next step') }))
      .describe('Reasons the change cannot be made as asked; empty when it can'),
    will_change: z.boolean().describe('True when the change would be sent and would change something'),
    routing_effect: associationEffectOutput.nullable().optional(),
    routing_effect_note: z.string().optional().describe('Why routing_effect is null'),
  })
  .describe('What the change would do, from read-only look-ups');

export type Plan = z.infer<typeof planOutput>;

export interface Conflict {
  kind: string;
  message: string;
}

/**
 * The plan and its routing effect. The table the attachment would use is read alongside the plan's
 * look-ups; the one it uses now is known only from them, and read right after.
 */
export async function planChange(call: ToolCall, action: PlanAction, ref: AssociationRef, options: CallOptions): Promise<Plan> {
  const target = action === 'associate' ? startRead(call.er, ref.routeTableId, options) : Promise.resolve(null);
  const plan = await planBase(call, action, ref, options);
  const current = plan.current_association?.route_table_id ?? null;
  if (plan.conflicts.some((c) => c.kind.endsWith('_not_found'))) return { ...plan, routing_effect: null, routing_effect_note: 'not computed: an ID does not exist' };
  if (action === 'disassociate' && current !== ref.routeTableId) return { ...plan, routing_effect: null, routing_effect_note: 'not computed: nothing to disassociate on this route table' };
  const before = action === 'associate' ? (current === ref.routeTableId ? target : startRead(call.er, current, options)) : startRead(call.er, ref.routeTableId, options);
  const outcome = await associationRoutingEffect(before, target);
  return outcome.effect ? { ...plan, routing_effect: outcome.effect } : { ...plan, routing_effect: null, routing_effect_note: outcome.note };
}

async function planBase(call: ToolCall, action: PlanAction, ref: AssociationRef, options: CallOptions): Promise<Plan> {
  const { er } = call;
  const [router, table, attachment] = await Promise.all([
    lookUp(() => er.getRouter(ref.erId, options)),
    lookUp(() => er.getRouteTable(ref.erId, ref.routeTableId, options)),
    lookUp(() => er.getAttachment(ref.erId, ref.attachmentId, options)),
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
  };

  if (!router) {
    conflicts.push({ kind: 'router_not_found', message: `Router ${ref.erId} does not exist in this project and region: call list_enterprise_routers to find the right er_id.` });
    return { ...base, current_association: null, conflicts, will_change: false };
  }
  if (!table) conflicts.push({ kind: 'route_table_not_found', message: `Route table ${ref.routeTableId} does not exist on router ${ref.erId}: call list_route_tables to find the right route_table_id.` });
  if (!attachment) conflicts.push({ kind: 'attachment_not_found', message: `Attachment ${ref.attachmentId} does not exist on router ${ref.erId}: call list_attachments to find the right attachment_id.` });
  checkAvailable(conflicts, 'router', router);
  checkAvailable(conflicts, 'route_table', table);
  if (action === 'associate') checkAvailable(conflicts, 'attachment', attachment);

  const current = attachment ? await currentAssociation(er, ref, attachment, table !== undefined, options) : null;
  const onRequestedTable = current?.route_table_id === ref.routeTableId;

  if (action === 'associate') {
    if (current && !onRequestedTable) conflicts.push(associatedElsewhere(ref, router, current));
    return { ...base, current_association: current, conflicts, will_change: conflicts.length === 0 && !onRequestedTable };
  }
  if (current && !onRequestedTable) {
    conflicts.push({
      kind: 'associated_elsewhere',
      message:
        `Attachment ${ref.attachmentId} is associated with route table ${current.route_table_id}, not ${ref.routeTableId}: there is nothing to delete here. ` +
        `To remove its association, use route_table_id ${current.route_table_id}.`,
    });
  }
  if (onRequestedTable && current.state !== null && ['pending', 'deleting', 'modifying'].includes(current.state)) {
    conflicts.push({
      kind: 'operation_in_progress',
      message: `The association is "${current.state}": wait for it with get_association_state (wait_for "terminal"), then delete.`,
    });
  }
  return { ...base, current_association: current, conflicts, will_change: conflicts.length === 0 && onRequestedTable };
}

/** Read-only look-ups only: a dry run never sends a write. Used by create and delete. */
export async function dryRun(call: ToolCall, action: PlanAction, ref: AssociationRef, errorContext: ErrorContext): Promise<WriteAnswer> {
  try {
    const plan = await planChange(call, action, ref, callOptions(call));
    const result = success({ dry_run: true, plan, region: call.env.region, project_id: call.projectId, sandbox: call.env.sandbox });
    return { result, report: { outcome: 'dry_run', state: plan.current_association?.state ?? null, error_code: null } };
  } catch (error) {
    const described = describeError(error, errorContext);
    return { result: failure(described), report: { outcome: 'dry_run', state: null, error_code: described.error_code } };
  }
}

/** The message the human approves: the plan of the change, from the same look-ups as a dry run. */
export async function approvalMessage(call: ToolCall, tool: string, action: PlanAction, ref: AssociationRef): Promise<string> {
  return describePlan(tool, await planChange(call, action, ref, callOptions(call)));
}

export function describePlan(tool: string, plan: Plan): string {
  const effect = plan.routing_effect ? { effect: plan.routing_effect } : { effect: null, note: plan.routing_effect_note ?? 'not computed' };
  const name = (x: { id: string; name: string | null }) => (x.name ? `${x.name} (${x.id})` : x.id);
  const verb = plan.action === 'associate' ? 'ASSOCIATE' : 'DISASSOCIATE';
  const current = plan.current_association
    ? `currently associated with route table ${plan.current_association.route_table_id} (${plan.current_association.state ?? 'state unknown'})`
    : 'currently not associated';
  const lines = [
    `${tool} asks to ${verb} an attachment ${plan.action === 'associate' ? 'with' : 'from'} a route table.`,
    `Region: ${plan.region}   Project: ${plan.project_id}`,
    `Router: ${name(plan.router)}`,
    `Route table: ${name(plan.route_table)}`,
    `Attachment: ${name(plan.attachment)}${plan.attachment.resource_type ? `, ${plan.attachment.resource_type} ${plan.attachment.resource_id ?? ''}` : ''}`,
    `Now: ${current}`,
    plan.will_change ? 'Effect: this will change the routing of that attachment.' : 'Effect: the plan expects no change.',
    ...plan.conflicts.map((c) => `Conflict: ${c.message}`),
    ...describeAssociationEffect(effect, { [plan.route_table.id]: plan.route_table.name }),
  ];
  return lines.join('\n');
}

export async function lookUp<T extends Router | RouteTable | Attachment>(fetch: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fetch();
  } catch (error) {
    if (error instanceof ErApiError && error.httpStatus === 404 && error.errorCode.startsWith('ER.')) return undefined;
    throw error;
  }
}

export function checkAvailable(conflicts: Conflict[], kind: 'router' | 'route_table' | 'attachment', item: { state?: string | null } | undefined): void {
  if (!item || item.state == null || item.state === 'available') return;
  const what = kind.replace('_', ' ');
  conflicts.push({
    kind: `${kind}_not_available`,
    message: `The ${what} is "${item.state}", not "available": wait until it is available (list_${kind === 'router' ? 'enterprise_routers' : `${kind}s`} shows its state), then try again.`,
  });
}

/** Where the attachment is associated now, with the association's own state when it can be read. */
async function currentAssociation(
  er: ErClient,
  ref: AssociationRef,
  attachment: Attachment,
  tableExists: boolean,
  options: CallOptions,
): Promise<Plan['current_association']> {
  const tableId = attachment.associated && attachment.route_table_id ? attachment.route_table_id : ref.routeTableId;
  if (tableId === ref.routeTableId && !tableExists) return null;
  const association: Association | null = await er.findAssociation({ ...ref, routeTableId: tableId }, options);
  if (association) return { route_table_id: tableId, state: association.state };
  if (attachment.associated && attachment.route_table_id) return { route_table_id: attachment.route_table_id, state: null };
  return null;
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
