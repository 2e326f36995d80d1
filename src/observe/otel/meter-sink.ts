// The metric catalogue as OpenTelemetry instruments: each made on first use, with the catalogue's
// unit, description and (for histograms) bucket bounds as advice.
import type { Counter, Histogram, Meter, UpDownCounter } from '@opentelemetry/api';
import type { MetricSink, MetricSpec } from '../metrics/catalogue.js';

export function meterSink(meter: Meter): MetricSink {
  const adders = new Map<string, Counter | UpDownCounter>();
  const histograms = new Map<string, Histogram>();

  const adder = (metric: MetricSpec): Counter | UpDownCounter => {
    let instrument = adders.get(metric.name);
    if (!instrument) {
      const options = { unit: metric.unit, description: metric.description };
      instrument = metric.kind === 'updown' ? meter.createUpDownCounter(metric.name, options) : meter.createCounter(metric.name, options);
      adders.set(metric.name, instrument);
    }
    return instrument;
  };
  const histogram = (metric: MetricSpec): Histogram => {
    let instrument = histograms.get(metric.name);
    if (!instrument) {
      instrument = meter.createHistogram(metric.name, {
        unit: metric.unit,
        description: metric.description,
        ...(metric.buckets ? { advice: { explicitBucketBoundaries: [...metric.buckets] } } : {}),
      });
      histograms.set(metric.name, instrument);
    }
    return instrument;
  };

  return {
    add: (metric, value, labels) => adder(metric).add(value, labels),
    record: (metric, value, labels) => histogram(metric).record(value, labels),
  };
}
