// OpenTelemetry's standard environment variables, read into plain settings (config.ts calls this:
// it is the one place that reads the environment). OTLP over HTTP/JSON is the only exporter. It is
// off unless an OTLP endpoint is named: a server in an IDE window must not start sending data, or
// loading the SDK, because of a default.
//
// Header values are credentials (an API key for the collector): they go to the exporter and
// nowhere else, and no warning quotes them.
import type { Env } from '../credentials.js';

export const DEFAULT_SERVICE_NAME = 'huaweicloud-er-mcp';
/** The SDK's defaults for OTEL_METRIC_EXPORT_INTERVAL and OTEL_METRIC_EXPORT_TIMEOUT. */
export const DEFAULT_METRIC_INTERVAL_MS = 60_000;
export const DEFAULT_METRIC_TIMEOUT_MS = 30_000;

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

/** Reads the OTEL_* variables; what is malformed is left out with a warning, never a failed start. */
export function readTelemetry(env: Env, warnings: string[]): TelemetrySettings {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return {};
  const traces = signalTarget('traces', env, warnings);
  const metricsTarget = signalTarget('metrics', env, warnings);
  if (!traces && !metricsTarget) return {};
  const protocol = (env.OTEL_EXPORTER_OTLP_PROTOCOL ?? '').trim();
  if (protocol !== '' && protocol !== 'http/json') warnings.push(`OTEL_EXPORTER_OTLP_PROTOCOL is "${protocol}", but this server exports OTLP over HTTP/JSON only: it sends http/json.`);

  const resourceAttributes = parsePairs(env.OTEL_RESOURCE_ATTRIBUTES, 'OTEL_RESOURCE_ATTRIBUTES', warnings);
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || resourceAttributes['service.name'] || DEFAULT_SERVICE_NAME;
  delete resourceAttributes['service.name'];
  const otlp: OtlpSettings = { serviceName, resourceAttributes };
  if (traces) otlp.traces = traces;
  if (metricsTarget) {
    const ms = (variable: string, fallback: number) => positiveMs({ raw: env[variable], variable, fallback }, warnings);
    const intervalMs = ms('OTEL_METRIC_EXPORT_INTERVAL', DEFAULT_METRIC_INTERVAL_MS);
    // The SDK refuses a timeout longer than the interval.
    const timeoutMs = Math.min(intervalMs, ms('OTEL_METRIC_EXPORT_TIMEOUT', DEFAULT_METRIC_TIMEOUT_MS));
    otlp.metrics = { ...metricsTarget, intervalMs, timeoutMs };
  }
  return { otlp };
}

/** The signal's endpoint and headers, or undefined when it is not to be exported. */
function signalTarget(signal: Signal, env: Env, warnings: string[]): OtlpTarget | undefined {
  const SIGNAL = signal.toUpperCase();
  const exporterVariable = `OTEL_${SIGNAL}_EXPORTER`;
  const exporters = (env[exporterVariable] ?? 'otlp').split(',').map((e) => e.trim().toLowerCase()).filter(Boolean);
  if (exporters.includes('none')) return undefined;
  const specific = env[`OTEL_EXPORTER_OTLP_${SIGNAL}_ENDPOINT`]?.trim();
  const general = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!specific && !general) return undefined;
  if (!exporters.includes('otlp')) {
    warnings.push(`${exporterVariable} names no exporter this server has (only otlp, or none): ${signal} are not exported.`);
    return undefined;
  }
  // The signal's own endpoint is used as given; the general one gets the signal's path (the OTLP/HTTP spec).
  const url = specific ? checkUrl(specific, `OTEL_EXPORTER_OTLP_${SIGNAL}_ENDPOINT`, warnings) : checkUrl(withPath(general!, `v1/${signal}`), 'OTEL_EXPORTER_OTLP_ENDPOINT', warnings);
  if (!url) return undefined;
  const headers = {
    ...parsePairs(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS', warnings),
    ...parsePairs(env[`OTEL_EXPORTER_OTLP_${SIGNAL}_HEADERS`], `OTEL_EXPORTER_OTLP_${SIGNAL}_HEADERS`, warnings),
  };
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
function parsePairs(raw: string | undefined, variable: string, warnings: string[]): Record<string, string> {
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
