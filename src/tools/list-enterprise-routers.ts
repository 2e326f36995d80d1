// list_enterprise_routers: the routers of this project and region, with their default-association
// settings (which decide whether an attachment gets associated automatically).
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Router } from '../er/types.js';
import type { ToolCall } from '../toolkit/context.js';
import { defineReadTool } from './definition.js';
import { apiFilterInput, compact, cursorInput, limitInput, listOutput, nameFilterInput, runList } from '../toolkit/paging.js';

export const listRoutersInput = z.strictObject({
  state: apiFilterInput('state', 'Keep only routers in this state, e.g. "available" (filtered by the API).'),
  name: nameFilterInput,
  limit: limitInput,
  cursor: cursorInput,
});

const routerItem = z.object({
  id: z.string().describe('er_id for the other tools'),
  name: z.string().optional(),
  state: z.string().optional(),
  asn: z.number().optional(),
  enable_default_association: z.boolean().optional().describe('True when new attachments are associated automatically'),
  default_association_route_table_id: z.string().optional(),
  enable_default_propagation: z.boolean().optional(),
  default_propagation_route_table_id: z.string().optional(),
});

export const listRoutersOutput = listOutput('routers', routerItem, {});

export const listEnterpriseRoutersTool = defineReadTool({
  name: 'list_enterprise_routers',
  config: {
    title: 'List enterprise routers',
    description: 'Lists the enterprise routers of the configured project and region: the er_id to use with the other tools. First step of the workflow.',
    inputSchema: listRoutersInput,
    outputSchema: listRoutersOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => listEnterpriseRouters(call, args),
});

export function listEnterpriseRouters(call: ToolCall, args: z.infer<typeof listRoutersInput>): Promise<CallToolResult> {
  return runList<Router>(
    call,
    {
      tool: 'list_enterprise_routers',
      itemsKey: 'routers',
      scope: { state: args.state, name: args.name },
      limit: args.limit,
      cursor: args.cursor,
      name: args.name,
      fetch: (er, marker, limit, options) => er.listRouters({ ...options, marker, limit, filters: { state: args.state } }),
      toItem: (r) =>
        compact({
          id: r.id,
          name: r.name,
          state: r.state,
          asn: r.asn,
          enable_default_association: r.enable_default_association,
          default_association_route_table_id: r.default_association_route_table_id,
          enable_default_propagation: r.enable_default_propagation,
          default_propagation_route_table_id: r.default_propagation_route_table_id,
        }),
      header: {},
      errorIds: {},
    },
  );
}
