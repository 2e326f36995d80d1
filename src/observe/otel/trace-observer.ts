// Spans for what a tool call does, as the OpenTelemetry semantic conventions for MCP describe a
// server's tools/call (span `tools/call {tool}`, kind SERVER, parented by the W3C trace context the
// client put in the request's `_meta`), with a CLIENT child span per Enterprise Router API attempt
// (the HTTP client conventions: method, url.template, status, resend count) and an INTERNAL child
// span per approval wait. Retries, waits and the gate's decisions are events on the call's span.
//
// Attributes hold names, IDs, statuses and codes only: events carry no secret (observer.ts), and
// nothing here reads arguments, headers or bodies.
import { type Attributes, type Context, defaultTextMapGetter, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type TextMapPropagator, trace, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OPERATIONS, type OperationSpec } from '../../er/operations.js';
import type { ApprovalWait, CallObservation, ErAttemptEvent, Observer, ToolCallStart } from '../observer.js';
import type { Transport } from '../metrics/metrics-observer.js';

/** Our own attributes, beside the conventions' (which have none for a router or a caller). */
export const ATTR = {
  caller: 'er_mcp.caller',
  readOnly: 'er_mcp.read_only',
  router: 'er_mcp.router.id',
  routeTable: 'er_mcp.route_table.id',
  attachment: 'er_mcp.attachment.id',
  destination: 'er_mcp.destination',
  outcome: 'er_mcp.outcome',
  errorCode: 'er_mcp.error_code',
  operation: 'er_mcp.er.operation',
  attempt: 'er_mcp.er.attempt',
  requestId: 'er_mcp.er.request_id',
  channel: 'er_mcp.approval.channel',
  planId: 'er_mcp.plan.id',
  approvalOutcome: 'er_mcp.approval.outcome',
} as const;

export interface TraceObserverOptions {
  tracer: Tracer;
  transport: Transport;
  /** The W3C trace-context propagator by default. */
  propagator?: TextMapPropagator;
}

export function traceObserver(options: TraceObserverOptions): Observer {
  const { tracer } = options;
  const propagator = options.propagator ?? new W3CTraceContextPropagator();
  const transport = options.transport === 'stdio' ? 'pipe' : 'tcp';

  return {
    toolCall(start): CallObservation {
      const span = tracer.startSpan(`tools/call ${start.tool}`, { kind: SpanKind.SERVER, attributes: callAttributes(start, transport) }, parentOf(start, propagator));
      const within = trace.setSpan(ROOT_CONTEXT, span);
      return {
        erAttempt: (event) => attemptSpan(tracer, event, within),
        erRetry(event) {
          span.addEvent('er_mcp.er.retry', {
            [ATTR.operation]: event.operation,
            [ATTR.attempt]: event.attempt,
            'er_mcp.retry.reason': event.reason,
            'er_mcp.retry.delay_ms': Math.round(event.delayMs),
            ...(event.status !== null ? { 'http.response.status_code': event.status } : {}),
            ...(event.retryAfterMs !== null ? { 'er_mcp.retry.retry_after_ms': Math.round(event.retryAfterMs) } : {}),
          });
        },
        erGaveUp(event) {
          span.addEvent('er_mcp.er.gave_up', {
            [ATTR.operation]: event.operation,
            'er_mcp.er.attempts': event.attempts,
            'er_mcp.retry.reason': event.reason,
            'er_mcp.gave_up.why': event.why,
            ...(event.status !== null ? { 'http.response.status_code': event.status } : {}),
          });
        },
        wait(event) {
          // Polls are many and say little; the start and the end say what happened.
          if (event.phase === 'polled') return;
          span.addEvent(`er_mcp.wait.${event.phase}`, {
            'er_mcp.wait.subject': event.subject,
            'er_mcp.wait.target': event.target,
            'er_mcp.wait.elapsed_ms': Math.round(event.elapsedMs),
            'er_mcp.wait.limit_ms': Math.round(event.limitMs),
            ...(event.state !== null ? { 'er_mcp.wait.state': event.state } : {}),
            ...(event.outcome ? { 'er_mcp.wait.outcome': event.outcome } : {}),
          });
        },
        decision(event) {
          span.addEvent('er_mcp.gate.decision', {
            'er_mcp.gate.step': event.step,
            'er_mcp.gate.outcome': event.outcome,
            ...(event.code !== null ? { [ATTR.errorCode]: event.code } : {}),
          });
        },
        approvalWaitStarted: (info) => approvalSpan(tracer, info, within),
        end(event) {
          span.setAttribute(ATTR.outcome, event.outcome);
          if (event.outcome === 'error') {
            const code = event.errorCode ?? 'UNKNOWN';
            // The conventions' error.type for a result with isError; the code says which error.
            span.setAttributes({ [ATTR.errorCode]: code, 'error.type': 'tool_error' });
            span.setStatus({ code: SpanStatusCode.ERROR, message: code });
          }
          span.end();
        },
      };
    },
    sessionOpened: () => undefined,
    sessionClosed: () => undefined,
  };
}

