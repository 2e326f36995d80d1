// OpenTelemetry through the whole stack: the built server over real stdio, configured only by the
// standard OTEL_* variables, exports OTLP/HTTP JSON to a collector on 127.0.0.1 while an agent
// works through a sandbox workflow (a throttled read that is retried, a dry run, a create from its
// plan approved in the form, a wait, an error). The test waits for the collector to have what it
// checks, never for a time window: spans with their parents and attributes (the client's
// traceparent honoured), metrics, and no secret anywhere in what was received or logged.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { CANARY, envFor, errorOf, expectNoEncodedCanary, type SpawnedServer, spawnServer, startTestEmulator, structured } from '../helpers.js';
import { attributesOf, type OtlpReceiver, type OtlpSpan, pointValue, startOtlpReceiver } from '../observe/otlp-receiver.js';

/** The client's span, as its traceparent in `_meta` names it. */
const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
/** A collector API key in OTEL_EXPORTER_OTLP_HEADERS: sent as a header, never inside telemetry or logs. */
const COLLECTOR_KEY = 'collector-key-canary-3e8a1f6d9b2c';
const SPAN_KIND = { server: 2, client: 3 } as const;
const STATUS_ERROR = 2;

const ref = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };

describe('OpenTelemetry export of a sandbox workflow, over stdio', () => {
  let emulator: Emulator;
  let receiver: OtlpReceiver;
  let server: SpawnedServer;
  let failedCode: string;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // The first request lists routers is throttled (429): the call retries it.
    emulator = await startTestEmulator({ faults: { seed: 23, operations: ['listEnterpriseRouters'], sequence: ['throttle'], retryAfterSeconds: 0 } });
    server = await spawnServer(
      envFor(emulator, {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_HEADERS: `x-collector-key=${COLLECTOR_KEY}`,
        OTEL_SERVICE_NAME: 'er-mcp-under-test',
        OTEL_METRIC_EXPORT_INTERVAL: '200',
        // Read by the SDK itself: spans leave in batches every 100 ms instead of 5 s.
        OTEL_BSP_SCHEDULE_DELAY: '100',
      }),
      [],
      { approveForms: true },
    );

    structured(await server.client.callTool({ name: 'list_enterprise_routers', arguments: {}, _meta: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`, tracestate: 'vendor=7' } }));
    const dry = structured<{ plan_id: string }>(await server.client.callTool({ name: 'create_route_association', arguments: { ...ref, dry_run: true } }));
    structured(await server.client.callTool({ name: 'create_route_association', arguments: { ...ref, plan_id: dry.plan_id } }));
    structured(await server.client.callTool({ name: 'get_association_state', arguments: { ...ref, wait_for: 'available', timeout_seconds: 30 } }));
    failedCode = String(errorOf(await server.client.callTool({ name: 'list_route_tables', arguments: { er_id: 'a1b2c3d4-0000-4000-8000-0000000000ff' } })).error_code);
  });
  afterAll(async () => {
    await server?.close();
    await emulator?.close();
    await receiver?.close();
  });

  const spanNamed = (name: string) => receiver.spans().find((s) => s.name === name);
  const childrenOf = (parent: OtlpSpan) => receiver.spans().filter((s) => s.parentSpanId === parent.spanId);

  it('exports a SERVER span per tool call, parented by the client\'s traceparent, with CLIENT spans per ER attempt', async () => {
    const allCallsExported = () => expect(receiver.spans().filter((s) => s.name.startsWith('tools/call ')).length).toBe(5);
    await vi.waitFor(allCallsExported, { timeout: 10_000 });
    const list = spanNamed('tools/call list_enterprise_routers')!;
    expect(list.traceId).toBe(CLIENT_TRACE);
    expect(list.parentSpanId).toBe(CLIENT_SPAN);
    expect(list.kind).toBe(SPAN_KIND.server);
    expect(attributesOf(list)).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'list_enterprise_routers',
      'network.transport': 'pipe',
      'er_mcp.caller': expect.stringMatching(/^stdio/),
      'er_mcp.read_only': true,
      'er_mcp.outcome': 'ok',
    });
    // The 429 and the retry after it, each attempt its own span under the call.
    const retry = list.events?.find((e) => e.name === 'er_mcp.er.retry');
    expect(retry && attributesOf(retry)).toMatchObject({ 'er_mcp.er.operation': 'listEnterpriseRouters', 'er_mcp.retry.reason': 'throttled', 'http.response.status_code': 429 });
    const attempts = childrenOf(list);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({ name: 'GET /v3/{project_id}/enterprise-router/instances', kind: SPAN_KIND.client, traceId: CLIENT_TRACE });
      expect(attributesOf(attempt)).toMatchObject({ 'http.request.method': 'GET', 'url.template': '/v3/{project_id}/enterprise-router/instances', 'er_mcp.er.operation': 'listEnterpriseRouters' });
    }
    const throttled = attempts.filter((s) => attributesOf(s)['http.response.status_code'] === 429);
    expect(throttled).toHaveLength(1);
    expect(attributesOf(throttled[0]!)).toMatchObject({ 'error.type': '429', 'er_mcp.er.attempt': 1 });
    expect(throttled[0]!.status?.code).toBe(STATUS_ERROR);
    const resent = attempts.filter((s) => attributesOf(s)['er_mcp.er.attempt'] === 2);
    expect(resent).toHaveLength(1);
    expect(attributesOf(resent[0]!)).toMatchObject({ 'http.response.status_code': 200, 'http.request.resend_count': 1, 'er_mcp.er.request_id': expect.any(String) });
    expect(attributesOf(resent[0]!)).not.toHaveProperty('error.type');
  });

  it('names the router, route table and attachment of a write; calls without a traceparent start their own traces', async () => {
    const writes = receiver.spans().filter((s) => s.name === 'tools/call create_route_association');
    expect(writes).toHaveLength(2);
    for (const write of writes) {
      expect(write.traceId).not.toBe(CLIENT_TRACE);
      expect(write.parentSpanId ?? '').toBe('');
      expect(attributesOf(write)).toMatchObject({ 'er_mcp.router.id': ref.er_id, 'er_mcp.route_table.id': ref.route_table_id, 'er_mcp.attachment.id': ref.attachment_id, 'er_mcp.read_only': false, 'er_mcp.outcome': 'ok' });
    }
    // The write itself is a POST under the call that made it, with the API's request id.
    const associate = writes.flatMap(childrenOf).find((s) => attributesOf(s)['er_mcp.er.operation'] === 'associateRouteTable');
    expect(associate && attributesOf(associate)).toMatchObject({ 'http.request.method': 'POST', 'url.template': '/v3/{project_id}/enterprise-router/{er_id}/route-tables/{route_table_id}/associate', 'er_mcp.er.request_id': expect.any(String) });
  });

  it('puts the approval wait under the write as a span of its own, and the gate\'s decisions and the wait as events', () => {
    const approved = receiver.spans().filter((s) => s.name === 'tools/call create_route_association').find((s) => childrenOf(s).some((c) => c.name === 'approval wait'))!;
    const wait = childrenOf(approved).find((c) => c.name === 'approval wait')!;
    expect(attributesOf(wait)).toMatchObject({ 'er_mcp.approval.channel': 'form', 'er_mcp.plan.id': expect.stringMatching(/^plan-/), 'er_mcp.approval.outcome': 'approved' });
    expect(approved.events?.filter((e) => e.name === 'er_mcp.gate.decision').map((e) => attributesOf(e)['er_mcp.gate.outcome'])).toContain('approved');
    const state = spanNamed('tools/call get_association_state')!;
    const ended = state.events?.find((e) => e.name === 'er_mcp.wait.ended');
    expect(ended && attributesOf(ended)).toMatchObject({ 'er_mcp.wait.target': 'available', 'er_mcp.wait.outcome': 'reached' });
  });

  it('marks a call that answered an error: status ERROR, error.type tool_error and the error code', () => {
    const failed = spanNamed('tools/call list_route_tables')!;
    expect(failed.status?.code).toBe(STATUS_ERROR);
    expect(attributesOf(failed)).toMatchObject({ 'er_mcp.outcome': 'error', 'error.type': 'tool_error', 'er_mcp.error_code': failedCode });
  });

  it('exports the metrics: calls and errors by tool and code, ER latency, retries, throttling, open sessions', async () => {
    const countedAll = () => expect(pointValue(receiver.latestMetric('er_mcp.tool.calls'), { tool: 'list_route_tables', outcome: 'error' })).toBe(1);
    await vi.waitFor(countedAll, { timeout: 10_000 });
    expect(pointValue(receiver.latestMetric('er_mcp.tool.calls'), { tool: 'list_enterprise_routers', outcome: 'ok' })).toBe(1);
    expect(pointValue(receiver.latestMetric('er_mcp.tool.calls'), { tool: 'create_route_association', outcome: 'ok' })).toBe(2);
    expect(pointValue(receiver.latestMetric('er_mcp.tool.errors'), { tool: 'list_route_tables', error_code: failedCode })).toBe(1);
    expect(pointValue(receiver.latestMetric('er_mcp.er.retries'), { operation: 'listEnterpriseRouters', reason: 'throttled' })).toBe(1);
    expect(pointValue(receiver.latestMetric('er_mcp.er.throttled'), { operation: 'listEnterpriseRouters' })).toBe(1);
    const latency = receiver.latestMetric('er_mcp.er.request.duration')!;
    expect(latency.unit).toBe('s');
    expect(pointValue(latency, { operation: 'listEnterpriseRouters', status_class: '4xx' })).toBe(1);
    expect(pointValue(latency, { operation: 'associateRouteTable', method: 'POST', status_class: '2xx' })).toBe(1);
    expect(pointValue(receiver.latestMetric('mcp.server.operation.duration'), { 'gen_ai.tool.name': 'get_association_state' })).toBe(1);
    expect(pointValue(receiver.latestMetric('er_mcp.sessions.open'), { transport: 'stdio' })).toBe(1);
    // One approval was waited for, and is no longer.
    const pending = receiver.latestMetric('er_mcp.approvals.pending')!;
    expect(pending.sum?.dataPoints.map((p) => [attributesOf(p).channel, Number(p.asInt ?? p.asDouble)])).toEqual([['form', 0]]);
  });

  it('names the service as configured, sends the OTLP header, and nothing received or logged holds a secret', () => {
    const traces = receiver.received.find((r) => r.path === '/v1/traces')!;
    const resource = (traces.json as { resourceSpans: Array<{ resource: { attributes: [] } }> }).resourceSpans[0]!.resource;
    expect(attributesOf(resource)).toMatchObject({ 'service.name': 'er-mcp-under-test', 'service.version': expect.any(String) });
    // The header reached the collector: so the checks below would see it, had it leaked into a body.
    expect(receiver.received.every((r) => r.headers['x-collector-key'] === COLLECTOR_KEY)).toBe(true);
    const bodies = receiver.received.map((r) => r.text);
    expect(bodies.length).toBeGreaterThan(1);
    expectNoEncodedCanary(...bodies, server.stderr());
    for (const text of [...bodies, server.stderr()]) {
      expect(text).not.toContain(COLLECTOR_KEY);
      // The Authorization header the ER requests carry (its scheme), and the canary AK's credential scope.
      expect(text).not.toContain('SDK-HMAC-SHA256');
      expect(text).not.toContain(CANARY.ak);
    }
  });

  it('exports what it still holds when the client goes away: the session gauge back at 0', async () => {
    await server.close();
    const closedExported = () => expect(receiver.latestMetric('er_mcp.sessions.open')?.sum?.dataPoints.map((p) => Number(p.asInt ?? p.asDouble))).toEqual([0]);
    await vi.waitFor(closedExported, { timeout: 10_000 });
  });
});
