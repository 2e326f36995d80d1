// list_attachments: what is attached to a router (VPCs, VPNs, peerings…) and whether, and where,
// each one is already associated.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ListedAttachment } from '../er/types.js';
import type { ToolCall } from '../toolkit/context.js';
import { defineReadTool } from './definition.js';
import { apiFilterInput, compact, cursorInput, limitInput, listOutput, nameFilterInput, runList } from '../toolkit/paging.js';
import { erIdInput } from '../toolkit/fields.js';

export const listAttachmentsInput = z.strictObject({
  er_id: erIdInput,
  state: apiFilterInput('state', 'Keep only attachments in this state, e.g. "available" (filtered by the API).'),
  resource_type: apiFilterInput('resource_type', 'Keep only this kind of attachment: vpc, vpn, peering, vgw, … (filtered by the API).'),
  resource_id: apiFilterInput('resource_id', 'Keep only the attachment of this resource, e.g. a VPC ID (filtered by the API).'),
  name: nameFilterInput,
  limit: limitInput,
  cursor: cursorInput,
});

const attachmentItem = z.object({
  id: z.string().describe('attachment_id for the other tools (not the VPC ID)'),
  name: z.string().optional(),
  state: z.string().optional(),
  resource_type: z.string().optional(),
  resource_id: z.string().optional().describe('ID of the attached resource, e.g. the VPC'),
  associated: z.boolean().optional().describe('True when the attachment is associated with a route table'),
  route_table_id: z.string().optional().describe('The route table it is associated with, when associated'),
});

export const listAttachmentsOutput = listOutput('attachments', attachmentItem, { er_id: z.string() });

export const listAttachmentsTool = defineReadTool({
  name: 'list_attachments',
  config: {
    title: 'List attachments of a router',
    description:
      'Lists the attachments of an enterprise router with their resource (VPC, VPN…) and where each is associated. ' +
      'Gives the attachment_id for create_route_association.',
    inputSchema: listAttachmentsInput,
    outputSchema: listAttachmentsOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => listAttachments(call, args),
});

export function listAttachments(call: ToolCall, args: z.infer<typeof listAttachmentsInput>): Promise<CallToolResult> {
  const filters = { state: args.state, resource_type: args.resource_type, resource_id: args.resource_id };
  return runList<ListedAttachment>(
    call,
    {
      tool: 'list_attachments',
      itemsKey: 'attachments',
      scope: { er_id: args.er_id, ...filters, name: args.name },
      limit: args.limit,
      cursor: args.cursor,
      name: args.name,
      fetch: (er, marker, limit, options) => er.listAttachments(args.er_id, { ...options, marker, limit, filters }),
      toItem: (a) =>
        compact({
          id: a.id,
          name: a.name,
          state: a.state,
          resource_type: a.resource_type,
          resource_id: a.resource_id,
          associated: a.associated,
          route_table_id: a.route_table_id,
        }),
      header: { er_id: args.er_id },
      errorIds: { er_id: args.er_id },
    },
  );
}
