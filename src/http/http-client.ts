// Signed HTTP requests with keep-alive, timeouts, a total deadline, retries and cancellation.
// It knows nothing of ER or MCP: what is worth retrying is decided by the caller's `retryOn`.
import type { Agent } from 'undici';
import { type Clock, systemClock } from './clock.js';
import { backoffDelay, defaultRetryPolicy, parseRetryAfter, RetryBudget, type RetryPolicy } from './retry.js';
import { SecretScrubber } from './scrub.js';
import { type AttemptOutcome, HttpFailure, type HttpFailureKind, type HttpResponse, RetriesPausedFailure } from './http-failure.js';
import { canonicalQueryString, formatSdkDate, type Query, sign } from './signer.js';

// How a request fails is its own module, so that code which only tells failures apart (error
// answers, at start-up) does not load the client; they are part of this module's API all the same.
export { HttpFailure, RetriesPausedFailure };
export type { AttemptOutcome, HttpFailureKind, HttpResponse };

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
  /** Whether a received response deserves another attempt. Network errors and timeouts are retried; a request that cannot be built is not. */
  retryOn?: (response: HttpResponse) => boolean;
  /** Told how each attempt ended and of each retry before its wait (logs, traces, metrics). */
  observe?: RequestObserver;
}

/** One attempt as it ended: the outcome, when it started (wall clock, ms since the epoch) and how long it took. */
export interface AttemptReport {
  attempt: number;
  outcome: AttemptOutcome;
  startedAtMs: number;
  durationMs: number;
}

/** A retry about to wait: the attempt that ended, how, and the wait chosen (Retry-After included). */
export interface RetryReport {
  attempt: number;
  outcome: AttemptOutcome;
  delayMs: number;
  retryAfterMs: number | null;
}

/** No more attempts although the last one deserved a retry; `why` says what stopped them. */
export interface GiveUpReport {
  attempts: number;
  outcome: AttemptOutcome;
  why: 'attempts_exhausted' | 'deadline' | 'retries_paused';
}

export interface RequestObserver {
  attempt(report: AttemptReport): void;
  retry(report: RetryReport): void;
  gaveUp(report: GiveUpReport): void;
}

export interface HttpResult extends HttpResponse {
  /** Time spent in backoff waits, all attempts together. */
  waitedMs: number;
  /** How each attempt ended, in order; the last one is this response. Its length is the number of attempts. */
  outcomes: AttemptOutcome[];
  /** True when this answer deserved a retry that the client's retry budget refused (see RetryBudget). */
  retriesPaused?: boolean;
}

/** ER answers are small (a 2,000-item page is under 1 MiB); more than this is not an ER answer. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** Keep-alive connections per origin unless the options say otherwise. */
export const DEFAULT_CONNECTIONS = 8;

