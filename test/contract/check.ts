// Checks a request or an answer against an operation's fixture and says every way it departs from
// it, one line per problem, each naming the operation and the field's path (`instances[0].tags[1].key`).
//
// Answers: every field the fixture lists must be there, with its type (null only where the
// fixture says nullable), and nothing else, down through nested objects and array items.
// Requests: only fields, query names and values the fixture lists, required ones present.
import type { Field, FieldMap, Fixture } from './fixtures.js';
import { pathPattern } from './fixtures.js';

/** Which side of the wire: an answer must have every field, a request only its required ones. */
type Side = 'request' | 'response';

/** A request as it arrived (the emulator's RecordedRequest has these). */
export interface WireRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  /** Lower-case names. */
  headers: Record<string, string>;
  json?: unknown;
}

/** An answer as it arrived. */
export interface WireAnswer {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Walks a value against a field; `seen` collects the schema paths met (`instances[].tags[].key`). */
class Walker {
  readonly problems: string[] = [];

  constructor(
    private readonly side: Side,
    private readonly seen?: Set<string>,
  ) {}

  value(field: Field, value: unknown, where: string, schemaPath: string): void {
    this.seen?.add(schemaPath);
    if (value === null) {
      if (!field.nullable) this.problems.push(`${where}: null, but the reference does not allow null here`);
      return;
    }
    switch (field.type) {
      case 'string':
        if (typeof value !== 'string') return this.wrongType(field, value, where);
        this.length(field, value.length, where, 'characters');
        break;
      case 'integer':
        if (typeof value !== 'number' || !Number.isInteger(value)) return this.wrongType(field, value, where);
        this.bounds(field, value, where);
        break;
      case 'number':
        if (typeof value !== 'number' || !Number.isFinite(value)) return this.wrongType(field, value, where);
        this.bounds(field, value, where);
        break;
      case 'boolean':
        if (typeof value !== 'boolean') return this.wrongType(field, value, where);
        break;
      case 'object':
        if (!isPlainObject(value)) return this.wrongType(field, value, where);
        if (field.fields) this.object(field.fields, value, where, schemaPath);
        break;
      case 'array':
        if (!Array.isArray(value)) return this.wrongType(field, value, where);
        this.length(field, value.length, where, 'items');
        if (field.items) value.forEach((item, i) => this.value(field.items!, item, `${where}[${i}]`, `${schemaPath}[]`));
        break;
    }
    if (field.enum && !field.enum.includes(value as string | number | boolean)) {
      this.problems.push(`${where}: ${JSON.stringify(value)} is not one of ${JSON.stringify(field.enum)}`);
    }
  }

  object(fields: FieldMap, value: Record<string, unknown>, where: string, schemaPath: string): void {
    const at = (name: string) => (where ? `${where}.${name}` : name);
    const schemaAt = (name: string) => (schemaPath ? `${schemaPath}.${name}` : name);
    for (const [name, field] of Object.entries(fields)) {
      if (name in value) this.value(field, value[name], at(name), schemaAt(name));
      else if (this.side === 'response' || field.required) this.problems.push(`${at(name)}: missing (the reference lists it${this.side === 'request' ? ' as required' : ''})`);
    }
    for (const name of Object.keys(value)) {
      if (!(name in fields)) this.problems.push(`${at(name)}: not in the reference (${JSON.stringify(value[name])?.slice(0, 80)})`);
    }
  }

  private wrongType(field: Field, value: unknown, where: string): void {
    this.problems.push(`${where}: expected ${field.type}, got ${describeType(value)} ${JSON.stringify(value)?.slice(0, 80)}`);
  }

  private length(field: Field, length: number, where: string, unit: string): void {
    if (field.min !== undefined && length < field.min) this.problems.push(`${where}: ${length} ${unit}, the reference's minimum is ${field.min}`);
    if (field.max !== undefined && length > field.max) this.problems.push(`${where}: ${length} ${unit}, the reference's maximum is ${field.max}`);
  }

