// What a call does, told to the MCP client as log notifications (notifications/message): each
// event becomes one short sentence (`message`) with the same facts as structured fields beside
// it, at a level that says how much it matters:
//
//   warning  a retry (throttled, server error, busy, lost connection), giving up on a request,
//            a refusal by a guardrail, the plan step or the policy, an approval that expired,
//            a wait that failed
//   notice   a person is asked, waited for, approves or rejects
//   info     a wait starts or ends, a step allows a write
//   debug    every HTTP attempt, every poll of a wait
//
// Events carry operation names, IDs, statuses and codes only (observer.ts), and so do these
// messages: never a header, a body or a credential.
import { RETRYABLE_STATUSES } from '../er/errors.js';
import type {
  ApprovalWait,
  CallObservation,
  CallObserver,
  DecisionEvent,
  ErAttemptEvent,
  ErRetryEvent,
  LogLevel,
  Observer,
  RetryReason,
  SessionLog,
  ToolCallStart,
  WaitEvent,
} from './observer.js';

const RETRY_WORDS: Readonly<Record<RetryReason, string>> = {
  throttled: 'throttled by the API',
  server_error: 'server error',
  busy: 'the resource is busy',
  network: 'connection lost',
  timeout: 'no answer in time',
  other: 'failed',
};

const DECISION_LEVEL: Readonly<Record<DecisionEvent['outcome'], LogLevel>> = {
  allowed: 'info',
  asked: 'notice',
  approved: 'notice',
  rejected: 'notice',
  refused: 'warning',
  expired: 'warning',
};

/** Sends every call's events to the client of its session, at the level the client set. */
export const MCP_LOG_OBSERVER: Observer = {
  toolCall: (start, session) => new McpLogCall(start, session),
  sessionOpened: () => undefined,
  sessionClosed: () => undefined,
};

class McpLogCall implements CallObservation {
  /** Attempts that ended in a way worth retrying, until their retry is announced. */
  private readonly unretried = new Set<ErAttemptEvent>();

  constructor(
    private readonly start: ToolCallStart,
    private readonly session: SessionLog,
  ) {}

  erAttempt(event: ErAttemptEvent): void {
    const how = event.status === null ? (event.failure ?? 'no answer') : `HTTP ${event.status}`;
    this.send('debug', `${event.operation} attempt ${event.attempt}: ${how} in ${Math.round(event.durationMs)} ms`, {
      event: 'er_attempt',
      operation: event.operation,
      method: event.method,
      attempt: event.attempt,
      status: event.status,
      failure: event.failure,
      request_id: event.requestId,
      duration_ms: Math.round(event.durationMs),
    });
    if (worthRetrying(event)) {
      // The HTTP client announces a retry right after the attempt, in the same turn: an attempt
      // still unannounced once that turn is over was the last one the client will make.
      this.unretried.add(event);
      queueMicrotask(() => this.gaveUpUnlessRetried(event));
    }
  }

  erRetry(event: ErRetryEvent): void {
    for (const attempt of this.unretried) {
      if (attempt.operation === event.operation && attempt.attempt === event.attempt) {
        this.unretried.delete(attempt);
        break;
      }
    }
    const status = event.status === null ? '' : ` (HTTP ${event.status})`;
    const asked = event.retryAfterMs === null ? '' : `, as Retry-After asked`;
    this.send('warning', `${event.operation}: ${RETRY_WORDS[event.reason]}${status} on attempt ${event.attempt}; retrying in ${seconds(event.delayMs)} s${asked}`, {
      event: 'er_retry',
      operation: event.operation,
      attempt: event.attempt,
      reason: event.reason,
      status: event.status,
      delay_ms: Math.round(event.delayMs),
      retry_after_ms: event.retryAfterMs,
    });
  }

  wait(event: WaitEvent): void {
    const fields = { event: `wait_${event.phase}`, subject: event.subject, target: event.target, state: event.state, elapsed_ms: Math.round(event.elapsedMs), limit_ms: event.limitMs };
    if (event.phase === 'started') {
      this.send('info', `Waiting up to ${seconds(event.limitMs)} s for ${event.subject} to be ${event.target}`, fields);
    } else if (event.phase === 'polled') {
      this.send('debug', `${event.subject}: ${event.state ?? 'poll failed'} after ${seconds(event.elapsedMs)} s`, fields);
    } else {
      const outcome = event.outcome ?? 'reached';
      this.send(outcome === 'failed' ? 'warning' : 'info', `Wait for ${event.subject} ${outcome.replace('_', ' ')} after ${seconds(event.elapsedMs)} s (state ${event.state ?? 'unknown'})`, { ...fields, outcome });
    }
  }

  decision(event: DecisionEvent): void {
    this.send(DECISION_LEVEL[event.outcome], event.detail, { event: 'decision', step: event.step, outcome: event.outcome, code: event.code });
  }

  approvalWaitStarted(info: Parameters<CallObserver['approvalWaitStarted']>[0]): ApprovalWait {
    const plan = { plan_id: info.planId, channel: info.channel };
    this.send('notice', `Waiting for a person to decide on plan ${info.planId ?? '(none)'} (${info.channel})`, { event: 'approval_wait_started', ...plan });
    return { end: (outcome) => this.send('notice', `The wait for a person on plan ${info.planId ?? '(none)'} ended: ${outcome}`, { event: 'approval_wait_ended', ...plan, outcome }) };
  }

  end(): void {
    // Nothing to say about the end itself: the result says it. What is left unannounced is not.
    for (const attempt of [...this.unretried]) this.gaveUpUnlessRetried(attempt);
  }

  private gaveUpUnlessRetried(attempt: ErAttemptEvent): void {
    if (!this.unretried.delete(attempt)) return;
    const how = attempt.status === null ? (attempt.failure ?? 'no answer') : `HTTP ${attempt.status}`;
    this.send('warning', `${attempt.operation}: giving up after ${attempt.attempt} attempt${attempt.attempt === 1 ? '' : 's'} (last: ${how})`, {
      event: 'er_gave_up',
      operation: attempt.operation,
      attempts: attempt.attempt,
      status: attempt.status,
      failure: attempt.failure,
      request_id: attempt.requestId,
    });
  }

  private send(level: LogLevel, message: string, fields: Record<string, unknown>): void {
    this.session.send(level, { message, tool: this.start.tool, ...fields });
  }
}

/** An attempt the HTTP client may try again: throttled, a server error, or no answer at all (a busy 4xx is not told apart here). */
function worthRetrying(event: ErAttemptEvent): boolean {
  if (event.status === null) return event.failure === 'network' || event.failure === 'timeout';
  return RETRYABLE_STATUSES.has(event.status);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
