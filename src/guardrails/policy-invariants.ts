// The gate's door to the invariant engine: read the routing state the invariants need, predict it
// after the planned change, and evaluate every invariant on it (and on the state now, to tell a
// change that breaks an invariant from one made while it was already broken).
//
// The engine is src/policy/: invariants.ts (evaluateInvariants), routing-state.ts
// (readRoutingState), predicted-state.ts (predictedState), and invariant-check.ts, whose
// invariantsOfChange(er, erId, options, invariants, change) does all three for a plan. Until that
// is merged into this branch, `checkInvariants` cannot evaluate anything and answers every
// invariant as unknown, which the gate treats as broken: a policy with invariants then refuses
// every write (fail closed), never lets one through unchecked. After the merge its body is:
//
//   const { before, after } = await invariantsOfChange(call.er, String(change.target.er_id),
//     { signal: call.signal, deadline: call.deadline, trace: call.trace }, invariants, change);
//   return { before, after };
import type { MadePlan } from '../plans/plan-book.js';
import type { Invariant, InvariantResult } from '../policy/model.js';
import type { ToolCall } from '../toolkit/context.js';

/** The change whose predicted routing state the invariants are evaluated on: the write tool, the arguments of its plan, and the plan. */
export interface PlannedChange {
  tool: string;
  target: Readonly<Record<string, unknown>>;
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
