// Puts the tool registry on an MCP server through the SDK's public request handlers: tools/list
// shows what this caller may use, tools/call checks the arguments, waits for the connection,
// and sends every tool that writes through the gate. Nothing here knows a particular tool.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestParamsSchema,
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { RequestTrace } from './er/request-trace.js';
import { callerIdentityOf } from './policy/caller-identity.js';
import { ACTION_OF_TOOL, type CallerIdentity } from './policy/model.js';
import { mayEverUse } from './policy/permissions.js';
import { SCOPES } from './scopes.js';
import { sessionChannel } from './guardrails/confirm.js';
import type { HiddenReason } from './guardrails/gate.js';
import type { HostGate } from './guardrails/host-gate.js';
import type { ConnectionSource, ToolCall, ToolEnv } from './toolkit/context.js';
import type { ToolCatalog } from './tools/catalog.js';
import { isWriteTool, type ToolDefinition, type WriteArgs, writes } from './tools/definition.js';
import { configurationFailure, errorCodeOf, failure } from './toolkit/results.js';
import { type CallObservation, type CallSubject, NO_OBSERVER } from './observe/observer.js';
import { sessionLog } from './observe/session-log.js';
import { resultWithJson } from './message-json.js';

export interface ToolHostOptions {
  /** What tools/list shows without loading a tool; the definitions load with the first call. */
  tools: ToolCatalog;
  env: ToolEnv;
  connection: ConnectionSource;
  gate: HostGate;
  /** Who a call comes from when the transport does not say (stdio: the local user). */
  defaultCaller: string;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Where a call whose arguments could not be read at all says why, past the SDK's own check. */
const UNREADABLE_KEY = 'huaweicloud-er-mcp/unreadable';

/**
 * tools/call as the SDK defines it, except that arguments which are not an object (or a name
 * that is not a string) do not fail the request with a raw schema dump: they are set aside and
 * answered with a one-line isError by the handler.
 */
const lenientCallToolRequest = CallToolRequestSchema.extend({
  params: z.preprocess(setAsideUnreadable, CallToolRequestParamsSchema),
});

function setAsideUnreadable(params: unknown): unknown {
  if (!params || typeof params !== 'object' || Array.isArray(params)) return params;
  const p = params as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof p.name !== 'string') problems.push(`"name" must be the tool's name as a string (got ${kindOf(p.name)})`);
  if (p.arguments !== undefined && (p.arguments === null || typeof p.arguments !== 'object' || Array.isArray(p.arguments))) {
    problems.push(`"arguments" must be a JSON object of named arguments (got ${kindOf(p.arguments)})`);
  }
  if (problems.length === 0) return params;
  const meta = p._meta && typeof p._meta === 'object' ? p._meta : {};
  return { ...p, name: typeof p.name === 'string' ? p.name : '', arguments: {}, _meta: { ...meta, [UNREADABLE_KEY]: problems.join('; ') } };
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function installTools(server: Server, options: ToolHostOptions): void {
  const { tools, gate } = options;

  const readOnly = () => gate.settings.readOnly;
  const mayNotWrite = (extra: Extra) => extra.authInfo?.scopes !== undefined && !extra.authInfo.scopes.includes(SCOPES.write);
  /** False when hiddenReason is null for every tool this caller asks about: none of its reasons can apply. */
  const mayHideWrites = (extra: Extra) => readOnly() || mayNotWrite(extra) || gate.currentPolicy() !== null;

  /** Why this caller may not use a write tool, or null when it may. */
  const hiddenReason = (tool: Tool, extra: Extra): HiddenReason | null => {
    if (!writes(tool.annotations)) return null;
    if (readOnly()) return 'read_only';
    if (mayNotWrite(extra)) return 'scope';
    // With a policy, a tool whose action no rule could ever allow this caller is not theirs to see.
    const policy = gate.currentPolicy();
    const action = ACTION_OF_TOOL[tool.name];
    if (policy && (action === undefined || !mayEverUse(policy, callerIdentityOf(extra.authInfo, options.defaultCaller), action))) return 'policy';
    return null;
  };

  server.setRequestHandler(ListToolsRequestSchema, async (_request, extra) => {
    // When nothing can be hidden from this caller, the listing built with the bundle is the answer
    // as it is: its JSON text is sent without being parsed (message-json.ts).
    const json = tools.listingJson();
    if (json !== undefined && !mayHideWrites(extra)) return resultWithJson<'tools', Tool[]>('tools', json);
    return { tools: [...(await tools.listing()).values()].filter((tool) => hiddenReason(tool, extra) === null) };
  });

  server.setRequestHandler(lenientCallToolRequest, async (request, extra): Promise<CallToolResult> => {
    const listed = (await tools.listing()).get(request.params.name);
    if (!listed) throw new McpError(ErrorCode.InvalidParams, `Tool ${request.params.name.slice(0, 128)} not found`);
    const identity = callerIdentityOf(extra.authInfo, options.defaultCaller);
    const meta = request.params._meta ?? {};
    const observation = (options.env.observer ?? NO_OBSERVER).toolCall(
      {
        tool: listed.name,
        caller: identity.caller,
        readOnly: !writes(listed.annotations),
        subject: subjectOf(request.params.arguments),
        traceparent: typeof meta.traceparent === 'string' ? meta.traceparent : undefined,
        tracestate: typeof meta.tracestate === 'string' ? meta.tracestate : undefined,
      },
      sessionLog(server, extra),
    );
    let result: CallToolResult;
    try {
      result = await callTool(listed, { request, extra, observe: observation, identity });
    } catch (error) {
      observation.end({ outcome: 'error', errorCode: 'INTERNAL' });
      throw error;
    }
    observation.end({ outcome: result.isError ? 'error' : 'ok', errorCode: result.isError ? (errorCodeOf(result) ?? 'INVALID_ARGUMENTS') : null });
    return result;
  });

  async function callTool(listed: Tool, incoming: { request: z.infer<typeof lenientCallToolRequest>; extra: Extra; observe: CallObservation; identity: CallerIdentity }): Promise<CallToolResult> {
    const { request, extra, observe, identity } = incoming;
    const unreadable = request.params._meta?.[UNREADABLE_KEY];
    if (typeof unreadable === 'string') return invalidArguments(`Invalid tools/call request: ${unreadable}.`);
    const { caller } = identity;
    const rawArgs = request.params.arguments ?? {};
    if (gate.shuttingDown) {
      return failure({ error_code: 'SHUTTING_DOWN', error_msg: 'The server is shutting down and takes no new calls.', http_status: null, request_id: null, retryable: true, attempts: 0, hint: 'Call again once the server has been restarted.' });
    }
    const hidden = hiddenReason(listed, extra);
    if (hidden) {
      const refused = await gate.refuseHidden(listed.name, rawArgs, { caller, projectId: null, identity }, hidden);
      observe.decision({ step: hidden === 'policy' ? 'policy' : 'guardrail', outcome: 'refused', code: errorCodeOf(refused), detail: `${listed.name} is not available to this caller (${hidden.replace('_', '-')}): nothing was sent.` });
      return refused;
    }

    // The tool's schemas and code load with its first call (the listing needed none of them).
    const tool = await tools.definition(listed.name);
    const parsed = tool.config.inputSchema.safeParse(rawArgs);
    if (!parsed.success) return invalidArguments(`Input validation error: Invalid arguments for tool ${tool.name}: ${describeIssues(parsed.error)}`);
    const args = parsed.data as Record<string, unknown>;

    const { env } = options;
    const connection = await options.connection.get({ signal: extra.signal, deadline: env.clock.now() + env.callDeadlineMs });
    if (!connection.ready) {
      const result = configurationFailure(connection.problems, connection.hint);
      return isWriteTool(tool) ? await gate.refuseUnconfigured(tool.name, args as WriteArgs, { caller, projectId: null }, result) : result;
    }
    const call: ToolCall = {
      env,
      er: connection.er,
      projectId: connection.projectId,
      signal: extra.signal,
      deadline: env.clock.now() + env.callDeadlineMs,
      caller,
      trace: new RequestTrace(observe),
      observe,
      progress: progressSender(extra),
    };

    try {
      if (!isWriteTool(tool)) return checkOutput(tool, await tool.handler(args, call));
      const session = { caller, projectId: connection.projectId, scopes: extra.authInfo?.scopes ?? null, identity, channel: sessionChannel(server, extra.requestId) };
      return checkOutput(tool, await gate.run({ tool, args: args as WriteArgs, session, call }));
    } catch (error) {
      env.log.error({ tool: tool.name, caller, err: error instanceof Error ? error.message : String(error) }, 'tool failed unexpectedly');
      return failure({ error_code: 'INTERNAL', error_msg: 'Unexpected failure inside the server.', http_status: null, request_id: null, retryable: false, attempts: 0, hint: 'The server log (stderr) has details.' });
    }
  }
}

/** The resources a call's arguments name (only well-formed strings: the arguments are not checked yet). */
function subjectOf(args: unknown): CallSubject {
  const subject: CallSubject = {};
  if (!args || typeof args !== 'object') return subject;
  const given = args as Record<string, unknown>;
  for (const key of ['er_id', 'route_table_id', 'attachment_id', 'destination'] as const) {
    const value = given[key];
    if (typeof value === 'string' && /^[\w.:/-]{1,128}$/.test(value)) subject[key] = value;
  }
  return subject;
}

function progressSender(extra: Extra): ToolCall['progress'] {
  const token = extra._meta?.progressToken;
  if (token === undefined) return async () => undefined;
  return async (progress, message) => {
    // A client that went away must not fail the call it asked for.
    await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, message } }).catch(() => undefined);
  };
}

/** A tool's structured answer must match its declared output schema, or the client gets an error. */
function checkOutput(tool: ToolDefinition, result: CallToolResult): CallToolResult {
  if (result.isError) return result;
  const checked = tool.config.outputSchema.safeParse(result.structuredContent);
  if (checked.success) return result;
  throw new Error(`${tool.name} produced output that does not match its schema: ${describeIssues(checked.error)}`);
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.message} at ${issue.path.join('.')}` : issue.message)).join('\n');
}

function invalidArguments(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

