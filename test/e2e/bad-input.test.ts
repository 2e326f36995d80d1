// Malformed tool arguments: each gets a clear isError naming what is wrong, and not one HTTP
// request reaches the API. In memory for the whole matrix, then a handful through the built
// server over stdio.
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { textOf, useInMemorySession, useStdioSession } from '../helpers.js';

const valid = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };
type Field = keyof typeof valid;

/** Values no ID field may take: wrong types, path tricks, encodings, control and unicode characters, sizes. */
const BAD_IDS: Array<[string, unknown]> = [
  ['a number', 12345],
  ['zero', 0],
  ['a float', 1.5],
  ['true', true],
  ['false', false],
  ['null', null],
  ['an empty array', []],
  ['an array of one ID', [SANDBOX_IDS.router]],
  ['an empty object', {}],
  ['an object', { id: SANDBOX_IDS.router }],
  ['the empty string', ''],
  ['a space', ' '],
  ['a parent path', '../x'],
  ['dot dot', '..'],
  ['a dot', '.'],
  ['a slash', 'a/b'],
  ['a leading slash', '/v3/projects'],
  ['an encoded slash', '%2F'],
  ['encoded dots', '%2e%2e'],
  ['a backslash', 'a\\b'],
  ['a null byte', 'a\u0000b'],
  ['a trailing null byte', `${SANDBOX_IDS.router}\u0000`],
  ['a newline', 'a\nb'],
  ['a CRLF header injection', 'a\r\nX-Injected: 1'],
  ['a query string', 'a?b=c'],
  ['a fragment', 'a#b'],
  ['37 characters', 'x'.repeat(37)],
  ['a 1 MiB string', 'y'.repeat(1024 * 1024)],
  ['an accented letter', 'routé'],
  ['CJK characters', '路由器'],
  ['an emoji', 'er-😀'],
  ['full-width letters', 'ｅｒ１'],
  ['a right-to-left override', 'er\u202e1'],
  ['a zero-width space', 'er\u200b1'],
  ['a leading space', ` ${SANDBOX_IDS.router}`],
];

interface Case {
  name: string;
  tool: string;
  args: Record<string, unknown> | undefined;
  /** Text the error must contain: the field (or key) that is wrong. */
  mentions: string;
}

function cases(): Case[] {
  const list: Case[] = [];
  const fields: Field[] = ['er_id', 'route_table_id', 'attachment_id'];
  for (const field of fields) {
    for (const [name, value] of BAD_IDS) list.push({ name: `${field} is ${name}`, tool: 'create_route_association', args: { ...valid, [field]: value }, mentions: field });
  }
  for (const [name, value] of BAD_IDS.slice(0, 12)) {
    list.push({ name: `delete: attachment_id is ${name}`, tool: 'delete_route_association', args: { ...valid, attachment_id: value }, mentions: 'attachment_id' });
    list.push({ name: `get state: er_id is ${name}`, tool: 'get_association_state', args: { ...valid, er_id: value }, mentions: 'er_id' });
  }
  for (const field of fields) {
    const { [field]: _dropped, ...rest } = valid;
    list.push({ name: `${field} missing`, tool: 'create_route_association', args: rest, mentions: field });
    list.push({ name: `get state: ${field} missing`, tool: 'get_association_state', args: rest, mentions: field });
  }
  list.push({ name: 'no arguments at all', tool: 'create_route_association', args: undefined, mentions: 'er_id' });
  list.push({ name: 'an empty object', tool: 'create_route_association', args: {}, mentions: 'attachment_id' });
  const extras: Array<[string, Record<string, unknown>, string]> = [
    ['an unknown field', { ...valid, force: true }, 'force'],
    ['a differently cased ID field', { ...valid, ER_ID: SANDBOX_IDS.router }, 'ER_ID'],
    ['a route_policy the tool does not take', { ...valid, route_policy: { export_policy_id: 'x' } }, 'route_policy'],
    ['a project_id override', { ...valid, project_id: 'ffffffffffffffffffffffffffffffff' }, 'project_id'],
    ['an endpoint override', { ...valid, endpoint: 'http://169.254.169.254' }, 'endpoint'],
    ['a constructor key', { ...valid, constructor: { prototype: { polluted: true } } }, 'constructor'],
  ];
  for (const [name, args, key] of extras) list.push({ name: `extra field: ${name}`, tool: 'create_route_association', args, mentions: key });
  const tokens: Array<[string, unknown]> = [
    ['65 characters', 't'.repeat(65)],
    ['empty', ''],
    ['a path', '../token'],
    ['a number', 42],
    ['unicode', 'tökén'],
    ['null', null],
  ];
  for (const [name, value] of tokens) list.push({ name: `client_token is ${name}`, tool: 'create_route_association', args: { ...valid, client_token: value }, mentions: 'client_token' });
  for (const value of ['yes', 1, null]) list.push({ name: `dry_run is ${JSON.stringify(value)}`, tool: 'create_route_association', args: { ...valid, dry_run: value }, mentions: 'dry_run' });
  const waits: Array<[string, Record<string, unknown>, string]> = [
    ['a negative timeout', { timeout_seconds: -1 }, 'timeout_seconds'],
    ['a timeout over 900 s', { timeout_seconds: 901 }, 'timeout_seconds'],
    ['a fractional timeout', { timeout_seconds: 1.5 }, 'timeout_seconds'],
    ['a timeout as a string', { timeout_seconds: '10' }, 'timeout_seconds'],
    ['an unknown wait_for', { wait_for: 'done' }, 'wait_for'],
    ['wait_for as a number', { wait_for: 1 }, 'wait_for'],
  ];
  for (const [name, extra, key] of waits) list.push({ name: `get state: ${name}`, tool: 'get_association_state', args: { ...valid, ...extra }, mentions: key });
  list.push({ name: 'list_route_tables: er_id with a slash', tool: 'list_route_tables', args: { er_id: 'a/b' }, mentions: 'er_id' });
  list.push({ name: 'list_attachments: limit 0', tool: 'list_attachments', args: { er_id: SANDBOX_IDS.router, limit: 0 }, mentions: 'limit' });
  list.push({ name: 'list_attachments: a state with a slash', tool: 'list_attachments', args: { er_id: SANDBOX_IDS.router, state: '../x' }, mentions: 'state' });
  return list;
}

