// get_propagation_state: the sibling of get_association_state for propagations: look once, or
// wait (with progress notifications) until the propagation reaches the wanted state, the time
// runs out, or the client cancels. Same arguments, same wait rules, same result shape, with
// `propagation` in place of `association`.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AssociationRef } from '../er/client.js';
import { type Propagation, TERMINAL_STATES } from '../er/types.js';
import { callOptions, type ToolCall, type ToolEnv } from './context.js';
import { defineReadTool } from './definition.js';
import { stateInput } from './get-association-state.js';
import { describeError, failure, success, type ToolError } from './results.js';
import { propagationOutput } from './schemas.js';

export const propagationStateOutput = z.object({
  propagation: propagationOutput.nullable(),
  state: z.string().describe('The propagation state, or "not_found" when there is none'),
  terminal: z.boolean().describe('True for available, failed, deleted and not_found: nothing more will happen by itself'),
  sandbox: z.boolean(),
  polls: z.number().int().describe('How many times the API was asked'),
  elapsed_seconds: z.number(),
  timed_out: z.boolean().optional().describe('True when timeout_seconds passed before wait_for was reached'),
  cancelled: z.boolean().optional(),
  hint: z.string().optional(),
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

/** How far one poll may run past the end of the wait before it is cut off. */
const POLL_GRACE_MS = 5_000;

export async function getPropagationState(call: ToolCall, args: StateArgs): Promise<CallToolResult> {
  const { er, env, signal } = call;
  const ref: AssociationRef = { erId: args.er_id, routeTableId: args.route_table_id, attachmentId: args.attachment_id };
  const started = env.clock.now();
  // One call's wait ends before an MCP client's patience does; the hint says to call again.
  const timeoutMs = Math.min((args.timeout_seconds ?? 0) * 1000, env.maxWaitMs);
  const waitUntil = started + timeoutMs;
  const wanted = args.wait_for ?? 'terminal';
  let polls = 0;
  let delay = env.poll.initialMs;
  let last: { propagation: Propagation | null; state: string } | undefined;
  let lastError: ToolError | undefined;
  const ids = { er_id: args.er_id, route_table_id: args.route_table_id, attachment_id: args.attachment_id };

  for (;;) {
    try {
      const pollDeadline = Math.min(env.clock.now() + env.callDeadlineMs, timeoutMs === 0 ? Infinity : waitUntil + POLL_GRACE_MS);
      const propagation = await er.findPropagation(ref, callOptions(call, pollDeadline));
      last = { propagation, state: propagation?.state ?? 'not_found' };
      lastError = undefined;
      polls += 1;
    } catch (error) {
      if (signal.aborted) return answer(env, last?.propagation ?? null, last?.state ?? 'unknown', polls, started, { cancelled: true });
      const described = describeError(error, { ids, nowMs: env.clock.now() });
      // A throttled or failed poll in the middle of a healthy wait is not the propagation's failure.
      if (!last || !described.retryable) return failure(described);
      lastError = described;
      polls += 1;
    }
    const { propagation, state } = last;
    const seconds = ((env.clock.now() - started) / 1000).toFixed(1);
    await call.progress(polls, lastError ? `state ${state} (last poll failed: ${lastError.error_code}) after ${seconds} s` : `state ${state} after ${seconds} s`);
    if (timeoutMs === 0 || (!lastError && reached(wanted, state))) return answer(env, propagation, state, polls, started, {});

    const remaining = waitUntil - env.clock.now();
    if (remaining <= 0) {
      return answer(env, propagation, state, polls, started, {
        timed_out: true,
        hint:
          `Still "${state}" after ${Math.round(timeoutMs / 1000)} s${lastError ? ` (the last poll failed with ${lastError.error_code})` : ''}. ` +
          'That can be normal: call get_propagation_state again with the same arguments to keep waiting.',
      });
    }
    try {
      await env.clock.sleep(Math.min(delay, remaining), signal);
    } catch {
      return answer(env, propagation, state, polls, started, { cancelled: true });
    }
    delay = Math.min(env.poll.maxMs, Math.round(delay * 1.5));
  }
}

/** `failed` (or gone) ends every wait: it will not turn into what was wanted by itself. */
function reached(wanted: 'available' | 'deleted' | 'terminal', state: string): boolean {
  if (wanted === 'deleted') return state === 'not_found' || state === 'deleted' || state === 'failed';
  return TERMINAL_STATES.has(state);
}

function answer(
  env: ToolEnv,
  propagation: Propagation | null,
  state: string,
  polls: number,
  started: number,
  extra: { timed_out?: boolean; cancelled?: boolean; hint?: string },
): CallToolResult {
  return success({
    propagation,
    state,
    terminal: TERMINAL_STATES.has(state),
    sandbox: env.sandbox,
    polls,
    elapsed_seconds: Math.round((env.clock.now() - started) / 100) / 10,
    ...extra,
  });
}
