// OpenTelemetry for this process: a tracer provider and a meter provider exporting OTLP over
// HTTP/JSON to the endpoints load-config.ts read. Loaded by import() only when an endpoint is
// configured, so it is a chunk of its own that stdio sessions without telemetry never load.
//
// The settings read in load-config.ts (endpoints, headers, service name, export interval) are passed
// explicitly. The SDK still reads its other standard variables itself (OTEL_TRACES_SAMPLER,
// OTEL_BSP_*, OTEL_EXPORTER_OTLP_*_TIMEOUT, _COMPRESSION, _CERTIFICATE, the metrics temporality):
// that is what an operator who sets them expects.
//
// Nothing is registered globally (no global tracer or meter provider, no context manager): the
// observers hold their tracer and meter. Only the SDK's diagnostic logger is global; it goes to
// the server log, with the OTLP header values blanked.
import { diag, type DiagLogger, DiagLogLevel } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../../log.js';
import { VERSION } from '../../version.js';
import type { MetricSink } from '../metrics/catalogue.js';
import type { Transport } from '../metrics/metrics-observer.js';
import type { Observer } from '../observer.js';
import { describeTarget, type OtlpSettings } from '../telemetry-settings.js';
import { meterSink } from './meter-sink.js';
import { traceObserver } from './trace-observer.js';

export interface OpenTelemetry {
  /** Spans for the calls of a transport; absent when traces are not exported. */
  traces?: (transport: Transport) => Observer;
  /** The meter, as a sink for the metrics observer; absent when metrics are not exported. */
  metrics?: MetricSink;
  /** Exports what is pending and stops, within `boundMs` whatever the collector does. */
  shutdown(boundMs: number): Promise<void>;
}

const SCOPE = 'huaweicloud-er-mcp';

export function startOpenTelemetry(settings: OtlpSettings, log: Logger): OpenTelemetry {
  const secrets = [settings.traces, settings.metrics].flatMap((target) => Object.values(target?.headers ?? {})).filter((value) => value.length > 0);
  diag.setLogger(diagnostics(log, secrets), DiagLogLevel.WARN);

  const resource = defaultResource().merge(resourceFromAttributes({ ...settings.resourceAttributes, 'service.name': settings.serviceName, 'service.version': VERSION }));
  const stops: Array<() => Promise<void>> = [];
  const telemetry: OpenTelemetry = { shutdown: (boundMs) => bounded(Promise.all(stops.map((stop) => stop().catch(() => undefined))), boundMs) };

  if (settings.traces) {
    const exporter = new OTLPTraceExporter({ url: settings.traces.url, headers: { ...settings.traces.headers } });
    const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
    const tracer = provider.getTracer(SCOPE, VERSION);
    telemetry.traces = (transport) => traceObserver({ tracer, transport });
    stops.push(() => provider.shutdown());
  }
  if (settings.metrics) {
    const { url, headers, intervalMs, timeoutMs } = settings.metrics;
    const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url, headers: { ...headers } }), exportIntervalMillis: intervalMs, exportTimeoutMillis: timeoutMs });
    const provider = new MeterProvider({ resource, readers: [reader] });
    telemetry.metrics = meterSink(provider.getMeter(SCOPE, VERSION));
    stops.push(() => provider.shutdown());
  }
  log.info(
    {
      service_name: settings.serviceName,
      traces: settings.traces ? describeTarget(settings.traces) : 'off',
      metrics: settings.metrics ? describeTarget(settings.metrics) : 'off',
      metric_export_interval_ms: settings.metrics?.intervalMs ?? null,
      // How many headers there are; never their values.
      otlp_headers: Object.keys({ ...settings.traces?.headers, ...settings.metrics?.headers }).length,
    },
    'OpenTelemetry export on',
  );
  return telemetry;
}

/** Resolves when `work` does or when `ms` have passed, whichever is first. */
async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  await Promise.race([work.then(() => undefined), outOfTime]);
  clearTimeout(timer);
}

/** The SDK's own complaints (a collector that refuses an export…), in the server log without the header values. */
function diagnostics(log: Logger, secrets: readonly string[]): DiagLogger {
  const clean = (parts: unknown[]) => {
    let text = parts.map((part) => (part instanceof Error ? part.message : typeof part === 'string' ? part : safeJson(part))).join(' ');
    for (const secret of secrets) text = text.split(secret).join('[redacted]');
    return text.slice(0, 500);
  };
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, ...args: unknown[]) => log[level]({ otel: clean([message, ...args]) }, 'OpenTelemetry SDK');
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), verbose: at('debug') };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
