// list_effective_routes: the routes a route table actually uses (one per destination, after
// static routes, propagated routes and their priority are settled: docs/routing.md), compact,
// paged and within the text budget like every list.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { canonical, parsePrefix } from '../er/cidr.js';
import type { EffectiveRoute } from '../er/types.js';
import type { ToolCall } from '../toolkit/context.js';
import { defineReadTool } from './definition.js';
import { apiFilterInput, cursorInput, limitInput, listOutput, runList } from '../toolkit/paging.js';
import { attachmentIdInput, routeTableIdInput } from '../toolkit/fields.js';

export const listEffectiveRoutesInput = z.strictObject({
  route_table_id: routeTableIdInput,
  destination: z
    .string()
    .max(49)
    .refine((text) => parsePrefix(text) !== null && text.includes('/'), { error: 'destination must be a CIDR block such as 10.10.0.0/16 or 2001:db8::/32' })
    .optional()
    .describe('Keep only the route to exactly this destination, a CIDR block such as 10.10.0.0/16 (filtered by the API).'),
  resource_type: apiFilterInput('resource_type', 'Keep only routes whose next hop is this kind of attachment: vpc, vpn, vgw, peering, … (filtered by the API).'),
  attachment_id: attachmentIdInput
    .optional()
    .describe('Keep only routes whose next hop is this attachment (from list_attachments; filtered by this server, so a call may scan several API pages).'),
  limit: limitInput,
  cursor: cursorInput,
});

const routeItem = z.object({
  route_id: z.string(),
  destination: z.string(),
  route_type: z.string().optional().describe('"static" or "propagation" as the API says'),
  blackhole: z.boolean().optional().describe('Present and true for a blackhole route: traffic to the destination is dropped'),
  next_hops: z.array(
    z.object({ attachment_id: z.string().optional(), resource_type: z.string().optional(), resource_id: z.string().optional() }),
  ),
});

export const listEffectiveRoutesOutput = listOutput('routes', routeItem, { route_table_id: z.string() });

export const listEffectiveRoutesTool = defineReadTool({
  name: 'list_effective_routes',
  config: {
    title: 'List the effective routes of a route table',
    description:
      'Lists the routes a route table really uses: one per destination, with its next hops (the attachments traffic goes to), ' +
      'whether it is static or propagated, and blackholes. Use it to check what an attachment associated with this table can ' +
      'reach, or which routes lead to an attachment (attachment_id).',
    inputSchema: listEffectiveRoutesInput,
    outputSchema: listEffectiveRoutesOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => listEffectiveRoutes(call, args),
});

type Route = EffectiveRoute & { id: string };

export function listEffectiveRoutes(call: ToolCall, args: z.infer<typeof listEffectiveRoutesInput>): Promise<CallToolResult> {
  const filters = { destination: args.destination === undefined ? undefined : canonical(args.destination), resource_type: args.resource_type };
  const attachmentId = args.attachment_id;
  return runList<Route>(call, {
    tool: 'list_effective_routes',
    itemsKey: 'routes',
    scope: { route_table_id: args.route_table_id, ...filters, attachment_id: attachmentId },
    limit: args.limit,
    cursor: args.cursor,
    // The API's marker for routes is the last route_id: the list walks them as ids.
    fetch: async (er, marker, limit, options) => {
      const page = await er.listEffectiveRoutes(args.route_table_id, { ...options, marker, limit, filters });
      return { ...page, items: page.items.map((route) => ({ ...route, id: route.route_id ?? '' })) };
    },
    ...(attachmentId ? { match: (route: Route) => (route.next_hops ?? []).some((hop) => hop.attachment_id === attachmentId) } : {}),
    toItem: (route) => ({
      route_id: route.id,
      destination: route.destination,
      ...(route.route_type ? { route_type: route.route_type } : {}),
      ...(route.is_blackhole ? { blackhole: true } : {}),
      next_hops: (route.next_hops ?? []).map((hop) => ({
        ...(hop.attachment_id ? { attachment_id: hop.attachment_id } : {}),
        ...(hop.resource_type ? { resource_type: hop.resource_type } : {}),
        ...(hop.resource_id ? { resource_id: hop.resource_id } : {}),
      })),
    }),
    header: { route_table_id: args.route_table_id },
    errorIds: { route_table_id: args.route_table_id, attachment_id: attachmentId },
  });
}
