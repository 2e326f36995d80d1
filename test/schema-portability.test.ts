// Tool schemas in the portable subset (issue 23, "Protocol quality"): no `type` arrays, no empty
// schemas, no bare boolean schemas, in any tool's input or output schema. The rules and where they
// come from are written down in ./schema-lint.ts; the rewrite is src/toolkit/portable-schema.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Emulator } from '../src/emulator/emulator.js';
import { portableSchema, type JsonSchema } from '../src/toolkit/portable-schema.js';
import { connectInMemory, startTestEmulator } from './helpers.js';
import { lintSchema, lintTools } from './schema-lint.js';

describe('portableSchema', () => {
  it('writes a nullable string as anyOf of a string and null', () => {
    expect(portableSchema({ type: ['string', 'null'] })).toEqual({ anyOf: [{ type: 'string' }, { type: 'null' }] });
  });

  it('keeps the description on the outer level and type-specific keywords in their branch', () => {
    const schema = { description: 'A name, or null when none', type: ['string', 'null'], maxLength: 64, format: 'hostname' };
    expect(portableSchema(schema)).toEqual({ description: 'A name, or null when none', anyOf: [{ type: 'string', maxLength: 64, format: 'hostname' }, { type: 'null' }] });
  });

  it('splits a nullable object with a description, its properties going into the object branch', () => {
    const schema = {
      description: 'The route, null when gone',
      type: ['object', 'null'],
      properties: { id: { type: ['string', 'null'] } },
      required: ['id'],
      additionalProperties: false,
    };
    expect(portableSchema(schema)).toEqual({
      description: 'The route, null when gone',
      anyOf: [{ type: 'object', properties: { id: { anyOf: [{ type: 'string' }, { type: 'null' }] } }, required: ['id'], additionalProperties: false }, { type: 'null' }],
    });
  });

  it('reaches nullable fields inside arrays of objects, inside anyOf and inside definitions', () => {
    const schema = {
      type: 'object',
      properties: {
        rows: { type: 'array', items: { type: 'object', properties: { via: { type: ['boolean', 'null'] } } } },
        pair: { type: 'array', items: [{ type: ['integer', 'null'], minimum: 0 }] },
        either: { anyOf: [{ type: ['string', 'null'] }, { type: 'number' }] },
      },
      definitions: { x: { type: ['number', 'null'] } },
    };
    const out = portableSchema(schema);
    expect(lintSchema(out)).toEqual([]);
    expect(out).toMatchObject({
      properties: {
        rows: { items: { properties: { via: { anyOf: [{ type: 'boolean' }, { type: 'null' }] } } } },
        pair: { items: [{ anyOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }] }] },
        either: { anyOf: [{ anyOf: [{ type: 'string' }, { type: 'null' }] }, { type: 'number' }] },
      },
      definitions: { x: { anyOf: [{ type: 'number' }, { type: 'null' }] } },
    });
  });

  it('writes a one-element type array as a plain type, and a type array beside anyOf as allOf', () => {
    expect(portableSchema({ type: ['string'] })).toEqual({ type: 'string' });
    expect(portableSchema({ type: ['string', 'null'], anyOf: [{ minLength: 1 }, { type: 'null' }] })).toEqual({
      anyOf: [{ minLength: 1 }, { type: 'null' }],
      allOf: [{ anyOf: [{ type: 'string' }, { type: 'null' }] }],
    });
  });

  it('spells an empty additionalProperties as true, and leaves booleans and other keywords alone', () => {
    expect(portableSchema({ type: 'object', propertyNames: { type: 'string' }, additionalProperties: {} })).toEqual({ type: 'object', propertyNames: { type: 'string' }, additionalProperties: true });
    expect(portableSchema({ type: 'object', additionalProperties: false, enum: [{}] })).toEqual({ type: 'object', additionalProperties: false, enum: [{}] });
  });

  it('does what zod 4 needs: records of unknowns and nullable fields come out clean, with no $ref', () => {
    const schema = z.object({
      arguments: z.record(z.string(), z.unknown()).describe('Arguments'),
      state: z.string().nullable().describe('State, null when unknown'),
      extra: z.looseObject({ id: z.string() }).nullable(),
    });
    const before = z.toJSONSchema(schema, { target: 'draft-7', io: 'output' }) as JsonSchema;
    const after = portableSchema(before);
    expect(lintSchema(before).length).toBeGreaterThan(0);
    expect(lintSchema(after)).toEqual([]);
    expect(JSON.stringify(after)).not.toContain('$ref');
    expect(before).toEqual(z.toJSONSchema(schema, { target: 'draft-7', io: 'output' })); // not mutated
  });

  it('accepts and rejects what the original accepted and rejected (checked with the zod schema it came from)', () => {
    // Round trip: zod → JSON Schema → portable JSON Schema → zod must agree with the original.
    const schema = z.object({ name: z.string().max(5).nullable(), flag: z.boolean().nullable(), data: z.record(z.string(), z.unknown()) });
    const back = z.fromJSONSchema(portableSchema(z.toJSONSchema(schema, { target: 'draft-7', io: 'output' }) as JsonSchema) as never);
    const samples = [
      { name: 'abc', flag: null, data: {} },
      { name: null, flag: true, data: { a: 1, b: [null] } },
      { name: 'toolong', flag: true, data: {} },
      { name: 1, flag: true, data: {} },
      { name: null, flag: 'yes', data: {} },
      { name: null, flag: null, data: 3 },
    ];
    for (const sample of samples) expect(back.safeParse(sample).success, JSON.stringify(sample)).toBe(schema.safeParse(sample).success);
  });
});

describe('the lint', () => {
  it('finds each pattern where it is, and lets boolean additionalProperties pass', () => {
    const findings = lintSchema({
      type: 'object',
      additionalProperties: false,
      properties: { a: { type: ['string', 'null'] }, b: { description: 'anything' }, c: true, d: { type: 'array', items: {} } },
    });
    expect(findings).toEqual([
      { rule: 'type-union', path: '$.properties.a.type' },
      { rule: 'empty-schema', path: '$.properties.b' },
      { rule: 'boolean-schema', path: '$.properties.c' },
      { rule: 'empty-schema', path: '$.properties.d.items' },
    ]);
  });
});

describe.each([false, true])('tools/list schemas (read-only: %s)', (readOnly) => {
  let emulator: Emulator;
  let tools: Tool[];
  beforeAll(async () => {
    emulator = await startTestEmulator();
    const harness = await connectInMemory(emulator, { settings: { readOnly } });
    try {
      tools = (await harness.client.listTools()).tools;
    } finally {
      await harness.close();
    }
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('have no type arrays, empty schemas or bare boolean schemas, input or output', () => {
    expect(tools.length).toBeGreaterThan(0);
    expect(tools.every((tool) => tool.outputSchema !== undefined)).toBe(true);
    expect(lintTools(tools)).toEqual([]);
  });
});
