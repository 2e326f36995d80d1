// The HTTP layer against the emulator on loopback: what is retried and what never is, signing
// per attempt, Retry-After and deadlines in clock time, cancellation, keep-alive.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Emulator, EmulatorOptions } from '../../src/emulator/emulator.js';
import type { FaultPlan } from '../../src/emulator/faults.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { isRetryableResponse, parseErrorBody } from '../../src/er/errors.js';
import { type HttpClientOptions, HttpFailure, type HttpRequest, HttpClient } from '../../src/http/http-client.js';
import { systemClock } from '../../src/http/clock.js';
import { backoffDelay, parseRetryAfter } from '../../src/http/retry.js';
import { FakeClock } from '../fake-clock.js';
import { CANARY, expectNoCanary, startTestEmulator } from '../helpers.js';
import { startScriptedServer, type ScriptedServer } from '../scripted-server.js';

const PROJECT = SANDBOX_IDS.projectId;
const LIST_ROUTERS: HttpRequest = { method: 'GET', path: `/v3/${PROJECT}/enterprise-router/instances`, headers: { 'X-Project-Id': PROJECT } };

function associate(attachmentId: string, token: string): HttpRequest {
  return {
    method: 'POST',
    path: `/v3/${PROJECT}/enterprise-router/${SANDBOX_IDS.router}/route-tables/${SANDBOX_IDS.prodTable}/associate`,
    headers: { 'X-Project-Id': PROJECT, 'X-Client-Token': token },
    json: { attachment_id: attachmentId },
  };
}

/** Requests are retried the way the ER client retries them. */
const er = (req: HttpRequest): HttpRequest => ({ ...req, retryOn: isRetryableResponse });

let emulator: Emulator | undefined;
let scripted: ScriptedServer | undefined;
const clients: HttpClient[] = [];
const messages: string[] = [];

async function setUp(faults?: FaultPlan, options: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  emulator = await startTestEmulator({ faults, ...options });
  return emulator;
}

function client(endpoint: string, options: Partial<HttpClientOptions> = {}): HttpClient {
  const http = new HttpClient({ endpoint, credentials: CANARY, retry: { baseDelayMs: 1, maxDelayMs: 4 }, clock: new FakeClock(true), ...options });
  clients.push(http);
  return http;
}

async function failureOf(promise: Promise<unknown>): Promise<HttpFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpFailure);
  messages.push((error as HttpFailure).message);
  return error as HttpFailure;
}

/** Live timers and TCP sockets of this process (the emulator's server-side sockets included). */
function liveResources(): { timers: number; sockets: number } {
  const info = process.getActiveResourcesInfo();
  return { timers: info.filter((r) => r === 'Timeout').length, sockets: info.filter((r) => r === 'TCPSocketWrap').length };
}

afterEach(async () => {
  for (const http of clients.splice(0)) await http.close();
  await emulator?.close();
  await scripted?.close();
  emulator = scripted = undefined;
  expectNoCanary(...messages.splice(0));
});

