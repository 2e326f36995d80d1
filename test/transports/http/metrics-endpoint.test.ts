// GET /metrics over the real HTTP server: Prometheus text fed by the calls the server answers,
// for a token with the `metrics` scope only (others get 401/403 as on /mcp), and for anyone on a
// loopback server without authentication.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Emulator } from '../../../src/emulator/emulator.js';
import { PROMETHEUS_CONTENT_TYPE } from '../../../src/observe/metrics/metric-store.js';
import { startObservers } from '../../../src/observe/start-observers.js';
import { silentLogger } from '../../../src/log.js';
import { errorOf, expectNoCanary, startTestEmulator, structured, tempDir } from '../../helpers.js';
import { parsePrometheus, sampleOf } from '../../observe/prometheus-text.js';
import { connectClient, type HttpHarness, rawRequest, seen, sha256, startHttpHarness, TOKENS } from './harness.js';

const SCRAPER = 'scraper-token-7a3e9c1b5d2f48a6';

function tokensFile(): string {
  const path = join(tempDir('er-http-metrics'), 'tokens');
  const lines = [`alice ${sha256(TOKENS.alice)} er:read,er:write,er:approve`, `reader ${sha256(TOKENS.reader)} er:read`, `scraper ${sha256(SCRAPER)} metrics`, ''];
  writeFileSync(path, lines.join('\n'), { mode: 0o600 });
  return path;
}

/** A harness whose calls and sessions feed the metric store, as `serve --http` (without OTLP) does. */
async function withMetrics(emulator: Emulator, flags: Record<string, string>): Promise<HttpHarness> {
  const { observer, store } = await startObservers({ transport: 'http', log: silentLogger() });
  return startHttpHarness(emulator, { flags, env: { observer }, observer, metrics: store! });
}

describe('GET /metrics with tokens', () => {
  let emulator: Emulator;
  let h: HttpHarness;
  const outputs: string[] = [];
  const metricsUrl = () => new URL('/metrics', h.url).href;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    h = await withMetrics(emulator, { 'http-tokens': tokensFile() });
  });
  afterAll(async () => {
    await h.close();
    await emulator.close();
    expectNoCanary(...outputs, h.logs());
  });

  it('refuses a request without a token (401) and a token without the metrics scope (403), as /mcp does', async () => {
    const none = await rawRequest(metricsUrl(), { method: 'GET' });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    const reader = await rawRequest(metricsUrl(), { method: 'GET', headers: { authorization: `Bearer ${TOKENS.reader}` } });
    expect(reader.status).toBe(403);
    expect(JSON.parse(reader.body)).toMatchObject({ error: 'insufficient_scope' });
    expect(reader.headers['www-authenticate']).toContain('scope="metrics"');
    const wrong = await rawRequest(metricsUrl(), { method: 'GET', headers: { authorization: 'Bearer not-a-token-at-all-00000000' } });
    expect(wrong.status).toBe(401);
    outputs.push(seen(none), seen(reader), seen(wrong));
  });

  it('a metrics token opens no tool: /mcp refuses it with 403', async () => {
    const response = await rawRequest(h.url, { headers: { authorization: `Bearer ${SCRAPER}`, host: new URL(h.url).host } });
    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toContain('scope="er:read"');
  });

  it('answers the metrics token with Prometheus text that counts the calls, errors, request latency and open sessions', async () => {
    const { client, transport } = await connectClient(h.url, TOKENS.alice);
    try {
      structured(await client.callTool({ name: 'list_enterprise_routers', arguments: {} }));
      structured(await client.callTool({ name: 'list_enterprise_routers', arguments: {} }));
      const failed = errorOf(await client.callTool({ name: 'list_route_tables', arguments: { er_id: 'a1b2c3d4-0000-4000-8000-0000000000ff' } }));

      const response = await rawRequest(metricsUrl(), { method: 'GET', headers: { authorization: `Bearer ${SCRAPER}` } });
      outputs.push(seen(response));
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe(PROMETHEUS_CONTENT_TYPE);
      const metrics = parsePrometheus(response.body);
      expect(metrics.types.get('er_mcp_tool_calls_total')).toBe('counter');
      expect(metrics.types.get('er_mcp_er_request_duration_seconds')).toBe('histogram');
      expect(metrics.types.get('er_mcp_sessions_open')).toBe('gauge');

      expect(sampleOf(metrics, 'er_mcp_tool_calls_total', { tool: 'list_enterprise_routers', outcome: 'ok' })).toBe(2);
      expect(sampleOf(metrics, 'er_mcp_tool_calls_total', { tool: 'list_route_tables', outcome: 'error' })).toBe(1);
      expect(sampleOf(metrics, 'er_mcp_tool_errors_total', { tool: 'list_route_tables', error_code: String(failed.error_code) })).toBe(1);
      expect(sampleOf(metrics, 'er_mcp_sessions_open', { transport: 'http' })).toBe(1);

      // Every request the emulator answered is in the histogram once; its +Inf bucket and count agree, buckets only grow.
      const routers = { operation: 'listEnterpriseRouters', method: 'GET', status_class: '2xx' };
      const sent = emulator.requests.filter((r) => r.operation === 'listEnterpriseRouters').length;
      expect(sent).toBeGreaterThanOrEqual(2);
      expect(sampleOf(metrics, 'er_mcp_er_request_duration_seconds_count', routers)).toBe(sent);
      expect(sampleOf(metrics, 'er_mcp_er_request_duration_seconds_bucket', { ...routers, le: '+Inf' })).toBe(sent);
      const buckets = metrics.samples.filter((s) => s.name === 'er_mcp_er_request_duration_seconds_bucket' && s.labels.operation === 'listEnterpriseRouters').map((s) => s.value);
      expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
      expect(sampleOf(metrics, 'er_mcp_er_request_duration_seconds_count', { operation: 'listRouteTables', status_class: '4xx' })).toBe(1);
      expect(sampleOf(metrics, 'mcp_server_operation_duration_seconds_count', { gen_ai_tool_name: 'list_route_tables', error_type: 'tool_error' })).toBe(1);
      // The client ends its session (DELETE /mcp): the gauge goes back to 0.
      await transport.terminateSession();
    } finally {
      await client.close();
    }
    const noSessionOpen = async () => {
      const after = parsePrometheus((await rawRequest(metricsUrl(), { method: 'GET', headers: { authorization: `Bearer ${SCRAPER}` } })).body);
      expect(sampleOf(after, 'er_mcp_sessions_open', { transport: 'http' })).toBe(0);
    };
    await vi.waitFor(noSessionOpen, { timeout: 10_000 });
  });

  it('answers other methods than GET and HEAD with 405', async () => {
    const response = await rawRequest(metricsUrl(), { method: 'POST', headers: { authorization: `Bearer ${SCRAPER}` }, body: '{}' });
    expect(response.status).toBe(405);
  });
});

describe('GET /metrics on loopback without authentication', () => {
  it('answers anyone, as /mcp does there', async () => {
    const emulator = await startTestEmulator();
    const h = await withMetrics(emulator, {});
    try {
      const response = await rawRequest(new URL('/metrics', h.url).href, { method: 'GET' });
      expect(response.status).toBe(200);
      const metrics = parsePrometheus(response.body);
      expect(sampleOf(metrics, 'er_mcp_sessions_open', { transport: 'http' })).toBe(0);
      expect(metrics.types.get('er_mcp_er_retries_total')).toBe('counter');
    } finally {
      await h.close();
      await emulator.close();
    }
  });
});
