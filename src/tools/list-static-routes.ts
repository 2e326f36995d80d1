// list_static_routes: the static routes of one route table (destination → attachment, or a
// blackhole), with their states, read through the API's own static-route list.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { canonical } from '../er/cidr.js';
import type { StaticRoute } from '../er/types.js';
import type { ToolCall } from '../toolkit/context.js';
import { destinationInput } from '../toolkit/destination.js';
import { erIdInput, routeTableIdInput } from '../toolkit/fields.js';
import { apiFilterInput, compact, cursorInput, limitInput, listOutput, runList } from '../toolkit/paging.js';
import { defineReadTool } from './definition.js';

export const listStaticRoutesInput = z.strictObject({
  er_id: erIdInput,
  route_table_id: routeTableIdInput,
  destination: destinationInput('Keep only the static route to this destination, e.g. 10.30.0.0/16 (filtered by the API).').optional(),
  attachment_id: apiFilterInput('attachment_id', 'Keep only routes through this attachment (from list_attachments; filtered by the API).'),
  limit: limitInput,
  cursor: cursorInput,
});

const staticRouteItem = z.object({
  id: z.string().describe('Static route ID'),
  destination: z.string(),
  is_blackhole: z.boolean().describe('True: traffic to the destination is dropped'),
  attachment_id: z.string().optional().describe('The next hop; absent for a blackhole'),
  resource_type: z.string().optional().describe('The next hop’s kind: vpc, vpn, vgw, peering, …'),
  state: z.string().describe('pending, available, modifying, deleting, failed, … (any string the API returns)'),
  description: z.string().optional(),
});

export const listStaticRoutesOutput = listOutput('routes', staticRouteItem, { er_id: z.string(), route_table_id: z.string() });

export const listStaticRoutesTool = defineReadTool({
  name: 'list_static_routes',
  config: {
    title: 'List the static routes of a route table',
    description:
      'Lists the static routes of an ER route table: each destination CIDR and where it goes (one attachment, or dropped by a blackhole route), ' +
      'with its state. Static routes win over propagated ones to the same destination; list_effective_routes shows what the table finally uses.',
    inputSchema: listStaticRoutesInput,
    outputSchema: listStaticRoutesOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => listStaticRoutes(call, args),
});

export function listStaticRoutes(call: ToolCall, args: z.infer<typeof listStaticRoutesInput>): Promise<CallToolResult> {
  const filters = { destination: args.destination === undefined ? undefined : canonical(args.destination), attachment_id: args.attachment_id };
  return runList<StaticRoute>(call, {
    tool: 'list_static_routes',
    itemsKey: 'routes',
    scope: { er_id: args.er_id, route_table_id: args.route_table_id, ...filters },
    limit: args.limit,
    cursor: args.cursor,
    fetch: (er, marker, limit, options) => er.listStaticRoutes(args.route_table_id, { ...options, marker, limit, filters }),
    toItem: (r) =>
      compact({
        id: r.id,
        destination: r.destination,
        is_blackhole: r.is_blackhole === true,
        attachment_id: r.attachments?.[0]?.attachment_id ?? undefined,
        resource_type: r.attachments?.[0]?.resource_type ?? undefined,
        state: r.state,
        description: r.description || undefined,
      }),
    header: { er_id: args.er_id, route_table_id: args.route_table_id },
    errorIds: { er_id: args.er_id, route_table_id: args.route_table_id },
  });
}