describe('what is retried', () => {
  it('retries 429 up to the attempt limit, then returns the last answer', async () => {
    const em = await setUp({ seed: 1, throttle: 1, retryAfterSeconds: 0 });
    const result = await client(em.url).request(er(LIST_ROUTERS));
    expect(result.status).toBe(429);
    expect(result.outcomes.length).toBe(4);
    expect(em.requests.map((r) => r.status)).toEqual([429, 429, 429, 429]);
  });

  it('retries 500, 502, 503 and 504, whatever their body (JSON, HTML, empty)', async () => {
    const em = await setUp({ seed: 7, serverError: 1 });
    const http = client(em.url);
    const seen = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const result = await http.request(er(LIST_ROUTERS));
      expect(result.outcomes.length).toBe(4);
      for (const outcome of result.outcomes) if (outcome.kind === 'response') seen.add(outcome.response.status);
    }
    expect([...seen].sort()).toEqual([500, 502, 503, 504]);
    expect(em.requests).toHaveLength(24);
  });

  it('retries every ER "being operated" code and ER.05039006', async () => {
    const em = await setUp({ seed: 3, busy: 1 });
    const http = client(em.url);
    const codes = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const result = await http.request(er(LIST_ROUTERS));
      expect(result.outcomes.length).toBe(4);
      for (const outcome of result.outcomes) if (outcome.kind === 'response') codes.add(parseErrorBody(outcome.response.body).code ?? '');
    }
    expect([...codes].sort()).toEqual(['ER.04001003', 'ER.04002003', 'ER.04004003', 'ER.04005003', 'ER.05039006']);
  });

  it('retries a connection reset, and says the request may have been delivered', async () => {
    const em = await setUp({ seed: 1, resetBeforeApply: 1 });
    const failure = await failureOf(client(em.url).request(er(LIST_ROUTERS)));
    expect(failure.kind).toBe('network');
    expect(failure.attempts).toBe(4);
    expect(failure.possiblyDelivered).toBe(true);
    expect(em.requests).toHaveLength(4);
  });

  it('retries a refused connection, and knows nothing was delivered', async () => {
    const em = await setUp();
    const url = em.url;
    await em.close();
    emulator = undefined;
    const failure = await failureOf(client(url).request(er(LIST_ROUTERS)));
    expect(failure.kind).toBe('network');
    expect(failure.attempts).toBe(4);
    expect(failure.possiblyDelivered).toBe(false);
  });
});

describe('what is never retried', () => {
  it('401: exactly one request reaches the emulator (five in a row would lock the key)', async () => {
    const em = await setUp();
    const result = await client(em.url, { credentials: { ak: CANARY.ak, sk: 'not-the-right-secret-key' } }).request(er(LIST_ROUTERS));
    expect(result.status).toBe(401);
    expect(parseErrorBody(result.body).code).toBe('APIGW.0301');
    expect(result.outcomes.length).toBe(1);
    expect(em.requests).toHaveLength(1);
  });

  it('401 is not retried even when its body carries a "busy" code', () => {
    const response = { status: 401, headers: {}, body: JSON.stringify({ error_code: 'ER.04001003', error_msg: 'busy' }) };
    expect(isRetryableResponse(response)).toBe(false);
    expect(isRetryableResponse({ ...response, status: 403 })).toBe(false);
  });

  it('403 and other 4xx: one request each', async () => {
    const em = await setUp();
    const http = client(em.url);
    const other = 'ffffffffffffffffffffffffffffffff';
    const cases: Array<[HttpRequest, number]> = [
      [{ ...LIST_ROUTERS, path: `/v3/${other}/enterprise-router/instances`, headers: { 'X-Project-Id': other } }, 403],
      [{ ...LIST_ROUTERS, path: `/v3/${PROJECT}/enterprise-router/instances/no-such-router` }, 404],
      [{ ...LIST_ROUTERS, query: { limit: 0 } }, 400],
      [associate('no-such-attachment', 'tok-404'), 404],
    ];
    for (const [req, status] of cases) {
      const before = em.requests.length;
      const result = await http.request(er(req));
      expect(result.status).toBe(status);
      expect(result.outcomes.length).toBe(1);
      expect(em.requests.length - before).toBe(1);
    }
  });
});

