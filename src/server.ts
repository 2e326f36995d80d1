// Builds the MCP server: tools, instructions and the guardrails around writes. No I/O of its own;
// everything comes in through `ctx` and `guardrails`.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type AuditSink, NO_AUDIT } from './guardrails/audit.js';
import { sessionChannel } from './guardrails/confirm.js';
import { WRITE_TOOLS, WriteGuard } from './guardrails/guard.js';
import { type GuardrailSettings, UNRESTRICTED } from './guardrails/settings.js';
import type { ToolContext, WriteGate } from './tools/context.js';
import { registerCreateRouteAssociation } from './tools/create-route-association.js';
import { registerDeleteRouteAssociation } from './tools/delete-route-association.js';
import { registerGetAssociationState } from './tools/get-association-state.js';
import { registerListAttachments } from './tools/list-attachments.js';
import { registerListEnterpriseRouters } from './tools/list-enterprise-routers.js';
import { registerListRouteAssociations } from './tools/list-route-associations.js';
import { registerListRouteTables } from './tools/list-route-tables.js';
import { VERSION } from './version.js';

export const INSTRUCTIONS = [
  'Manages Huawei Cloud Enterprise Router (ER) route-table associations.',
  'Workflow: find IDs with the list_* tools → create_route_association with dry_run: true to see the plan →',
  'create_route_association → get_association_state with wait_for "available" → (undo: delete_route_association,',
  'then get_association_state with wait_for "deleted").',
  'Retrying a create with the same client_token never creates a duplicate. Failures are isError results whose',
  '"hint" says what to do next.',
].join(' ');

const READ_ONLY_INSTRUCTIONS = 'This server is read-only: it can look, not change.';

export interface Guardrails {
  settings: GuardrailSettings;
  audit: AuditSink;
}

export function createServer(ctx: ToolContext, guardrails: Guardrails = { settings: UNRESTRICTED, audit: NO_AUDIT }): McpServer {
  const { readOnly } = guardrails.settings;
  const server = new McpServer(
    { name: 'huaweicloud-er-mcp', version: VERSION, title: 'Huawei Cloud Enterprise Router' },
    { capabilities: { logging: {} }, instructions: readOnly ? `${INSTRUCTIONS} ${READ_ONLY_INSTRUCTIONS}` : INSTRUCTIONS },
  );
  const guard = new WriteGuard(guardrails.settings, guardrails.audit, ctx, ctx.clock);
  const gate: WriteGate = (call, perform) => guard.run({ ...call, signal: call.extra.signal, channel: sessionChannel(server.server, call.extra) }, perform);

  registerListEnterpriseRouters(server, ctx);
  registerListRouteTables(server, ctx);
  registerListAttachments(server, ctx);
  registerListRouteAssociations(server, ctx);
  registerGetAssociationState(server, ctx);
  if (readOnly) {
    refuseByName(server, WRITE_TOOLS, (name, args) => guard.refuseReadOnly(name, args));
  } else {
    registerCreateRouteAssociation(server, ctx, gate);
    registerDeleteRouteAssociation(server, ctx, gate);
  }
  return server;
}

type RequestHandler = (request: { params?: Record<string, unknown> }, extra: unknown) => Promise<unknown>;

/**
 * Answers calls to tools that are deliberately not registered with a clear refusal instead of
 * the SDK's "tool not found". McpServer has no public hook for this, so the tools/call handler it
 * installed is wrapped; test/guardrails tests fail loudly if the SDK ever moves it.
 */
function refuseByName(server: McpServer, names: readonly string[], refuse: (name: string, args: Record<string, unknown>) => CallToolResult): void {
  const handlers = (server.server as unknown as { _requestHandlers: Map<string, RequestHandler> })._requestHandlers;
  const original = handlers.get('tools/call');
  if (!original) throw new Error('the MCP SDK no longer installs a tools/call handler where expected');
  handlers.set('tools/call', async (request, extra) => {
    const name = request.params?.name;
    if (typeof name === 'string' && names.includes(name)) {
      const args = request.params?.arguments;
      return refuse(name, args && typeof args === 'object' ? (args as Record<string, unknown>) : {});
    }
    return original(request, extra);
  });
}
