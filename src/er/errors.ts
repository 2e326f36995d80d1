// Turning ER / API gateway error responses into one typed error, whatever shape the body has,
// and deciding what a failed call means: worth another attempt? may it have been applied?
import { type AttemptOutcome, HttpFailure, type HttpResponse } from '../http/client.js';

// Callers of the ER client meet transport failures too; they get them from here, not from http/.
export { HttpFailure };

/** Codes that mean "busy right now": the same request may well succeed a moment later. */
const BUSY_CODES = new Set(['ER.04001003', 'ER.04002003', 'ER.04004003', 'ER.04005003', 'ER.05039006']);
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

/**
 * Whether one attempt may have changed something on the server. 429 and "busy" answers are
 * refusals; other 5xx can come after the backend acted (a gateway timing out on a slow backend),
 * and a connection lost after sending tells nothing.
 */
function attemptMayHaveApplied(outcome: AttemptOutcome): boolean {
  if (outcome.kind === 'failure') return outcome.possiblyDelivered;
  const { status, body } = outcome.response;
  if (status < 400) return true;
  if (status < 500) return false;
  const code = parseErrorBody(body).code;
  return !(code !== undefined && BUSY_CODES.has(code));
}

/**
 * Whether a failed write may nevertheless have been applied, by any of its attempts. Unknown
 * errors (a 2xx body that does not parse, a bug) count as "may have": the caller then looks.
 */
export function mayHaveBeenApplied(error: unknown): boolean {
  if (error instanceof ErApiError) return error.outcomes.length === 0 ? error.httpStatus < 400 || error.httpStatus >= 500 : error.outcomes.some(attemptMayHaveApplied);
  if (error instanceof HttpFailure) return error.outcomes.length === 0 ? error.possiblyDelivered : error.outcomes.some(attemptMayHaveApplied);
  return true;
}

/**
 * Whether an attempt lost its answer after the request may have arrived (reset, timeout,
 * deadline): the server may still be applying it, so "not found yet" does not mean "not created".
 */
export function mayStillBeInFlight(error: unknown): boolean {
  const outcomes = error instanceof ErApiError || error instanceof HttpFailure ? error.outcomes : [];
  if (outcomes.length === 0) return error instanceof HttpFailure ? error.possiblyDelivered : true;
  return outcomes.some((o) => o.kind === 'failure' && o.possiblyDelivered);
}

export class ErApiError extends Error {
  readonly errorCode: string;
  readonly errorMsg: string;
  readonly httpStatus: number;
  readonly requestId?: string;
  readonly retryable: boolean;
  readonly attempts: number;
  /** The response's `Date` header, to measure clock skew on signature failures. */
  readonly serverDate?: string;
  /** Local clock minus the server's `Date`, measured when the response arrived. */
  readonly clockSkewMs?: number;
  /** Every attempt of the call, in order, when the HTTP layer reported them. */
  readonly outcomes: readonly AttemptOutcome[];

  constructor(response: HttpResponse & { outcomes?: readonly AttemptOutcome[] }, attempts: number) {
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
    this.attempts = attempts;
    this.serverDate = response.headers['date'];
    const serverMs = this.serverDate ? Date.parse(this.serverDate) : Number.NaN;
    if (response.receivedAtMs !== undefined && !Number.isNaN(serverMs)) this.clockSkewMs = response.receivedAtMs - serverMs;
    this.outcomes = response.outcomes ?? [];
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
