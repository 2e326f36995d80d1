// Shapes of ER API objects. Lenient on purpose: the cloud may add states, resource types and
// fields, and timestamps come with or without milliseconds and `Z`; all of them pass through.
import { z } from 'zod';

const text = z.string();
// The API may send null as well as leave a field out: both mean "not given".
const optionalText = z.string().nullish();

export const associationSchema = z.looseObject({
  id: text,
  route_table_id: optionalText,
  attachment_id: optionalText,
  resource_type: optionalText,
  resource_id: optionalText,
  state: text,
  created_at: optionalText,
  updated_at: optionalText,
});
export type Association = z.infer<typeof associationSchema>;

export const routerSchema = z.looseObject({
  id: text,
  name: optionalText,
  state: optionalText,
  asn: z.number().nullish(),
  enable_default_association: z.boolean().nullish(),
  default_association_route_table_id: optionalText,
  enable_default_propagation: z.boolean().nullish(),
  default_propagation_route_table_id: optionalText,
});
export type Router = z.infer<typeof routerSchema>;

export const routeTableSchema = z.looseObject({
  id: text,
  name: optionalText,
  state: optionalText,
  is_default_association: z.boolean().nullish(),
  is_default_propagation: z.boolean().nullish(),
});
export type RouteTable = z.infer<typeof routeTableSchema>;

/** An attachment as ShowAttachment answers it: nothing about its association (list it for that). */
export const attachmentSchema = z.looseObject({
  id: text,
  name: optionalText,
  state: optionalText,
  resource_type: optionalText,
  resource_id: optionalText,
});
export type Attachment = z.infer<typeof attachmentSchema>;

/** An entry of ListAttachments: the shown fields, its router, and where it is associated. */
export const listedAttachmentSchema = attachmentSchema.extend({
  er_id: optionalText,
  associated: z.boolean().nullish(),
  route_table_id: optionalText,
});
export type ListedAttachment = z.infer<typeof listedAttachmentSchema>;

/** A propagation has what an association has, and names its router too. */
export const propagationSchema = associationSchema.extend({ er_id: optionalText });
export type Propagation = z.infer<typeof propagationSchema>;

export const nextHopSchema = z.looseObject({
  resource_id: optionalText,
  resource_type: optionalText,
  attachment_id: optionalText,
});
export type NextHop = z.infer<typeof nextHopSchema>;

/** One selected route of a route table (`route_type` is documented as `static` or `propagation`). */
export const effectiveRouteSchema = z.looseObject({
  route_id: optionalText,
  destination: text,
  next_hops: z.array(nextHopSchema).nullish(),
  is_blackhole: z.boolean().nullish(),
  route_type: optionalText,
});
export type EffectiveRoute = z.infer<typeof effectiveRouteSchema>;

/** A static route as ListStaticRoutes / ShowStaticRoute / CreateStaticRoute answer it; next hops are `attachments`. */
export const staticRouteSchema = z.looseObject({
  id: text,
  destination: text,
  state: text,
  type: optionalText,
  is_blackhole: z.boolean().nullish(),
  attachments: z.array(nextHopSchema).nullish(),
  route_table_id: optionalText,
  description: optionalText,
  created_at: optionalText,
  updated_at: optionalText,
});
export type StaticRoute = z.infer<typeof staticRouteSchema>;

export const pageInfoSchema = z
  .looseObject({ next_marker: z.string().nullish(), current_count: z.number().nullish() })
  .nullish();

/** Association states after which nothing more will happen on its own. */
export const TERMINAL_STATES = new Set(['available', 'failed', 'deleted', 'not_found']);
