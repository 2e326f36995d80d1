// Every metric the server keeps, named once: the OpenTelemetry instruments (OTLP) and the
// Prometheus text of GET /metrics are both made from this table, so the two carry the same
// metrics under the same names (OpenTelemetry's dotted name; Prometheus's with `_` for `.`, the
// unit `_seconds` and `_total` on counters, as the OTel-to-Prometheus naming does).
export type MetricKind = 'counter' | 'updown' | 'histogram';

export interface MetricSpec {
  name: string;
  kind: MetricKind;
  /** UCUM: `s` for seconds; `{call}`-style annotations name what is counted. */
  unit: string;
  description: string;
  /** Histogram bucket upper bounds, in the unit. */
  buckets?: readonly number[];
}

/** The buckets the MCP semantic conventions advise for mcp.server.operation.duration: waits last up to a minute. */
const CALL_BUCKETS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300];
/** The buckets the HTTP semantic conventions advise for request durations. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export const METRICS = {
  /** Labels: tool, outcome (ok | error). */
  toolCalls: { name: 'er_mcp.tool.calls', kind: 'counter', unit: '{call}', description: 'Tool calls, by tool and outcome (ok or error).' },
  /** Labels: tool, error_code. */
  toolErrors: { name: 'er_mcp.tool.errors', kind: 'counter', unit: '{call}', description: 'Tool calls that answered an error, by tool and error code.' },
  /** The MCP semantic conventions' metric. Labels: mcp.method.name, gen_ai.tool.name, error.type (only on errors). */
  toolDuration: { name: 'mcp.server.operation.duration', kind: 'histogram', unit: 's', description: 'How long tools/call requests took, from receipt to answer.', buckets: CALL_BUCKETS },
  /** Labels: operation, method, status_class (2xx … 5xx, or none when no answer came). */
  erRequestDuration: { name: 'er_mcp.er.request.duration', kind: 'histogram', unit: 's', description: 'Enterprise Router API request attempts: how long each took, by operation and status class.', buckets: REQUEST_BUCKETS },
  /** Labels: operation, reason (throttled, server_error, busy, network, timeout, other). */
  erRetries: { name: 'er_mcp.er.retries', kind: 'counter', unit: '{retry}', description: 'Enterprise Router API requests tried again, by operation and reason.' },
  /** Labels: operation, why (attempts_exhausted, deadline, retries_paused: the retry budget is spent). */
  erGaveUp: { name: 'er_mcp.er.gave_up', kind: 'counter', unit: '{request}', description: 'Enterprise Router API requests not tried again although their last attempt deserved it, by operation and why.' },
  /** Labels: operation. */
  erThrottled: { name: 'er_mcp.er.throttled', kind: 'counter', unit: '{response}', description: 'Enterprise Router API answers 429 (throttled), by operation.' },
  /** Labels: channel (form, url, page). */
  approvalsPending: { name: 'er_mcp.approvals.pending', kind: 'updown', unit: '{approval}', description: 'Approvals a call is waiting for now, by channel.' },
  /** Labels: transport (stdio, http). */
  sessionsOpen: { name: 'er_mcp.sessions.open', kind: 'updown', unit: '{session}', description: 'Open MCP sessions, by transport.' },
} as const satisfies Record<string, MetricSpec>;

export type Labels = Readonly<Record<string, string>>;

/** Where metric values go: an OpenTelemetry meter, the in-process store behind /metrics. */
export interface MetricSink {
  /** Counters and up-down counters. */
  add(metric: MetricSpec, value: number, labels: Labels): void;
  /** Histograms. */
  record(metric: MetricSpec, value: number, labels: Labels): void;
}

/** The Prometheus name of a metric, as the OpenTelemetry-to-Prometheus naming makes it. */
export function prometheusName(metric: MetricSpec): string {
  let name = metric.name.replace(/[^a-zA-Z0-9_:]/g, '_');
  if (metric.unit === 's') name += '_seconds';
  if (metric.kind === 'counter') name += '_total';
  return name;
}

/** A label's Prometheus name: `gen_ai.tool.name` becomes `gen_ai_tool_name`. */
export function prometheusLabel(key: string): string {
  return key.replace(/[^a-zA-Z0-9_]/g, '_');
}
