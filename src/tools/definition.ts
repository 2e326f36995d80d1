// What a tool is: a value with a name and a config (schemas and the four annotations); a read tool
// has a handler, a write tool the steps the gate runs. Whether it writes is stated once, in
// `annotations.readOnlyHint`: the server hides write tools in read-only mode and puts every write behind the gate.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { Expectation } from '../plans/expectation.js';
import type { MadePlan } from '../plans/plan-book.js';
import type { Finding, LaterChange } from '../plans/verify-routes.js';
import type { ToolCall, WriteAnswer } from '../toolkit/context.js';

export interface Annotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface ToolConfig<In extends z.ZodObject = z.ZodObject, A extends Annotations = Annotations> {
  title: string;
  description: string;
  inputSchema: In;
  outputSchema: z.ZodObject;
  annotations: A;
}

/**
 * What a write is about, once the gate has settled `dry_run` and `plan_id`: the IDs the allow-lists
 * check and the audit records, anything else the tool takes, and the client token the gate fixed
 * (for tools that take one) before the intent was recorded.
 */
export interface WriteTarget {
  er_id: string;
  route_table_id: string;
  /** The attachment a link is about, or a static route's next hop (absent for a blackhole). */
  attachment_id?: string;
  /** A static route's destination (the route table holds at most one static route per destination). */
  destination?: string;
  client_token?: string;
  [other: string]: unknown;
}

/** A write tool's arguments as called: the target, plus the two the gate acts on. */
export interface WriteArgs extends WriteTarget {
  dry_run?: boolean;
  plan_id?: string;
}

interface ToolBase {
  name: string;
  config: ToolConfig;
}

/** A tool that only reads. `handler` gets arguments already checked against `inputSchema`. */
export interface ReadToolDefinition extends ToolBase {
  handler(args: Record<string, unknown>, call: ToolCall): Promise<CallToolResult>;
}

/**
 * A tool that writes (readOnlyHint: false). It says what, never when: the gate runs these in order
 * (policy → plan → approval → intent → apply → outcome → verification; docs/architecture.md).
 */
export interface WriteSteps {
  /** Read-only look-ups: what the change would do, what that depends on, what it predicts. */
  plan(target: WriteTarget, call: ToolCall): Promise<MadePlan>;
  /** The plan in words for a person: the approval form and page show it, the audit hashes it. */
  describe(plan: MadePlan['plan']): string;
  /** The change itself, answering with the typed outcome the audit reads. */
  apply(target: WriteTarget, call: ToolCall): Promise<WriteAnswer>;
  /**
   * Once the change has settled: the route tables as they are now against the plan's prediction,
   * knowing what later changes made through this server predicted for them.
   */
  verify(expectation: Expectation, call: ToolCall, later: readonly LaterChange[]): Promise<Finding>;
  /** The read tool that watches the change settle, and the state that means it has. */
  settles: { stateTool: string; state: 'available' | 'not_found' };
}

export interface WriteToolDefinition extends ToolBase, WriteSteps {}

export type ToolDefinition = ReadToolDefinition | WriteToolDefinition;

export function isWriteTool(tool: ToolDefinition): tool is WriteToolDefinition {
  return writes(tool.config.annotations);
}

/** Whether a tool's annotations (as defined, or as tools/list shows them) say it writes. */
export function writes(annotations: { readOnlyHint?: boolean } | undefined): boolean {
  return annotations?.readOnlyHint === false;
}

/** Whether the tool takes an idempotence token: the gate then fixes one before the intent is recorded. */
export function takesClientToken(tool: ToolDefinition): boolean {
  return 'client_token' in tool.config.inputSchema.shape;
}

export function defineReadTool<In extends z.ZodObject>(tool: {
  name: string;
  config: ToolConfig<In, Annotations & { readOnlyHint: true }>;
  handler(args: z.infer<In>, call: ToolCall): Promise<CallToolResult>;
}): ReadToolDefinition {
  return tool as unknown as ReadToolDefinition;
}

export function defineWriteTool<In extends z.ZodObject>(tool: { name: string; config: ToolConfig<In, Annotations & { readOnlyHint: false }> } & WriteSteps): WriteToolDefinition {
  return tool as unknown as WriteToolDefinition;
}
