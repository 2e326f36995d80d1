// list_route_propagations: which attachments propagate their routes into one route table, and in
// what state. Propagations have no name, so there is no name filter here.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Propagation } from '../er/types.js';
import type { ToolCall } from '../toolkit/context.js';
import { defineReadTool } from './definition.js';
import { apiFilterInput, compact, cursorInput, limitInput, listOutput, runList } from '../toolkit/paging.js';
import { erIdInput, routeTableIdInput } from '../toolkit/fields.js';

export const listPropagationsInput = z.strictObject({
  er_id: erIdInput,
  route_table_id: routeTableIdInput,
  state: apiFilterInput('state', 'Keep only propagations in this state: pending, available, deleting, failed, … (filtered by the API).'),
  resource_type: apiFilterInput('resource_type', 'Keep only propagations of this kind of attachment: vpc, vpn, vgw, peering, … (filtered by the API).'),
  attachment_id: apiFilterInput('attachment_id', 'Keep only the propagation of this attachment (from list_attachments; filtered by the API).'),
  limit: limitInput,
  cursor: cursorInput,
});

const propagationItem = z.object({
  id: z.string().describe('Propagation ID'),
  attachment_id: z.string().optional(),
  resource_type: z.string().optional(),
  resource_id: z.string().optional(),
  state: z.string(),
});

export const listPropagationsOutput = listOutput('propagations', propagationItem, { er_id: z.string(), route_table_id: z.string() });

export const listRoutePropagationsTool = defineReadTool({
  name: 'list_route_propagations',
  config: {
    title: 'List propagations into a route table',
    description: 'Lists the attachments whose routes a route table learns (its propagations), and each propagation state.',
    inputSchema: listPropagationsInput,
    outputSchema: listPropagationsOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => listRoutePropagations(call, args),
});

export function listRoutePropagations(call: ToolCall, args: z.infer<typeof listPropagationsInput>): Promise<CallToolResult> {
  const filters = { state: args.state, resource_type: args.resource_type, attachment_id: args.attachment_id };
  return runList<Propagation>(call, {
    tool: 'list_route_propagations',
    itemsKey: 'propagations',
    scope: { er_id: args.er_id, route_table_id: args.route_table_id, ...filters },
    limit: args.limit,
    cursor: args.cursor,
    fetch: (er, marker, limit, options) => er.listPropagations(args.er_id, args.route_table_id, { ...options, marker, limit, filters }),
    toItem: (p) => compact({ id: p.id, attachment_id: p.attachment_id, resource_type: p.resource_type, resource_id: p.resource_id, state: p.state }),
    header: { er_id: args.er_id, route_table_id: args.route_table_id },
    errorIds: { er_id: args.er_id, route_table_id: args.route_table_id },
  });
}
