// OpenTelemetry's standard environment variables (rows of src/settings.ts), read into plain
// settings: load-config.ts hands each row's value in, from the environment config.ts reads. OTLP
// over HTTP/JSON is the only exporter. It is off unless an OTLP endpoint is named: a server in an
// IDE window must not start sending data, or loading the SDK, because of a default.
//
// Header values are credentials (an API key for the collector): they go to the exporter and
// nowhere else, and no warning quotes them.
import { type Setting, SETTINGS } from '../settings.js';

/** A setting's value as the environment gives it, or undefined. */
export type ReadSetting = (setting: Setting) => string | undefined;

export const DEFAULT_SERVICE_NAME = SETTINGS.otelServiceName.default;
/** The SDK's defaults for OTEL_METRIC_EXPORT_INTERVAL and OTEL_METRIC_EXPORT_TIMEOUT. */
export const DEFAULT_METRIC_INTERVAL_MS = SETTINGS.metricExportInterval.default;
export const DEFAULT_METRIC_TIMEOUT_MS = SETTINGS.metricExportTimeout.default;

/** Where one signal goes. */
export interface OtlpTarget {
  url: string;
  headers: Record<string, string>;
}

export interface OtlpSettings {
  serviceName: string;
  /** OTEL_RESOURCE_ATTRIBUTES, without service.name (that is `serviceName`). */
  resourceAttributes: Record<string, string>;
  /** Absent: no traces are exported (OTEL_TRACES_EXPORTER=none, or no endpoint for them). */
  traces?: OtlpTarget;
  metrics?: OtlpTarget & { intervalMs: number; timeoutMs: number };
}

export interface TelemetrySettings {
  /** Absent: OpenTelemetry is off and none of it is loaded. */
  otlp?: OtlpSettings;
}

type Signal = 'traces' | 'metrics';

/** Each signal's own settings. */
const SIGNALS = {
  traces: { exporter: SETTINGS.tracesExporter, endpoint: SETTINGS.otlpTracesEndpoint, headers: SETTINGS.otlpTracesHeaders },
  metrics: { exporter: SETTINGS.metricsExporter, endpoint: SETTINGS.otlpMetricsEndpoint, headers: SETTINGS.otlpMetricsHeaders },
} as const;

/** Reads the OTEL_* settings; what is malformed is left out with a warning, never a failed start. */
export function readTelemetry(read: ReadSetting, warnings: string[]): TelemetrySettings {
  if (read(SETTINGS.otelSdkDisabled)?.trim().toLowerCase() === 'true') return {};
  const traces = signalTarget('traces', read, warnings);
  const metricsTarget = signalTarget('metrics', read, warnings);
  if (!traces && !metricsTarget) return {};
  const protocol = (read(SETTINGS.otlpProtocol) ?? '').trim();
  if (protocol !== '' && protocol !== SETTINGS.otlpProtocol.default) {
    warnings.push(`${SETTINGS.otlpProtocol.env} is "${protocol}", but this server exports OTLP over HTTP/JSON only: it sends http/json.`);
  }

  const resourceAttributes = parsePairs(read, SETTINGS.otelResourceAttributes, warnings);
  const serviceName = read(SETTINGS.otelServiceName)?.trim() || resourceAttributes['service.name'] || DEFAULT_SERVICE_NAME;
  delete resourceAttributes['service.name'];
  const otlp: OtlpSettings = { serviceName, resourceAttributes };
  if (traces) otlp.traces = traces;
  if (metricsTarget) {
    const ms = (setting: Setting, fallback: number) => positiveMs({ raw: read(setting), variable: setting.env!, fallback }, warnings);
    const intervalMs = ms(SETTINGS.metricExportInterval, DEFAULT_METRIC_INTERVAL_MS);
    // The SDK refuses a timeout longer than the interval.
    const timeoutMs = Math.min(intervalMs, ms(SETTINGS.metricExportTimeout, DEFAULT_METRIC_TIMEOUT_MS));
    otlp.metrics = { ...metricsTarget, intervalMs, timeoutMs };
  }
  return { otlp };
}

/** The signal's endpoint and headers, or undefined when it is not to be exported. */
function signalTarget(signal: Signal, read: ReadSetting, warnings: string[]): OtlpTarget | undefined {
  const own = SIGNALS[signal];
  const exporters = (read(own.exporter) ?? own.exporter.default).split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
  if (exporters.includes('none')) return undefined;
  const specific = read(own.endpoint)?.trim();
  const general = read(SETTINGS.otlpEndpoint)?.trim();
  if (!specific && !general) return undefined;
  if (!exporters.includes('otlp')) {
    warnings.push(`${own.exporter.env} names no exporter this server has (only otlp, or none): ${signal} are not exported.`);
    return undefined;
  }
  // The signal's own endpoint is used as given; the general one gets the signal's path (the OTLP/HTTP spec).
  const url = specific ? checkUrl(specific, own.endpoint.env, warnings) : checkUrl(withPath(general!, `v1/${signal}`), SETTINGS.otlpEndpoint.env, warnings);
  if (!url) return undefined;
  const headers = { ...parsePairs(read, SETTINGS.otlpHeaders, warnings), ...parsePairs(read, own.headers, warnings) };
  return { url, headers };
}

function withPath(base: string, path: string): string {
  return base.endsWith('/') ? `${base}${path}` : `${base}/${path}`;
}

/** The URL when it is http(s); a warning (naming the variable, not the value: it may hold user info) otherwise. */
function checkUrl(value: string, variable: string, warnings: string[]): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
  } catch {
    // reported below
  }
  warnings.push(`${variable} is not an http:// or https:// URL: that OpenTelemetry signal is not exported.`);
  return undefined;
}

/**
 * `key=value,key2=value2` with percent-encoded values (the W3C Baggage form the OTel spec uses for
 * headers and resource attributes). A malformed entry is skipped and named by its position only.
 */
function parsePairs(read: ReadSetting, setting: Setting, warnings: string[]): Record<string, string> {
  const raw = read(setting);
  const variable = setting.env;
  const pairs: Record<string, string> = {};
  if (!raw?.trim()) return pairs;
  raw.split(',').forEach((entry, index) => {
    if (entry.trim() === '') return;
    const eq = entry.indexOf('=');
    const key = eq > 0 ? entry.slice(0, eq).trim() : '';
    let value: string | undefined;
    try {
      value = eq > 0 ? decodeURIComponent(entry.slice(eq + 1).trim()) : undefined;
    } catch {
      value = undefined;
    }
    if (!key || value === undefined || !/^[\x21-\x7e]+$/.test(key)) {
      warnings.push(`${variable}: entry ${index + 1} is not key=value (percent-encoded): ignored.`);
      return;
    }
    pairs[key] = value;
  });
  return pairs;
}

function positiveMs({ raw, variable, fallback }: { raw: string | undefined; variable: string; fallback: number }, warnings: string[]): number {
  const text = raw?.trim();
  if (!text) return fallback;
  const ms = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (ms > 0) return ms;
  warnings.push(`${variable} must be a whole number of milliseconds above 0 (got "${text}"): using ${fallback}.`);
  return fallback;
}

/** Where telemetry goes, for the start-up log: scheme, host and path only (no user info, no query, no headers). */
export function describeTarget(target: OtlpTarget): string {
  const url = new URL(target.url);
  return `${url.protocol}//${url.host}${url.pathname}`;
}
