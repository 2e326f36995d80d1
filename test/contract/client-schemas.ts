// What the client reads from each answer (its zod schemas in src/er/types.ts, and the IAM lookup's
// two fields), and where in the answer: the contract test checks that every field the client
// expects is one the reference lists there, with a matching type. A client that relied on a field
// the API does not send (ShowAttachment's association, say) would fail here.
import type { z } from 'zod';
import {
  associationSchema,
  attachmentSchema,
  effectiveRouteSchema,
  listedAttachmentSchema,
  nextHopSchema,
  pageInfoSchema,
  propagationSchema,
  routerSchema,
  routeTableSchema,
  staticRouteSchema,
} from '../../src/er/types.js';
import type { Field, FieldMap, FieldType } from './fixtures.js';

export interface ClientRead {
  operation: string;
  /** Where the object sits in the answer: `instances[]`, `route`, `routes[].next_hops[]`. */
  at: string;
  /** Field name → the kind of value the client takes. */
  fields: Record<string, SchemaKind>;
}

type SchemaKind = 'string' | 'number' | 'boolean' | 'array' | 'object';

interface ZodDef {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

function defOf(schema: z.ZodType): ZodDef {
  return (schema as unknown as { def: ZodDef }).def;
}

/** The schema without its optional/nullable wrappers. */
function unwrapped(schema: z.ZodType): z.ZodType {
  let inner = schema;
  while (['optional', 'nullable'].includes(defOf(inner).type)) inner = defOf(inner).innerType!;
  return inner;
}

/** An object schema's fields and the kind each takes. */
export function schemaFields(schema: z.ZodType): Record<string, SchemaKind> {
  const shape = defOf(unwrapped(schema)).shape;
  if (!shape) throw new Error('not an object schema');
  return Object.fromEntries(Object.entries(shape).map(([name, field]) => [name, defOf(unwrapped(field)).type as SchemaKind]));
}

const reads = (operation: string, at: string, schema: z.ZodType): ClientRead => ({ operation, at, fields: schemaFields(schema) });

export const CLIENT_READS: ClientRead[] = [
  { operation: 'keystoneListProjects', at: 'projects[]', fields: { id: 'string', name: 'string' } },
  reads('listEnterpriseRouters', 'instances[]', routerSchema),
  reads('showEnterpriseRouter', 'instance', routerSchema),
  reads('listRouteTables', 'route_tables[]', routeTableSchema),
  reads('showRouteTable', 'route_table', routeTableSchema),
  reads('listAttachments', 'attachments[]', listedAttachmentSchema),
  reads('showAttachment', 'attachment', attachmentSchema),
  reads('listAssociations', 'associations[]', associationSchema),
  reads('associateRouteTable', 'association', associationSchema),
  reads('listPropagations', 'propagations[]', propagationSchema),
  reads('enablePropagation', 'propagation', propagationSchema),
  reads('listEffectiveRoutes', 'routes[]', effectiveRouteSchema),
  reads('listEffectiveRoutes', 'routes[].next_hops[]', nextHopSchema),
  reads('listStaticRoutes', 'routes[]', staticRouteSchema),
  reads('listStaticRoutes', 'routes[].attachments[]', nextHopSchema),
  reads('showStaticRoute', 'route', staticRouteSchema),
  reads('createStaticRoute', 'route', staticRouteSchema),
  reads('updateStaticRoute', 'route', staticRouteSchema),
  ...['listEnterpriseRouters', 'listRouteTables', 'listAttachments', 'listAssociations', 'listPropagations', 'listEffectiveRoutes', 'listStaticRoutes'].map((op) =>
    reads(op, 'page_info', pageInfoSchema as unknown as z.ZodType),
  ),
];

/** The fixture's field at `at` (`routes[].next_hops[]`), or undefined. */
export function fieldAt(body: FieldMap | undefined, at: string): Field | undefined {
  let fields = body;
  let field: Field | undefined;
  for (const part of at.split('.')) {
    const name = part.replace(/(\[\])+$/, '');
    field = fields?.[name];
    for (let depth = (part.length - name.length) / 2; depth > 0 && field; depth--) field = field.type === 'array' ? field.items : undefined;
    fields = field?.fields;
  }
  return field;
}

const MATCHES: Record<SchemaKind, FieldType[]> = {
  string: ['string'],
  number: ['integer', 'number'],
  boolean: ['boolean'],
  array: ['array'],
  object: ['object'],
};

/** Every field the client reads that the reference does not list at that place, or lists with another type. */
export function clientReadProblems(read: ClientRead, body: FieldMap | undefined): string[] {
  const where = `${read.operation}: the client reads ${read.at}`;
  const target = fieldAt(body, read.at);
  if (!target?.fields) return [`${where}, which the reference does not list as an object`];
  return Object.entries(read.fields).flatMap(([name, kind]) => {
    const field = target.fields![name];
    if (!field) return [`${where}.${name}, which the reference does not list`];
    return MATCHES[kind]?.includes(field.type) ? [] : [`${where}.${name} as ${kind}, the reference's type is ${field.type}`];
  });
}
