// What calls and sessions do, counted: tool calls and errors, how long calls and ER requests take,
// retries, throttling, approvals waited for and open sessions, written to a MetricSink (the
// OpenTelemetry meter, the store behind /metrics, or both). Labels come from a bounded set (tool
// names, operation names, error codes, reasons): never an ID, a caller or a message.
import type { ApprovalWait, CallObservation, ErAttemptEvent, ErGaveUpEvent, ErRetryEvent, Observer, ToolCallEnd } from '../observer.js';
import { METRICS, type MetricSink } from './catalogue.js';

export type Transport = 'stdio' | 'http';

/** Several sinks as one. */
export function sinks(list: readonly MetricSink[]): MetricSink {
  if (list.length === 1) return list[0]!;
  return {
    add: (metric, value, labels) => list.forEach((s) => s.add(metric, value, labels)),
    record: (metric, value, labels) => list.forEach((s) => s.record(metric, value, labels)),
  };
}

export function metricsObserver(sink: MetricSink, transport: Transport, now: () => number = () => performance.now()): Observer {
  return {
    toolCall: (start) => new MetricsCall(sink, start.tool, now),
    sessionOpened: () => sink.add(METRICS.sessionsOpen, 1, { transport }),
    sessionClosed: () => sink.add(METRICS.sessionsOpen, -1, { transport }),
  };
}

/** One call's metrics. A class: one is made per tool call and its methods run per ER request. */
class MetricsCall implements CallObservation {
  private readonly startedAt: number;

  constructor(
    private readonly sink: MetricSink,
    private readonly tool: string,
    private readonly now: () => number,
  ) {
    this.startedAt = now();
  }

  erAttempt(event: ErAttemptEvent): void {
    const labels = { operation: event.operation, method: event.method, status_class: statusClass(event.status) };
    this.sink.record(METRICS.erRequestDuration, event.durationMs / 1000, labels);
    if (event.status === 429) this.sink.add(METRICS.erThrottled, 1, { operation: event.operation });
  }

  erRetry(event: ErRetryEvent): void {
    this.sink.add(METRICS.erRetries, 1, { operation: event.operation, reason: event.reason });
  }

  erGaveUp(event: ErGaveUpEvent): void {
    this.sink.add(METRICS.erGaveUp, 1, { operation: event.operation, why: event.why });
  }

  wait(): void {}

  decision(): void {}

  approvalWaitStarted(info: { channel: 'form' | 'url' | 'page' }): ApprovalWait {
    const { sink } = this;
    const labels = { channel: info.channel };
    sink.add(METRICS.approvalsPending, 1, labels);
    let open = true;
    return {
      end() {
        // A wait ends once, however many times it is told so.
        if (!open) return;
        open = false;
        sink.add(METRICS.approvalsPending, -1, labels);
      },
    };
  }

  end(event: ToolCallEnd): void {
    const { sink, tool } = this;
    sink.add(METRICS.toolCalls, 1, { tool, outcome: event.outcome });
    if (event.outcome === 'error') sink.add(METRICS.toolErrors, 1, { tool, error_code: event.errorCode ?? 'UNKNOWN' });
    const labels: Record<string, string> = { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': tool };
    // The semantic conventions' value for a result with isError (the error codes are in er_mcp.tool.errors).
    if (event.outcome === 'error') labels['error.type'] = 'tool_error';
    sink.record(METRICS.toolDuration, (this.now() - this.startedAt) / 1000, labels);
  }
}

function statusClass(status: number | null): string {
  return status === null ? 'none' : `${Math.floor(status / 100)}xx`;
}
