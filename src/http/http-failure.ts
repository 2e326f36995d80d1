// How an HTTP request ended without a usable answer, and what each attempt did: what the ER
// client's errors, the tools' answers and the audit tell apart. Kept apart from the client itself
// (http-client.ts), which loads only once the API is first needed.

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** When the response arrived, per the client's clock (to measure skew against its `Date`). */
  receivedAtMs?: number;
}

/**
 * `invalid_request`: the request could not even be built (e.g. a header value with a line break).
 * `oversized_response`: the answer was larger than any ER answer can be (a wrong endpoint).
 */
export type HttpFailureKind = 'network' | 'timeout' | 'deadline' | 'cancelled' | 'invalid_request' | 'oversized_response';

/**
 * How one attempt ended. Callers that write need the whole list: the last answer may be a
 * harmless 429 while an earlier attempt was lost after the server had acted on it.
 */
export type AttemptOutcome =
  | { kind: 'response'; response: HttpResponse }
  | { kind: 'failure'; failure: HttpFailureKind; possiblyDelivered: boolean };

/**
 * No usable response: the network failed, time ran out or the caller cancelled. Everything but
 * the kind is derived from `outcomes`, the one record of what each attempt did.
 */
export class HttpFailure extends Error {
  constructor(
    readonly kind: HttpFailureKind,
    message: string,
    /** How each attempt that started ended, in order. */
    readonly outcomes: readonly AttemptOutcome[] = [],
  ) {
    super(message);
    this.name = 'HttpFailure';
  }

  /** True when another attempt was refused by the client's retry budget, not by the policy or the deadline. */
  readonly retriesPaused: boolean = false;

  get attempts(): number {
    return this.outcomes.length;
  }

  /** False only when no attempt can have reached the server (no connection was ever opened). */
  get possiblyDelivered(): boolean {
    return this.outcomes.some((o) => o.kind === 'response' || o.possiblyDelivered);
  }

  /** The last response seen before giving up, if any attempt got one. */
  get lastResponse(): HttpResponse | undefined {
    for (let i = this.outcomes.length - 1; i >= 0; i--) {
      const outcome = this.outcomes[i]!;
      if (outcome.kind === 'response') return outcome.response;
    }
    return undefined;
  }
}

/** A network failure or timeout that deserved a retry, refused because the client's retry budget is spent. */
export class RetriesPausedFailure extends HttpFailure {
  override readonly retriesPaused = true;
}
