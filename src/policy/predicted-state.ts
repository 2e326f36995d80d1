// The routing state a plan predicts for after its change, from the state read now: an association
// moves an attachment to another table (or to none) and leaves every table's routes as they are;
// a propagation or a static route changes one table's routes into the plan's expectation (the
// same prediction the check after the change compares with). What a plan could not predict is
// unknown, and invariants about it come out unknown (fail closed).
import type { RouteEntry } from '../er/routing-effect.js';
import type { ExpectedTable } from '../plans/expectation.js';
import type { MadePlan } from '../plans/plan-book.js';
import { readSignature } from '../plans/verification.js';
import { ACTION_OF_TOOL } from './model.js';
import { describeNamed } from './refs.js';
import { type RoutingState, type StateAttachment, type TableRouting, tableNamed } from './routing-state.js';

/** A change as the gate holds it: the write tool, the arguments of its plan, and the plan. */
export interface PlannedChange {
  tool: string;
  target: Readonly<Record<string, unknown>>;
  made: MadePlan;
}

/** The route tables a change touches, by ID: a reader of the state reads their routes too. */
export function tablesTouched(change: Pick<PlannedChange, 'target'>): string[] {
  const id = change.target.route_table_id;
  return typeof id === 'string' ? [id] : [];
}

export function predictedState(current: RoutingState, change: PlannedChange): RoutingState {
  const action = ACTION_OF_TOOL[change.tool];
  const tableId = typeof change.target.route_table_id === 'string' ? change.target.route_table_id : null;
  const attachmentId = typeof change.target.attachment_id === 'string' ? change.target.attachment_id : null;
  const routes = new Map(current.routes);
  const unknownTable = (id: string, why: string) => routes.set(id, { known: false, reason: `the routes of ${describeNamed(tableNamed(current, id))} after the change cannot be predicted: ${why}` });

  if (action === undefined || tableId === null) {
    // Every write tool names its table; one that is not known changes nothing this can predict.
    if (tableId !== null) unknownTable(tableId, `${change.tool} is not a change this policy knows`);
    return { ...current, routes };
  }

  if (action === 'associate' || action === 'disassociate') {
    // Routes stay; a table the state could not read is taken from the plan's reads, if it has them.
    for (const expected of change.made.expectation?.tables ?? []) {
      if (!routes.get(expected.route_table_id)?.known) routes.set(expected.route_table_id, decodeTable(expected, current));
    }
    if (attachmentId === null) return { ...current, routes };
    return { ...current, attachments: moved(current, change, action, attachmentId, tableId), routes };
  }

  const expected = change.made.expectation?.tables ?? [];
  for (const table of expected) {
    const before = routes.get(table.route_table_id);
    const after = decodeTable(table, current);
    if (!after.known) {
      routes.set(table.route_table_id, after);
      continue;
    }
    // Where a route goes, one the API does not list may take over (docs/routing.md).
    const gone = new Set(before?.known ? [...before.routes.keys()].filter((destination) => !after.routes.has(destination)) : []);
    if (table.hiddenPropagatedAt !== undefined && !after.routes.has(table.hiddenPropagatedAt)) gone.add(table.hiddenPropagatedAt);
    routes.set(table.route_table_id, gone.size > 0 ? { ...after, possiblyHidden: [...gone] } : after);
  }
  if (!expected.some((t) => t.route_table_id === tableId) && change.made.plan.will_change !== false) {
    const note = typeof change.made.plan.routing_effect_note === 'string' ? change.made.plan.routing_effect_note : 'the plan made no prediction';
    unknownTable(tableId, note);
  }
  return { ...current, routes };
}

/** The attachments once the association is made or removed. */
function moved(current: RoutingState, change: PlannedChange, action: 'associate' | 'disassociate', attachmentId: string, tableId: string): StateAttachment[] {
  const attachments = current.attachments.map((a) => {
    if (a.id !== attachmentId) return a;
    if (action === 'associate') return { ...a, route_table_id: tableId };
    return a.route_table_id === tableId ? { ...a, route_table_id: null } : a;
  });
  if (action === 'associate' && !attachments.some((a) => a.id === attachmentId)) {
    // Not in the list read (cut short, or new): what the plan's look-up found of it.
    const seen = (change.made.plan.attachment ?? {}) as { name?: unknown; resource_type?: unknown };
    attachments.push({
      id: attachmentId,
      name: typeof seen.name === 'string' ? seen.name : null,
      resource_type: typeof seen.resource_type === 'string' ? seen.resource_type : null,
      route_table_id: tableId,
    });
  }
  return attachments;
}

/** An expected table as routes, next hops typed from the state's attachments. */
function decodeTable(expected: ExpectedTable, current: RoutingState): TableRouting {
  if (expected.unpredictableVia !== undefined) {
    const via = current.attachments.find((a) => a.id === expected.unpredictableVia) ?? { id: expected.unpredictableVia, name: null };
    return {
      known: false,
      reason: `the routes of ${describeNamed(tableNamed(current, expected.route_table_id))} after the change cannot be predicted: which prefixes ${describeNamed(via)} propagates is not visible (it propagates into no route table yet)`,
    };
  }
  const types = new Map(current.attachments.map((a) => [a.id, a.resource_type]));
  const routes = new Map<string, RouteEntry>();
  for (const [destination, sig] of expected.routes) {
    const reading = readSignature(sig);
    routes.set(
      destination,
      reading.blackhole
        ? { destination, next_hops: [], is_blackhole: true, route_type: 'static' }
        : { destination, next_hops: reading.via.map((id) => ({ attachment_id: id, resource_type: id === null ? null : (types.get(id) ?? null) })), is_blackhole: false, route_type: reading.type },
    );
  }
  return { known: true, routes };
}
