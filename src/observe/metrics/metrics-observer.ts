// What calls and sessions do, counted: tool calls and errors, how long calls and ER requests take,
// retries, throttling, approvals waited for and open sessions, written to a MetricSink (the
// OpenTelemetry meter, the store behind /metrics, or both). Labels come from a bounded set (tool
// names, operation names, error codes, reasons): never an ID, a caller or a message.
import { type ApprovalWait, type CallObservation, NO_CALL_OBSERVATION, type Observer } from '../observer.js';
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
    toolCall(start): CallObservation {
      const startedAt = now();
      const tool = start.tool;
      return {
        ...NO_CALL_OBSERVATION,
        erAttempt(event) {
          const labels = { operation: event.operation, method: event.method, status_class: statusClass(event.status) };
          sink.record(METRICS.erRequestDuration, event.durationMs / 1000, labels);
          if (event.status === 429) sink.add(METRICS.erThrottled, 1, { operation: event.operation });
        },
        erRetry(event) {
          sink.add(METRICS.erRetries, 1, { operation: event.operation, reason: event.reason });
        },
        erGaveUp(event) {
          sink.add(METRICS.erGaveUp, 1, { operation: event.operation, why: event.why });
        },
        approvalWaitStarted(info): ApprovalWait {
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
        },
        end(event) {
          sink.add(METRICS.toolCalls, 1, { tool, outcome: event.outcome });
          if (event.outcome === 'error') sink.add(METRICS.toolErrors, 1, { tool, error_code: event.errorCode ?? 'UNKNOWN' });
          const labels: Record<string, string> = { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': tool };
          // The semantic conventions' value for a result with isError (the error codes are in er_mcp.tool.errors).
          if (event.outcome === 'error') labels['error.type'] = 'tool_error';
          sink.record(METRICS.toolDuration, (now() - startedAt) / 1000, labels);
        },
      };
    },
    sessionOpened: () => sink.add(METRICS.sessionsOpen, 1, { transport }),
    sessionClosed: () => sink.add(METRICS.sessionsOpen, -1, { transport }),
  };
}

function statusClass(status: number | null): string {
  return status === null ? 'none' : `${Math.floor(status / 100)}xx`;
}
