// get_association_state: look once, or wait (with progress notifications) until the association
// reaches the wanted state, the time runs out, or the client cancels.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AssociationRef } from '../er/client.js';
import { type Association, TERMINAL_STATES } from '../er/types.js';
import { callOptions, type ToolCall, type ToolEnv } from './context.js';
import { defineReadTool } from './definition.js';
import { describeError, failure, success, type ToolError } from './results.js';
import { associationOutput, associationRefShape } from './schemas.js';

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
    .describe('How long to wait, 0-900 seconds. 0 (default) looks once.'),
});

export const stateOutput = z.object({
  association: associationOutput.nullable(),
  state: z.string().describe('The association state, or "not_found" when there is none'),
  terminal: z.boolean().describe('True for available, failed, deleted and not_found: nothing more will happen by itself'),
  sandbox: z.boolean(),
  polls: z.number().int().describe('How many times the API was asked'),
  elapsed_seconds: z.number(),
  timed_out: z.boolean().optional().describe('True when timeout_seconds passed before wait_for was reached'),
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
  const { er, env: ctx, signal } = call;
  const ref: AssociationRef = { erId: args.er_id, routeTableId: args.route_table_id, attachmentId: args.attachment_id };
  const started = ctx.clock.now();
  const timeoutMs = (args.timeout_seconds ?? 0) * 1000;
  const waitUntil = started + timeoutMs;
  const wanted = args.wait_for ?? 'terminal';
  let polls = 0;
  let delay = ctx.poll.initialMs;
  let last: { association: Association | null; state: string } | undefined;
  let lastError: ToolError | undefined;
  const ids = { er_id: args.er_id, route_table_id: args.route_table_id, attachment_id: args.attachment_id };

  for (;;) {
    try {
      // One poll may not run far past the wait it belongs to (a look-once call gets the call's budget).
      const pollDeadline = Math.min(ctx.clock.now() + ctx.callDeadlineMs, timeoutMs === 0 ? Infinity : waitUntil + POLL_GRACE_MS);
      const association = await er.findAssociation(ref, callOptions(call, pollDeadline));
      last = { association, state: association?.state ?? 'not_found' };
      lastError = undefined;
      polls += 1;
    } catch (error) {
      if (signal.aborted) return answer(ctx, last?.association ?? null, last?.state ?? 'unknown', polls, started, { cancelled: true });
      const described = describeError(error, { ids, nowMs: ctx.clock.now() });
      // A throttled or failed poll in the middle of a healthy wait is not the association's failure.
      if (!last || !described.retryable) return failure(described);
      lastError = described;
      polls += 1;
    }
    const { association, state } = last;
    const elapsed = ctx.clock.now() - started;
    const seconds = (elapsed / 1000).toFixed(1);
    await call.progress(polls, lastError ? `state ${state} (last poll failed: ${lastError.error_code}) after ${seconds} s` : `state ${state} after ${seconds} s`);
    if (timeoutMs === 0 || (!lastError && reached(wanted, state))) return answer(ctx, association, state, polls, started, {});

    const remaining = waitUntil - ctx.clock.now();
    if (remaining <= 0) {
      return answer(ctx, association, state, polls, started, {
        timed_out: true,
        hint:
          `Still "${state}" after ${args.timeout_seconds} s${lastError ? ` (the last poll failed with ${lastError.error_code})` : ''}. ` +
          'That can be normal: call get_association_state again with the same arguments to keep waiting.',
      });
    }
    try {
      await ctx.clock.sleep(Math.min(delay, remaining), signal);
    } catch {
      return answer(ctx, association, state, polls, started, { cancelled: true });
    }
    delay = Math.min(ctx.poll.maxMs, Math.round(delay * 1.5));
  }
}

/** How far one poll may run past the end of the wait before it is cut off. */
const POLL_GRACE_MS = 5_000;

/** `failed` (or gone) ends every wait: it will not turn into what was wanted by itself. */
function reached(wanted: 'available' | 'deleted' | 'terminal', state: string): boolean {
  if (wanted === 'deleted') return state === 'not_found' || state === 'deleted' || state === 'failed';
  return TERMINAL_STATES.has(state);
}

function answer(
  ctx: ToolEnv,
  association: Association | null,
  state: string,
  polls: number,
  started: number,
  extra: { timed_out?: boolean; cancelled?: boolean; hint?: string },
): CallToolResult {
  return success({
    association,
    state,
    terminal: TERMINAL_STATES.has(state),
    sandbox: ctx.sandbox,
    polls,
    elapsed_seconds: Math.round((ctx.clock.now() - started) / 100) / 10,
    ...extra,
  });
}
