// The store behind GET /metrics: Prometheus text that a strict reader accepts, every metric
// declared before its first sample, histogram buckets cumulative, label values escaped.
import { describe, expect, it } from 'vitest';
import { METRICS, prometheusName } from '../../src/observe/metrics/catalogue.js';
import { MetricStore } from '../../src/observe/metrics/metric-store.js';
import { metricsObserver } from '../../src/observe/metrics/metrics-observer.js';
import { parsePrometheus, sampleOf } from './prometheus-text.js';

describe('MetricStore', () => {
  it('declares every metric of the catalogue (HELP and TYPE) before anything is counted', () => {
    const text = new MetricStore().render();
    const exposition = parsePrometheus(text);
    expect(exposition.samples).toEqual([]);
    expect([...exposition.types]).toEqual(Object.values(METRICS).map((m) => [prometheusName(m), m.kind === 'updown' ? 'gauge' : m.kind]));
    expect([...exposition.types.keys()]).toEqual([
      'er_mcp_tool_calls_total',
      'er_mcp_tool_errors_total',
      'mcp_server_operation_duration_seconds',
      'er_mcp_er_request_duration_seconds',
      'er_mcp_er_retries_total',
      'er_mcp_er_gave_up_total',
      'er_mcp_er_throttled_total',
      'er_mcp_approvals_pending',
      'er_mcp_sessions_open',
    ]);
  });

  it('counts a histogram into cumulative buckets: a value on a bound is in that bucket, one above them all only in +Inf', () => {
    const store = new MetricStore();
    const labels = { operation: 'listRouteTables', method: 'GET', status_class: '2xx' };
    for (const seconds of [0.005, 0.006, 0.3, 99]) store.record(METRICS.erRequestDuration, seconds, labels);
    const exposition = parsePrometheus(store.render());
    const bucket = (le: string) => sampleOf(exposition, 'er_mcp_er_request_duration_seconds_bucket', { ...labels, le });
    expect([bucket('0.005'), bucket('0.01'), bucket('0.25'), bucket('0.5'), bucket('10'), bucket('+Inf')]).toEqual([1, 2, 2, 3, 3, 4]);
    expect(sampleOf(exposition, 'er_mcp_er_request_duration_seconds_count', labels)).toBe(4);
    expect(sampleOf(exposition, 'er_mcp_er_request_duration_seconds_sum', labels)).toBeCloseTo(99.311, 6);
  });

  it('escapes label values and turns dotted label names into Prometheus ones', () => {
    const store = new MetricStore();
    store.add(METRICS.toolErrors, 1, { tool: 'odd"tool\\name\nhere', error_code: 'X' });
    store.record(METRICS.toolDuration, 0.2, { 'gen_ai.tool.name': 'list_route_tables', 'mcp.method.name': 'tools/call' });
    const text = store.render();
    expect(text).toContain('er_mcp_tool_errors_total{tool="odd\\"tool\\\\name\\nhere",error_code="X"} 1');
    const exposition = parsePrometheus(text);
    expect(sampleOf(exposition, 'er_mcp_tool_errors_total', { tool: 'odd"tool\\name\nhere' })).toBe(1);
    expect(sampleOf(exposition, 'mcp_server_operation_duration_seconds_count', { gen_ai_tool_name: 'list_route_tables', mcp_method_name: 'tools/call' })).toBe(1);
  });

  it('keeps a series per label set, in any order of the labels; gauges go down again', () => {
    const store = new MetricStore();
    const observer = metricsObserver(store, 'http');
    observer.sessionOpened();
    observer.sessionOpened();
    observer.sessionClosed();
    const call = observer.toolCall({ tool: 'create_route_association', caller: 'x', readOnly: false, subject: {} }, { send: () => undefined });
    const wait = call.approvalWaitStarted({ channel: 'url', planId: 'plan-1' });
    expect(sampleOf(parsePrometheus(store.render()), 'er_mcp_approvals_pending', { channel: 'url' })).toBe(1);
    wait.end('approved');
    wait.end('approved');
    call.erAttempt({ operation: 'associateRouteTable', method: 'POST', attempt: 1, status: null, failure: 'timeout', requestId: null, startedAtMs: 0, durationMs: 5 });
    call.end({ outcome: 'error', errorCode: null });
    store.add(METRICS.toolCalls, 1, { outcome: 'error', tool: 'create_route_association' });
    const exposition = parsePrometheus(store.render());
    expect(sampleOf(exposition, 'er_mcp_sessions_open', { transport: 'http' })).toBe(1);
    expect(sampleOf(exposition, 'er_mcp_approvals_pending', { channel: 'url' })).toBe(0);
    expect(sampleOf(exposition, 'er_mcp_tool_calls_total', { tool: 'create_route_association', outcome: 'error' })).toBe(2);
    expect(sampleOf(exposition, 'er_mcp_tool_errors_total', { error_code: 'UNKNOWN' })).toBe(1);
    expect(sampleOf(exposition, 'er_mcp_er_request_duration_seconds_count', { status_class: 'none' })).toBe(1);
  });
});
