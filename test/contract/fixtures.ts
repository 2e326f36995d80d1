// The contract fixtures (test/fixtures/contract/<operation>.json, written from the API reference)
// as typed values, for the contract test and its checker. fixtures.test.ts keeps their shape.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';

/** One field, query parameter or header, in the fixtures' small type language. */
export interface Field {
  type: FieldType;
  /** Request side only: must be sent. */
  required?: boolean;
  nullable?: boolean;
  /** Query only: the name may repeat. */
  array?: boolean;
  /** Length of a string or an array, value of a number. */
  min?: number;
  max?: number;
  enum?: Array<string | number | boolean>;
  fields?: FieldMap;
  items?: Field;
}

export type FieldMap = Record<string, Field>;

export interface Fixture {
  operation: string;
  reference: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: FieldMap;
  request_headers?: FieldMap;
  request_body?: FieldMap;
  status: number;
  response_headers?: FieldMap;
  response_body?: FieldMap;
  errors: Array<{ status: number; code: string; meaning: string; source: string }>;
  notes: string[];
  unverified: string[];
}

export const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'contract');

/** Every fixture, by operation name (the file name). */
export function loadFixtures(): Map<string, Fixture> {
  const fixtures = new Map<string, Fixture>();
  for (const file of readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const fixture = JSON.parse(readFileSync(join(FIXTURE_DIR, file), 'utf8')) as Fixture;
    fixtures.set(file.replace(/\.json$/, ''), fixture);
  }
  return fixtures;
}

/** The fixture's path with its `{placeholders}` as a pattern for one path segment each. */
export function pathPattern(path: string): RegExp {
  const source = path
    .split(/(\{[a-z_]+\})/)
    .map((part) => (/^\{[a-z_]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** The fixture's path with the placeholders filled in. */
export function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return encodeURIComponent(value);
  });
}
