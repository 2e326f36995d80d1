// What a tool is: a value with a name, a config (schemas and the four annotations) and a handler.
// Whether it writes is stated once, in `annotations.readOnlyHint`; the server reads it from there
// to hide write tools in read-only mode and to put every write behind the guardrails.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
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

/** The arguments every write tool has: what the allow-lists check and the audit records. */
export interface WriteArgs {
  er_id: string;
  route_table_id: string;
  attachment_id: string;
  dry_run?: boolean;
  client_token?: string;
  [other: string]: unknown;
}

interface ToolBase {
  name: string;
  config: ToolConfig;
}

/** A tool that only reads. `handler` gets arguments already checked against `inputSchema`. */
export interface ReadToolDefinition extends ToolBase {
  handler(args: Record<string, unknown>, call: ToolCall): Promise<CallToolResult>;
}

/** A tool that writes (readOnlyHint: false): it answers with the typed outcome the audit reads. */
export interface WriteToolDefinition extends ToolBase {
  handler(args: WriteArgs, call: ToolCall): Promise<WriteAnswer>;
  /** What the human is shown before approving (from read-only look-ups). */
  approval(args: WriteArgs, call: ToolCall): Promise<string>;
}

export type ToolDefinition = ReadToolDefinition | WriteToolDefinition;

export function isWriteTool(tool: ToolDefinition): tool is WriteToolDefinition {
  return tool.config.annotations.readOnlyHint === false;
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

export function defineWriteTool<In extends z.ZodObject>(tool: {
  name: string;
  config: ToolConfig<In, Annotations & { readOnlyHint: false }>;
  handler(args: z.infer<In> & WriteArgs, call: ToolCall): Promise<WriteAnswer>;
  approval(args: z.infer<In> & WriteArgs, call: ToolCall): Promise<string>;
}): WriteToolDefinition {
  return tool as unknown as WriteToolDefinition;
}
