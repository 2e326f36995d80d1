// What a tool call does, told as it happens to whoever watches: MCP log notifications to the
// client (notifications/message), OpenTelemetry traces and metrics, Prometheus counters. The
// layers that act (the HTTP client, the waiter, the gate) report plain typed events here and know
// nothing of who listens; every listener is optional and none may throw into the call.
//
// Nothing in an event may carry a secret: events name operations, IDs, statuses and codes, never
// headers, bodies or credentials.

/** Why a request is tried again. */
export type RetryReason = 'throttled' | 'server_error' | 'busy' | 'network' | 'timeout' | 'other';

/** One HTTP attempt of an ER operation, as it ended. */
export interface ErAttemptEvent {
  /** The operation table's name (src/er/operations.ts), e.g. `associateRouteTable`. */
  operation: string;
  method: string;
  /** Counts from 1. */
  attempt: number;
  /** The HTTP status, or null when no response came (then `failure` says why). */
  status: number | null;
  failure: string | null;
  /** The API's request id, when the answer carried one. */
  requestId: string | null;
  /** Wall-clock time the attempt started (ms since the epoch) and how long it took. */
  startedAtMs: number;
  durationMs: number;
}

/** A retry about to be waited for: the attempt that just ended, why, and how long the wait is. */
export interface ErRetryEvent {
  operation: string;
  attempt: number;
  reason: RetryReason;
  status: number | null;
  delayMs: number;
  /** What the API's Retry-After asked for, when it sent one. */
  retryAfterMs: number | null;
}

/**
 * A request the HTTP client stops trying although its last attempt deserved another: the attempts
 * allowed are used up, the deadline leaves no time, or the retry budget is spent (retries paused
 * while the API keeps failing). The last attempt's answer or failure is what the call gets.
 */
export interface ErGaveUpEvent {
  operation: string;
  /** Attempts made. */
  attempts: number;
  /** Why the last attempt deserved a retry. */
  reason: RetryReason;
  status: number | null;
  failure: string | null;
  requestId: string | null;
  why: GiveUpCause;
}

export type GiveUpCause = 'attempts_exhausted' | 'deadline' | 'retries_paused';

/** A wait for a resource to reach a state (get_*_state with wait_for). */
export interface WaitEvent {
  phase: 'started' | 'polled' | 'ended';
  /** What is waited for, in words with its IDs, e.g. `association of att-1 with rtb-1`. */
  subject: string;
  /** The state wanted, and the one seen last (null before the first look). */
  target: string;
  state: string | null;
  elapsedMs: number;
  limitMs: number;
  /** Only when phase is 'ended'. */
  outcome?: 'reached' | 'timed_out' | 'failed' | 'cancelled';
}

/** A decision of the gate about a write: policy, guardrails, approval, invariants. */
export interface DecisionEvent {
  step: 'policy' | 'guardrail' | 'approval' | 'invariant' | 'plan';
  outcome: 'allowed' | 'refused' | 'asked' | 'approved' | 'rejected' | 'expired';
  /** The error code of a refusal (POLICY_DENIED…), else null. */
  code: string | null;
  /** One sentence for a person. */
  detail: string;
}

/**
 * How a wait for a person ended. `rejected` includes declining the form or the link; `expired`:
 * no answer within the wait's bound (the form's time-out, or this call's bound on the page wait,
 * the plan staying open); `cancelled`: the call was; `failed`: the client could not ask.
 */
export type ApprovalEnd = 'approved' | 'rejected' | 'expired' | 'cancelled' | 'failed';

export interface ApprovalWait {
  end(outcome: ApprovalEnd): void;
}

/** What one tool call reports while it runs. */
export interface CallObserver {
  erAttempt(event: ErAttemptEvent): void;
  erRetry(event: ErRetryEvent): void;
  erGaveUp(event: ErGaveUpEvent): void;
  wait(event: WaitEvent): void;
  decision(event: DecisionEvent): void;
  /**
   * A person is being asked (form, URL or page); the handle ends the wait. A URL elicitation is
   * one wait from the offer of the link to the decision on the page it opens.
   */
  approvalWaitStarted(info: { channel: 'form' | 'url' | 'page'; planId: string | null }): ApprovalWait;
}

/** Which resources a call is about, as far as its arguments say. */
export interface CallSubject {
  er_id?: string;
  route_table_id?: string;
  attachment_id?: string;
  destination?: string;
}

export interface ToolCallStart {
  tool: string;
  caller: string;
  readOnly: boolean;
  subject: CallSubject;
  /** W3C trace context the client sent in the request's `_meta` (the 2026-07-28 spec), if any. */
  traceparent?: string;
  tracestate?: string;
}

export interface ToolCallEnd {
  outcome: 'ok' | 'error';
  /** The result's error_code when it is an error, else null. */
  errorCode: string | null;
}

export interface CallObservation extends CallObserver {
  end(event: ToolCallEnd): void;
}

/** Where one call's log notifications go: the MCP session it came in on. */
export interface SessionLog {
  /** Sends a notifications/message when the client's level (logging/setLevel) lets it through. */
  send(level: LogLevel, data: Record<string, unknown>): void;
}

