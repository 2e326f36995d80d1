// The built server as `serve --http` on loopback without authentication, no OpenTelemetry
// configured: GET /metrics answers Prometheus text that counts what the server did.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envFor, startTestEmulator, structured } from '../helpers.js';
import type { Emulator } from '../../src/emulator/emulator.js';
import { parsePrometheus, sampleOf } from '../observe/prometheus-text.js';
import { connectClient, rawRequest } from '../transports/http/harness.js';
import { type SpawnedHttpServer, spawnHttpServer } from './http-process.js';

describe('GET /metrics of the built server over HTTP', () => {
  let emulator: Emulator;
  let server: SpawnedHttpServer;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    server = await spawnHttpServer(envFor(emulator), ['serve', '--http', '--port', '0', '--audit-log', 'off']);
  });
  afterAll(async () => {
    server.stop();
    await emulator.close();
  });

  it('counts the calls and the open session, without OpenTelemetry', async () => {
    const metricsUrl = new URL('/metrics', server.url).href;
    const before = parsePrometheus((await rawRequest(metricsUrl, { method: 'GET' })).body);
    expect(sampleOf(before, 'er_mcp_sessions_open', { transport: 'http' })).toBe(0);
    const { client } = await connectClient(server.url);
    try {
      structured(await client.callTool({ name: 'list_enterprise_routers', arguments: {} }));
      const response = await rawRequest(metricsUrl, { method: 'GET' });
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      const after = parsePrometheus(response.body);
      expect(sampleOf(after, 'er_mcp_tool_calls_total', { tool: 'list_enterprise_routers', outcome: 'ok' })).toBe(1);
      expect(sampleOf(after, 'er_mcp_sessions_open', { transport: 'http' })).toBe(1);
    } finally {
      await client.close();
    }
    expect(server.stderr()).not.toContain('OpenTelemetry export on');
  });
});
