// tools/list schemas in the subset that model providers and MCP clients translate without loss.
//
// zod writes a nullable field as a type array (`{"type": ["string", "null"]}`) and an unknown
// value as the empty schema `{}` (for instance the values of `z.record(z.string(), z.unknown())`
// or of a loose object). Both are legal JSON Schema, but consumers that speak a one-type-per-schema
// dialect (the OpenAPI 3.0 subset behind Gemini function declarations, for one) cannot take the
// first, and some clients refuse the second; MCP Inspector flags both. `portableSchema` rewrites
// them into equivalents that accept exactly the same instances:
//
// - `{"type": [A, B], ...}` becomes `{"anyOf": [{"type": A, ...A's keywords}, {"type": B, ...}], ...}`:
//   annotations (description, title, default, …) and keywords that are not specific to one type
//   (enum, const, …) stay on the outer level; keywords that only constrain one type move into the
//   branch of that type. A one-element array becomes a plain `type`.
// - `"additionalProperties": {}` becomes `"additionalProperties": true` (the same meaning, spelt
//   as the boolean the keyword allows). An empty schema anywhere else is left as it is: the test
//   of tools/list (test/schema-portability.test.ts) flags it so that the zod definition is fixed.
//
// The function is pure: it returns a new schema and leaves its argument alone. Runtime validation
// of tool results still uses the zod schemas, so nothing here changes what a tool may return.

export type JsonSchema = { [keyword: string]: unknown };

/** Keywords that only constrain instances of one JSON type (draft-7 validation vocabulary). */
const KEYWORDS_OF_TYPE: Record<string, readonly string[]> = {
  string: ['minLength', 'maxLength', 'pattern', 'format', 'contentEncoding', 'contentMediaType'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  integer: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  array: ['items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems', 'contains'],
  object: ['properties', 'patternProperties', 'additionalProperties', 'required', 'propertyNames', 'minProperties', 'maxProperties', 'dependencies'],
};
const TYPE_SPECIFIC = new Set(Object.values(KEYWORDS_OF_TYPE).flat());

/** Keywords whose value is a schema. */
const SCHEMA_KEYWORDS = ['additionalItems', 'additionalProperties', 'propertyNames', 'contains', 'not', 'if', 'then', 'else'];
/** Keywords whose value is a list of schemas. */
const SCHEMA_LIST_KEYWORDS = ['anyOf', 'oneOf', 'allOf'];
/** Keywords whose value maps names to schemas. */
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', 'definitions', '$defs'];

export function portableSchema(schema: JsonSchema): JsonSchema {
  return splitTypeArray(withPortableChildren(schema));
}

function isSchemaObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function portable(value: unknown): unknown {
  return isSchemaObject(value) ? portableSchema(value) : value;
}

function withPortableChildren(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  for (const keyword of SCHEMA_KEYWORDS) if (keyword in out) out[keyword] = portable(out[keyword]);
  for (const keyword of SCHEMA_LIST_KEYWORDS) if (Array.isArray(out[keyword])) out[keyword] = (out[keyword] as unknown[]).map(portable);
  for (const keyword of SCHEMA_MAP_KEYWORDS) {
    const map = out[keyword];
    if (isSchemaObject(map)) out[keyword] = Object.fromEntries(Object.entries(map).map(([name, value]) => [name, portable(value)]));
  }
  if ('items' in out) out.items = Array.isArray(out.items) ? out.items.map(portable) : portable(out.items);
  if (isSchemaObject(out.dependencies)) {
    // A dependency is either a schema or a list of property names; only the former is rewritten.
    out.dependencies = Object.fromEntries(Object.entries(out.dependencies).map(([name, value]) => [name, portable(value)]));
  }
  if (isSchemaObject(out.additionalProperties) && Object.keys(out.additionalProperties).length === 0) out.additionalProperties = true;
  return out;
}

function splitTypeArray(schema: JsonSchema): JsonSchema {
  const { type, ...rest } = schema;
  if (!Array.isArray(type)) return schema;
  if (type.length === 1) return { ...rest, type: type[0] };

  const outer: JsonSchema = {};
  const specific: JsonSchema = {};
  for (const [keyword, value] of Object.entries(rest)) (TYPE_SPECIFIC.has(keyword) ? specific : outer)[keyword] = value;
  const branches = (type as string[]).map((name) => {
    const branch: JsonSchema = { type: name };
    for (const keyword of KEYWORDS_OF_TYPE[name] ?? []) if (keyword in specific) branch[keyword] = specific[keyword];
    return branch;
  });
  if (outer.anyOf === undefined) return { ...outer, anyOf: branches };
  // The node already has an anyOf of its own: both must hold.
  return { ...outer, allOf: [...((outer.allOf as unknown[] | undefined) ?? []), { anyOf: branches }] };
}
