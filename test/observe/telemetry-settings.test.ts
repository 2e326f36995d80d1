// The OTEL_* variables as the server reads them: off unless an OTLP endpoint is named, the
// standard switches honoured, header values (credentials) passed on and never quoted.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/load-config.js';
import { DEFAULT_METRIC_INTERVAL_MS, DEFAULT_SERVICE_NAME, readTelemetry } from '../../src/observe/telemetry-settings.js';

const ENDPOINT = 'http://collector.internal:4318';
const SECRET = 'otlp-header-secret-5c1e';

function read(env: Record<string, string>): { settings: ReturnType<typeof readTelemetry>; warnings: string[] } {
  const warnings: string[] = [];
  return { settings: readTelemetry((setting) => (setting.env === undefined ? undefined : env[setting.env]), warnings), warnings };
}

describe('readTelemetry', () => {
  it('is off without an OTLP endpoint, whatever else is set', () => {
    expect(read({}).settings).toEqual({});
    expect(read({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_HEADERS: `k=${SECRET}` }).settings).toEqual({});
  });

  it('sends each signal to the general endpoint with its path, under the default service name', () => {
    const { otlp } = read({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT }).settings;
    expect(otlp).toEqual({
      serviceName: DEFAULT_SERVICE_NAME,
      resourceAttributes: {},
      traces: { url: `${ENDPOINT}/v1/traces`, headers: {} },
      metrics: { url: `${ENDPOINT}/v1/metrics`, headers: {}, intervalMs: DEFAULT_METRIC_INTERVAL_MS, timeoutMs: 30_000 },
    });
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: `${ENDPOINT}/base/` }).settings.otlp?.traces?.url).toBe(`${ENDPOINT}/base/v1/traces`);
  });

  it('uses a signal\'s own endpoint as given, and only that signal when only it has one', () => {
    const { otlp } = read({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'https://metrics.example/custom' }).settings;
    expect(otlp?.metrics?.url).toBe('https://metrics.example/custom');
    expect(otlp?.traces).toBeUndefined();
  });

  it('honours OTEL_SDK_DISABLED and OTEL_*_EXPORTER=none', () => {
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_SDK_DISABLED: 'TRUE' }).settings).toEqual({});
    const noTraces = read({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_TRACES_EXPORTER: 'none' }).settings.otlp;
    expect(noTraces?.traces).toBeUndefined();
    expect(noTraces?.metrics).toBeDefined();
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' }).settings).toEqual({});
  });

  it('warns about an exporter it does not have, and exports that signal no more', () => {
    const { settings, warnings } = read({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_TRACES_EXPORTER: 'zipkin' });
    expect(settings.otlp?.traces).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('OTEL_TRACES_EXPORTER')]);
  });

  it('merges the headers (a signal\'s own win), decodes them, and never quotes a value in a warning', () => {
    const { settings, warnings } = read({
      OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT,
      OTEL_EXPORTER_OTLP_HEADERS: `api-key=${SECRET},tenant=a%20b,broken${SECRET}`,
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'tenant=traces',
    });
    expect(settings.otlp?.traces?.headers).toEqual({ 'api-key': SECRET, tenant: 'traces' });
    expect(settings.otlp?.metrics?.headers).toEqual({ 'api-key': SECRET, tenant: 'a b' });
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.join('\n')).toContain('OTEL_EXPORTER_OTLP_HEADERS: entry 3');
    expect(warnings.join('\n')).not.toContain(SECRET);
  });

  it('reads the service name, the resource attributes and the export interval; the timeout never exceeds the interval', () => {
    const { otlp } = read({
      OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT,
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes,deployment.environment=prod',
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
    }).settings;
    expect(otlp).toMatchObject({ serviceName: 'from-attributes', resourceAttributes: { 'deployment.environment': 'prod' } });
    expect(otlp?.metrics).toMatchObject({ intervalMs: 5000, timeoutMs: 5000 });
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_SERVICE_NAME: 'mine', OTEL_RESOURCE_ATTRIBUTES: 'service.name=other' }).settings.otlp?.serviceName).toBe('mine');
  });

  it('warns about a malformed endpoint, interval or protocol without stopping the server', () => {
    const endpoint = read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector' });
    expect(endpoint.settings).toEqual({});
    expect(endpoint.warnings).toEqual([expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT'), expect.stringContaining('OTEL_EXPORTER_OTLP_ENDPOINT')]);
    const interval = read({ OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_METRIC_EXPORT_INTERVAL: 'soon', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(interval.settings.otlp?.metrics?.intervalMs).toBe(DEFAULT_METRIC_INTERVAL_MS);
    expect(interval.warnings).toEqual([expect.stringContaining('http/json'), expect.stringContaining('OTEL_METRIC_EXPORT_INTERVAL')]);
  });

  it('is read by loadConfig for serve, into config.telemetry, with its warnings among the others', () => {
    const config = loadConfig(['--sandbox'], { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, OTEL_METRIC_EXPORT_INTERVAL: 'x', HOME: '/nonexistent', HUAWEICLOUD_ER_MCP_AUDIT_LOG: 'off' });
    expect(config.telemetry.otlp?.traces?.url).toBe(`${ENDPOINT}/v1/traces`);
    expect(config.warnings).toContainEqual(expect.stringContaining('OTEL_METRIC_EXPORT_INTERVAL'));
    expect(loadConfig(['doctor', '--sandbox'], { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT, HOME: '/nonexistent' }).telemetry).toEqual({});
  });
});
