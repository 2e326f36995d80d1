// Building tool results: structured JSON plus the same JSON as text, and isError results that
// tell the agent what happened and what to do next. The text is compact JSON: a model reads it
// (some clients quote it once more), and indentation would only add characters.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ErApiError, HttpFailure } from '../er/errors.js';
import { hintFor } from './hints.js';

/** The text block of every JSON result, success or error: compact JSON (no indentation). */
export function resultText(value: Record<string, unknown>): string {
  return JSON.stringify(value);
}

export function success(structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: resultText(structured) }], structuredContent: structured };
}

export interface ToolError {
  error_code: string;
  error_msg: string;
  http_status: number | null;
  request_id: string | null;
  retryable: boolean;
  attempts: number;
  hint: string;
  [extra: string]: unknown;
}

/** The error code of each failure result made here, kept beside it so nobody re-reads the text. */
const ERROR_CODES = new WeakMap<CallToolResult, string>();

export function failure(error: ToolError): CallToolResult {
  const result: CallToolResult = { isError: true, content: [{ type: 'text', text: resultText(error) }] };
  ERROR_CODES.set(result, error.error_code);
  return result;
}

/** The error_code of a failure made by `failure()`; null for a success or any other result. */
export function errorCodeOf(result: CallToolResult): string | null {
  return ERROR_CODES.get(result) ?? null;
}

/** What a CONFIGURATION error usually asks for: a setting. */
const CONFIGURATION_HINT = 'Set the environment variables named above in the MCP client configuration and restart the server, or start it with --sandbox to try it against the local emulator.';

export function configurationFailure(problems: string[], hint = CONFIGURATION_HINT): CallToolResult {
  return failure({
    error_code: 'CONFIGURATION',
    error_msg: problems.join(' '),
    http_status: null,
    request_id: null,
    retryable: false,
    attempts: 0,
    hint,
  });
}

/** Everything a tool needs to phrase a hint: the IDs of the call and the local clock. */
export interface ErrorContext {
  ids: Record<string, string | undefined>;
  nowMs: number;
}

const FAILURE_HINTS: Record<HttpFailure['kind'], string> = {
  network: 'The connection to the API failed on every attempt: check network access to the endpoint (proxy, firewall, DNS), then call again; repeating is safe.',
  timeout: 'The API did not answer in time on every attempt: call again in a moment; repeating is safe.',
  deadline:
    'The call ran out of its time budget (HUAWEICLOUD_ER_MCP_CALL_TIMEOUT_SECONDS, 30 s by default) before the API answered: call again; repeating is safe.',
  cancelled: 'The call was cancelled.',
  oversized_response:
    'The endpoint answered with far more data than the ER API ever sends: check HUAWEICLOUD_ER_ENDPOINT (or the region). Nothing more was read.',
  invalid_request:
    'The request could not be built, so nothing was sent: a credential or header holds characters HTTP does not allow (check the keys for stray spaces or line breaks).',
};

/**
 * Said when the HTTP client's retry budget refused a retry: a failure that would have been tried
 * again was not, because so many requests failed lately that more retries would only add load.
 */
const RETRIES_PAUSED_HINT =
  'Not retried: the API has been failing for this server, so it has paused its retries (its retry budget is spent) rather than add load to the API. Wait a minute before calling again; every request the API answers restores the budget. If failures go on, check the Huawei Cloud service health for ER in this region.';

/**
 * A ToolError that also says the retry budget stopped the retries, in the message (an HttpFailure's
 * says it already; an API error's is the API's own words), the hint and a field.
 */
function withRetriesPaused(described: ToolError, error: ErApiError | HttpFailure): ToolError {
  return {
    ...described,
    error_msg: error instanceof ErApiError ? `${described.error_msg} (not retried: retries are paused while the API keeps failing)` : described.error_msg,
    hint: `${RETRIES_PAUSED_HINT} ${described.hint}`,
    retries_paused: true,
  };
}

/** Maps any thrown error to a ToolError. Messages never carry secrets: none reach this layer. */
export function describeError(error: unknown, context: ErrorContext): ToolError {
  if ((error instanceof ErApiError || error instanceof HttpFailure) && error.retriesPaused) {
    return withRetriesPaused(describeKnownError(error, context), error);
  }
  return describeKnownError(error, context);
}

function describeKnownError(error: unknown, context: ErrorContext): ToolError {
  if (error instanceof ErApiError) {
    return {
      error_code: error.errorCode,
      error_msg: error.errorMsg,
      http_status: error.httpStatus,
      request_id: error.requestId ?? null,
      retryable: error.retryable,
      attempts: error.attempts,
      hint: hintFor(error, context),
    };
  }
  if (error instanceof HttpFailure) {
    return {
      error_code: `HTTP.${error.kind.toUpperCase()}`,
      error_msg: error.message,
      http_status: error.lastResponse?.status ?? null,
      request_id: error.lastResponse?.headers['x-request-id'] ?? null,
      retryable: error.kind === 'network' || error.kind === 'timeout' || error.kind === 'deadline',
      attempts: error.attempts,
      hint: FAILURE_HINTS[error.kind],
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    error_code: 'INTERNAL',
    error_msg: message,
    http_status: null,
    request_id: null,
    retryable: false,
    attempts: 0,
    hint: 'Unexpected failure inside the server; the server log (stderr) has details.',
  };
}
