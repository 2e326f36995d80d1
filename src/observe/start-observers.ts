// The observers `serve` runs with: the metrics store behind GET /metrics (with --http), and
// OpenTelemetry (with an OTLP endpoint), whose SDK is imported only then. Loaded by cli.ts only
// when one of them is wanted: a stdio server without telemetry loads none of this.
import type { Logger } from '../log.js';
import { METRICS, type MetricSink } from './metrics/catalogue.js';
import { MetricStore } from './metrics/metric-store.js';
import { metricsObserver, sinks, type Transport } from './metrics/metrics-observer.js';
import { type Observer, observers } from './observer.js';
import type { OpenTelemetry } from './otel/start.js';
import type { OtlpSettings } from './telemetry-settings.js';

export interface RunningObservers {
  observer: Observer;
  /** The store GET /metrics renders; absent on stdio. */
  store?: MetricStore;
  /** Exports what is pending and stops, within `boundMs`. */
  shutdown(boundMs: number): Promise<void>;
}

export interface ObserverOptions {
  transport: Transport;
  /** OTLP export; absent: OpenTelemetry is not loaded. */
  otlp?: OtlpSettings;
  log: Logger;
}

export async function startObservers(options: ObserverOptions): Promise<RunningObservers> {
  const { transport } = options;
  // /metrics exists only over HTTP: on stdio a store would be counted and never read.
  const store = transport === 'http' ? new MetricStore() : undefined;
  // A scrape before the first session still shows the gauge, at 0.
  store?.add(METRICS.sessionsOpen, 0, { transport });
  const otel = options.otlp ? await openTelemetry(options.otlp, options.log) : undefined;
  const metricSinks: MetricSink[] = [store, otel?.metrics].filter((sink): sink is MetricSink => sink !== undefined);
  const list: Observer[] = [];
  if (metricSinks.length > 0) list.push(metricsObserver(sinks(metricSinks), transport));
  if (otel?.traces) list.push(otel.traces(transport));
  return {
    observer: observers(list),
    ...(store ? { store } : {}),
    shutdown: async (boundMs) => otel?.shutdown(boundMs),
  };
}

/** OpenTelemetry, or nothing (and an error line) when it cannot start: watching must never stop the server. */
async function openTelemetry(settings: OtlpSettings, log: Logger): Promise<OpenTelemetry | undefined> {
  try {
    return (await import('./otel/start.js')).startOpenTelemetry(settings, log);
  } catch (error) {
    log.error({ err: error instanceof Error ? error.message : String(error) }, 'OpenTelemetry did not start: the server runs without it');
    return undefined;
  }
}
