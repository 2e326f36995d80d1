// tools/list is a contract with clients: a committed snapshot (normal and read-only) makes every
// change to names, descriptions, schemas or annotations deliberate. Update with `npx vitest -u`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Emulator } from '../src/emulator/emulator.js';
import { connectInMemory, startTestEmulator } from './helpers.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator.close();
});

async function listTools(readOnly: boolean): Promise<Tool[]> {
  const harness = await connectInMemory(emulator, { settings: { readOnly } });
  try {
    return (await harness.client.listTools()).tools;
  } finally {
    await harness.close();
  }
}

const WRITE_TOOLS = ['create_route_association', 'delete_route_association', 'create_route_propagation', 'delete_route_propagation', 'create_static_route', 'delete_static_route'];

function walk(schema: unknown, visit: (node: Record<string, unknown>, path: string) => void, path = '$'): void {
  if (!schema || typeof schema !== 'object') return;
  visit(schema as Record<string, unknown>, path);
  for (const [key, value] of Object.entries(schema)) walk(value, visit, `${path}.${key}`);
}

describe('the instructions the server gives agents', () => {
  it('name the tools of each write workflow: create, wait, undo', async () => {
    const harness = await connectInMemory(emulator);
    try {
      const instructions = harness.client.getInstructions() ?? '';
      const tools = (await harness.client.listTools()).tools.map((t) => t.name);
      const steps = tools.filter((name) => /^(create|delete)_|^get_\w+_state$/.test(name));
      expect(steps.length).toBeGreaterThanOrEqual(9);
      expect(steps.filter((name) => !instructions.includes(name))).toEqual([]);
      expect(instructions).toContain('list_static_routes');
    } finally {
      await harness.close();
    }
  });
});

describe.each([false, true])('tools/list (read-only: %s)', (readOnly) => {
  let tools: Tool[];
  beforeAll(async () => {
    tools = await listTools(readOnly);
  });

  it('matches the committed snapshot', async () => {
    await expect(`${JSON.stringify(tools, null, 2)}\n`).toMatchFileSnapshot(`./fixtures/tools-list${readOnly ? '-read-only' : ''}.json`);
  });

  it('lists write tools only when not read-only', () => {
    const names = tools.map((t) => t.name);
    for (const name of WRITE_TOOLS) expect(names.includes(name)).toBe(!readOnly);
    expect(names.length).toBe(readOnly ? 11 : 17);
  });

  it('describes every tool and every parameter, with no top-level combinators and no $ref', () => {
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(20);
      expect(tool.inputSchema.type).toBe('object');
      for (const combinator of ['anyOf', 'oneOf', 'allOf']) {
        expect(tool.inputSchema, `${tool.name} input`).not.toHaveProperty(combinator);
        expect(tool.outputSchema ?? {}, `${tool.name} output`).not.toHaveProperty(combinator);
      }
      for (const [name, property] of Object.entries(tool.inputSchema.properties ?? {})) {
        expect((property as { description?: string }).description, `${tool.name}.${name}`).toBeTruthy();
      }
      walk([tool.inputSchema, tool.outputSchema], (node, path) => expect(node, `${tool.name} ${path}`).not.toHaveProperty('$ref'));
    }
  });

  it('carries truthful annotations', () => {
    for (const tool of tools) {
      const a = tool.annotations ?? {};
      expect(Object.keys(a).sort(), tool.name).toEqual(['destructiveHint', 'idempotentHint', 'openWorldHint', 'readOnlyHint']);
      expect(a.openWorldHint, tool.name).toBe(true);
      if (tool.name === 'create_route_association' || tool.name === 'create_route_propagation' || tool.name === 'create_static_route') {
        expect(a).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true });
        expect(tool.description).toContain('same client_token');
      } else if (tool.name === 'delete_route_association' || tool.name === 'delete_route_propagation' || tool.name === 'delete_static_route') {
        expect(a).toMatchObject({ readOnlyHint: false, destructiveHint: true });
      } else {
        expect(a, tool.name).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
      }
    }
  });
});
