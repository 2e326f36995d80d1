// Signed HTTP requests with keep-alive, timeouts, a total deadline, retries and cancellation.
// It knows nothing of ER or MCP: what is worth retrying is decided by the caller's `retryOn`.
import { Agent, request as undiciRequest } from 'undici';
import { type Clock, systemClock } from './clock.js';
import { backoffDelay, defaultRetryPolicy, parseRetryAfter, type RetryPolicy } from './retry.js';
import { canonicalQueryString, formatSdkDate, type Query, sign } from './signer.js';

export interface Credentials {
  ak: string;
  sk: string;
  securityToken?: string;
}

export interface HttpClientOptions {
  /** Origin the API lives at, e.g. `https://er.cn-north-4.myhuaweicloud.com`. */
  endpoint: string;
  credentials: Credentials;
  retry?: Partial<RetryPolicy>;
  /** Keep-alive connections per origin; requests beyond it wait for a free one. */
  connections?: number;
  connectTimeoutMs?: number;
  /** Time to wait for response headers, and between body chunks, per attempt. */
  responseTimeoutMs?: number;
  userAgent?: string;
  clock?: Clock;
  random?: () => number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Query;
  /** Extra headers to send and sign (X-Project-Id, X-Client-Token…). */
  headers?: Record<string, string>;
  /** JSON body, serialised once so every attempt signs and sends the same bytes. */
  json?: unknown;
  signal?: AbortSignal;
  /** Absolute time (per the client's clock) after which no attempt or wait may start or go on. */
  deadline?: number;
  /** Whether a received response deserves another attempt. Network errors are always retried. */
  retryOn?: (response: HttpResponse) => boolean;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpResult extends HttpResponse {
  attempts: number;
  /** Time spent in backoff waits, all attempts together. */
  waitedMs: number;
}

export type HttpFailureKind = 'network' | 'timeout' | 'deadline' | 'cancelled';

/** No usable response: the network failed, time ran out or the caller cancelled. */
export class HttpFailure extends Error {
  constructor(
    readonly kind: HttpFailureKind,
    message: string,
    readonly attempts: number,
    /** False only when no attempt can have reached the server (connection never opened). */
    readonly possiblyDelivered: boolean,
    /** The last response seen before giving up, if any attempt got one. */
    readonly lastResponse?: HttpResponse,
  ) {
    super(message);
    this.name = 'HttpFailure';
  }
}

const CONNECT_ERROR_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export class HttpClient {
  private readonly agent: Agent;
  private readonly origin: URL;
  private readonly policy: RetryPolicy;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly responseTimeoutMs: number;

  constructor(private readonly options: HttpClientOptions) {
    this.origin = new URL(options.endpoint);
    this.policy = { ...defaultRetryPolicy, ...options.retry };
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.responseTimeoutMs = options.responseTimeoutMs ?? 15_000;
    this.agent = new Agent({
      connections: options.connections ?? 8,
      connect: { timeout: options.connectTimeoutMs ?? 5_000 },
      headersTimeout: this.responseTimeoutMs,
      bodyTimeout: this.responseTimeoutMs,
      keepAliveTimeout: 10_000,
    });
  }

  get endpoint(): string {
    return this.origin.origin;
  }

  async request(req: HttpRequest): Promise<HttpResult> {
    const body = req.json === undefined ? '' : JSON.stringify(req.json);
    let attempts = 0;
    let waitedMs = 0;
    let possiblyDelivered = false;
    let lastResponse: HttpResponse | undefined;

    for (;;) {
      attempts += 1;
      const remaining = req.deadline === undefined ? Infinity : req.deadline - this.clock.now();
      if (remaining <= 0) {
        throw new HttpFailure('deadline', 'the deadline passed before the request could be sent', attempts - 1, possiblyDelivered, lastResponse);
      }

      let retryAfterMs: number | undefined;
      let answered: HttpResponse | undefined;
      try {
        const response = await this.attempt(req, body, remaining);
        possiblyDelivered = true;
        if (attempts >= this.policy.maxAttempts || !req.retryOn?.(response)) {
          return { ...response, attempts, waitedMs };
        }
        lastResponse = answered = response;
        retryAfterMs = parseRetryAfter(response.headers['retry-after'], this.clock.now());
      } catch (error) {
        const failure = this.classify(error, req, attempts, possiblyDelivered, lastResponse);
        possiblyDelivered = failure.possiblyDelivered;
        if (failure.kind === 'cancelled' || failure.kind === 'deadline' || attempts >= this.policy.maxAttempts) {
          throw failure;
        }
      }

      const delay = Math.max(retryAfterMs ?? 0, backoffDelay(this.policy, attempts, this.random));
      if (req.deadline !== undefined && this.clock.now() + delay >= req.deadline) {
        // A real answer from the API says more than "out of time".
        if (answered) return { ...answered, attempts, waitedMs };
        throw new HttpFailure('deadline', `the deadline leaves no time for a retry after ${attempts} attempt(s)`, attempts, possiblyDelivered, lastResponse);
      }
      try {
        await this.clock.sleep(delay, req.signal);
      } catch {
        throw new HttpFailure('cancelled', 'the request was cancelled while waiting to retry', attempts, possiblyDelivered, lastResponse);
      }
      waitedMs += delay;
    }
  }

  private async attempt(req: HttpRequest, body: string, remainingMs: number): Promise<HttpResponse> {
    const query = canonicalQueryString(req.query);
    const url = `${this.origin.origin}${req.path}${query ? `?${query}` : ''}`;
    const headers: Record<string, string> = {
      host: this.origin.host,
      'x-sdk-date': formatSdkDate(new Date(this.clock.now())),
      ...lowerCaseKeys(req.headers ?? {}),
    };
    if (body) headers['content-type'] = 'application/json';
    if (this.options.credentials.securityToken) headers['x-security-token'] = this.options.credentials.securityToken;
    const { authorization } = sign({ method: req.method, path: req.path, query: req.query, headers, body }, this.options.credentials);

    const timeout = new AbortController();
    const timer = Number.isFinite(remainingMs) ? setTimeout(() => timeout.abort(new DeadlineReached()), remainingMs) : undefined;
    const signal = req.signal ? AbortSignal.any([req.signal, timeout.signal]) : timeout.signal;
    try {
      const res = await undiciRequest(url, {
        method: req.method,
        headers: { ...headers, authorization, 'user-agent': this.options.userAgent ?? 'huaweicloud-er-mcp' },
        body: body || undefined,
        dispatcher: this.agent,
        signal,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: flattenHeaders(res.headers), body: text };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  private classify(error: unknown, req: HttpRequest, attempts: number, deliveredBefore: boolean, lastResponse?: HttpResponse): HttpFailure {
    if (req.signal?.aborted) {
      return new HttpFailure('cancelled', 'the request was cancelled', attempts, true, lastResponse);
    }
    const reason = error instanceof Error ? error : new Error(String(error));
    if (reason instanceof DeadlineReached || (reason.cause instanceof DeadlineReached)) {
      return new HttpFailure('deadline', 'the deadline passed while waiting for the response', attempts, true, lastResponse);
    }
    const code = errorCode(reason);
    const neverSent = code !== undefined && CONNECT_ERROR_CODES.has(code);
    const kind: HttpFailureKind = code?.includes('TIMEOUT') ? 'timeout' : 'network';
    return new HttpFailure(kind, `${kind === 'timeout' ? 'timed out' : 'network error'}: ${code ?? reason.message}`, attempts, deliveredBefore || !neverSent, lastResponse);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

class DeadlineReached extends Error {
  constructor() {
    super('deadline reached');
  }
}

function errorCode(error: Error): string | undefined {
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const cause = error.cause as { code?: unknown } | undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
