// The arguments and results of the static-route tools: a route is named by its router, table and
// destination; a create also says where it goes. The results share the link tools' shapes
// (link-io.ts), with the route under `route`.
import { z } from 'zod';
import { destinationInput } from '../destination.js';
import { attachmentIdInput, clientTokenInput, dryRunInput, erIdInput, planIdInput, routeTableIdInput } from '../fields.js';
import { stateInput } from './link-io.js';

const routeShape = {
  er_id: erIdInput.describe('Enterprise router ID (from list_enterprise_routers); the allow-lists and the plan check the table against it.'),
  route_table_id: routeTableIdInput,
  destination: destinationInput('Destination CIDR block, e.g. 10.30.0.0/16 or 0.0.0.0/0, written as its network address.'),
};

export const createStaticRouteInput = z
  .strictObject({
    ...routeShape,
    attachment_id: attachmentIdInput.optional().describe('The next hop: an attachment on that router (from list_attachments). Give this or is_blackhole: true, not both.'),
    is_blackhole: z.boolean().optional().describe('true: traffic to the destination is dropped (a blackhole route). Give this or attachment_id, not both.'),
    description: z
      .string()
      .max(255, { error: 'description must be at most 255 characters' })
      .regex(/^[^<>\p{Cc}]*$/u, { error: 'description must not contain control characters, "<" or ">"' })
      .optional()
      .describe('Why the route exists, kept with it in the route table (at most 255 characters).'),
    client_token: clientTokenInput,
    dry_run: dryRunInput,
    plan_id: planIdInput,
  })
  .superRefine((args, context) => {
    const blackhole = args.is_blackhole === true;
    if (blackhole && args.attachment_id !== undefined) {
      context.addIssue({ code: 'custom', path: ['attachment_id'], message: 'a blackhole route has no next hop: give attachment_id or is_blackhole: true, not both' });
    }
    if (!blackhole && args.attachment_id === undefined) {
      context.addIssue({ code: 'custom', path: ['attachment_id'], message: 'say where the route goes: attachment_id (the next hop), or is_blackhole: true to drop the traffic' });
    }
  });

export const deleteStaticRouteInput = z.strictObject({
  ...routeShape,
  dry_run: dryRunInput,
  plan_id: planIdInput,
});

export const staticRouteStateInput = z.strictObject({
  ...routeShape,
  wait_for: stateInput.shape.wait_for,
  timeout_seconds: stateInput.shape.timeout_seconds,
});

/** A static route as the ER API returned it. */
export const staticRouteOutput = z
  .looseObject({
    id: z.string(),
    destination: z.string(),
    state: z.string().describe('pending, available, modifying, deleting, failed, … (any string the API returns)'),
    type: z.string().nullish(),
    is_blackhole: z.boolean().nullish(),
    attachments: z
      .array(z.looseObject({ attachment_id: z.string().nullish(), resource_type: z.string().nullish(), resource_id: z.string().nullish() }))
      .nullish()
      .describe('The next hop; empty for a blackhole'),
    route_table_id: z.string().nullish(),
    description: z.string().nullish(),
    created_at: z.string().nullish(),
    updated_at: z.string().nullish(),
  })
  .describe('The static route as the ER API returned it');
