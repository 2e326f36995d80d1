// Look once at a link, or wait (with progress notifications) until it reaches the wanted state,
// the per-call cap or the asked time runs out, or the client cancels. Both get_*_state tools
// take the same arguments and answer with the same fields, the link under its own noun.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { TERMINAL_STATES } from '../../er/types.js';
import { NOT_FOUND, type WaitStatus, waitForState } from '../../er/waiter.js';
import type { WaitEvent } from '../../observe/observer.js';
import type { ToolCall } from '../context.js';
import { describeError, failure, success } from '../results.js';
import { waitHint } from '../fields.js';
import type { Link, LinkKind } from './kind.js';

/** What every state tool takes beside what names its link. */
export interface WaitArgs {
  wait_for?: 'available' | 'deleted' | 'terminal';
  timeout_seconds?: number;
}

export async function waitForLink<R>(kind: LinkKind<R>, call: ToolCall, args: WaitArgs & Readonly<Record<string, unknown>>): Promise<CallToolResult> {
  const { er, env } = call;
  const ref = kind.refOf(args);
  const ids = kind.idsOf(ref);
  const requestedMs = (args.timeout_seconds ?? 0) * 1000;
  // Most MCP clients give up on a request after 60 s and do not count progress: one call never
  // waits longer than the cap, and says so when it was asked for more.
  const timeoutMs = Math.min(requestedMs, env.maxWaitMs);
  const capSeconds = waitHint(env);
  const capped = requestedMs > env.maxWaitMs ? { wait_capped_to_seconds: capSeconds } : {};

  const waitFor = args.wait_for ?? 'terminal';
  // A single look (no timeout) is not a wait: only real waits are reported to the observers.
  const waitEvent = timeoutMs > 0 ? (event: Omit<WaitEvent, 'subject' | 'target' | 'limitMs'>) => call.observe.wait({ subject: subjectOf(kind.noun, ids), target: waitFor, limitMs: timeoutMs, ...event }) : () => undefined;
  waitEvent({ phase: 'started', state: null, elapsedMs: 0 });

  let lastState = 'unknown';
  const outcome = await waitForState<Link>({
    waitFor,
    poll: ({ signal, deadline }) => kind.api.find(er, ref, { signal, deadline, trace: call.trace }),
    clock: env.clock,
    signal: call.signal,
    timeoutMs,
    pollTimeoutMs: env.callDeadlineMs,
    backoff: env.poll,
    onObservation: (seen) => {
      lastState = seen.state ?? lastState;
      waitEvent({ phase: 'polled', state: seen.state ?? null, elapsedMs: seen.elapsedMs });
      const seconds = (seen.elapsedMs / 1000).toFixed(1);
      const failed = seen.error === undefined ? '' : ` (last poll failed: ${describeError(seen.error, { ids, nowMs: env.clock.now() }).error_code})`;
      return call.progress(seen.poll, `state ${lastState}${failed} after ${seconds} s`);
    },
  });

  waitEvent({ phase: 'ended', state: outcome.state ?? null, elapsedMs: outcome.elapsedMs, outcome: WAIT_OUTCOME[outcome.status] });
  const link = outcome.value ?? null;
  // A change made from a plan that has now settled is checked against that plan.
  const verification = outcome.state === undefined || outcome.status === 'aborted' ? undefined : await env.settled.settled({ stateTool: kind.tools.state, target: ids, state: outcome.state }, call);
  const answer = (state: string, extra: Record<string, unknown>) =>
    success({
      [kind.noun]: link,
      state,
      terminal: TERMINAL_STATES.has(state),
      sandbox: env.sandbox,
      polls: outcome.polls,
      elapsed_seconds: Math.round(outcome.elapsedMs / 100) / 10,
      ...capped,
      ...extra,
      ...(verification ? { verification } : {}),
    });

  if (outcome.status === 'aborted') return answer(outcome.state ?? 'unknown', { cancelled: true });
  // No poll ever answered: the error says why (wrong ID, bad keys, or the API kept failing).
  if (outcome.state === undefined) return failure(describeError(outcome.lastError, { ids, nowMs: env.clock.now() }));
  const state = outcome.state;
  if (outcome.status === 'timeout' && timeoutMs > 0) {
    const lastFailed = outcome.lastError === undefined ? '' : ` (the last poll failed with ${describeError(outcome.lastError, { ids, nowMs: env.clock.now() }).error_code})`;
    const asked = requestedMs > timeoutMs ? ` (${args.timeout_seconds} s were asked; this server waits at most ${capSeconds} s per call)` : '';
    return answer(state, {
      timed_out: true,
      hint: `Still "${state}" after ${Math.round(timeoutMs / 1000)} s${asked}${lastFailed}. That can be normal: call ${kind.tools.state} again with the same arguments and timeout_seconds up to ${capSeconds} to keep waiting.`,
    });
  }
  if (outcome.status === 'failure' && args.wait_for === 'available' && state === NOT_FOUND) {
    const { phrases, tools } = kind;
    return answer(state, {
      hint: `${phrases.noneHere} appeared: create it with ${tools.create} (dry_run: true first), or check the IDs with ${tools.list}.`,
    });
  }
  return answer(state, {});
}

const WAIT_OUTCOME: Readonly<Record<WaitStatus, NonNullable<WaitEvent['outcome']>>> = { success: 'reached', failure: 'failed', timeout: 'timed_out', aborted: 'cancelled' };

/** What is waited for, by its IDs only, e.g. `association er_id=er-1 route_table_id=rtb-1 attachment_id=att-1`. */
function subjectOf(noun: string, ids: Readonly<Record<string, string>>): string {
  return [noun, ...Object.entries(ids).map(([key, value]) => `${key}=${value}`)].join(' ');
}
