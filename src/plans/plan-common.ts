// What the association and the propagation plans share: the look-ups of the router, route table
// and attachment, the conflicts those alone show, the plan fields that describe them, and the
// dry-run answer and approval text built around a plan. Each plan adds what its link changes.
import { z } from 'zod';
import type { AssociationRef, CallOptions, ErClient } from '../er/client.js';
import { ErApiError } from '../er/errors.js';
import type { Attachment, Router, RouteTable } from '../er/types.js';
import type { ToolCall } from '../toolkit/context.js';
import type { ReadTable } from './effect-report.js';
import { sha256 } from './plan-book.js';
import { routeMap } from './verification.js';

const named = z.object({ id: z.string(), name: z.string().nullable(), state: z.string().nullable() });

/** The plan's description of what the change touches, after `action`, `region` and `project_id`. */
export const subjectsOutput = {
  router: named,
  route_table: named,
  attachment: z.object({
    id: z.string(),
    name: z.string().nullable(),
    resource_type: z.string().nullable(),
    resource_id: z.string().nullable(),
    state: z.string().nullable(),
  }),
};

export const conflictsOutput = z
  .array(z.object({ kind: z.string(), message: z.string().describe('What is wrong and the next step') }))
  .describe('Reasons the change cannot be made as asked; empty when it can');

export const willChangeOutput = z.boolean().describe('True when the change would be sent and would change something');

export const routingEffectNoteOutput = z.string().optional().describe('Why routing_effect is null');

export interface Conflict {
  kind: string;
  message: string;
}

/** States in which a link is being changed: a delete must wait for them to end. */
export const BUSY_STATES: ReadonlySet<string> = new Set(['pending', 'deleting', 'modifying']);

/** What the look-ups found; undefined where the ID does not exist. */
export interface Subjects {
  router?: Router;
  table?: RouteTable;
  attachment?: Attachment;
}

/** The three look-ups, side by side: none depends on another. */
export async function lookUpSubjects(er: ErClient, ref: AssociationRef, options: CallOptions): Promise<Subjects> {
  const [router, table, attachment] = await Promise.all([
    lookUp(() => er.getRouter(ref.erId, options)),
    lookUp(() => er.getRouteTable(ref.erId, ref.routeTableId, options)),
    lookUp(() => er.getAttachment(ref.erId, ref.attachmentId, options)),
  ]);
  return { router, table, attachment };
}

/** The fields every plan starts with. */
export function planSubjects<A extends string>(call: ToolCall, action: A, ref: AssociationRef, found: Subjects) {
  const { router, table, attachment } = found;
  return {
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
}

/**
 * What the look-ups alone stand in the way of. With no router nothing else can be told, so that
 * is the only conflict then. An attachment must be available to be linked, not to be unlinked.
 */
export function subjectConflicts(ref: AssociationRef, found: Subjects, attachmentMustBeAvailable: boolean): Conflict[] {
  const { router, table, attachment } = found;
  if (!router) return [{ kind: 'router_not_found', message: `Router ${ref.erId} does not exist in this project and region: call list_enterprise_routers to find the right er_id.` }];
  const conflicts: Conflict[] = [];
  if (!table) conflicts.push({ kind: 'route_table_not_found', message: `Route table ${ref.routeTableId} does not exist on router ${ref.erId}: call list_route_tables to find the right route_table_id.` });
  if (!attachment) conflicts.push({ kind: 'attachment_not_found', message: `Attachment ${ref.attachmentId} does not exist on router ${ref.erId}: call list_attachments to find the right attachment_id.` });
  checkAvailable(conflicts, 'router', router);
  checkAvailable(conflicts, 'route_table', table);
  if (attachmentMustBeAvailable) checkAvailable(conflicts, 'attachment', attachment);
  return conflicts;
}

/** A delete of a link that is still changing. */
export function inProgressConflict(noun: string, stateTool: string, state: string): Conflict {
  return { kind: 'operation_in_progress', message: `The ${noun} is "${state}": wait for it with ${stateTool} (wait_for "terminal"), then delete.` };
}

/**
 * What the look-ups found that a plan depends on, as stable strings: if any of them reads
 * differently later, the plan no longer describes the change.
 */
export function subjectsFingerprint(found: Subjects): Record<string, string> {
  const { router, table, attachment } = found;
  return {
    router: router ? `state ${router.state ?? 'unknown'}` : 'not found',
    route_table: table ? `state ${table.state ?? 'unknown'}` : 'not found',
    // Where it is associated is not part of the attachment's own fields: association plans add it.
    attachment: attachment ? `state ${attachment.state ?? 'unknown'}` : 'not found',
  };
}

/** The routes of every table the routing effect was computed from. */
export function routesFingerprint(read: readonly ReadTable[]): Record<string, string> {
  const print: Record<string, string> = {};
  for (const table of read) {
    const lines = [...routeMap(table.routes)].map(([destination, signature]) => `${destination} ${signature}`).sort();
    print[`routes of ${table.route_table_id}`] = `${lines.length} route(s)${table.complete ? '' : ' (first ones only)'}, sha256 ${sha256(lines.join('\n')).slice(0, 16)}`;
  }
  return print;
}

type DescribedPlan = ReturnType<typeof planSubjects> & { will_change: boolean; conflicts: Conflict[] };

/** The plan in words for the human who approves it; `parts` are the lines only this kind has. */
export function describePlanLines(plan: DescribedPlan, parts: { asks: string; now: string; changes: string; effect: string[] }): string {
  const name = (x: { id: string; name: string | null }) => (x.name ? `${x.name} (${x.id})` : x.id);
  const lines = [
    parts.asks,
    `Region: ${plan.region}   Project: ${plan.project_id}`,
    `Router: ${name(plan.router)}`,
    `Route table: ${name(plan.route_table)}`,
    `Attachment: ${name(plan.attachment)}${plan.attachment.resource_type ? `, ${plan.attachment.resource_type} ${plan.attachment.resource_id ?? ''}` : ''}`,
    `Now: ${parts.now}`,
    plan.will_change ? `Effect: ${parts.changes}` : 'Effect: the plan expects no change.',
    ...plan.conflicts.map((c) => `Conflict: ${c.message}`),
    ...parts.effect,
  ];
  return lines.join('\n');
}

/** A look-up whose "not found" is an answer (undefined), not a failure of the plan. */
export async function lookUp<T extends Router | RouteTable | Attachment>(fetch: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fetch();
  } catch (error) {
    if (error instanceof ErApiError && error.httpStatus === 404 && error.errorCode.startsWith('ER.')) return undefined;
    throw error;
  }
}

function checkAvailable(conflicts: Conflict[], kind: 'router' | 'route_table' | 'attachment', item: { state?: string | null } | undefined): void {
  if (!item || item.state == null || item.state === 'available') return;
  const what = kind.replace('_', ' ');
  conflicts.push({
    kind: `${kind}_not_available`,
    message: `The ${what} is "${item.state}", not "available": wait until it is available (list_${kind === 'router' ? 'enterprise_routers' : `${kind}s`} shows its state), then try again.`,
  });
}
