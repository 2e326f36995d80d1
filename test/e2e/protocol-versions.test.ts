// The protocol versions the built server speaks, over raw stdio lines as a client writes them.
// Clients built on the 2026-07-28 specification first send server/discover; this server (SDK 1.x)
// answers "method not found", and those clients fall back to initialize with 2025-11-25.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLI_PATH, tempDir } from '../helpers.js';

interface Message {
  jsonrpc: string;
  id?: unknown;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

/** What README's "MCP protocol versions" section promises, newest first. */
const SPOKEN = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05', '2024-10-07'];
const METHOD_NOT_FOUND = -32601;
/** Every tool the server lists, as recorded in the tools/list fixture. */
const TOOL_NAMES = (JSON.parse(readFileSync(new URL('../fixtures/tools-list.json', import.meta.url), 'utf8')) as Array<{ name: string }>).map((t) => t.name).sort();

/** The sandbox server on raw stdio, with the JSON-RPC messages it wrote, line by line. */
function startRawServer() {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLI_PATH, '--sandbox', '--audit-log', 'off'], {
    env: { PATH: process.env.PATH ?? '', HOME: tempDir('er-mcp-protocol') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const messages: Message[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffer.indexOf('\n')) !== -1) {
      messages.push(JSON.parse(buffer.slice(0, newline)) as Message);
      buffer = buffer.slice(newline + 1);
    }
  });
  const send = (message: Record<string, unknown>) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
  return {
    child,
    request: (id: number, method: string, params: Record<string, unknown> = {}) => send({ id, method, params }),
    notify: (method: string) => send({ method }),
    async answer(id: number): Promise<Message> {
      await vi.waitFor(() => expect(messages.some((m) => m.id === id)).toBe(true), { timeout: 15_000 });
      return messages.find((m) => m.id === id)!;
    },
  };
}

const initializeParams = (protocolVersion: string) => ({ protocolVersion, capabilities: {}, clientInfo: { name: 'protocol-test', version: '1.0.0' } });

describe('MCP protocol versions over stdio', () => {
  let server: ReturnType<typeof startRawServer> | undefined;
  afterEach(async () => {
    if (!server) return;
    const exited = new Promise((resolve) => server!.child.once('exit', resolve));
    server.child.stdin.end();
    await exited;
    server = undefined;
  });

  it('a 2026-07-28 client: server/discover gets "method not found", then initialize with 2025-11-25 connects and lists the tools', async () => {
    server = startRawServer();
    server.request(1, 'server/discover', { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} } });
    const discover = await server.answer(1);
    expect(discover.error?.code).toBe(METHOD_NOT_FOUND);
    expect(discover.result).toBeUndefined();

    server.request(2, 'initialize', initializeParams('2025-11-25'));
    const init = await server.answer(2);
    expect(init.error).toBeUndefined();
    expect(init.result).toMatchObject({ protocolVersion: '2025-11-25', serverInfo: { name: 'huaweicloud-er-mcp' } });
    server.notify('notifications/initialized');

    server.request(3, 'tools/list');
    const list = await server.answer(3);
    expect((list.result?.tools as Array<{ name: string }>).map((t) => t.name).sort()).toEqual(TOOL_NAMES);
  });

  it('initialize asking for 2026-07-28 gets the newest version it speaks, 2025-11-25', async () => {
    server = startRawServer();
    server.request(1, 'initialize', initializeParams('2026-07-28'));
    expect((await server.answer(1)).result?.protocolVersion).toBe('2025-11-25');
  });

  it.each(SPOKEN)('initialize with %s is answered with the same version', async (version) => {
    server = startRawServer();
    server.request(1, 'initialize', initializeParams(version));
    expect((await server.answer(1)).result?.protocolVersion).toBe(version);
  });
});
