// Log notifications (notifications/message) in memory, against the test emulator: the retries of
// a throttled, failing and busy API, a wait and its polls, and the gate's decisions reach the
// client as short messages with structured data, at or above the level the client set (warning
// until it sets one), and never with a credential in them.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ElicitRequestSchema, LoggingMessageNotificationSchema, type LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import { DEFAULT_LOG_LEVEL, LOGGER } from '../../src/observe/session-log.js';
import { FakeClock } from '../fake-clock.js';
import { connectInMemory, errorOf, expectNoCanary, type InMemoryHarness, type InMemoryOptions, startTestEmulator, structured, WITHOUT_APPROVAL } from '../helpers.js';
import type { Invariant, InvariantResult } from '../../src/policy/model.js';
import { policyHolder, policyOf, tokenAuth } from '../policy/fixtures.js';

type Message = LoggingMessageNotification['params'];
type Data = Record<string, unknown> & { message: string; event: string };

let emulator: Emulator;
let harness: InMemoryHarness;
let logs: Message[];

afterEach(async () => {
  await harness?.close();
  await emulator?.close();
});

async function setUp(faults: Parameters<typeof startTestEmulator>[0] = {}, options: InMemoryOptions = {}): Promise<void> {
  emulator = await startTestEmulator(faults);
  // Retries wait in fake time: a Retry-After of 7 s costs nothing here.
  harness = await connectInMemory(emulator, { http: { clock: new FakeClock(true) }, ...options });
  logs = [];
  listen(harness.client);
}

function listen(client: Client): void {
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => void logs.push(notification.params));
}

const dataOf = (event: string): Data[] => logs.map((m) => m.data as Data).filter((d) => d.event === event);
const levels = () => [...new Set(logs.map((m) => m.level))];
const call = (name: string, args: Record<string, unknown>) => harness.client.callTool({ name, arguments: args });

const listTables = { er_id: ids.router };
const newLink = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc };

describe('retries', () => {
  it('a 429 with Retry-After, a 5xx and a busy answer are each a warning naming operation, attempt, reason, status and delay; the default level shows them and nothing below', async () => {
    await setUp({ faults: { seed: 3, retryAfterSeconds: 7, sequence: ['throttle', 'server-error', 'busy'], operations: ['listRouteTables'] } });
    const result = await call('list_route_tables', listTables);
    expect(result.isError).toBeFalsy();

    expect(DEFAULT_LOG_LEVEL).toBe('warning');
    const retries = dataOf('er_retry');
    expect(retries.map((r) => [r.operation, r.attempt, r.reason])).toEqual([
      ['listRouteTables', 1, 'throttled'],
      ['listRouteTables', 2, 'server_error'],
      ['listRouteTables', 3, 'busy'],
    ]);
    expect(retries[0]).toMatchObject({ status: 429, retry_after_ms: 7_000, delay_ms: 7_000, tool: 'list_route_tables' });
    expect(retries[0]!.message).toBe('listRouteTables: throttled by the API (HTTP 429) on attempt 1; retrying in 7.0 s, as Retry-After asked');
    expect(retries[1]!.status).toBeGreaterThanOrEqual(500);
    expect(typeof retries[2]!.delay_ms).toBe('number');
    expect(logs.every((m) => m.level === 'warning' && m.logger === LOGGER)).toBe(true);
    expectNoCanary(JSON.stringify(logs));
  });

  it('an API that keeps failing: every retry, then "giving up" with the last status', async () => {
    await setUp({ faults: { seed: 3, sequence: ['server-error', 'server-error', 'server-error', 'server-error'], operations: ['listRouteTables'] } });
    const result = await call('list_route_tables', listTables);
    expect(result.isError).toBe(true);
    expect(dataOf('er_retry').map((r) => r.attempt)).toEqual([1, 2, 3]);
    const [gaveUp] = dataOf('er_gave_up');
    expect(gaveUp).toMatchObject({ operation: 'listRouteTables', attempts: 4, tool: 'list_route_tables', why: 'attempts_exhausted', reason: 'server_error' });
    expect(gaveUp!.message).toMatch(/^listRouteTables: giving up after 4 attempts \(last: HTTP 5\d\d; no attempts left\)$/);
  });

  it('once the retry budget is spent: "giving up" says retries are paused, after one attempt', async () => {
    await setUp({ faults: { seed: 2, serverError: 1, operations: ['listRouteTables'] } });
    // The outage: failing requests until the client's budget cannot pay for another retry.
    while (harness.http.retryTokens >= 5) await call('list_route_tables', listTables);
    logs.length = 0;
    expect((await call('list_route_tables', listTables)).isError).toBe(true);
    expect(dataOf('er_retry')).toEqual([]);
    expect(dataOf('er_gave_up')).toEqual([expect.objectContaining({ operation: 'listRouteTables', attempts: 1, why: 'retries_paused' })]);
    expect(dataOf('er_gave_up')[0]!.message).toContain('retries are paused while the API keeps failing');
  });

  it('logging/setLevel error hides the retry warnings of that session', async () => {
    await setUp({ faults: { seed: 3, sequence: ['throttle', 'server-error'], operations: ['listRouteTables'] } });
    await harness.client.setLoggingLevel('error');
    expect((await call('list_route_tables', listTables)).isError).toBeFalsy();
    expect(emulator.requests.length).toBeGreaterThanOrEqual(3);
    expect(logs).toEqual([]);
  });
});