/** The client's span from `_meta`, when it sent a valid traceparent; else a new trace. */
function parentOf(start: ToolCallStart, propagator: TextMapPropagator): Context {
  if (!start.traceparent) return ROOT_CONTEXT;
  const carrier: Record<string, string> = { traceparent: start.traceparent };
  if (start.tracestate) carrier.tracestate = start.tracestate;
  return propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
}

function callAttributes(start: ToolCallStart, transport: string): Attributes {
  const { subject } = start;
  return {
    'mcp.method.name': 'tools/call',
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': start.tool,
    'network.transport': transport,
    [ATTR.caller]: start.caller,
    [ATTR.readOnly]: start.readOnly,
    ...(subject.er_id ? { [ATTR.router]: subject.er_id } : {}),
    ...(subject.route_table_id ? { [ATTR.routeTable]: subject.route_table_id } : {}),
    ...(subject.attachment_id ? { [ATTR.attachment]: subject.attachment_id } : {}),
    ...(subject.destination ? { [ATTR.destination]: subject.destination } : {}),
  };
}

/** One attempt, told after it ended: the span is given the attempt's own start and duration. */
function attemptSpan(tracer: Tracer, event: ErAttemptEvent, parent: Context): void {
  const template = (OPERATIONS as Record<string, OperationSpec>)[event.operation]?.path;
  const attributes: Attributes = {
    'http.request.method': event.method,
    [ATTR.operation]: event.operation,
    [ATTR.attempt]: event.attempt,
    ...(template ? { 'url.template': template } : {}),
    // The conventions count resends, and only when there was one.
    ...(event.attempt > 1 ? { 'http.request.resend_count': event.attempt - 1 } : {}),
    ...(event.status !== null ? { 'http.response.status_code': event.status } : {}),
    ...(event.requestId ? { [ATTR.requestId]: event.requestId } : {}),
  };
  const errorType = event.status === null ? (event.failure ?? 'unknown') : event.status >= 400 ? String(event.status) : null;
  if (errorType) attributes['error.type'] = errorType;
  const span: Span = tracer.startSpan(template ? `${event.method} ${template}` : event.method, { kind: SpanKind.CLIENT, startTime: event.startedAtMs, attributes }, parent);
  if (errorType) span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
  span.end(event.startedAtMs + event.durationMs);
}

function approvalSpan(tracer: Tracer, info: { channel: 'form' | 'url' | 'page'; planId: string | null }, parent: Context): ApprovalWait {
  const span = tracer.startSpan('approval wait', { kind: SpanKind.INTERNAL, attributes: { [ATTR.channel]: info.channel, ...(info.planId ? { [ATTR.planId]: info.planId } : {}) } }, parent);
  let open = true;
  return {
    end(outcome) {
      if (!open) return;
      open = false;
      span.setAttribute(ATTR.approvalOutcome, outcome);
      span.end();
    },
  };
}
