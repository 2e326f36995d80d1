// The gate's door to the invariant engine (src/policy/invariant-check.ts): read the routing state
// the invariants need, predict it after the planned change, and evaluate every invariant on it
// (and on the state now, to tell a change that breaks an invariant from one made while it was
// already broken). Tests of the gate inject their own through GateOptions.checkInvariants.
// The engine (with the routing effect it predicts with) is loaded by the first check, not at start:
// without a policy that has invariants it is never needed.
import { type Invariant, type InvariantResult } from '../policy/model.js';
import type { PlannedChange } from '../policy/predicted-state.js';
import { callOptions, type ToolCall } from '../toolkit/context.js';

export type { PlannedChange } from '../policy/predicted-state.js';

export interface InvariantVerdict {
  /** Each invariant, in the policy's order, on the routing state the plan predicts after the change. */
  after: InvariantResult[];
  /** The same on the state now, when the engine computed it (for messages only: `after` decides). */
  before?: InvariantResult[];
}

/** Throws when the state cannot be read: the gate then refuses the write (the policy's answer cannot be had). */
export type CheckInvariants = (invariants: readonly Invariant[], change: PlannedChange, call: ToolCall) => Promise<InvariantVerdict>;

export const checkInvariants: CheckInvariants = async (invariants, change, call) => {
  const { invariantsOfChange } = await import('../policy/invariant-check.js');
  const { before, after } = await invariantsOfChange(call.er, String(change.target.er_id), callOptions(call), invariants, change);
  return { before, after };
};