  private bounds(field: Field, value: number, where: string): void {
    if (field.min !== undefined && value < field.min) this.problems.push(`${where}: ${value} is below the reference's minimum ${field.min}`);
    if (field.max !== undefined && value > field.max) this.problems.push(`${where}: ${value} is above the reference's maximum ${field.max}`);
  }
}

/** Problems of a JSON body (`undefined`: none was sent) against the fixture's body fields. */
export function bodyProblems(fields: FieldMap | undefined, body: unknown, side: Side, seen?: Set<string>): string[] {
  if (!fields) return body === undefined ? [] : [`body: the reference lists no body, got ${JSON.stringify(body).slice(0, 120)}`];
  if (body === undefined) return ['body: missing (the reference lists one)'];
  const walker = new Walker(side, seen);
  if (!isPlainObject(body)) return [`body: expected a JSON object, got ${describeType(body)}`];
  walker.object(fields, body, '', '');
  return walker.problems.map((p) => `body ${p}`);
}

/** Problems of a query as sent (decoded, a repeated name has several values). */
export function queryProblems(fields: FieldMap | undefined, query: Record<string, string[]>): string[] {
  const problems: string[] = [];
  const known = fields ?? {};
  for (const [name, values] of Object.entries(query)) {
    const field = known[name];
    if (!field) {
      problems.push(`query ${name}: not a parameter of this operation in the reference`);
      continue;
    }
    if (values.length > 1 && !field.array) problems.push(`query ${name}: sent ${values.length} times, the reference allows it once`);
    for (const value of values) problems.push(...wireValueProblems(field, value, `query ${name}`));
  }
  for (const [name, field] of Object.entries(known)) if (field.required && !(name in query)) problems.push(`query ${name}: missing (the reference lists it as required)`);
  return problems;
}

/** A value as text on the wire (query or header) against its field. */
function wireValueProblems(field: Field, text: string, where: string): string[] {
  let value: unknown = text;
  if (field.type === 'integer') {
    if (!/^-?\d+$/.test(text)) return [`${where}: ${JSON.stringify(text)} is not an integer`];
    value = Number(text);
  } else if (field.type === 'number') {
    value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) return [`${where}: ${JSON.stringify(text)} is not a number`];
  } else if (field.type === 'boolean') {
    if (text !== 'true' && text !== 'false') return [`${where}: ${JSON.stringify(text)} is not true or false`];
    value = text === 'true';
  } else if (field.type !== 'string') {
    return [`${where}: a ${field.type} cannot travel in a query or header`];
  }
  const walker = new Walker('request');
  walker.value({ ...field, nullable: false }, value, where, where);
  return walker.problems;
}

/**
 * Headers against the fixture's: on a request, required ones must be there and any sent must be
 * valid; on an answer, every listed one must be there. Names are compared case-insensitively.
 */
export function headerProblems(fields: FieldMap | undefined, headers: Record<string, string | string[] | undefined>, side: Side): string[] {
  const problems: string[] = [];
  for (const [name, field] of Object.entries(fields ?? {})) {
    const raw = headers[name.toLowerCase()];
    const value = Array.isArray(raw) ? raw.join(',') : raw;
    if (value === undefined) {
      if (side === 'response' || field.required) problems.push(`header ${name}: missing (the reference lists it${side === 'request' ? ' as required' : ''})`);
      continue;
    }
    problems.push(...wireValueProblems(field, value, `header ${name}`));
  }
  return problems;
}

/** Everything wrong with a request the client sent, against the operation's fixture. */
export function requestProblems(fixture: Fixture, request: WireRequest): string[] {
  const problems: string[] = [];
  if (request.method !== fixture.method) problems.push(`method: ${request.method}, the reference's is ${fixture.method}`);
  if (!pathPattern(fixture.path).test(request.path)) problems.push(`path: ${request.path} is not ${fixture.path}`);
  problems.push(...queryProblems(fixture.query, request.query));
  problems.push(...headerProblems(fixture.request_headers, request.headers, 'request'));
  problems.push(...bodyProblems(fixture.request_body, request.json, 'request'));
  return problems.map((p) => `${fixture.operation}: request ${p}`);
}

/** Everything wrong with an answer, against the operation's fixture; `seen` collects the fields met. */
export function answerProblems(fixture: Fixture, answer: WireAnswer, seen?: Set<string>): string[] {
  const problems: string[] = [];
  if (answer.status !== fixture.status) problems.push(`status: ${answer.status}, the reference's is ${fixture.status} (${answer.text.slice(0, 200)})`);
  problems.push(...headerProblems(fixture.response_headers, answer.headers, 'response'));
  if (!fixture.response_body) {
    if (answer.text !== '') problems.push(`body: the reference lists none, got ${answer.text.slice(0, 120)}`);
  } else {
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      problems.push(`body: not JSON: ${answer.text.slice(0, 120)}`);
    }
    if (body !== undefined) problems.push(...bodyProblems(fixture.response_body, body, 'response', seen));
  }
  return problems.map((p) => `${fixture.operation}: answer ${p}`);
}

/** Every schema path of a body (`instances`, `instances[]`, `instances[].tags[].key`, …). */
export function schemaPaths(fields: FieldMap | undefined, prefix = ''): string[] {
  const paths: string[] = [];
  for (const [name, field] of Object.entries(fields ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    paths.push(path, ...fieldPaths(field, path));
  }
  return paths;
}

function fieldPaths(field: Field, path: string): string[] {
  if (field.type === 'object') return schemaPaths(field.fields, path);
  if (field.type === 'array' && field.items) return [`${path}[]`, ...fieldPaths(field.items, `${path}[]`)];
  return [];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
