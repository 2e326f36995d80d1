// get_association_state: look once, or wait (with progress notifications) until the association
// reaches the wanted state, the time runs out, or the client cancels.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AssociationRef } from '../er/client.js';
import { type Association, TERMINAL_STATES } from '../er/types.js';
import { NOT_FOUND, waitForState } from '../er/waiter.js';
import type { ToolCall } from './context.js';
import { defineReadTool } from './definition.js';
import { describeError, failure, success } from './results.js';
import { associationOutput, associationRefShape, waitHint } from './schemas.js';

export const MAX_WAIT_SECONDS = 900;

export const stateInput = z.strictObject({
  ...associationRefShape,
  wait_for: z
    .enum(['available', 'deleted', 'terminal'])
    .optional()
    .describe('Wait until this: "available" after a create, "deleted" after a delete, "terminal" for any final state. Needs timeout_seconds.'),
  timeout_seconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_WAIT_SECONDS)
    .optional()
    .describe('How long to wait, 0-900 seconds; one call waits at most the server\'s cap (50 s unless configured), then answers timed_out: call again to keep waiting. 0 (default) looks once.'),
});

export const stateOutput = z.object({
  association: associationOutput.nullable(),
  state: z.string().describe('The association state, or "not_found" when there is none'),
  terminal: z.boolean().describe('True for available, failed, deleted and not_found: nothing more will happen by itself'),
  sandbox: z.boolean(),
  polls: z.number().int().describe('How many times the API was asked'),
  elapsed_seconds: z.number(),
  timed_out: z.boolean().optional().describe('True when the wait ended before wait_for was reached'),
  wait_capped_to_seconds: z.number().optional().describe('Present when timeout_seconds was above the longest this server waits in one call: it waited this long'),
  cancelled: z.boolean().optional(),
  hint: z.string().optional(),
});

type StateArgs = z.infer<typeof stateInput>;

export const getAssociationStateTool = defineReadTool({
  name: 'get_association_state',
  config: {
    title: 'Get (or wait for) an association state',
    description:
      'Reads the state of the association of an attachment on a route table (pending → available, deleting → gone). ' +
      'With wait_for and timeout_seconds it polls until then, sending progress notifications.',
    inputSchema: stateInput,
    outputSchema: stateOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => getAssociationState(call, args),
});

export async function getAssociationState(call: ToolCall, args: StateArgs): Promise<CallToolResult> {
  const { er, env } = call;
  const ref: AssociationRef = { erId: args.er_id, routeTableId: args.route_table_id, attachmentId: args.attachment_id };
  const ids = { er_id: args.er_id, route_table_id: args.route_table_id, attachment_id: args.attachment_id };
  const requestedMs = (args.timeout_seconds ?? 0) * 1000;
  // Most MCP clients give up on a request after 60 s and do not count progress: one call never
  // waits longer than the cap, and says so when it was asked for more.
  const timeoutMs = Math.min(requestedMs, env.maxWaitMs);
  const capSeconds = waitHint(env);
  const capped = requestedMs > env.maxWaitMs ? { wait_capped_to_seconds: capSeconds } : {};

  let lastState = 'unknown';
  const outcome = await waitForState<Association>({
    waitFor: args.wait_for ?? 'terminal',
    poll: ({ signal, deadline }) => er.findAssociation(ref, { signal, deadline, trace: call.trace }),
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

  const association = outcome.value ?? null;
  const answer = (state: string, extra: Record<string, unknown>) =>
    success({ association, state, terminal: TERMINAL_STATES.has(state), sandbox: env.sandbox, polls: outcome.polls, elapsed_seconds: Math.round(outcome.elapsedMs / 100) / 10, ...capped, ...extra });

  if (outcome.status === 'aborted') return answer(outcome.state ?? 'unknown', { cancelled: true });
  // No poll ever answered: the error says why (wrong ID, bad keys, or the API kept failing).
  if (outcome.state === undefined) return failure(describeError(outcome.lastError, { ids, nowMs: env.clock.now() }));
  const state = outcome.state;
  if (outcome.status === 'timeout' && timeoutMs > 0) {
    const lastFailed = outcome.lastError === undefined ? '' : ` (the last poll failed with ${describeError(outcome.lastError, { ids, nowMs: env.clock.now() }).error_code})`;
    const asked = requestedMs > timeoutMs ? ` (${args.timeout_seconds} s were asked; this server waits at most ${capSeconds} s per call)` : '';
    return answer(state, {
      timed_out: true,
      hint: `Still "${state}" after ${Math.round(timeoutMs / 1000)} s${asked}${lastFailed}. That can be normal: call get_association_state again with the same arguments and timeout_seconds up to ${capSeconds} to keep waiting.`,
    });
  }
  if (outcome.status === 'failure' && args.wait_for === 'available' && state === NOT_FOUND) {
    return answer(state, { hint: 'No association of this attachment on this route table appeared: create it with create_route_association (dry_run: true first), or check the IDs with list_route_associations.' });
  }
  return answer(state, {});
}
