// Raw lines on the built server's stdin: malformed JSON, JSON that is not JSON-RPC, binary junk
// and a 5 MiB garbage line. The process must not die, stdout must stay pure JSON-RPC, and the
// next valid request must still be answered.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { CLI_PATH, envFor, expectNoCanary, startTestEmulator } from '../helpers.js';

interface Message {
  jsonrpc: string;
  id?: unknown;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

const GARBAGE: Array<string | Buffer> = [
  '{not json',
  '}}}',
  '{"jsonrpc":"2.0","id":99,"method":"tools/list"', // cut short
  '{"hello":"world"}',
  '[1,2,3]',
  '[]',
  '42',
  '"just a string"',
  'null',
  'true',
  '{"jsonrpc":"1.0","id":98,"method":"tools/list"}',
  '{"jsonrpc":"2.0","id":{"nested":1},"method":"tools/list"}',
  '{"jsonrpc":"2.0","method":123}',
  '{"jsonrpc":"2.0","id":97}',
  '',
  '   \t ',
  Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0xc3, 0x28]),
  Buffer.from('\u0000\u0001\u0002 control characters \u001b[31m'),
];

describe('the built server with raw, broken lines on stdin', () => {
  let emulator: Emulator;
  let child: ChildProcessWithoutNullStreams;
  let stdout = '';
  let stderr = '';
  const messages: Message[] = [];

  const send = (line: string | Buffer) => child.stdin.write(Buffer.concat([Buffer.isBuffer(line) ? line : Buffer.from(line), Buffer.from('\n')]));
  const request = (id: number, method: string, params: Record<string, unknown> = {}) => send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  async function answer(id: number): Promise<Message> {
    await vi.waitFor(() => expect(messages.some((m) => m.id === id)).toBe(true), { timeout: 15_000 });
    return messages.find((m) => m.id === id)!;
  }

  beforeAll(async () => {
    emulator = await startTestEmulator();
    child = spawn(process.execPath, [CLI_PATH], { env: envFor(emulator), stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      let newline: number;
      while ((newline = stdout.indexOf('\n')) !== -1) {
        const line = stdout.slice(0, newline);
        stdout = stdout.slice(newline + 1);
        messages.push(JSON.parse(line) as Message); // anything on stdout that is not JSON fails here
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  });

  afterAll(async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    await exited;
    expectNoCanary(stderr, JSON.stringify(messages));
    await emulator.close();
  });

  it('ignores garbage before the handshake, then initializes', async () => {
    send('garbage before anything');
    send('{"jsonrpc":"2.0"}');
    request(1, 'initialize', { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '0' } });
    const init = await answer(1);
    expect(init.result?.serverInfo).toMatchObject({ name: 'huaweicloud-er-mcp' });
    send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
  });

  it('survives malformed JSON, non-JSON-RPC JSON and binary junk, and still answers', async () => {
    for (const line of GARBAGE) send(line);
    request(2, 'tools/list');
    const list = await answer(2);
    expect((list.result?.tools as Array<{ name: string }>).map((t) => t.name)).toContain('create_route_association');
    expect(child.exitCode).toBeNull();
  });

  it('survives a 5 MiB garbage line, and still answers a tool call', async () => {
    send(Buffer.alloc(5 * 1024 * 1024, 'z'));
    send(`{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"junk":"${'q'.repeat(1024 * 1024)}"`); // 1 MiB, unterminated JSON
    request(4, 'tools/call', {
      name: 'get_association_state',
      arguments: { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.webVpc },
    });
    const call = await answer(4);
    expect(call.result?.isError).toBeFalsy();
    expect(call.result?.structuredContent).toMatchObject({ state: 'available' });
    expect(messages.some((m) => m.id === 3)).toBe(false);
    expect(child.exitCode).toBeNull();
  });

  it('answers an unknown method with a JSON-RPC error, not silence', async () => {
    request(5, 'no/such/method');
    expect((await answer(5)).error?.code).toBe(-32601);
    request(6, 'ping');
    expect((await answer(6)).result).toEqual({});
  });

  it('kept stdout pure JSON-RPC and did not echo the garbage into its log', () => {
    expect(messages.every((m) => m.jsonrpc === '2.0')).toBe(true);
    expect(stdout).toBe(''); // no partial line left over
    expect(stderr).toContain('ignored an unreadable message on stdin');
    expect(stderr.length).toBeLessThan(200_000);
    expect(child.exitCode).toBeNull();
  });
});
