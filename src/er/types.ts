// Shapes of ER API objects. Lenient on purpose: the cloud may add states, resource types and
// fields, and timestamps come with or without milliseconds and `Z`; all of them pass through.
import { z } from 'zod';

const text = z.string();
const optionalText = z.string().optional();

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
  asn: z.number().optional(),
  enable_default_association: z.boolean().optional(),
  default_association_route_table_id: optionalText,
  enable_default_propagation: z.boolean().optional(),
  default_propagation_route_table_id: optionalText,
});
export type Router = z.infer<typeof routerSchema>;

export const routeTableSchema = z.looseObject({
  id: text,
  name: optionalText,
  state: optionalText,
  is_default_association: z.boolean().optional(),
  is_default_propagation: z.boolean().optional(),
});
export type RouteTable = z.infer<typeof routeTableSchema>;

export const attachmentSchema = z.looseObject({
  id: text,
  name: optionalText,
  state: optionalText,
  resource_type: optionalText,
  resource_id: optionalText,
  associated: z.boolean().optional(),
  route_table_id: optionalText,
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const pageInfoSchema = z
  .looseObject({ next_marker: z.string().nullish(), current_count: z.number().optional() })
  .optional();

/** Association states after which nothing more will happen on its own. */
export const TERMINAL_STATES = new Set(['available', 'failed', 'deleted', 'not_found']);
