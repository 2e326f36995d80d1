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
import type {
  ApprovalWait,
  CallObservation,
  CallObserver,
  DecisionEvent,
  ErAttemptEvent,
  ErGaveUpEvent,
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

const GIVE_UP_WORDS: Readonly<Record<ErGaveUpEvent['why'], string>> = {
  attempts_exhausted: 'no attempts left',
  deadline: 'the call deadline leaves no time for another',
  retries_paused: 'retries are paused while the API keeps failing',
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
  }

  erRetry(event: ErRetryEvent): void {
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

  erGaveUp(event: ErGaveUpEvent): void {
    const how = event.status === null ? (event.failure ?? 'no answer') : `HTTP ${event.status}`;
    this.send('warning', `${event.operation}: giving up after ${event.attempts} attempt${event.attempts === 1 ? '' : 's'} (last: ${how}; ${GIVE_UP_WORDS[event.why]})`, {
      event: 'er_gave_up',
      operation: event.operation,
      attempts: event.attempts,
      reason: event.reason,
      status: event.status,
      failure: event.failure,
      request_id: event.requestId,
      why: event.why,
    });
  }

  end(): void {
    // Nothing to say about the end itself: the result says it.
  }

  private send(level: LogLevel, message: string, fields: Record<string, unknown>): void {
    this.session.send(level, { message, tool: this.start.tool, ...fields });
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}
