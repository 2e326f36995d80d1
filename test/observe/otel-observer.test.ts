// The observer events as OpenTelemetry spans and metrics, with the SDK's in-memory exporter and a
// pull reader: what the OTLP export carries, without a process or a collector.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { METRICS, type MetricSpec } from '../../src/observe/metrics/catalogue.js';
import { metricsObserver } from '../../src/observe/metrics/metrics-observer.js';
import type { ErAttemptEvent, SessionLog, ToolCallStart } from '../../src/observe/observer.js';
import { meterSink } from '../../src/observe/otel/meter-sink.js';
import { traceObserver } from '../../src/observe/otel/trace-observer.js';

const NO_LOG: SessionLog = { send: () => undefined };
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';

const start = (extra: Partial<ToolCallStart> = {}): ToolCallStart => ({ tool: 'create_route_association', caller: 'token:alice', readOnly: false, subject: { er_id: 'er-1', route_table_id: 'rtb-1', attachment_id: 'att-1' }, ...extra });
const attempt = (extra: Partial<ErAttemptEvent> = {}): ErAttemptEvent => ({
  operation: 'associateRouteTable',
  method: 'POST',
  attempt: 1,
  status: 200,
  failure: null,
  requestId: 'req-1',
  startedAtMs: Date.UTC(2026, 11, 7, 6, 0, 0),
  durationMs: 42.5,
  ...extra,
});

