// A walker that reports the tool-schema patterns MCP Inspector's portability lint flags.
//
// Where the rules come from: MCP Inspector added a "tool-schema portability lint"
// (core/json/schemaLint.ts, pull request modelcontextprotocol/inspector#2121, "flag unportable
// tool schemas in all three clients", 2026-08) and reworded one rule in #2395 ("reframe the
// type-union lint as a portability trade", 2026-09). From those two threads:
// - `type-union` (warning): `type` written as an array, e.g. `["string", "null"]`. Legal JSON
//   Schema, but consumers that translate tool schemas into a one-type dialect (the OpenAPI 3.0
//   subset behind Gemini function declarations, where nullability is `nullable: true`) cannot take
//   it; the suggested fix is `anyOf` of single-type schemas.
// - `boolean-schema` (error): a bare `true`/`false` where a schema object is expected, except under
//   the keywords whose value may be a boolean (`additionalProperties: false` stays fine); the
//   suggested spelling of "anything" is `{"type": "object", "additionalProperties": true}` or the
//   concrete type. (Claude Code refused a bare `true` in an output schema: inspector#1005.)
// - the empty schema `{}` (warning in the counts issue 23 quotes: "10 empty `{}` schemas"): a
//   schema that constrains nothing, as zod writes `z.unknown()`.
// The stored copy of the Inspector's repository predates schemaLint.ts, so the rules here are
// written from those descriptions; this file is not the Inspector's code.
//
// An empty schema is taken to be an object schema with no keyword other than annotations.

export type Finding = { rule: 'type-union' | 'boolean-schema' | 'empty-schema'; path: string };

const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly']);
/** Keywords whose value may legitimately be a boolean rather than a schema object. */
const BOOLEAN_VALUED = new Set(['additionalProperties', 'additionalItems', 'unevaluatedProperties', 'unevaluatedItems']);
const SCHEMA_KEYWORDS = ['additionalItems', 'additionalProperties', 'propertyNames', 'contains', 'not', 'if', 'then', 'else', 'unevaluatedProperties', 'unevaluatedItems'];
const SCHEMA_LIST_KEYWORDS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas'];

export function lintSchema(schema: unknown, path = '$', keyword?: string): Finding[] {
  if (typeof schema === 'boolean') return keyword !== undefined && BOOLEAN_VALUED.has(keyword) ? [] : [{ rule: 'boolean-schema', path }];
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return [];
  const node = schema as Record<string, unknown>;
  const findings: Finding[] = [];
  if (Array.isArray(node.type)) findings.push({ rule: 'type-union', path: `${path}.type` });
  if (Object.keys(node).every((k) => ANNOTATIONS.has(k))) findings.push({ rule: 'empty-schema', path });
  for (const k of SCHEMA_KEYWORDS) if (k in node) findings.push(...lintSchema(node[k], `${path}.${k}`, k));
  for (const k of SCHEMA_LIST_KEYWORDS) {
    const list = node[k];
    if (Array.isArray(list)) list.forEach((item, i) => findings.push(...lintSchema(item, `${path}.${k}[${i}]`, k)));
  }
  for (const k of SCHEMA_MAP_KEYWORDS) {
    const map = node[k];
    if (map && typeof map === 'object') for (const [name, value] of Object.entries(map)) findings.push(...lintSchema(value, `${path}.${k}.${name}`, k));
  }
  if (Array.isArray(node.items)) node.items.forEach((item, i) => findings.push(...lintSchema(item, `${path}.items[${i}]`, 'items')));
  else if ('items' in node) findings.push(...lintSchema(node.items, `${path}.items`, 'items'));
  if (node.dependencies && typeof node.dependencies === 'object') {
    for (const [name, value] of Object.entries(node.dependencies)) if (!Array.isArray(value)) findings.push(...lintSchema(value, `${path}.dependencies.${name}`, 'dependencies'));
  }
  return findings;
}

/** Every finding in a tools/list answer, as `tool side path (rule)`. */
export function lintTools(tools: readonly { name: string; inputSchema: unknown; outputSchema?: unknown }[]): string[] {
  return tools.flatMap((tool) => [
    ...lintSchema(tool.inputSchema).map((f) => `${tool.name} inputSchema ${f.path} (${f.rule})`),
    ...(tool.outputSchema === undefined ? [] : lintSchema(tool.outputSchema).map((f) => `${tool.name} outputSchema ${f.path} (${f.rule})`)),
  ]);
}
