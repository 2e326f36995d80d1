// Builds the MCP server: tools and instructions. No I/O of its own; everything comes in `ctx`.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolContext } from './tools/context.js';
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

export function createServer(ctx: ToolContext): McpServer {
  const server = new McpServer(
    { name: 'huaweicloud-er-mcp', version: VERSION, title: 'Huawei Cloud Enterprise Router' },
    { capabilities: { logging: {} }, instructions: INSTRUCTIONS },
  );
  registerListEnterpriseRouters(server, ctx);
  registerListRouteTables(server, ctx);
  registerListAttachments(server, ctx);
  registerListRouteAssociations(server, ctx);
  registerCreateRouteAssociation(server, ctx);
  registerGetAssociationState(server, ctx);
  registerDeleteRouteAssociation(server, ctx);
  return server;
}