describe('every attempt', () => {
  it('is signed afresh with a new X-Sdk-Date, and carries the same X-Client-Token', async () => {
    // The emulator runs on the same fake clock, and each wait is 20 minutes: an attempt that reused
    // the first X-Sdk-Date (or its signature) would be 20+ minutes stale and fail with 401.
    const clock = new FakeClock(true);
    const em = await setUp({ seed: 1, throttle: 1, retryAfterSeconds: 20 * 60 }, { now: () => clock.now() });
    const result = await client(em.url, { clock }).request(er({ ...associate(SANDBOX_IDS.paymentsVpc, 'same-token-1'), deadline: clock.now() + 7_200_000 }));
    expect(result.outcomes.length).toBe(4);
    expect(clock.sleeps).toEqual([1_200_000, 1_200_000, 1_200_000]);
    expect(em.requests.map((r) => r.status)).toEqual([429, 429, 429, 429]);
    expect(em.requests.map((r) => r.clientToken)).toEqual(['same-token-1', 'same-token-1', 'same-token-1', 'same-token-1']);
  });

  it('reuses the token across a lost answer, so the retry finds the association instead of making another', async () => {
    const em = await setUp({ seed: 1, sequence: ['reset-after'] });
    const result = await client(em.url).request(er(associate(SANDBOX_IDS.paymentsVpc, 'token-after-reset')));
    expect(result.status).toBe(202);
    expect(result.outcomes.length).toBe(2);
    expect(em.requests.map((r) => [r.status, r.clientToken])).toEqual([
      [202, 'token-after-reset'],
      [202, 'token-after-reset'],
    ]);
    expect(em.store.allAssociations().filter((a) => a.attachment_id === SANDBOX_IDS.paymentsVpc)).toHaveLength(1);
  });
});

