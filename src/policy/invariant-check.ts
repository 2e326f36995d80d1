// The gate's one door to the invariant engine: read the routing state the invariants need,
// predict it after the planned change, and evaluate every invariant on it (and on the state now,
// to tell a change that breaks an invariant from one made while it was already broken).
//
// The engine itself is invariants.ts (evaluateInvariants), routing-state.ts (readRoutingState)
// and predicted-state.ts (predictedState). Until they are on this branch, `checkInvariants`
// cannot evaluate anything and answers every invariant as unknown, which the gate treats as
// broken: a policy with invariants then refuses every write (fail closed), never lets one by.
import type { MadePlan } from '../plans/plan-book.js';
import type { ToolCall } from '../toolkit/context.js';
import type { WriteTarget } from '../tools/definition.js';
import type { Invariant, InvariantResult } from './model.js';

/** The change whose predicted routing state the invariants are evaluated on: the write tool, its arguments and its plan. */
export interface PlannedChange {
  tool: string;
  target: WriteTarget;
  made: MadePlan;
}

export interface InvariantVerdict {
  /** Each invariant, in the policy's order, on the routing state the plan predicts after the change. */
  after: InvariantResult[];
  /** The same on the state now, when the engine computed it (for messages only: `after` decides). */
  before?: InvariantResult[];
}

/** Throws when the state cannot be read: the gate then refuses the write (the policy's answer cannot be had). */
export type CheckInvariants = (invariants: readonly Invariant[], change: PlannedChange, call: ToolCall) => Promise<InvariantVerdict>;

/** The engine's answer for a planned change (see the head of this file for the state before the merge). */
export const checkInvariants: CheckInvariants = async (invariants) => {
  // With the engine: const now = await readRoutingState(call.er, invariants, change, call);
  // return { before: evaluateInvariants(invariants, now), after: evaluateInvariants(invariants, predictedState(now, change)) };
  const after = invariants.map(
    (invariant): InvariantResult => ({
      name: invariant.name,
      line: invariant.line,
      kind: invariant.kind,
      holds: false,
      unknown: true,
      message: `Invariant ${invariant.name} could not be evaluated: this build of the server has no invariant engine, so no change is let through unchecked.`,
    }),
  );
  return { after };
};
