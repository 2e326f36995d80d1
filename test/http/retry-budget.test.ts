// The retry budget: the bucket alone, then one HTTP client against the emulator through an
// outage (every request fails) and the recovery after it, counted in the emulator's request log.
// Backoff waits run on a fake clock, so no test here waits for real time.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import type { FaultPlan } from '../../src/emulator/faults.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { isRetryableResponse } from '../../src/er/errors.js';
import { HttpClient, HttpFailure, type HttpRequest } from '../../src/http/http-client.js';
import { RETRY_QUOTA, RetryBudget } from '../../src/http/retry.js';
import { FakeClock } from '../fake-clock.js';
import { CANARY, startTestEmulator } from '../helpers.js';

const PROJECT = SANDBOX_IDS.projectId;
const get = (path: string): HttpRequest => ({ method: 'GET', path: `/v3/${PROJECT}/enterprise-router${path}`, headers: { 'X-Project-Id': PROJECT }, retryOn: isRetryableResponse });
const LIST_ROUTERS = get('/instances');
const LIST_ROUTE_TABLES = get(`/${SANDBOX_IDS.router}/route-tables`);

/** Retries the bucket pays for when full, each after an error answer. */
const RETRIES_IN_FULL_BUCKET = RETRY_QUOTA.capacity / RETRY_QUOTA.retryCost;

describe('RetryBudget', () => {
  it('a full bucket pays for capacity / cost retries, then refuses without taking anything', () => {
    const budget = new RetryBudget();
    expect(budget.available).toBe(500);
    for (let i = 0; i < 100; i++) expect(budget.take('other')).toBe(5);
    expect(budget.available).toBe(0);
    expect(budget.take('other')).toBeUndefined();
    expect(budget.available).toBe(0);
  });

  it('a retry after a timeout costs 10, and is refused when fewer are left', () => {
    const budget = new RetryBudget({ ...RETRY_QUOTA, capacity: 15 });
    expect(budget.take('timeout')).toBe(10);
    expect(budget.take('timeout')).toBeUndefined();
    expect(budget.take('other')).toBe(5);
    expect(budget.available).toBe(0);
  });

  it('a success at once refunds 1; a success after retries refunds what they took; never above capacity', () => {
    const budget = new RetryBudget();
    budget.succeeded(0);
    expect(budget.available).toBe(500);
    const spent = (budget.take('other') ?? 0) + (budget.take('timeout') ?? 0);
    expect(budget.available).toBe(485);
    budget.succeeded(0);
    expect(budget.available).toBe(486);
    budget.succeeded(spent);
    expect(budget.available).toBe(500);
  });

  it('after an outage, five successes at once buy one retry', () => {
    const budget = new RetryBudget();
    while (budget.take('other') !== undefined);
    for (let i = 0; i < 4; i++) budget.succeeded(0);
    expect(budget.take('other')).toBeUndefined();
    budget.succeeded(0);
    expect(budget.take('other')).toBe(5);
  });
});

describe('one HTTP client through an outage', () => {
  let emulator: Emulator | undefined;
  let http: HttpClient | undefined;

  afterEach(async () => {
    await http?.close();
    await emulator?.close();
    http = emulator = undefined;
  });

  async function setUp(faults: FaultPlan): Promise<{ emulator: Emulator; http: HttpClient }> {
    emulator = await startTestEmulator({ faults });
    http = new HttpClient({ endpoint: emulator.url, credentials: CANARY, clock: new FakeClock(true) });
    return { emulator, http };
  }

  it('when every request fails, the requests reaching the API are bounded by the budget, not by calls × attempts', async () => {
    const { emulator, http } = await setUp({ seed: 7, serverError: 1 });
    const calls = 60;
    const results = [];
    for (let i = 0; i < calls; i++) results.push(await http.request(LIST_ROUTERS));
    // Without a budget: 60 × 4 attempts = 240 requests. With it: one each, plus what the bucket paid for.
    expect(emulator.requests).toHaveLength(calls + RETRIES_IN_FULL_BUCKET);
    expect(emulator.requests.every((r) => r.status >= 500)).toBe(true);
    expect(http.retryTokens).toBe(0);
    // The first calls still get every attempt; once the bucket is empty each call is tried once and says why.
    expect(results[0]!.outcomes).toHaveLength(4);
    expect(results[0]!.retriesPaused).toBeUndefined();
    expect(results.at(-1)!.outcomes).toHaveLength(1);
    expect(results.at(-1)!.retriesPaused).toBe(true);
    expect(results.at(-1)!.status).toBeGreaterThanOrEqual(500);
  });

  it('a lost connection that the budget cannot pay to retry fails at once, saying retries are paused', async () => {
    const { emulator, http } = await setUp({ seed: 3, resetBeforeApply: 1 });
    let failure: HttpFailure | undefined;
    for (let i = 0; i < 40 && !failure?.retriesPaused; i++) {
      failure = await http.request(LIST_ROUTERS).then(
        () => undefined,
        (error: unknown) => error as HttpFailure,
      );
      expect(failure).toBeInstanceOf(HttpFailure);
    }
    expect(failure!.retriesPaused).toBe(true);
    expect(failure!.kind).toBe('network');
    expect(failure!.message).toContain('retries are paused');
    expect(failure!.possiblyDelivered).toBe(true);
    // 33 calls of 4 attempts (99 retries), then one more retry empties the bucket: 34 calls, 134 requests.
    expect(emulator.requests).toHaveLength(34 + RETRIES_IN_FULL_BUCKET);
  });

  it('successes refill the bucket: after the outage, every five successes pay for one retry again', async () => {
    // Only router lists fail; route table lists answer, as an API recovering one operation at a time.
    const { emulator, http } = await setUp({ seed: 5, serverError: 1, operations: ['listEnterpriseRouters'] });
    while ((await http.request(LIST_ROUTERS)).retriesPaused !== true);
    expect(http.retryTokens).toBe(0);

    for (let i = 0; i < 5; i++) expect((await http.request(LIST_ROUTE_TABLES)).status).toBe(200);
    expect(http.retryTokens).toBe(5);
    const before = emulator.requests.length;
    const afterFive = await http.request(LIST_ROUTERS);
    expect(afterFive.outcomes).toHaveLength(2);
    expect(afterFive.retriesPaused).toBe(true);
    expect(emulator.requests.length - before).toBe(2);

    for (let i = 0; i < 15; i++) await http.request(LIST_ROUTE_TABLES);
    const afterFifteen = await http.request(LIST_ROUTERS);
    expect(afterFifteen.outcomes).toHaveLength(4);
    expect(afterFifteen.retriesPaused).toBeUndefined();
  });

  it('a success after retries gives back what they took: a healthy API keeps the bucket full', async () => {
    // Each call meets a 503 then an answer: one retry, paid back by the success it led to.
    const { emulator, http } = await setUp({ seed: 9, sequence: Array.from({ length: 80 }, (_, i) => (i % 2 === 0 ? 'server-error' : 'none')) });
    // 40 retries: 200 tokens the bucket would have lost without the refunds.
    for (let i = 0; i < 40; i++) expect((await http.request(LIST_ROUTERS)).outcomes).toHaveLength(2);
    expect(http.retryTokens).toBe(RETRY_QUOTA.capacity);
    expect(emulator.requests).toHaveLength(80);
  });
});
