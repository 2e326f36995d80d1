// Log notifications through the whole stack: the built server over real stdio and over
// Streamable HTTP, against an emulator that throttles (429 with Retry-After) and fails (5xx) the
// first requests. The client's logging/setLevel is honoured, the retries are reported, and over
// HTTP each message travels on the response stream of the call it is about.
import { LoggingMessageNotificationSchema, type LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { envFor, expectNoCanary, spawnServer, startTestEmulator } from '../helpers.js';
import { rawRequest, TOKENS, writeTokensFile } from '../transports/http/harness.js';
import { type SpawnedHttpServer, spawnHttpServer } from './http-process.js';

type Data = Record<string, unknown> & { event: string };

const tables = { er_id: SANDBOX_IDS.router };
/** A 429 (Retry-After: 0, so the test does not wait a second) and a 5xx before the answer. */
const FAULTS = { seed: 5, retryAfterSeconds: 0, sequence: ['throttle', 'server-error'], operations: ['listRouteTables'] } as const;

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
});

describe('over stdio', () => {
  it('at info: the two retries come as warnings, the HTTP attempts (debug) do not; no secret in any of it', async () => {
    emulator = await startTestEmulator({ faults: { ...FAULTS, sequence: [...FAULTS.sequence], operations: [...FAULTS.operations] } });
    const server = await spawnServer(envFor(emulator));
    const logs: LoggingMessageNotification['params'][] = [];
    try {
      server.client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
      await server.client.setLoggingLevel('info');
      const result = await server.client.callTool({ name: 'list_route_tables', arguments: tables });
      expect(result.isError).toBeFalsy();
      // The notifications were sent before the result, on the same pipe: they are here already.
      expect(logs.map((m) => [m.level, (m.data as Data).event, (m.data as Data).reason])).toEqual([
        ['warning', 'er_retry', 'throttled'],
        ['warning', 'er_retry', 'server_error'],
      ]);
      expect(logs[0]!.data).toMatchObject({ operation: 'listRouteTables', attempt: 1, status: 429, retry_after_ms: 0, tool: 'list_route_tables' });
    } finally {
      await server.close();
    }
    expectNoCanary(JSON.stringify(logs), server.stderr());
  });
});

describe('over Streamable HTTP', () => {
  let server: SpawnedHttpServer | undefined;
  afterEach(() => server?.stop());

  it("at debug: every attempt and both retries travel on the call's own response stream, before its result", async () => {
    emulator = await startTestEmulator({ faults: { ...FAULTS, sequence: [...FAULTS.sequence], operations: [...FAULTS.operations] } });
    server = await spawnHttpServer(envFor(emulator, { HUAWEICLOUD_ER_MCP_HTTP_TOKENS: writeTokensFile() }), ['serve', '--http', '--port', '0', '--audit-log', 'off']);
    const auth = { authorization: `Bearer ${TOKENS.alice}` };
    const opened = await rawRequest(server.url, { headers: auth });
    const session = opened.headers['mcp-session-id'];
    expect(typeof session).toBe('string');
    const headers = { ...auth, 'mcp-session-id': session as string, 'mcp-protocol-version': '2025-06-18' };
    const send = (message: Record<string, unknown>) => rawRequest(server!.url, { headers, body: JSON.stringify({ jsonrpc: '2.0', ...message }) });
    await send({ method: 'notifications/initialized' });
    expect(messagesOf((await send({ id: 2, method: 'logging/setLevel', params: { level: 'debug' } })).body)).toEqual([{ jsonrpc: '2.0', id: 2, result: {} }]);

    const called = await send({ id: 3, method: 'tools/call', params: { name: 'list_route_tables', arguments: tables } });
    const messages = messagesOf(called.body);
    const result = messages.at(-1)!;
    expect(result).toMatchObject({ id: 3, result: { structuredContent: { route_tables: expect.any(Array) } } });
    const logged = messages.slice(0, -1);
    expect(logged.every((m) => m.method === 'notifications/message')).toBe(true);
    // The tool's other requests (the router it names) are attempts too: only listRouteTables is faulted.
    const events = logged
      .map((m): Data => ({ level: (m.params as { level: string }).level, ...(m.params as { data: Data }).data }))
      .filter((d) => d.operation === 'listRouteTables')
      .map((d) => [d.level, d.event, d.attempt, d.status]);
    // (Any later page of the list is a request of its own, attempted once.)
    expect(events.slice(0, 5)).toEqual([
      ['debug', 'er_attempt', 1, 429],
      ['warning', 'er_retry', 1, 429],
      ['debug', 'er_attempt', 2, expect.any(Number)],
      ['warning', 'er_retry', 2, expect.any(Number)],
      ['debug', 'er_attempt', 3, 200],
    ]);
    expectNoCanary(called.body, server.stderr());
    expect(called.body).not.toContain(TOKENS.alice);
  });
});

/** The JSON-RPC messages of a response: a JSON body, or the `data:` lines of an SSE stream. */
function messagesOf(body: string): Array<Record<string, unknown>> {
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) return [JSON.parse(trimmed) as Record<string, unknown>];
  return trimmed
    .split('\n')
    .filter((line) => line.startsWith('data:') && line.slice(5).trim().startsWith('{'))
    .map((line) => JSON.parse(line.slice(5)) as Record<string, unknown>);
}