describe('waits', () => {
  const subject = `association er_id=${ids.router} route_table_id=${ids.prodTable} attachment_id=${ids.paymentsVpc}`;
  /** The emulator's time: the new link settles when the test moves it on, once the wait has seen it pending. */
  let emulatorMs = 0;
  const setUpWaits = async () => {
    emulatorMs = Date.now();
    await setUp({ now: () => emulatorMs, availableAfterMs: 60_000 }, { settings: WITHOUT_APPROVAL });
  };
  const looks = () => emulator.requests.filter((r) => r.operation === 'listAssociations').length;
  const waitForNewLink = async () => {
    expect((await call('create_route_association', newLink)).isError).toBeFalsy();
    logs.length = 0;
    const before = looks();
    const waiting = call('get_association_state', { ...newLink, wait_for: 'available', timeout_seconds: 10 });
    await vi.waitFor(() => expect(looks()).toBeGreaterThan(before), { timeout: 10_000 });
    emulatorMs += 60_000;
    return structured<{ state: string; polls: number }>(await waiting);
  };

  it('at debug: the wait starts and ends (info), each poll and each HTTP attempt shows (debug)', async () => {
    await setUpWaits();
    await harness.client.setLoggingLevel('debug');
    const waited = await waitForNewLink();
    expect(waited.state).toBe('available');

    const [started] = dataOf('wait_started');
    expect(started).toMatchObject({ subject, target: 'available', limit_ms: 10_000, state: null, tool: 'get_association_state' });
    expect(started!.message).toBe(`Waiting up to 10.0 s for ${subject} to be available`);
    const polls = dataOf('wait_polled');
    expect(polls.length).toBe(waited.polls);
    expect(polls.length).toBeGreaterThan(1);
    expect(polls.at(-1)!.state).toBe('available');
    const [ended] = dataOf('wait_ended');
    expect(ended).toMatchObject({ subject, outcome: 'reached', state: 'available' });
    expect(dataOf('er_attempt').length).toBeGreaterThanOrEqual(polls.length);
    expect(dataOf('er_attempt')[0]).toMatchObject({ operation: 'listAssociations', method: 'GET', attempt: 1, status: 200 });
    const levelOf = (event: string) => logs.find((m) => (m.data as Data).event === event)?.level;
    expect([levelOf('wait_started'), levelOf('wait_polled'), levelOf('wait_ended'), levelOf('er_attempt')]).toEqual(['info', 'debug', 'info', 'debug']);
  });

  it('at warning (set, or by default): the same wait sends nothing', async () => {
    await setUpWaits();
    expect((await waitForNewLink()).polls).toBeGreaterThan(1);
    expect(logs).toEqual([]);
    await harness.client.setLoggingLevel('warning');
    expect(structured<{ state: string }>(await call('get_association_state', { ...newLink, wait_for: 'available', timeout_seconds: 10 })).state).toBe('available');
    expect(logs).toEqual([]);
  });
});

