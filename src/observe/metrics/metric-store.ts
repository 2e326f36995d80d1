// The metrics behind GET /metrics: counters, up-down counters and histograms kept in memory, one
// series per label set, rendered in the Prometheus text exposition format (version 0.0.4). Always
// on with `serve --http`, whether or not OpenTelemetry is configured, and needs none of it.
import { type Labels, type MetricSink, type MetricSpec, METRICS, prometheusLabel, prometheusName } from './catalogue.js';

interface Series {
  labels: Labels;
  /** Counters: the total; up-down counters: the current value; histograms: the sum. */
  value: number;
  /** Histograms only: observations at or below each bucket bound (not cumulative), and the count. */
  buckets?: number[];
  count: number;
}

/** One metric's series, by their labels sorted by name, and by the labels in each order a caller gave them. */
interface SeriesTable {
  bySortedLabels: Map<string, Series>;
  byGivenLabels: Map<string, Series>;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export class MetricStore implements MetricSink {
  private readonly series = new Map<string, SeriesTable>();

  constructor(private readonly metrics: readonly MetricSpec[] = Object.values(METRICS)) {
    for (const metric of metrics) this.series.set(metric.name, { bySortedLabels: new Map(), byGivenLabels: new Map() });
  }

  add(metric: MetricSpec, value: number, labels: Labels): void {
    this.seriesOf(metric, labels).value += value;
  }

  record(metric: MetricSpec, value: number, labels: Labels): void {
    const series = this.seriesOf(metric, labels);
    const bounds = metric.buckets ?? [];
    series.buckets ??= new Array<number>(bounds.length).fill(0);
    let at = 0;
    while (at < bounds.length && value > bounds[at]!) at++;
    if (at < bounds.length) series.buckets[at]! += 1;
    series.value += value;
    series.count += 1;
  }

  /** Every metric (also those with no series yet, by their HELP and TYPE lines), as Prometheus text. */
  render(): string {
    const lines: string[] = [];
    for (const metric of this.metrics) {
      const name = prometheusName(metric);
      lines.push(`# HELP ${name} ${escapeHelp(metric.description)}`, `# TYPE ${name} ${metric.kind === 'updown' ? 'gauge' : metric.kind}`);
      for (const series of this.series.get(metric.name)!.bySortedLabels.values()) {
        if (metric.kind !== 'histogram') {
          lines.push(`${name}${labelText(series.labels)} ${number(series.value)}`);
          continue;
        }
        let cumulative = 0;
        (metric.buckets ?? []).forEach((bound, i) => {
          cumulative += series.buckets?.[i] ?? 0;
          lines.push(`${name}_bucket${labelText(series.labels, { le: number(bound) })} ${cumulative}`);
        });
        lines.push(`${name}_bucket${labelText(series.labels, { le: '+Inf' })} ${series.count}`);
        lines.push(`${name}_sum${labelText(series.labels)} ${number(series.value)}`);
        lines.push(`${name}_count${labelText(series.labels)} ${series.count}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  private seriesOf(metric: MetricSpec, labels: Labels): Series {
    const table = this.series.get(metric.name);
    if (!table) throw new Error(`unknown metric ${metric.name}`);
    // The labels in the order given first: callers give them the same way each time, so most
    // calls end here without sorting anything.
    let given = '';
    for (const name in labels) given += `${name}\u0000${labels[name]}\u0001`;
    const seen = table.byGivenLabels.get(given);
    if (seen) return seen;
    // Keys in sorted order: the same labels given in another order are the same series.
    let key = '';
    for (const name of Object.keys(labels).sort()) key += `${name}\u0000${labels[name]}\u0001`;
    let series = table.bySortedLabels.get(key);
    if (!series) {
      series = { labels: { ...labels }, value: 0, count: 0 };
      table.bySortedLabels.set(key, series);
    }
    table.byGivenLabels.set(given, series);
    return series;
  }
}

function labelText(labels: Labels, extra: Labels = {}): string {
  const entries = [...Object.entries(labels), ...Object.entries(extra)];
  if (entries.length === 0) return '';
  return `{${entries.map(([key, value]) => `${prometheusLabel(key)}="${escapeLabel(value)}"`).join(',')}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}
