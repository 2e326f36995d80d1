// What a tool handler is given. `ToolEnv` is fixed for the life of the server; a `ToolCall` is one
// call, made only once the connection to the API is ready, so handlers never meet a half-configured
// client.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { CallOptions, Clock, ErClient } from '../er/client.js';
import type { RequestTrace } from '../er/request-trace.js';
import { DEFAULT_BACKOFF } from '../er/waiter.js';
import type { Logger } from '../log.js';
import type { CallObserver, Observer } from '../observe/observer.js';
import type { Verification } from '../plans/verify-routes.js';
import type { Policy } from '../policy/model.js';

export interface PollTiming {
  initialMs: number;
  maxMs: number;
  /** The fraction by which a wait may be cut short at random (see Backoff.jitter); the waiter's default when absent. */
  jitter?: number;
}

/**
 * Polling as the Terraform provider waits: start near 2 s, back off to at most 10 s, each wait cut
 * short by up to a quarter at random so that agents waiting on the same router do not poll in step.
 */
export const DEFAULT_POLL: PollTiming = { initialMs: DEFAULT_BACKOFF.initialMs, maxMs: DEFAULT_BACKOFF.maxMs, jitter: DEFAULT_BACKOFF.jitter };

/** What does not change between calls. */
export interface ToolEnv {
  clock: Clock;
  log: Logger;
  /** The region in use; empty when configuration is incomplete. */
  region: string;
  /** True when talking to the built-in emulator. */
  sandbox: boolean;
  /** Time one call may spend on API requests and their retries (not on waiting for a state). */
  callDeadlineMs: number;
  poll: PollTiming;
  /** The longest one call may wait for a state: it must answer before an MCP client's 60 s limit. */
  maxWaitMs: number;
  /** Changes made from a plan, checked against it when a state tool sees them settle. */
  settled: SettledChanges;
  /** The policy in force (--policy FILE), read at each use: a reload takes effect on the next call. Absent or null: none. */
  policy?: { current(): Policy | null };
  /** Who watches calls (log notifications, OpenTelemetry); absent: nobody. */
  observer?: Observer;
}

/** A state tool saw a link reach a state. */
export interface SettledQuery {
  stateTool: string;
  /** The IDs the state tool was called with: a link's three, or a static route's table and destination. */
  target: Readonly<Record<string, string>>;
  state: string;
}

export interface SettledChanges {
  /** The check of the change that waited for this, if any (read-only look-ups, then an audit line). */
  settled(query: SettledQuery, call: ToolCall): Promise<Verification | undefined>;
}

/** For servers and tests that check nothing after a change. */
export const NO_SETTLE_CHECKS: SettledChanges = { settled: async () => undefined };

/** Under the 60 s after which most MCP clients give up on a request. */
export const DEFAULT_MAX_WAIT_MS = 50_000;

/** Either a client ready to call the API, or what stops it (each sentence names what to set). */
/** Not ready: what is wrong, and (when it is not a setting to add) what to do instead of the usual hint. */
export type Connection = { ready: true; er: ErClient; projectId: string } | { ready: false; problems: string[]; hint?: string };

/** Where tools get the connection: it may still be on its way (the IAM project look-up). */
export interface ConnectionSource {
  /** The connection, waiting for it while it is being set up, until `deadline` or the signal. */
  get(options: { signal: AbortSignal; deadline: number }): Promise<Connection>;
}

/** One tool call: the fixed environment, a ready API client, and this call's own limits. */
export interface ToolCall {
  env: ToolEnv;
  er: ErClient;
  projectId: string;
  signal: AbortSignal;
  /** When this call's API work must be over (env.clock), counted from when the handler started. */
  deadline: number;
  /** Who asked: the MCP session's caller, for logs. */
  caller: string;
  /** Every request id the API gives during the call; its observer is this call's `observe`. */
  trace: RequestTrace;
  /** Where the call reports retries, waits and the gate's decisions as they happen. */
  observe: CallObserver;
  /**
   * Set by the gate for a write: whether the agent gave the client_token (a retry: an earlier call
   * may have used it) rather than the server making a fresh one for this change.
   */
  tokenFromCaller?: boolean;
  /** Sends a progress notification when the client asked for them; a no-op otherwise. */
  progress(progress: number, message: string): Promise<void>;
}

/** Signal, deadline and trace for an ER call made on behalf of `call`. */
export function callOptions(call: ToolCall, deadline = call.deadline): CallOptions & { signal: AbortSignal; deadline: number } {
  return { signal: call.signal, deadline, trace: call.trace };
}

/** Time kept back from a write's own retries for the look-up that settles a lost answer. */
const LOOKUP_RESERVE_MS = 5_000;

/** Deadlines for one write call: the write itself stops early enough for a settling look-up. */
export function writeDeadlines(call: ToolCall): { write: number; lookup: number } {
  const budget = call.env.callDeadlineMs;
  return { write: call.deadline - Math.min(LOOKUP_RESERVE_MS, budget / 4), lookup: call.deadline };
}

/**
 * What the audit needs from a write: how it ended, from the typed outcome, never from the
 * result's text. 'failed' only when nothing can have been applied; 'no_change' when what was
 * asked already held and this call changed nothing.
 */
export interface WriteReport {
  outcome: 'succeeded' | 'no_change' | 'failed' | 'may_have_been_applied' | 'dry_run';
  /** The resource's state after the call, when known. */
  state: string | null;
  error_code: string | null;
}

export interface WriteAnswer {
  result: CallToolResult;
  report: WriteReport;
}
