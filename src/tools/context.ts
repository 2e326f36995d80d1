// What every tool handler is given: the ER client (when configured) and where it points.
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ErClient } from '../er/client.js';
import type { Clock } from '../er/client.js';
import type { Logger } from '../log.js';

export interface PollTiming {
  initialMs: number;
  maxMs: number;
}

export interface ToolContext {
  /**
   * Absent when configuration is incomplete; `problems` then says what to set. Read it (and
   * `projectId`, `problems`) at call time: when the project id is looked up through IAM, they are
   * filled in after start-up.
   */
  er?: ErClient;
  problems: string[];
  region: string;
  projectId: string;
  sandbox: boolean;
  clock: Clock;
  log: Logger;
  /** Total time one tool call may take, every retry and wait included. */
  callDeadlineMs: number;
  poll: PollTiming;
}

/** Polling as the Terraform provider waits: start near 2 s, back off to at most 10 s. */
export const DEFAULT_POLL: PollTiming = { initialMs: 2_000, maxMs: 10_000 };

export interface WriteCallInfo {
  tool: string;
  action: 'associate' | 'disassociate';
  args: { er_id: string; route_table_id: string; attachment_id: string; dry_run?: boolean; client_token?: string };
  extra: RequestHandlerExtra<ServerRequest, ServerNotification>;
}

/** What stands between a write tool and the API (guardrails, audit); `perform` makes the call. */
export type WriteGate = (call: WriteCallInfo, perform: () => Promise<CallToolResult>) => Promise<CallToolResult>;

/** Time kept back from a write's own retries for the look-up that settles a lost answer. */
const LOOKUP_RESERVE_MS = 5_000;

/** Deadlines for one write call: the write itself stops early enough for a settling look-up. */
export function writeDeadlines(ctx: ToolContext): { write: number; lookup: number } {
  const lookup = ctx.clock.now() + ctx.callDeadlineMs;
  return { write: lookup - Math.min(LOOKUP_RESERVE_MS, ctx.callDeadlineMs / 4), lookup };
}
