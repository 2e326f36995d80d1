// The built server over real stdio, configured only through the documented environment variables.
import { spawn } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { CLI_PATH, errorOf, spawnServer, structured, textOf, useStdioSession } from '../helpers.js';

const ref = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };

describe('built server over stdio against the emulator', () => {
  const session = useStdioSession();

  it('lists both tools with all four annotations', async () => {
    const { tools } = await session.server.client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['create_route_association', 'get_association_state']));
    for (const tool of tools) {
      expect(Object.keys(tool.annotations ?? {}).sort()).toEqual(['destructiveHint', 'idempotentHint', 'openWorldHint', 'readOnlyHint']);
    }
    session.outputs.push(JSON.stringify(tools));
  });

  it('create_route_association sends one signed POST with the token and returns the pending association', async () => {
    const before = session.emulator.requests.length;
    const result = await session.server.client.callTool({ name: 'create_route_association', arguments: { ...ref, client_token: 'e2e-token-1' } });
    session.outputs.push(JSON.stringify(result));
    const body = structured<{ association: { state: string; attachment_id: string }; client_token: string; sandbox: boolean; next: { tool: string; arguments: Record<string, string> } }>(result);
    expect(body.association.state).toBe('pending');
    expect(body.association.attachment_id).toBe(ref.attachment_id);
    expect(body.client_token).toBe('e2e-token-1');
    expect(body.sandbox).toBe(false);
    expect(body.next.tool).toBe('get_association_state');
    expect(body.next.arguments).toMatchObject(ref);
    expect(JSON.parse(textOf(result))).toEqual(body);
    // Before it, read-only look-ups only: the plan the person approved in the client's form.
    const sent = session.emulator.requests.slice(before);
    expect(sent.filter(isWrite)).toEqual([expect.objectContaining({ operation: 'associateRouteTable', status: 202, clientToken: 'e2e-token-1' })]);
    expect(sent.findIndex(isWrite)).toBe(sent.length - 1);
    expect(session.server.asked).toEqual([expect.stringContaining('ASSOCIATE')]);
  });

  it('get_association_state sees it become available', async () => {
    const result = await session.server.client.callTool({ name: 'get_association_state', arguments: { ...ref, wait_for: 'available', timeout_seconds: 30 } });
    session.outputs.push(JSON.stringify(result));
    const body = structured<{ state: string; terminal: boolean; association: { route_table_id: string }; verification: unknown }>(result);
    expect(body.state).toBe('available');
    expect(body.terminal).toBe(true);
    expect(body.association.route_table_id).toBe(ref.route_table_id);
    // The change was made from a plan: once available, the routes are checked against it.
    expect(body.verification).toMatchObject({ status: 'as_planned', differences: [], differences_count: 0, plan_id: expect.stringMatching(/^plan-/) });
  });

  it('invalid IDs give a clear isError and send no request', async () => {
    const before = session.emulator.requests.length;
    for (const bad of ['../x', 'a/b', 'x'.repeat(37), '', '%2F']) {
      const result = await session.server.client.callTool({ name: 'create_route_association', arguments: { ...ref, er_id: bad } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain('er_id');
      session.outputs.push(JSON.stringify(result));
    }
    expect(session.emulator.requests.length).toBe(before);
  });
});

describe('built server without credentials', () => {
  it('starts, and every tool names the variables to set', async () => {
    const server = await spawnServer({ PATH: process.env.PATH ?? '', HOME: '/nonexistent' });
    try {
      for (const name of ['create_route_association', 'get_association_state']) {
        const result = await server.client.callTool({ name, arguments: ref });
        const error = errorOf(result);
        expect(error.error_code).toBe('CONFIGURATION');
        for (const variable of ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_PROJECT_ID', 'HUAWEICLOUD_REGION']) {
          expect(String(error.error_msg)).toContain(variable);
        }
      }
    } finally {
      await server.close();
    }
  });
});

describe('process lifetime', () => {
  it('exits when stdin closes, even with a listening server and a call in flight', async () => {
    // Sandbox mode keeps an emulator listening, and a long wait keeps a timer: without the stdin
    // EOF handling the process would stay alive forever.
    const child = spawn(process.execPath, [CLI_PATH, '--sandbox', '--audit-log', 'off'], { env: { PATH: process.env.PATH ?? '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      await new Promise((resolve) => child.stderr.once('data', resolve));
      const lines = [
        { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_association_state', arguments: { ...ref, wait_for: 'available', timeout_seconds: 900 } } },
      ];
      child.stdin.write(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      await new Promise((resolve) => child.stdout.once('data', resolve)); // initialize answered
      // The call in flight would wait 900 s: exiting at all, within the test's bound, is what is checked.
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.stdin.end();
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a message over the 10 MiB line limit is refused with a JSON-RPC error for its id, and the session goes on', async () => {
    const child = spawn(process.execPath, [CLI_PATH, '--sandbox', '--audit-log', 'off'], { env: { PATH: process.env.PATH ?? '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const answers = () => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id?: number; error?: { code: number; message: string }; result?: unknown });
    try {
      await new Promise((resolve) => child.stderr.once('data', resolve));
      const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
      send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } } });
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      // The TypeScript SDK client's own layout: method first, id last.
      send({ method: 'tools/call', params: { name: 'get_association_state', arguments: { ...ref, er_id: 'x'.repeat(11 * 1024 * 1024) } }, jsonrpc: '2.0', id: 2 });
      send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'get_association_state', arguments: ref } });
      await vi.waitFor(() => expect(answers().map((a) => a.id)).toEqual([1, 2, 3]), { timeout: 15_000 });
      const [, refused, next] = answers();
      expect(refused!.error).toEqual({ code: -32600, message: expect.stringContaining('this server reads at most 10485760 bytes in one message, so it was dropped') });
      expect(next!.result).toMatchObject({ structuredContent: { state: 'not_found', sandbox: true } });
      expect(stderr.match(/dropped a \d+-byte message on stdin/g)).toHaveLength(1);
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