describe('traceObserver', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const observer = traceObserver({ tracer: provider.getTracer('test'), transport: 'http' });
  const spans = () => exporter.getFinishedSpans();
  const named = (name: string): ReadableSpan => spans().find((s) => s.name === name)!;
  afterEach(() => exporter.reset());

  it('makes the call a SERVER span under the client\'s traceparent, with the IDs it names', () => {
    observer.toolCall(start({ traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'congo=t61rcWkgMzE' }), NO_LOG).end({ outcome: 'ok', errorCode: null });
    const span = named('tools/call create_route_association');
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.spanContext().traceId).toBe(TRACE);
    expect(span.parentSpanContext?.spanId).toBe(PARENT);
    expect(span.spanContext().traceState?.get('congo')).toBe('t61rcWkgMzE');
    expect(span.attributes).toMatchObject({ 'gen_ai.tool.name': 'create_route_association', 'network.transport': 'tcp', 'er_mcp.router.id': 'er-1', 'er_mcp.route_table.id': 'rtb-1', 'er_mcp.attachment.id': 'att-1', 'er_mcp.caller': 'token:alice', 'er_mcp.outcome': 'ok' });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('starts a new trace for a malformed traceparent, and records nothing when the client\'s trace is not sampled', () => {
    observer.toolCall(start({ traceparent: 'not-a-traceparent' }), NO_LOG).end({ outcome: 'ok', errorCode: null });
    expect(spans()).toHaveLength(1);
    expect(spans()[0]!.parentSpanContext).toBeUndefined();
    exporter.reset();
    observer.toolCall(start({ traceparent: `00-${TRACE}-${PARENT}-00` }), NO_LOG).end({ outcome: 'ok', errorCode: null });
    expect(spans()).toHaveLength(0);
  });

  it('gives each ER attempt a CLIENT child span with the attempt\'s own start and duration; a failed one says why', () => {
    const call = observer.toolCall(start(), NO_LOG);
    call.erAttempt(attempt({ attempt: 1, status: null, failure: 'network', requestId: null }));
    call.erAttempt(attempt({ attempt: 2 }));
    call.end({ outcome: 'ok', errorCode: null });
    const parent = named('tools/call create_route_association');
    const [first, second] = spans().filter((s) => s.kind === SpanKind.CLIENT).sort((a, b) => Number(a.attributes['er_mcp.er.attempt']) - Number(b.attributes['er_mcp.er.attempt']));
    for (const child of [first!, second!]) {
      expect(child.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(child.name).toBe('POST /v3/{project_id}/enterprise-router/{er_id}/route-tables/{route_table_id}/associate');
      expect(hrTimeToMilliseconds(child.startTime)).toBeCloseTo(attempt().startedAtMs, 3);
      expect(hrTimeToMilliseconds(child.duration)).toBeCloseTo(42.5, 3);
    }
    expect(first!.attributes).toMatchObject({ 'error.type': 'network', 'er_mcp.er.attempt': 1 });
    expect(first!.attributes).not.toHaveProperty('http.response.status_code');
    expect(first!.status.code).toBe(SpanStatusCode.ERROR);
    expect(second!.attributes).toMatchObject({ 'http.response.status_code': 200, 'http.request.resend_count': 1, 'er_mcp.er.request_id': 'req-1' });
  });

  it('ends an approval wait once, with its outcome, and marks an error result with its code', () => {
    const call = observer.toolCall(start(), NO_LOG);
    const wait = call.approvalWaitStarted({ channel: 'page', planId: 'plan-1' });
    wait.end('rejected');
    wait.end('approved');
    call.erRetry({ operation: 'associateRouteTable', attempt: 1, reason: 'busy', status: 400, delayMs: 120.4, retryAfterMs: null });
    call.end({ outcome: 'error', errorCode: 'DECLINED_BY_HUMAN' });
    const approval = spans().filter((s) => s.name === 'approval wait');
    expect(approval).toHaveLength(1);
    expect(approval[0]!.attributes).toMatchObject({ 'er_mcp.approval.channel': 'page', 'er_mcp.plan.id': 'plan-1', 'er_mcp.approval.outcome': 'rejected' });
    const call_ = named('tools/call create_route_association');
    expect(call_.status).toEqual({ code: SpanStatusCode.ERROR, message: 'DECLINED_BY_HUMAN' });
    expect(call_.attributes).toMatchObject({ 'error.type': 'tool_error', 'er_mcp.error_code': 'DECLINED_BY_HUMAN' });
    expect(call_.events.map((e) => [e.name, e.attributes?.['er_mcp.retry.reason'], e.attributes?.['er_mcp.retry.delay_ms']])).toEqual([['er_mcp.er.retry', 'busy', 120]]);
  });
});

/** A reader the test pulls from, as a Prometheus exporter would. */
class PullReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

describe('the metrics observer on an OpenTelemetry meter', () => {
  it('makes the catalogue\'s instruments, by the same names, units and bucket bounds', async () => {
    const reader = new PullReader();
    const provider = new MeterProvider({ readers: [reader] });
    const observer = metricsObserver(meterSink(provider.getMeter('test')), 'stdio');
    observer.sessionOpened();
    const call = observer.toolCall(start(), NO_LOG);
    call.erAttempt(attempt({ status: 429 }));
    call.erRetry({ operation: 'associateRouteTable', attempt: 1, reason: 'throttled', status: 429, delayMs: 10, retryAfterMs: 0 });
    call.erAttempt(attempt({ attempt: 2 }));
    call.erGaveUp({ operation: 'associateRouteTable', attempts: 1, reason: 'server_error', status: 503, failure: null, requestId: null, why: 'retries_paused' });
    call.approvalWaitStarted({ channel: 'form', planId: null }).end('approved');
    call.end({ outcome: 'error', errorCode: 'PLAN_STALE' });

    const { resourceMetrics } = await reader.collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const byName = (spec: MetricSpec) => metrics.find((m) => m.descriptor.name === spec.name)!;
    for (const spec of Object.values(METRICS)) {
      expect(byName(spec).descriptor, spec.name).toMatchObject({ unit: spec.unit, description: spec.description });
    }
    const latency = byName(METRICS.erRequestDuration);
    expect(latency.dataPointType).toBe(DataPointType.HISTOGRAM);
    const points = latency.dataPoints as Array<{ attributes: Record<string, unknown>; value: { buckets: { boundaries: number[] }; count: number } }>;
    expect(points.map((p) => [p.attributes.status_class, p.value.count]).sort()).toEqual([['2xx', 1], ['4xx', 1]]);
    expect(points[0]!.value.buckets.boundaries).toEqual(METRICS.erRequestDuration.buckets);
    const value = (spec: MetricSpec, labels: Record<string, string>) =>
      (byName(spec).dataPoints as Array<{ attributes: Record<string, unknown>; value: number }>).find((p) => Object.entries(labels).every(([k, v]) => p.attributes[k] === v))?.value;
    expect(value(METRICS.erThrottled, { operation: 'associateRouteTable' })).toBe(1);
    expect(value(METRICS.erRetries, { reason: 'throttled' })).toBe(1);
    expect(value(METRICS.toolErrors, { tool: 'create_route_association', error_code: 'PLAN_STALE' })).toBe(1);
    expect(value(METRICS.approvalsPending, { channel: 'form' })).toBe(0);
    expect(value(METRICS.sessionsOpen, { transport: 'stdio' })).toBe(1);
    await provider.shutdown();
  });
});
