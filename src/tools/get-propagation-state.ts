// get_propagation_state: the sibling of get_association_state for propagations: look once, or
// wait through the ER waiter (with progress notifications) until the propagation reaches the
// wanted state, the per-call cap or the asked time runs out, or the client cancels. Same
// arguments, same wait rules, same result shape, with `propagation` in place of `association`.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AssociationRef } from '../er/client.js';
import { type Propagation, TERMINAL_STATES } from '../er/types.js';
import { NOT_FOUND, waitForState } from '../er/waiter.js';
import type { ToolCall } from './context.js';
import { defineReadTool } from './definition.js';
import { stateInput, stateOutput } from './get-association-state.js';
import { describeError, failure, success } from './results.js';
import { propagationOutput, waitHint } from './schemas.js';

// The association state's result, field for field and in the same order, about a propagation.
const { association: _association, state: _state, ...sameFields } = stateOutput.shape;
export const propagationStateOutput = z.object({
  propagation: propagationOutput.nullable(),
  state: z.string().describe('The propagation state, or "not_found" when there is none'),
  ...sameFields,
});

type StateArgs = z.infer<typeof stateInput>;

export const getPropagationStateTool = defineReadTool({
  name: 'get_propagation_state',
  config: {
    title: 'Get (or wait for) a propagation state',
    description:
      'Reads the state of the propagation of an attachment into a route table (pending → available, deleting → gone). ' +
      'With wait_for and timeout_seconds it polls until then, sending progress notifications.',
    inputSchema: stateInput,
    outputSchema: propagationStateOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => getPropagationState(call, args),
});

export async function getPropagationState(call: ToolCall, args: StateArgs): Promise<CallToolResult> {
  const { er, env } = call;
  const ref: AssociationRef = { erId: args.er_id, routeTableId: args.route_table_id, attachmentId: args.attachment_id };
  const ids = { er_id: args.er_id, route_table_id: args.route_table_id, attachment_id: args.attachment_id };
  const requestedMs = (args.timeout_seconds ?? 0) * 1000;
  // One call never waits longer than the cap (MCP clients give up after 60 s), and says so.
  const timeoutMs = Math.min(requestedMs, env.maxWaitMs);
  const capSeconds = waitHint(env);
  const capped = requestedMs > env.maxWaitMs ? { wait_capped_to_seconds: capSeconds } : {};

  let lastState = 'unknown';
  const outcome = await waitForState<Propagation>({
    waitFor: args.wait_for ?? 'terminal',
    poll: ({ signal, deadline }) => er.findPropagation(ref, { signal, deadline, trace: call.trace }),
    clock: env.clock,
    signal: call.signal,
    timeoutMs,
    pollTimeoutMs: env.callDeadlineMs,
    backoff: env.poll,
    onObservation: (seen) => {
      lastState = seen.state ?? lastState;
      const seconds = (seen.elapsedMs / 1000).toFixed(1);
      const failed = seen.error === undefined ? '' : ` (last poll failed: ${describeError(seen.error, { ids, nowMs: env.clock.now() }).error_code})`;
      return call.progress(seen.poll, `state ${lastState}${failed} after ${seconds} s`);
    },
  });

  const propagation = outcome.value ?? null;
  const answer = (state: string, extra: Record<string, unknown>) =>
    success({ propagation, state, terminal: TERMINAL_STATES.has(state), sandbox: env.sandbox, polls: outcome.polls, elapsed_seconds: Math.round(outcome.elapsedMs / 100) / 10, ...capped, ...extra });

  if (outcome.status === 'aborted') return answer(outcome.state ?? 'unknown', { cancelled: true });
  if (outcome.state === undefined) return failure(describeError(outcome.lastError, { ids, nowMs: env.clock.now() }));
  const state = outcome.state;
  if (outcome.status === 'timeout' && timeoutMs > 0) {
    const lastFailed = outcome.lastError === undefined ? '' : ` (the last poll failed with ${describeError(outcome.lastError, { ids, nowMs: env.clock.now() }).error_code})`;
    const asked = requestedMs > timeoutMs ? ` (${args.timeout_seconds} s were asked; this server waits at most ${capSeconds} s per call)` : '';
    return answer(state, {
      timed_out: true,
      hint: `Still "${state}" after ${Math.round(timeoutMs / 1000)} s${asked}${lastFailed}. That can be normal: call get_propagation_state again with the same arguments and timeout_seconds up to ${capSeconds} to keep waiting.`,
    });
  }
  if (outcome.status === 'failure' && args.wait_for === 'available' && state === NOT_FOUND) {
    return answer(state, { hint: 'No propagation of this attachment into this route table appeared: create it with create_route_propagation (dry_run: true first), or check the IDs with list_route_propagations.' });
  }
  return answer(state, {});
}
