// The invariant engine as its callers use it: read the router's routing state (what the
// invariants need, and what a change touches), predict the state after a planned change, and
// evaluate. The gate asks it about a plan before anyone approves it; check_routing_policy and the
// check after a change ask it about the routes as they are.
import type { CallOptions, ErClient } from '../er/client.js';
import { ErApiError, HttpFailure } from '../er/errors.js';
import type { InvariantsAfter } from '../plans/verify-routes.js';
import type { Invariant, InvariantResult } from './model.js';
import { evaluateInvariants } from './invariants.js';
import { type PlannedChange, predictedState, tablesTouched } from './predicted-state.js';
import { readRoutingState, type RoutingState } from './routing-state.js';

export interface InvariantsNow {
  state: RoutingState;
  /** The invariants that apply on this router, in the policy's order. */
  results: InvariantResult[];
}

export interface InvariantsOfChange {
  now: RoutingState;
  predicted: RoutingState;
  /** On the routes as they are: an invariant broken already is not this change's doing. */
  before: InvariantResult[];
  /** On the routes the plan predicts after the change. */
  after: InvariantResult[];
}

/** The invariants on the router's routing state as it is. Throws when the router or its lists cannot be read. */
export async function invariantsNow(er: ErClient, erId: string, options: CallOptions, invariants: readonly Invariant[]): Promise<InvariantsNow> {
  const state = await readRoutingState(er, erId, options, { invariants });
  return { state, results: evaluateInvariants(invariants, state) };
}

/**
 * The invariants before and after a planned change on `erId` (the plan's router). Throws when the
 * router or its lists cannot be read: the caller refuses then (fail closed).
 */
export async function invariantsOfChange(er: ErClient, erId: string, options: CallOptions, invariants: readonly Invariant[], change: PlannedChange): Promise<InvariantsOfChange> {
  const now = await readRoutingState(er, erId, options, { invariants, tables: tablesTouched(change) });
  const predicted = predictedState(now, change);
  return { now, predicted, before: evaluateInvariants(invariants, now), after: evaluateInvariants(invariants, predicted) };
}

/**
 * The invariants on the routes observed after a change, as the check after the change reports
 * them: every broken one listed, and an alert naming them. A failed read (or a cancelled call) is
 * `not_checked`; this never throws.
 */
export async function invariantsAfterChange(er: ErClient, erId: string, options: CallOptions, invariants: readonly Invariant[]): Promise<InvariantsAfter> {
  let results: InvariantResult[];
  try {
    ({ results } = await invariantsNow(er, erId, options, invariants));
  } catch (error) {
    const why = options.signal?.aborted ? 'the call was cancelled' : `the routing state of router ${erId} could not be read: ${readFailure(error)}`;
    return { status: 'not_checked', checked: 0, broken: [], note: why };
  }
  const notHolding = results.filter((r) => !r.holds);
  const violated = notHolding.filter((r) => !r.unknown);
  return {
    status: violated.length > 0 ? 'violated' : notHolding.length > 0 ? 'incomplete' : 'all_hold',
    checked: results.length,
    broken: notHolding.map((r) => ({ name: r.name, line: r.line, kind: r.kind, message: r.message, ...(r.unknown ? { unknown: true } : {}) })),
    ...(violated.length > 0 ? { alert: `POLICY VIOLATION after the change: ${violated.map((r) => `invariant "${r.name}" (line ${r.line}) ${r.message}`).join('; ')}` } : {}),
  };
}

function readFailure(error: unknown): string {
  if (error instanceof ErApiError) return `${error.errorCode} (HTTP ${error.httpStatus})`;
  if (error instanceof HttpFailure) return error.kind;
  return 'an unexpected error';
}
