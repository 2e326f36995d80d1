// The built server as `serve --http` on loopback without authentication, exporting to an OTLP
// receiver too: GET /metrics answers Prometheus text that counts what the server did, and the
// OTLP export carries the same counts under the OpenTelemetry names, with spans over tcp.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { envFor, startTestEmulator, structured } from '../helpers.js';
import type { Emulator } from '../../src/emulator/emulator.js';
import { attributesOf, type OtlpReceiver, pointValue, startOtlpReceiver } from '../observe/otlp-receiver.js';
import { parsePrometheus, sampleOf } from '../observe/prometheus-text.js';
import { connectClient, rawRequest } from '../transports/http/harness.js';
import { type SpawnedHttpServer, spawnHttpServer } from './http-process.js';

describe('GET /metrics of the built server over HTTP', () => {
  let emulator: Emulator;
  let server: SpawnedHttpServer;
  let receiver: OtlpReceiver;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    receiver = await startOtlpReceiver();
    const env = envFor(emulator, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRIC_EXPORT_INTERVAL: '200', OTEL_BSP_SCHEDULE_DELAY: '100' });
    server = await spawnHttpServer(env, ['serve', '--http', '--port', '0', '--audit-log', 'off']);
  });
  afterAll(async () => {
    server.stop();
    await emulator.close();
    await receiver.close();
  });

  it('counts the calls and the open session, as the OTLP export does', async () => {
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
      const exported = () => expect(pointValue(receiver.latestMetric('er_mcp.tool.calls'), { tool: 'list_enterprise_routers', outcome: 'ok' })).toBe(1);
      await vi.waitFor(exported, { timeout: 10_000 });
      expect(pointValue(receiver.latestMetric('er_mcp.sessions.open'), { transport: 'http' })).toBe(1);
      const spanExported = () => expect(receiver.spans().find((s) => s.name === 'tools/call list_enterprise_routers')).toBeDefined();
      await vi.waitFor(spanExported, { timeout: 10_000 });
      const span = receiver.spans().find((s) => s.name === 'tools/call list_enterprise_routers')!;
      expect(attributesOf(span)).toMatchObject({ 'network.transport': 'tcp', 'er_mcp.caller': 'http:loopback' });
    } finally {
      await client.close();
    }
  });
});
