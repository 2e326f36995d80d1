// list_route_tables: the route tables of one router, marking the default association and
// propagation tables.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { RouteTable } from '../er/types.js';
import type { ToolCall } from '../toolkit/context.js';
import { defineReadTool } from './definition.js';
import { apiFilterInput, compact, cursorInput, limitInput, listOutput, nameFilterInput, runList } from '../toolkit/paging.js';
import { erIdInput } from '../toolkit/fields.js';

export const listRouteTablesInput = z.strictObject({
  er_id: erIdInput,
  state: apiFilterInput('state', 'Keep only route tables in this state, e.g. "available" (filtered by the API).'),
  name: nameFilterInput,
  limit: limitInput,
  cursor: cursorInput,
});

const routeTableItem = z.object({
  id: z.string().describe('route_table_id for the other tools'),
  name: z.string().optional(),
  state: z.string().optional(),
  is_default_association: z.boolean().optional(),
  is_default_propagation: z.boolean().optional(),
});

export const listRouteTablesOutput = listOutput('route_tables', routeTableItem, { er_id: z.string() });

export const listRouteTablesTool = defineReadTool({
  name: 'list_route_tables',
  config: {
    title: 'List route tables of a router',
    description: 'Lists the route tables of an enterprise router: the route_table_id to associate attachments with.',
    inputSchema: listRouteTablesInput,
    outputSchema: listRouteTablesOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => listRouteTables(call, args),
});

export function listRouteTables(call: ToolCall, args: z.infer<typeof listRouteTablesInput>): Promise<CallToolResult> {
  return runList<RouteTable>(
    call,
    {
      tool: 'list_route_tables',
      itemsKey: 'route_tables',
      scope: { er_id: args.er_id, state: args.state, name: args.name },
      limit: args.limit,
      cursor: args.cursor,
      name: args.name,
      fetch: (er, marker, limit, options) => er.listRouteTables(args.er_id, { ...options, marker, limit, filters: { state: args.state } }),
      toItem: (t) =>
        compact({
          id: t.id,
          name: t.name,
          state: t.state,
          is_default_association: t.is_default_association,
          is_default_propagation: t.is_default_propagation,
        }),
      header: { er_id: args.er_id },
      errorIds: { er_id: args.er_id },
    },
  );
}