describe('gate decisions', () => {
  it('a change the policy denies: a warning naming the step and POLICY_DENIED', async () => {
    const botInDev = policyOf([{ name: 'bot-dev', callers: { tokens: ['bot'] }, actions: ['associate'], route_tables: [{ name: 'rtb-dev' }] }]);
    await setUp({}, { policy: policyHolder(botInDev), authInfo: tokenAuth('bot') });
    expect(errorOf(await call('create_route_association', newLink)).error_code).toBe('POLICY_DENIED');
    expect(dataOf('decision')).toEqual([
      expect.objectContaining({ step: 'policy', outcome: 'refused', code: 'POLICY_DENIED', tool: 'create_route_association', message: 'The policy refused the write (policy denied): nothing was sent.' }),
    ]);
    expect(logs.map((m) => m.level)).toEqual(['warning']);
  });

  it('approval asked through the page (notice); the plan step is info and hidden at notice', async () => {
    await setUp({}, { pages: { urlFor: async (id) => `http://127.0.0.1:9/approvals/${id}` } });
    await harness.client.setLoggingLevel('notice');
    const answer = structured<{ status: string; plan_id: string }>(await call('create_route_association', newLink));
    expect(answer.status).toBe('approval_required');
    expect(dataOf('decision')).toEqual([expect.objectContaining({ step: 'approval', outcome: 'asked', code: null, message: `Plan ${answer.plan_id} awaits a person on the approval page (approval_required).` })]);
    expect(levels()).toEqual(['notice']);
  });

  it('approval through the form: asked, the wait for the person, and approved; the plan made and the write allowed at info', async () => {
    await setUp({}, { client: { capabilities: { elicitation: { form: {} } } }, pages: { urlFor: async (id) => `http://127.0.0.1:9/approvals/${id}` } });
    harness.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { approve: true } }));
    await harness.client.setLoggingLevel('info');
    expect((await call('create_route_association', newLink)).isError).toBeFalsy();
    expect(dataOf('decision').map((d) => [d.step, d.outcome])).toEqual([
      ['plan', 'allowed'],
      ['approval', 'asked'],
      ['approval', 'approved'],
      // Re-read after the wait for the person: the plan still holds.
      ['plan', 'allowed'],
    ]);
    expect(dataOf('approval_wait_started')[0]).toMatchObject({ channel: 'form' });
    expect(dataOf('approval_wait_ended')[0]).toMatchObject({ channel: 'form', outcome: 'approved' });
  });

  it('guardrails: a route table outside the allow-list and a read-only server are refusals (warning) with their codes', async () => {
    await setUp({}, { settings: { allowRouteTableIds: new Set([ids.devTable]) } });
    expect(errorOf(await call('create_route_association', newLink)).error_code).toBe('NOT_ALLOWED');
    expect(dataOf('decision')).toEqual([expect.objectContaining({ step: 'guardrail', outcome: 'refused', code: 'NOT_ALLOWED' })]);
    await harness.close();

    harness = await connectInMemory(emulator, { settings: { readOnly: true } });
    logs = [];
    listen(harness.client);
    expect(errorOf(await call('create_route_association', newLink)).error_code).toBe('READ_ONLY');
    expect(dataOf('decision')).toEqual([expect.objectContaining({ step: 'guardrail', outcome: 'refused', code: 'READ_ONLY', message: 'create_route_association is not available to this caller (read-only): nothing was sent.' })]);
    expect(levels()).toEqual(['warning']);
  });

  it('a link to the approval page that the person declines: asked, the wait (url) ended rejected, and the rejection', async () => {
    await setUp({}, { client: { capabilities: { elicitation: { url: {} } } }, pages: { urlFor: async (id) => `http://127.0.0.1:9/approvals/${id}` } });
    harness.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'decline' }));
    await harness.client.setLoggingLevel('notice');
    expect(errorOf(await call('create_route_association', newLink)).error_code).toBe('DECLINED_BY_HUMAN');
    expect(logs.map((m) => [(m.data as Data).event, (m.data as Data).outcome ?? null])).toEqual([
      ['decision', 'asked'],
      ['approval_wait_started', null],
      ['approval_wait_ended', 'rejected'],
      ['decision', 'rejected'],
    ]);
    expect(dataOf('approval_wait_started')[0]).toMatchObject({ channel: 'url' });
    // The page's address is for the person, not for a log.
    expect(JSON.stringify(logs)).not.toContain('127.0.0.1:9');
  });

  it('an invariant the change would break: after the plan (info), the invariant step refuses (warning, POLICY_VIOLATION, its name)', async () => {
    const blackholed: Invariant = { name: 'analytics-blackholed', line: 44, kind: 'blackholed', route_table: { name: 'rtb-prod' }, prefix: '10.30.0.0/16' };
    const policy = policyOf([{ name: 'anyone', callers: { anyone: true }, actions: ['associate'] }], [blackholed]);
    const broken: InvariantResult = { name: blackholed.name, line: blackholed.line, kind: blackholed.kind, holds: false, message: 'rtb-prod routes 10.30.0.0/16 to vpc-web' };
    await setUp({}, { policy: policyHolder(policy), authInfo: tokenAuth('bot'), checkInvariants: async () => ({ after: [broken] }) });
    await harness.client.setLoggingLevel('info');
    expect(errorOf(await call('create_route_association', newLink)).error_code).toBe('POLICY_VIOLATION');
    expect(dataOf('decision').map((d) => [d.step, d.outcome, d.code])).toEqual([
      ['plan', 'allowed', null],
      ['invariant', 'refused', 'POLICY_VIOLATION'],
    ]);
    expect(dataOf('decision')[1]!.message).toBe('The policy refused the write (breaks analytics-blackholed): nothing was sent.');
  });
});
