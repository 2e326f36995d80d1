// An OTLP/HTTP collector for the tests: a plain node:http server on 127.0.0.1 that keeps every
// JSON body POSTed to /v1/traces and /v1/metrics (as text, for secret checks, and parsed), with
// the headers it came with, and answers as a collector does (200, an empty JSON object).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export interface OtlpReceiver {
  /** The base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  received: Received[];
  spans(): OtlpSpan[];
  /** Metrics of the latest export that carries each name (exports are cumulative). */
  latestMetric(name: string): OtlpMetric | undefined;
  close(): Promise<void>;
}

export interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number };
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  events?: Array<{ name: string; attributes: OtlpAttribute[] }>;
  status?: { code?: number; message?: string };
}

export interface OtlpDataPoint {
  attributes: OtlpAttribute[];
  asInt?: number | string;
  asDouble?: number;
  count?: number | string;
  sum?: number;
}

export interface OtlpMetric {
  name: string;
  unit?: string;
  sum?: { dataPoints: OtlpDataPoint[]; isMonotonic?: boolean };
  histogram?: { dataPoints: OtlpDataPoint[] };
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        // kept as text: a test will say it is not JSON
      }
      received.push({ path: req.url ?? '', headers: req.headers, text, json });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const bodies = (path: string) => received.filter((r) => r.path === path).map((r) => r.json as Record<string, unknown[]>);
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    spans: () =>
      bodies('/v1/traces').flatMap((body) =>
        (body.resourceSpans as Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>).flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
      ),
    latestMetric(name) {
      for (const body of bodies('/v1/metrics').reverse()) {
        const metrics = (body.resourceMetrics as Array<{ scopeMetrics: Array<{ metrics: OtlpMetric[] }> }>).flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
        const found = metrics.find((m) => m.name === name);
        if (found) return found;
      }
      return undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A span's or data point's attributes as a plain object. */
export function attributesOf(item: { attributes?: OtlpAttribute[] }): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of item.attributes ?? []) {
    out[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.boolValue ?? value.doubleValue ?? '';
  }
  return out;
}

/** The value of the data point whose attributes include these (0 when there is none). */
export function pointValue(metric: OtlpMetric | undefined, labels: Record<string, string>): number {
  const points = metric?.sum?.dataPoints ?? metric?.histogram?.dataPoints ?? [];
  const point = points.find((p) => Object.entries(labels).every(([k, v]) => attributesOf(p)[k] === v));
  if (!point) return 0;
  return Number(point.asInt ?? point.asDouble ?? point.count ?? 0);
}