const ALL = cases();

describe('bad input in memory', () => {
  const session = useInMemorySession();

  it('covers at least 100 malformed calls', () => {
    expect(ALL.length).toBeGreaterThanOrEqual(100);
  });

  it.each(ALL.map((c) => [c.name, c] as const))('%s: a clear isError, no request', async (_name, c) => {
    const result = await session.harness.client.callTool({ name: c.tool, arguments: c.args });
    const text = textOf(result);
    session.outputs.push(text);
    expect(result.isError).toBe(true);
    expect(text).toContain(c.mentions);
    // Clear means short and to the point: never an echo of a huge input or a stack trace.
    expect(text.length).toBeLessThan(2_000);
    expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(session.emulator.requests).toHaveLength(0);
  });

  it.each<[string, unknown]>([
    ['an array', [SANDBOX_IDS.router]],
    ['a string', 'er_id=x'],
    ['a number', 7],
    ['null', null],
  ])('arguments that are %s get a one-line isError, with no request', async (name, args) => {
    const result = await session.harness.client.callTool({ name: 'create_route_association', arguments: args as Record<string, unknown> });
    const text = textOf(result);
    session.outputs.push(text);
    expect(result.isError).toBe(true);
    expect(text).toBe(`Invalid tools/call request: "arguments" must be a JSON object of named arguments (got ${name}).`);
    expect(session.emulator.requests).toHaveLength(0);
    // …and the session goes on.
    expect((await session.harness.client.listTools()).tools.length).toBeGreaterThan(0);
  });
});

describe('bad input through the built server over stdio', () => {
  const session = useStdioSession();

  const picked = ALL.filter((c) =>
    ['er_id is a parent path', 'route_table_id is an encoded slash', 'attachment_id is a null byte', 'attachment_id is a 1 MiB string', 'er_id is CJK characters', 'extra field: an endpoint override', 'client_token is 65 characters', 'er_id missing'].includes(c.name),
  );

  it('the handful picked are all there', () => {
    expect(picked).toHaveLength(8);
  });

  it('arguments that are an array: a one-line isError, no request, and the session goes on', async () => {
    const result = await session.server.client.callTool({ name: 'create_route_association', arguments: [SANDBOX_IDS.router] as unknown as Record<string, unknown> });
    const text = textOf(result);
    session.outputs.push(text);
    expect(result.isError).toBe(true);
    expect(text).toBe('Invalid tools/call request: "arguments" must be a JSON object of named arguments (got an array).');
    expect(session.emulator.requests).toHaveLength(0);
    expect((await session.server.client.listTools()).tools.length).toBeGreaterThan(0);
  });

  it("zod's own messages are in English: the bundle keeps its English locale (scripts/build.mjs, zodInEnglishOnly)", async () => {
    const args = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc, wait_for: 'soon' };
    const text = textOf(await session.server.client.callTool({ name: 'get_association_state', arguments: args }));
    session.outputs.push(text);
    expect(text).toContain('Invalid option: expected one of "available"|"deleted"|"terminal" at wait_for');
    expect(textOf(await session.server.client.callTool({ name: 'list_enterprise_routers', arguments: { extra: 1 } }))).toContain('Unrecognized key: "extra"');
    expect(session.emulator.requests).toHaveLength(0);
  });

  it.each(picked.map((c) => [c.name, c] as const))('%s: a clear isError, no request', async (_name, c) => {
    const result = await session.server.client.callTool({ name: c.tool, arguments: c.args }, CallToolResultSchema);
    const text = textOf(result);
    session.outputs.push(text);
    expect(result.isError).toBe(true);
    expect(text).toContain(c.mentions);
    expect(text.length).toBeLessThan(2_000);
    expect(session.emulator.requests).toHaveLength(0);
  });
});