/** setTimeout fires at once for longer delays, so longer ones are never armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const CONNECT_ERROR_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

// undici is loaded on the first request, not at start-up: it is the largest module the server
// needs, and an MCP client waits for initialize and tools/list before any API call is made.
type Undici = typeof import('undici');
let undiciModule: Promise<Undici> | undefined;
const loadUndici = () => (undiciModule ??= import('undici'));

export class HttpClient {
  private agent?: Agent;
  private undici?: Undici;
  private closed = false;
  private readonly origin: URL;
  private readonly policy: RetryPolicy;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly responseTimeoutMs: number;
  /** One bucket for every request of this client: an outage empties it, successes refill it. */
  private readonly retryBudget = new RetryBudget();
  private scrubberOnce?: SecretScrubber;

  constructor(private readonly options: HttpClientOptions) {
    this.origin = new URL(options.endpoint);
    this.policy = { ...defaultRetryPolicy, ...options.retry };
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.responseTimeoutMs = options.responseTimeoutMs ?? 15_000;
  }

  /**
   * Blanks the credentials from everything a response says (see scrub.ts). Made with the first
   * response: its tables of every encoding of the keys cost about a millisecond of CPU, which the
   * server's start (this client is made before the MCP handshake) need not pay.
   */
  private get scrubber(): SecretScrubber {
    const { ak, sk, securityToken } = this.options.credentials;
    return (this.scrubberOnce ??= new SecretScrubber([ak, sk, securityToken]));
  }

  /** The keep-alive pool, made on first use. */
  private async dispatcher(): Promise<{ agent: Agent; undici: Undici }> {
    if (!this.agent || !this.undici) {
      const undici = await loadUndici();
      if (this.closed) throw new Error('the HTTP client is closed');
      this.agent ??= new undici.Agent({
        connections: this.options.connections ?? DEFAULT_CONNECTIONS,
        connect: { timeout: this.options.connectTimeoutMs ?? 5_000 },
        headersTimeout: this.responseTimeoutMs,
        bodyTimeout: this.responseTimeoutMs,
        keepAliveTimeout: 10_000,
      });
      this.undici = undici;
    }
    return { agent: this.agent, undici: this.undici };
  }

  get endpoint(): string {
    return this.origin.origin;
  }

  /** Tokens left in the retry budget (for diagnostics and tests). */
  get retryTokens(): number {
    return this.retryBudget.available;
  }

  async request(req: HttpRequest): Promise<HttpResult> {
    const body = req.json === undefined ? '' : JSON.stringify(req.json);
    const outcomes: AttemptOutcome[] = [];
    let waitedMs = 0;
    // What this request's retries took from the budget, given back if it ends in a success.
    let spentTokens = 0;
    const fail = (kind: HttpFailureKind, message: string) => new HttpFailure(kind, message, [...outcomes]);

    const gaveUp = (why: GiveUpReport['why']) => req.observe?.gaveUp({ attempts: outcomes.length, outcome: outcomes.at(-1)!, why });

    for (;;) {
      // Checked before every attempt: an aborted signal must not send anything more.
      if (req.signal?.aborted) throw fail('cancelled', 'the request was cancelled');
      const remaining = req.deadline === undefined ? Infinity : req.deadline - this.clock.now();
      if (remaining <= 0) throw fail('deadline', 'the deadline passed before the request could be sent');

      let retryAfterMs: number | undefined;
      let answered: HttpResponse | undefined;
      let failedWith: { kind: HttpFailureKind; message: string } | undefined;
      const startedAtMs = Date.now();
      const started = performance.now();
      const report = (outcome: AttemptOutcome) => {
        outcomes.push(outcome);
        req.observe?.attempt({ attempt: outcomes.length, outcome, startedAtMs, durationMs: performance.now() - started });
      };
      try {
        const response = await this.attempt(req, body, remaining);
        report({ kind: 'response', response });
        const retryable = req.retryOn?.(response) === true;
        if (!retryable || outcomes.length >= this.policy.maxAttempts) {
          if (response.status < 400) this.retryBudget.succeeded(spentTokens);
          if (retryable) gaveUp('attempts_exhausted');
          return { ...response, waitedMs, outcomes };
        }
        answered = response;
        retryAfterMs = parseRetryAfter(response.headers['retry-after'], this.clock.now());
      } catch (error) {
        const failure = this.classify(error, req);
        report({ kind: 'failure', failure: failure.kind, possiblyDelivered: failure.possiblyDelivered });
        if (failure.kind !== 'network' && failure.kind !== 'timeout') throw fail(failure.kind, failure.message);
        if (outcomes.length >= this.policy.maxAttempts) {
          gaveUp('attempts_exhausted');
          throw fail(failure.kind, failure.message);
        }
        failedWith = failure;
      }

      const attempts = outcomes.length;
      const delay = Math.max(retryAfterMs ?? 0, backoffDelay(this.policy, attempts, this.random));
      if (req.deadline !== undefined && this.clock.now() + delay >= req.deadline) {
        gaveUp('deadline');
        // A real answer from the API says more than "out of time".
        if (answered) return { ...answered, waitedMs, outcomes };
        throw fail('deadline', `the deadline leaves no time for a retry after ${attempts} attempt(s)`);
      }
      const cost = this.retryBudget.take(failedWith?.kind === 'timeout' ? 'timeout' : 'other');
      if (cost === undefined) {
        gaveUp('retries_paused');
        if (answered) return { ...answered, waitedMs, outcomes, retriesPaused: true };
        const { kind, message } = failedWith!;
        throw new RetriesPausedFailure(kind, `${message}; not retried: retries are paused while the API keeps failing`, [...outcomes]);
      }
      spentTokens += cost;
      req.observe?.retry({ attempt: attempts, outcome: outcomes[attempts - 1]!, delayMs: delay, retryAfterMs: retryAfterMs ?? null });
      try {
        await this.clock.sleep(delay, req.signal);
      } catch {
        throw fail('cancelled', 'the request was cancelled while waiting to retry');
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
    const { authorization, signature } = sign({ method: req.method, path: req.path, query: req.query, headers, body }, this.options.credentials);

    const timeout = new AbortController();
    const timer = remainingMs < MAX_TIMER_MS ? setTimeout(() => timeout.abort(new DeadlineReached()), remainingMs) : undefined;
    const signal = req.signal ? AbortSignal.any([req.signal, timeout.signal]) : timeout.signal;
    try {
      const { agent, undici } = await this.dispatcher();
      const res = await undici.request(url, {
        method: req.method,
        headers: { ...headers, authorization, 'user-agent': this.options.userAgent ?? 'huaweicloud-er-mcp' },
        body: body || undefined,
        dispatcher: agent,
        signal,
      });
      const text = await readCapped(res.body, MAX_RESPONSE_BYTES);
      // An endpoint may echo what it was sent: nothing of the keys or this signature goes further.
      const scrub = this.scrubber.with([signature]);
      return { status: res.statusCode, headers: scrub.scrubHeaders(flattenHeaders(res.headers)), body: scrub.scrub(text), receivedAtMs: this.clock.now() };
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** What went wrong in one attempt, and whether its request may have reached the server. */
  private classify(error: unknown, req: HttpRequest): { kind: HttpFailureKind; message: string; possiblyDelivered: boolean } {
    if (req.signal?.aborted) return { kind: 'cancelled', message: 'the request was cancelled', possiblyDelivered: true };
    const reason = error instanceof Error ? error : new Error(String(error));
    if (reason instanceof DeadlineReached || reason.cause instanceof DeadlineReached) {
      return { kind: 'deadline', message: 'the deadline passed while waiting for the response', possiblyDelivered: true };
    }
    if (reason instanceof OversizedResponse) return { kind: 'oversized_response', message: reason.message, possiblyDelivered: true };
    const code = errorCode(reason);
    if (code === 'UND_ERR_INVALID_ARG' || code?.startsWith('ERR_INVALID_')) {
      return { kind: 'invalid_request', message: `the request could not be built: ${code}`, possiblyDelivered: false };
    }
    const neverSent = code !== undefined && CONNECT_ERROR_CODES.has(code);
    const kind: HttpFailureKind = code?.includes('TIMEOUT') ? 'timeout' : 'network';
    return { kind, message: `${kind === 'timeout' ? 'timed out' : 'network error'}: ${code ?? this.scrubber.scrub(reason.message)}`, possiblyDelivered: !neverSent };
  }

  /** Closes the pool; safe to call twice. Requests after it fail instead of opening a new pool. */
  async close(): Promise<void> {
    this.closed = true;
    const agent = this.agent;
    this.agent = undefined;
    await agent?.close();
  }
}

class OversizedResponse extends Error {
  constructor(limit: number) {
    super(`the response was larger than ${limit / 1024 / 1024} MiB, more than any ER answer: is the endpoint right?`);
  }
}

/** The body as text, refusing to hold more than `limit` bytes of it. */
async function readCapped(body: AsyncIterable<Uint8Array> & { destroy(): unknown }, limit: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw new OversizedResponse(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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