describe('Retry-After, measured on a fake clock', () => {
  it('waits the number of seconds it gives', async () => {
    const clock = new FakeClock(true);
    const em = await setUp({ seed: 1, throttle: 1, retryAfterSeconds: 7 });
    const start = clock.now();
    const result = await client(em.url, { clock }).request(er(LIST_ROUTERS));
    expect(clock.sleeps).toEqual([7_000, 7_000, 7_000]);
    expect(result.waitedMs).toBe(21_000);
    expect(clock.now() - start).toBe(21_000);
  });

  it('waits until the HTTP date it gives', async () => {
    const clock = new FakeClock(true);
    scripted = await startScriptedServer(() => ({
      status: 503,
      headers: { 'retry-after': new Date(clock.now() + 9_000).toUTCString(), 'content-type': 'text/plain' },
      body: 'try later',
    }));
    const result = await client(scripted.url, { clock }).request(er(LIST_ROUTERS));
    expect(result.outcomes.length).toBe(4);
    expect(clock.sleeps).toEqual([9_000, 9_000, 9_000]);
  });

  it('parses seconds and dates, and ignores what is neither', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('-4', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('backs off with full jitter under an exponential, capped ceiling', () => {
    const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 500 };
    expect(backoffDelay(policy, 1, () => 0)).toBe(0);
    expect(backoffDelay(policy, 1, () => 0.999)).toBe(99);
    expect(backoffDelay(policy, 3, () => 0.999)).toBe(399);
    expect(backoffDelay(policy, 9, () => 0.999)).toBe(499);
  });
});

describe('the deadline', () => {
  it('stops retries that would wait past it, and returns the last answer', async () => {
    const clock = new FakeClock(true);
    const em = await setUp({ seed: 1, throttle: 1, retryAfterSeconds: 5 });
    const result = await client(em.url, { clock }).request(er({ ...LIST_ROUTERS, deadline: clock.now() + 12_000 }));
    expect(result.status).toBe(429);
    expect(result.outcomes.length).toBe(3);
    expect(em.requests).toHaveLength(3);
  });

  it('stops retries after network errors with a deadline failure', async () => {
    const clock = new FakeClock(true);
    const em = await setUp({ seed: 1, resetBeforeApply: 1 });
    const http = client(em.url, { clock, retry: { baseDelayMs: 4_000, maxDelayMs: 4_000 }, random: () => 0.99 });
    const failure = await failureOf(http.request(er({ ...LIST_ROUTERS, deadline: clock.now() + 5_000 })));
    expect(failure.kind).toBe('deadline');
    expect(failure.attempts).toBe(2);
    expect(em.requests).toHaveLength(2);
  });

  it('ends an attempt still waiting for its answer when the deadline comes', async () => {
    const em = await setUp({ seed: 1, latencyMs: [3_000, 3_000] });
    const failure = await failureOf(client(em.url, { clock: systemClock }).request(er({ ...LIST_ROUTERS, deadline: Date.now() + 200 })));
    expect(failure.kind).toBe('deadline');
    expect(failure.attempts).toBe(1);
    expect(em.requests).toHaveLength(0);
  });
});

describe('cancellation', () => {
  it('mid-backoff: returns at once, sends nothing more, and leaves no timer or socket behind', async () => {
    const em = await setUp({ seed: 1, throttle: 1, retryAfterSeconds: 60 });
    const http = client(em.url, { clock: systemClock });
    await http.request(LIST_ROUTERS); // opens the keep-alive connection; no retryOn, so no wait
    const baseline = liveResources();

    const controller = new AbortController();
    const pending = failureOf(http.request(er({ ...LIST_ROUTERS, signal: controller.signal })));
    await vi.waitFor(() => expect(em.requests).toHaveLength(2), { timeout: 10_000 });
    await vi.waitFor(() => expect(liveResources().timers).toBeGreaterThan(baseline.timers), { timeout: 10_000 }); // the 60 s wait
    const connections = em.connections();
    controller.abort();
    const failure = await pending;

    expect(failure.kind).toBe('cancelled');
    expect(failure.attempts).toBe(1);
    expect(failure.possiblyDelivered).toBe(true);
    const released = () => {
      const now = liveResources();
      expect(now.timers).toBeLessThanOrEqual(baseline.timers);
      expect(now.sockets).toBeLessThanOrEqual(baseline.sockets);
    };
    await vi.waitFor(released, { timeout: 10_000 });
    expect(em.requests).toHaveLength(2);
    expect(em.connections()).toBe(connections);
  });

  it('mid-request: returns before the server answers, and leaves no timer or socket behind', async () => {
    const em = await setUp({ seed: 1, latencyMs: [1_000, 1_000] });
    const http = client(em.url, { clock: systemClock });
    await http.request(LIST_ROUTERS);
    const baseline = liveResources();

    const controller = new AbortController();
    const pending = failureOf(http.request(er({ ...LIST_ROUTERS, signal: controller.signal })));
    await vi.waitFor(() => expect(em.faults?.counts.none).toBe(2), { timeout: 10_000 }); // the emulator holds it now
    controller.abort();
    const failure = await pending;

    expect(failure.kind).toBe('cancelled');
    expect(failure.possiblyDelivered).toBe(true);
    expect(em.requests).toHaveLength(1); // the emulator had not answered yet
    // Once the emulator's own latency timer has run out, nothing of the request is left.
    await vi.waitFor(() => expect(em.requests).toHaveLength(2), { timeout: 5_000 });
    const released = () => {
      const now = liveResources();
      expect(now.timers).toBeLessThanOrEqual(baseline.timers);
      expect(now.sockets).toBeLessThanOrEqual(baseline.sockets);
    };
    await vi.waitFor(released, { timeout: 10_000 });
    expect(em.faults?.counts.none).toBe(2);
  });

  it('before the first attempt: sends nothing', async () => {
    const em = await setUp();
    const controller = new AbortController();
    controller.abort();
    const failure = await failureOf(client(em.url).request(er({ ...LIST_ROUTERS, signal: controller.signal })));
    expect(failure.kind).toBe('cancelled');
    expect(failure.attempts).toBe(0);
    expect(failure.possiblyDelivered).toBe(false);
    expect(em.requests).toHaveLength(0);
  });
});

describe('keep-alive', () => {
  it('reuses its connections for sequential requests', async () => {
    const em = await setUp();
    const http = client(em.url);
    for (let i = 0; i < 25; i++) expect((await http.request(er(LIST_ROUTERS))).status).toBe(200);
    // undici may open a second connection before the first is back in the pool; never more.
    expect(em.connections()).toBeLessThanOrEqual(2);
  });

  it('never opens more connections than its pool', async () => {
    const em = await setUp({ seed: 1, latencyMs: [5, 15] });
    const http = client(em.url, { connections: 3 });
    const results = await Promise.all(Array.from({ length: 30 }, () => http.request(er(LIST_ROUTERS))));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(em.connections()).toBeLessThanOrEqual(3);
  });
});
