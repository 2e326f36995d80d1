// Turning ER / API gateway error responses into one typed error, whatever shape the body has.
import type { HttpResponse } from '../http/client.js';

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

/** Whether a response is worth another attempt: throttling, server errors and "being operated". */
export function isRetryableResponse(response: HttpResponse): boolean {
  if (RETRYABLE_STATUSES.has(response.status)) return true;
  if (response.status !== 400) return false;
  const code = parseErrorBody(response.body).code;
  return code !== undefined && BUSY_CODES.has(code);
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

  constructor(response: HttpResponse, attempts: number) {
    const parsed = parseErrorBody(response.body);
    const errorMsg = parsed.message ?? describeUnparsedBody(response);
    super(`${parsed.code ?? `HTTP ${response.status}`}: ${errorMsg}`);
    this.name = 'ErApiError';
    this.errorCode = parsed.code ?? `HTTP.${response.status}`;
    this.errorMsg = errorMsg;
    this.httpStatus = response.status;
    this.requestId = parsed.requestId ?? response.headers['x-request-id'];
    this.retryable = isRetryableResponse(response);
    this.attempts = attempts;
    this.serverDate = response.headers['date'];
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
  return `non-JSON response with HTTP status ${response.status}: ${body.slice(0, 200)}`;
}
