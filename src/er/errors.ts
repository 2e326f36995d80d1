// Turning ER / API gateway error responses into one typed error, whatever shape the body has,
// and deciding what a failed call means: worth another attempt? may it have been applied?
import { type AttemptOutcome, HttpFailure, type HttpFailureKind, type HttpResponse } from '../http/http-failure.js';
import { BUSY_CODES } from './codes.js';
import type { ErOperation } from './operations.js';

// Callers of the ER client meet transport failures too; they get them from here, not from http/.
export { HttpFailure };

const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

export interface ErrorBody {
  code?: string;
  message?: string;
  requestId?: string;
}

/** Reads `{error_code, error_msg}`, `{code, message}` and `{error: {code, message}}`; tolerates any body. */
export function parseErrorBody(body: string): ErrorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== 'object') return {};
  const top = parsed as Record<string, unknown>;
  const nested = top.error && typeof top.error === 'object' ? (top.error as Record<string, unknown>) : {};
  return {
    code: str(top.error_code) ?? str(top.code) ?? str(nested.code) ?? str(nested.error_code),
    message: str(top.error_msg) ?? str(top.message) ?? str(nested.message) ?? str(nested.error_msg),
    requestId: str(top.request_id) ?? str(nested.request_id),
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Whether a response is worth another attempt: throttling, server errors and "being operated".
 * 401 and 403 never are, whatever the body says: five failed authentications in a row lock the
 * access key for five minutes.
 */
export function isRetryableResponse(response: HttpResponse): boolean {
  if (response.status === 401 || response.status === 403) return false;
  if (RETRYABLE_STATUSES.has(response.status)) return true;
  if (response.status < 400) return false;
  const code = parseErrorBody(response.body).code;
  return code !== undefined && BUSY_CODES.has(code);
}

/** One HTTP attempt of a call, as the audit and a write's answer need it. */
export interface AttemptRecord {
  /** HTTP status, or null when no answer came. */
  status: number | null;
  error_code: string | null;
  request_id: string | null;
  /** Why no answer came (network, timeout, deadline, cancelled…), or null when one did. */
  failure: HttpFailureKind | null;
  /** Whether this attempt may have changed something on the server. */
  may_have_applied: boolean;
}

/**
 * Whether one attempt may have changed something on the server. 429 and "busy" answers are
 * refusals; other 5xx can come after the backend acted (a gateway timing out on a slow backend),
 * and a connection lost after sending tells nothing.
 */
export function recordOf(outcome: AttemptOutcome): AttemptRecord {
  if (outcome.kind === 'failure') {
    return { status: null, error_code: null, request_id: null, failure: outcome.failure, may_have_applied: outcome.possiblyDelivered };
  }
  const { status, body, headers } = outcome.response;
  const parsed = status >= 400 ? parseErrorBody(body) : {};
  const code = parsed.code ?? null;
  const mayHaveApplied = status < 400 || (status >= 500 && !(code !== null && BUSY_CODES.has(code)));
  return { status, error_code: code, request_id: headers['x-request-id'] ?? parsed.requestId ?? null, failure: null, may_have_applied: mayHaveApplied };
}

/** Every attempt of a failed call, in order; empty for errors that did not come from a request. */
export function attemptsOf(error: unknown): AttemptRecord[] {
  if (error instanceof ErApiError || error instanceof HttpFailure) return error.outcomes.map(recordOf);
  return [];
}

/**
 * Whether a failed write may nevertheless have been applied, by any of its attempts. Unknown
 * errors (a 2xx body that does not parse, a bug) count as "may have": the caller then looks.
 */
export function mayHaveBeenApplied(error: unknown): boolean {
  if (!(error instanceof ErApiError || error instanceof HttpFailure)) return true;
  if (error.outcomes.length === 0) return error instanceof ErApiError ? error.httpStatus < 400 || error.httpStatus >= 500 : false;
  return attemptsOf(error).some((a) => a.may_have_applied);
}

/**
 * Whether an attempt lost its answer after the request may have arrived (reset, timeout,
 * deadline): the server may still be applying it, so "not found yet" does not mean "not created".
 */
export function mayStillBeInFlight(error: unknown): boolean {
  if (!(error instanceof ErApiError || error instanceof HttpFailure)) return true;
  return attemptsOf(error).some((a) => a.failure !== null && a.may_have_applied);
}

/** The one test for "the caller cancelled": the signal, or a transport that stopped because of it. */
export function isCancellation(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof HttpFailure && error.kind === 'cancelled');
}

export class ErApiError extends Error {
  readonly errorCode: string;
  readonly errorMsg: string;
  readonly httpStatus: number;
  readonly requestId?: string;
  readonly retryable: boolean;
  /** The response's `Date` header, to measure clock skew on signature failures. */
  readonly serverDate?: string;
  /** Local clock minus the server's `Date`, measured when the response arrived. */
  readonly clockSkewMs?: number;
  /** Every attempt of the call, in order, when the HTTP layer reported them. */
  readonly outcomes: readonly AttemptOutcome[];
  /** Which call failed, so a 403 hint can name the IAM action it needed. */
  readonly operation?: ErOperation;
  /** The answer deserved a retry that the HTTP client's retry budget refused (the API has been failing). */
  readonly retriesPaused: boolean;

  constructor(response: HttpResponse & { outcomes?: readonly AttemptOutcome[]; retriesPaused?: boolean }, operation?: ErOperation) {
    const parsed = parseErrorBody(response.body);
    // The API's own words go to the agent: keep them printable and short.
    const errorMsg = parsed.message !== undefined ? printable(parsed.message).slice(0, MAX_MESSAGE_CHARS) : describeUnparsedBody(response);
    super(`${parsed.code ?? `HTTP ${response.status}`}: ${errorMsg}`);
    this.name = 'ErApiError';
    this.errorCode = parsed.code ?? `HTTP.${response.status}`;
    this.errorMsg = errorMsg;
    this.httpStatus = response.status;
    this.requestId = parsed.requestId ?? response.headers['x-request-id'];
    this.retryable = isRetryableResponse(response);
    this.serverDate = response.headers['date'];
    const serverMs = this.serverDate ? Date.parse(this.serverDate) : Number.NaN;
    if (response.receivedAtMs !== undefined && !Number.isNaN(serverMs)) this.clockSkewMs = response.receivedAtMs - serverMs;
    this.outcomes = response.outcomes ?? [];
    this.operation = operation;
    this.retriesPaused = response.retriesPaused ?? false;
  }

  get attempts(): number {
    return Math.max(1, this.outcomes.length);
  }
}

function describeUnparsedBody(response: HttpResponse): string {
  const body = response.body.trim();
  if (body === '') return `empty response body with HTTP status ${response.status}`;
  const contentType = response.headers['content-type'] ?? '';
  if (contentType.includes('html') || body.startsWith('<')) {
    const title = /<title>([^<]{1,200})<\/title>/i.exec(body)?.[1]?.trim();
    return `non-JSON (HTML) response with HTTP status ${response.status}${title ? `: "${title}"` : ''}`;
  }
  return `non-JSON response with HTTP status ${response.status}: ${printable(body.slice(0, 200))}`;
}

/** Control characters from a hostile or broken body never reach the agent verbatim. */
const MAX_MESSAGE_CHARS = 500;

function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ');
}
