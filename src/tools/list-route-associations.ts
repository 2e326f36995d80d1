// list_route_associations: which attachments are associated with one route table, and in what
// state. Associations have no name, so there is no name filter here.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Association } from '../er/types.js';
import type { ToolCall } from '../toolkit/context.js';
import { defineReadTool } from './definition.js';
import { apiFilterInput, compact, cursorInput, limitInput, listOutput, runList } from '../toolkit/paging.js';
import { erIdInput, routeTableIdInput } from '../toolkit/fields.js';

export const listAssociationsInput = z.strictObject({
  er_id: erIdInput,
  route_table_id: routeTableIdInput,
  state: apiFilterInput('state', 'Keep only associations in this state: pending, available, deleting, failed, … (filtered by the API).'),
  resource_type: apiFilterInput('resource_type', 'Keep only associations of this kind of attachment: vpc, vpn, peering, … (filtered by the API).'),
  attachment_id: apiFilterInput('attachment_id', 'Keep only the association of this attachment (from list_attachments; filtered by the API).'),
  limit: limitInput,
  cursor: cursorInput,
});

const associationItem = z.object({
  id: z.string().describe('Association ID'),
  attachment_id: z.string().optional(),
  resource_type: z.string().optional(),
  resource_id: z.string().optional(),
  state: z.string(),
});

export const listAssociationsOutput = listOutput('associations', associationItem, { er_id: z.string(), route_table_id: z.string() });

export const listRouteAssociationsTool = defineReadTool({
  name: 'list_route_associations',
  config: {
    title: 'List associations of a route table',
    description: 'Lists the attachments associated with a route table, and each association state.',
    inputSchema: listAssociationsInput,
    outputSchema: listAssociationsOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => listRouteAssociations(call, args),
});

export function listRouteAssociations(call: ToolCall, args: z.infer<typeof listAssociationsInput>): Promise<CallToolResult> {
  const filters = { state: args.state, resource_type: args.resource_type, attachment_id: args.attachment_id };
  return runList<Association>(
    call,
    {
      tool: 'list_route_associations',
      itemsKey: 'associations',
      scope: { er_id: args.er_id, route_table_id: args.route_table_id, ...filters },
      limit: args.limit,
      cursor: args.cursor,
      fetch: (er, marker, limit, options) => er.listAssociations(args.er_id, args.route_table_id, { ...options, marker, limit, filters }),
      toItem: (a) => compact({ id: a.id, attachment_id: a.attachment_id, resource_type: a.resource_type, resource_id: a.resource_id, state: a.state }),
      header: { er_id: args.er_id, route_table_id: args.route_table_id },
      errorIds: { er_id: args.er_id, route_table_id: args.route_table_id },
    },
  );
}
