// The contract fixtures (test/fixtures/contract/*.json, one per API operation, written from the ER
// and IAM API references) keep to one small shape, so that other tests can interpret them. This
// checks the shape only, not the facts: docs/api-reference.md says where each fact comes from.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'contract');

const OPERATIONS = [
  'keystoneListProjects',
  'listEnterpriseRouters',
  'showEnterpriseRouter',
  'listRouteTables',
  'showRouteTable',
  'listAttachments',
  'showAttachment',
  'listAssociations',
  'associateRouteTable',
  'disassociateRouteTable',
  'listPropagations',
  'enablePropagation',
  'disablePropagation',
  'listEffectiveRoutes',
  'listStaticRoutes',
  'showStaticRoute',
  'createStaticRoute',
  'updateStaticRoute',
  'deleteStaticRoute',
];

const TOP_KEYS = new Set([
  'operation',
  'reference',
  'method',
  'path',
  'query',
  'request_headers',
  'request_body',
  'status',
  'response_headers',
  'response_body',
  'errors',
  'notes',
  'unverified',
]);
const REQUIRED_TOP_KEYS = ['operation', 'reference', 'method', 'path', 'status', 'errors', 'notes', 'unverified'];
const FIELD_MAPS = ['query', 'request_headers', 'request_body', 'response_headers', 'response_body'] as const;
type Side = (typeof FIELD_MAPS)[number];
const TYPES = new Set(['string', 'integer', 'number', 'boolean', 'object', 'array']);
const FIELD_KEYS = new Set(['type', 'required', 'nullable', 'array', 'min', 'max', 'enum', 'fields', 'items']);
const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE']);
const ERROR_KEYS = ['code', 'meaning', 'source', 'status'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every way `field` (at `where`) breaks the type language, as readable lines. */
function fieldProblems(field: Json | undefined, where: string, side: Side): string[] {
  if (!isObject(field)) return [`${where}: not an object`];
  const problems: string[] = [];
  for (const key of Object.keys(field)) if (!FIELD_KEYS.has(key)) problems.push(`${where}: unknown key "${key}"`);
  const type = field.type;
  if (typeof type !== 'string' || !TYPES.has(type)) return [...problems, `${where}: unknown type ${JSON.stringify(type)}`];
  const requestSide = side === 'query' || side === 'request_headers' || side === 'request_body';
  for (const flag of ['required', 'nullable', 'array'] as const) {
    if (flag in field && typeof field[flag] !== 'boolean') problems.push(`${where}: ${flag} is not a boolean`);
  }
  if ('required' in field && !requestSide) problems.push(`${where}: "required" on the response side`);
  if ('array' in field && (side !== 'query' || field.array !== true)) {
    problems.push(`${where}: "array" is only for query parameters, as true`);
  }
  for (const bound of ['min', 'max'] as const) {
    if (bound in field && typeof field[bound] !== 'number') problems.push(`${where}: ${bound} is not a number`);
  }
  if (['boolean', 'object'].includes(type) && ('min' in field || 'max' in field)) problems.push(`${where}: min/max on a ${type}`);
  if (typeof field.min === 'number' && typeof field.max === 'number' && field.min > field.max) problems.push(`${where}: min > max`);
  if ('enum' in field) {
    const values = field.enum;
    const expected = type === 'integer' || type === 'number' ? 'number' : type;
    if (!Array.isArray(values) || values.length === 0) problems.push(`${where}: enum is not a non-empty array`);
    else if (values.some((v) => typeof v !== expected)) problems.push(`${where}: enum values are not all of type ${type}`);
  }
  if ('fields' in field) {
    if (type !== 'object') problems.push(`${where}: "fields" on a ${type}`);
    else problems.push(...mapProblems(field.fields, `${where}.fields`, side));
  }
  if ('items' in field) {
    if (type !== 'array') problems.push(`${where}: "items" on a ${type}`);
    else problems.push(...fieldProblems(field.items, `${where}.items`, side));
  }
  if (type === 'array' && side !== 'query' && !('items' in field)) problems.push(`${where}: an array without items`);
  return problems;
}

function mapProblems(map: Json | undefined, where: string, side: Side): string[] {
  if (!isObject(map)) return [`${where}: not an object`];
  if (Object.keys(map).length === 0) return [`${where}: empty (omit the key instead)`];
  return Object.entries(map).flatMap(([name, field]) => fieldProblems(field, `${where}.${name}`, side));
}

function fixtureProblems(fixture: Json, file: string): string[] {
  if (!isObject(fixture)) return ['the file is not a JSON object'];
  const problems: string[] = [];
  for (const key of Object.keys(fixture)) if (!TOP_KEYS.has(key)) problems.push(`unknown top-level key "${key}"`);
  for (const key of REQUIRED_TOP_KEYS) if (!(key in fixture)) problems.push(`missing "${key}"`);
  if (fixture.operation !== file.replace(/\.json$/, '')) {
    problems.push(`operation ${JSON.stringify(fixture.operation)} is not the file name`);
  }
  if (typeof fixture.reference !== 'string' || !fixture.reference.startsWith('https://support.huaweicloud.com/intl/en-us/')) {
    problems.push('reference is not a support.huaweicloud.com/intl/en-us page');
  }
  if (typeof fixture.method !== 'string' || !METHODS.has(fixture.method)) problems.push(`method ${JSON.stringify(fixture.method)}`);
  if (typeof fixture.path !== 'string' || !fixture.path.startsWith('/v3/')) problems.push(`path ${JSON.stringify(fixture.path)}`);
  else if (!/^(\/([a-z0-9-]+|\{[a-z_]+\}))+$/.test(fixture.path)) problems.push(`path ${fixture.path} has an odd segment`);
  if (typeof fixture.status !== 'number' || !Number.isInteger(fixture.status) || fixture.status < 200 || fixture.status > 299) {
    problems.push(`status ${JSON.stringify(fixture.status)} is not a 2xx`);
  }
  for (const side of FIELD_MAPS) if (side in fixture) problems.push(...mapProblems(fixture[side], side, side));
  if (fixture.method === 'GET' && 'request_body' in fixture) problems.push('a GET with a request body');
  const errors = fixture.errors;
  if (!Array.isArray(errors)) problems.push('errors is not an array');
  else {
    errors.forEach((error, i) => {
      if (!isObject(error)) {
        problems.push(`errors[${i}] is not an object`);
        return;
      }
      if (Object.keys(error).sort().join() !== ERROR_KEYS.join()) problems.push(`errors[${i}] keys are not ${ERROR_KEYS.join(', ')}`);
      if (typeof error.status !== 'number' || error.status < 400 || error.status > 599) problems.push(`errors[${i}].status`);
      if (typeof error.code !== 'string' || !/^(ER|APIGW|IAM)\.\d{4,8}$/.test(error.code)) problems.push(`errors[${i}].code`);
      for (const key of ['meaning', 'source'] as const) {
        if (typeof error[key] !== 'string' || error[key] === '') problems.push(`errors[${i}].${key}`);
      }
    });
    const codes = errors.map((e) => (isObject(e) ? e.code : undefined));
    if (new Set(codes).size !== codes.length) problems.push('an error code is listed twice');
  }
  for (const key of ['notes', 'unverified'] as const) {
    const list = fixture[key];
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || s === '')) problems.push(`${key} is not a list of sentences`);
  }
  return problems;
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('contract fixtures', () => {
  it('has exactly one file per operation the client or emulator handles', () => {
    expect(files).toEqual([...OPERATIONS].sort().map((op) => `${op}.json`));
  });

  it.each(files)('%s follows the fixture shape', (file) => {
    const fixture = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Json;
    expect(fixtureProblems(fixture, file)).toEqual([]);
  });

  it('the shape check catches what it should', () => {
    const good: JsonObject = {
      operation: 'x',
      reference: 'https://support.huaweicloud.com/intl/en-us/api-er/X.html',
      method: 'GET',
      path: '/v3/{project_id}/things',
      query: { limit: { type: 'integer', min: 1, max: 2000 }, state: { type: 'string', array: true } },
      status: 200,
      response_body: { things: { type: 'array', items: { type: 'object', fields: { id: { type: 'string' } } } } },
      errors: [{ status: 404, code: 'ER.04041001', meaning: 'gone', source: 'ErrorCode.html' }],
      notes: [],
      unverified: [],
    };
    expect(fixtureProblems(good, 'x.json')).toEqual([]);
    const broken = (change: JsonObject) => fixtureProblems({ ...good, ...change }, 'x.json');
    expect(broken({ operation: 'y' })).toHaveLength(1);
    expect(broken({ method: 'PATCH' })).toHaveLength(1);
    expect(broken({ path: '/v2/things' })).toHaveLength(1);
    expect(broken({ extra: 1 })).toHaveLength(1);
    expect(broken({ response_body: { id: { type: 'string', fields: { a: { type: 'string' } } } } })).toHaveLength(1);
    expect(broken({ response_body: { id: { type: 'uuid' } } })).toHaveLength(1);
    expect(broken({ response_body: { id: { type: 'string', required: true } } })).toHaveLength(1);
    expect(broken({ response_body: { id: { type: 'string', array: true } } })).toHaveLength(1);
    expect(broken({ query: { limit: { type: 'integer', min: 5, max: 1 } } })).toHaveLength(1);
    expect(broken({ errors: [{ status: 404, code: 'nope', meaning: 'm', source: 's' }] })).toHaveLength(1);
  });
});