export type LogLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency';

/** A destination for what calls and sessions do. */
export interface Observer {
  toolCall(start: ToolCallStart, session: SessionLog): CallObservation;
  sessionOpened(): void;
  sessionClosed(): void;
}

const NOTHING = (): void => undefined;
const NO_APPROVAL_WAIT: ApprovalWait = { end: NOTHING };

export const NO_CALL_OBSERVATION: CallObservation = {
  erAttempt: NOTHING,
  erRetry: NOTHING,
  erGaveUp: NOTHING,
  wait: NOTHING,
  decision: NOTHING,
  approvalWaitStarted: () => NO_APPROVAL_WAIT,
  end: NOTHING,
};

export const NO_OBSERVER: Observer = { toolCall: () => NO_CALL_OBSERVATION, sessionOpened: NOTHING, sessionClosed: NOTHING };

/**
 * Several observers as one. A listener that throws is ignored: watching a call must never change
 * what the call does. What observers() made is guarded already (a fan-out's members each are):
 * given again, it is neither wrapped twice nor nested.
 */
export function observers(list: readonly Observer[]): Observer {
  const live = list
    .flatMap((o): readonly Observer[] => (o instanceof FanOut ? o.members : [o]))
    .filter((o) => o !== NO_OBSERVER)
    .map((o) => (o instanceof Guarded ? o : new Guarded(o)));
  if (live.length === 0) return NO_OBSERVER;
  if (live.length === 1) return live[0]!;
  return new FanOut(live);
}

// Classes rather than objects of closures: a call's observation is made on every tool call, and
// its events come on every ER request, so nothing here allocates per event.

/** The observer with every listener's exceptions swallowed. */
class Guarded implements Observer {
  constructor(private readonly observer: Observer) {}

  toolCall(start: ToolCallStart, session: SessionLog): CallObservation {
    try {
      return new GuardedCall(this.observer.toolCall(start, session));
    } catch {
      return NO_CALL_OBSERVATION;
    }
  }

  sessionOpened(): void {
    try {
      this.observer.sessionOpened();
    } catch {
      // ignored: see observers()
    }
  }

  sessionClosed(): void {
    try {
      this.observer.sessionClosed();
    } catch {
      // ignored: see observers()
    }
  }
}

class GuardedCall implements CallObservation {
  constructor(private readonly call: CallObservation) {}

  erAttempt(event: ErAttemptEvent): void {
    this.tell(this.call.erAttempt, event);
  }

  erRetry(event: ErRetryEvent): void {
    this.tell(this.call.erRetry, event);
  }

  erGaveUp(event: ErGaveUpEvent): void {
    this.tell(this.call.erGaveUp, event);
  }

  wait(event: WaitEvent): void {
    this.tell(this.call.wait, event);
  }

  decision(event: DecisionEvent): void {
    this.tell(this.call.decision, event);
  }

  end(event: ToolCallEnd): void {
    this.tell(this.call.end, event);
  }

  approvalWaitStarted(info: { channel: 'form' | 'url' | 'page'; planId: string | null }): ApprovalWait {
    let wait: ApprovalWait;
    try {
      wait = this.call.approvalWaitStarted(info);
    } catch {
      return NO_APPROVAL_WAIT;
    }
    return {
      end(outcome) {
        try {
          wait.end(outcome);
        } catch {
          // ignored: see observers()
        }
      },
    };
  }

  private tell<E>(listener: (this: CallObservation, event: E) => void, event: E): void {
    try {
      listener.call(this.call, event);
    } catch {
      // ignored: see observers()
    }
  }
}

/** Tells each of several guarded observers in turn. */
class FanOut implements Observer {
  constructor(readonly members: readonly Guarded[]) {}

  toolCall(start: ToolCallStart, session: SessionLog): CallObservation {
    return new FanOutCall(this.members.map((o) => o.toolCall(start, session)));
  }

  sessionOpened(): void {
    for (const observer of this.members) observer.sessionOpened();
  }

  sessionClosed(): void {
    for (const observer of this.members) observer.sessionClosed();
  }
}

class FanOutCall implements CallObservation {
  constructor(private readonly calls: readonly CallObservation[]) {}

  erAttempt(event: ErAttemptEvent): void {
    for (const call of this.calls) call.erAttempt(event);
  }

  erRetry(event: ErRetryEvent): void {
    for (const call of this.calls) call.erRetry(event);
  }

  erGaveUp(event: ErGaveUpEvent): void {
    for (const call of this.calls) call.erGaveUp(event);
  }

  wait(event: WaitEvent): void {
    for (const call of this.calls) call.wait(event);
  }

  decision(event: DecisionEvent): void {
    for (const call of this.calls) call.decision(event);
  }

  end(event: ToolCallEnd): void {
    for (const call of this.calls) call.end(event);
  }

  approvalWaitStarted(info: { channel: 'form' | 'url' | 'page'; planId: string | null }): ApprovalWait {
    const waits = this.calls.map((c) => c.approvalWaitStarted(info));
    return { end: (outcome) => waits.forEach((w) => w.end(outcome)) };
  }
}
