// Failures an agent can act on: every isError result carries the same fields and a hint that
// names what to fix; create converges on what really happened instead of guessing.
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultPlan } from '../../src/emulator/faults.js';
import type { Emulator } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS, sandboxTopology } from '../../src/emulator/topology.js';
import type { HttpClientOptions } from '../../src/http/http-client.js';
import type { ToolEnv } from '../../src/toolkit/context.js';
import { FakeClock } from '../fake-clock.js';
import { CANARY, connectInMemory, errorOf, expectNoCanary, type InMemoryHarness, startTestEmulator, structured, WITHOUT_APPROVAL } from '../helpers.js';
import { erError, type ScriptedReply, type ScriptedServer, startScriptedServer } from '../scripted-server.js';

const ids = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };
const MINUTE = 60_000;

let emulator: Emulator | undefined;
let scripted: ScriptedServer | undefined;
let harness: InMemoryHarness | undefined;
const outputs: string[] = [];

afterEach(async () => {
  await harness?.close();
  await emulator?.close();
  await scripted?.close();
  harness = emulator = scripted = undefined;
  expectNoCanary(...outputs.splice(0));
});

async function withEmulator(faults?: FaultPlan, overrides: Partial<ToolEnv> = {}, http: Partial<HttpClientOptions> = {}): Promise<Emulator> {
  emulator = await startTestEmulator({ faults });
  harness = await connectInMemory(emulator, { env: overrides, http, settings: WITHOUT_APPROVAL });
  return emulator;
}

/** A server pointed at a scripted gateway instead of the emulator (answers the emulator never gives). */
async function withScripted(reply: (index: number) => ScriptedReply): Promise<ScriptedServer> {
  scripted = await startScriptedServer((_req, index) => reply(index));
  // connectInMemory needs only the URL and the topology's project and region from an emulator.
  const stand_in = { url: scripted.url, store: { topology: sandboxTopology() } } as unknown as Emulator;
  harness = await connectInMemory(stand_in, { settings: WITHOUT_APPROVAL });
  return scripted;
}

async function create(args: Record<string, unknown> = ids): Promise<unknown> {
  const result = await harness!.client.callTool({ name: 'create_route_association', arguments: args });
  outputs.push(JSON.stringify(result));
  return result;
}

/** The fields every failure carries, with their types. */
function actionable(result: unknown): Record<string, unknown> {
  const error = errorOf(result);
  expect(error).toEqual(
    expect.objectContaining({
      error_code: expect.any(String),
      error_msg: expect.any(String),
      retryable: expect.any(Boolean),
      attempts: expect.any(Number),
      hint: expect.any(String),
    }),
  );
  expect(error.http_status === null || typeof error.http_status === 'number').toBe(true);
  expect(error.request_id === null || typeof error.request_id === 'string').toBe(true);
  expect(String(error.error_msg)).not.toBe('');
  expect(String(error.hint).length).toBeGreaterThan(20);
  return error;
}

describe('authentication failures (APIGW.0301)', () => {
  it('name the key variables, are not retried, and say nothing of the clock when it is right', async () => {
    const em = await withEmulator(undefined, {}, { credentials: { ak: CANARY.ak, sk: 'a-wrong-secret-key-for-this-test' } });
    const error = actionable(await create());
    expect(error).toMatchObject({ error_code: 'APIGW.0301', http_status: 401, retryable: false, attempts: 1 });
    expect(error.request_id).toEqual(expect.any(String));
    expect(error.hint).toContain('HUAWEICLOUD_SDK_AK');
    expect(error.hint).toContain('lock');
    expect(error.hint).not.toContain('clock');
    expect(em.requests).toHaveLength(1);
  });

  it.each([
    [20, 'ahead of'],
    [-25, 'behind'],
  ])('measure a clock %i minutes off against the response Date and say so', async (minutes, direction) => {
    const clock = new FakeClock(false, Math.floor(Date.now() / 1000) * 1000 + minutes * MINUTE);
    const em = await withEmulator(undefined, { clock }, { clock });
    const error = actionable(await create());
    expect(error).toMatchObject({ error_code: 'APIGW.0301', http_status: 401, retryable: false, attempts: 1 });
    expect(error.hint).toContain(`clock is ${Math.abs(minutes)} minutes ${direction} the server's`);
    expect(error.hint).toContain('HUAWEICLOUD_SDK_AK');
    expect(em.requests).toHaveLength(1);
  });
});

describe('throttling and busy answers', () => {
  it('APIGW.0308 / 429: retried, then says it was throttled and how often, and that nothing was created', async () => {
    const em = await withEmulator({ seed: 1, throttle: 1, retryAfterSeconds: 0 });
    const error = actionable(await create());
    expect(error).toMatchObject({ error_code: 'APIGW.0308', http_status: 429, retryable: true, attempts: 4, outcome: 'not_created' });
    expect(error.hint).toContain('throttled');
    expect(error.hint).toContain('4 time(s)');
    expect(error.client_token).toEqual(expect.any(String));
    // Four refused attempts, and no look-up: a 429 is never applied.
    expect(em.requests.map((r) => r.operation)).toEqual(['associateRouteTable', 'associateRouteTable', 'associateRouteTable', 'associateRouteTable']);
  });

  it('ER.05039006 in a 503: busy, retried, nothing created', async () => {
    const server = await withScripted(() => ({ status: 503, headers: { 'content-type': 'application/json' }, body: erError('ER.05039006', 'Service unavailable.') }));
    const error = actionable(await create());
    expect(error).toMatchObject({ error_code: 'ER.05039006', http_status: 503, retryable: true, attempts: 4, outcome: 'not_created' });
    expect(error.hint).toContain('busy');
    expect(server.requests).toHaveLength(4);
  });
});

describe('wrong IDs (404)', () => {
  const unknown = '00000000-0000-4000-8000-00000000dead';
  it.each([
    ['er_id', 'ER.04041001', 'list_enterprise_routers'],
    ['route_table_id', 'ER.04045001', 'list_route_tables'],
    ['attachment_id', 'ER.04044001', 'list_attachments'],
  ])('a wrong %s gives %s, names the ID and the tool that lists the right ones', async (field, code, tool) => {
    const em = await withEmulator();
    const error = actionable(await create({ ...ids, [field]: unknown }));
    expect(error).toMatchObject({ error_code: code, http_status: 404, retryable: false, attempts: 1 });
    expect(error.hint).toContain(field);
    expect(error.hint).toContain(unknown);
    expect(error.hint).toContain(tool);
    expect(em.requests).toHaveLength(1);
  });

  it('APIGW.0101 (the gateway does not know the API): wrong endpoint or region', async () => {
    const server = await withScripted(() => ({
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: erError('APIGW.0101', 'The API does not exist or has not been published in the environment.'),
    }));
    const error = actionable(await create());
    expect(error).toMatchObject({ error_code: 'APIGW.0101', http_status: 404, retryable: false, attempts: 1 });
    expect(error.hint).toContain('HUAWEICLOUD_REGION');
    expect(error.hint).toContain('HUAWEICLOUD_ER_ENDPOINT');
    expect(server.requests).toHaveLength(1);
  });
});

describe('other refusals', () => {
  it('ER.04009008: the quota, one request', async () => {
    const server = await withScripted(() => ({ status: 400, headers: { 'content-type': 'application/json' }, body: erError('ER.04009008', 'Insufficient quota.') }));
    const error = actionable(await create());
    expect(error).toMatchObject({ error_code: 'ER.04009008', http_status: 400, retryable: false, attempts: 1, request_id: 'req-ER.04009008' });
    expect(error.hint).toContain('quota');
    expect(server.requests).toHaveLength(1);
  });

  it('403: names the permission to grant, one request', async () => {
    const server = await withScripted(() => ({ status: 403, headers: { 'content-type': 'application/json' }, body: erError('APIGW.0302', 'Forbidden.') }));
    const error = actionable(await create());
    expect(error).toMatchObject({ http_status: 403, retryable: false, attempts: 1 });
    expect(error.hint).toContain('IAM');
    expect(server.requests).toHaveLength(1);
  });

  it('a nested {error: {code, message}} body with the request id only in X-Request-Id', async () => {
    await withScripted(() => ({
      status: 400,
      headers: { 'content-type': 'application/json', 'x-request-id': 'hdr-request-0001' },
      body: JSON.stringify({ error: { code: 'ER.04009005', message: 'Invalid parameter.' } }),
    }));
    const error = actionable(await create());
    expect(error).toMatchObject({ error_code: 'ER.04009005', error_msg: 'Invalid parameter.', request_id: 'hdr-request-0001', attempts: 1 });
  });
});

describe('bodies that are not JSON', () => {
  it.each<[string, ScriptedReply, string, string]>([
    [
      'an HTML error page',
      { status: 502, headers: { 'content-type': 'text/html' }, body: '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad</h1></body></html>' },
      'HTTP.502',
      'non-JSON (HTML) response with HTTP status 502: "502 Bad Gateway"',
    ],
    ['an empty body', { status: 503 }, 'HTTP.503', 'empty response body with HTTP status 503'],
    ['plain text', { status: 500, headers: { 'content-type': 'text/plain' }, body: 'upstream connect error\u0000 or reset' }, 'HTTP.500', 'upstream connect error  or reset'],
  ])('%s: retried, described, and the create is looked up before answering', async (_name, reply, code, message) => {
    const server = await withScripted(() => ({ ...reply, headers: { ...reply.headers, 'x-request-id': 'gw-req-7' } }));
    const error = actionable(await create());
    expect(error).toMatchObject({ error_code: code, http_status: reply.status, retryable: true, attempts: 4, request_id: 'gw-req-7', outcome: 'unknown' });
    expect(error.error_msg).toContain(message);
    expect(error.client_token).toEqual(expect.any(String));
    // Four create attempts, then the look-up (also failing four times) that tried to settle it.
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'POST', 'POST', 'GET', 'GET', 'GET', 'GET']);
  });
});

describe('create converges instead of guessing', () => {
  it('ER.04002002 on the requested table: success, already_associated', async () => {
    await withEmulator();
    const body = structured<{ already_associated: boolean; association: { route_table_id: string } }>(
      await create({ ...ids, attachment_id: SANDBOX_IDS.webVpc }),
    );
    expect(body.already_associated).toBe(true);
    expect(body.association.route_table_id).toBe(SANDBOX_IDS.prodTable);
    // Refused on the first attempt: it was there before this call.
    expect(body).toMatchObject({ made_by_this_call: false, note: expect.stringContaining('not this call') });
  });

  it('refused as "operation in progress" while another request makes the association: it exists, not made by this call', async () => {
    const busy = { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error_code":"ER.04002003","error_msg":"The association is being operated."}' };
    const theirs = { id: 'assoc-theirs', route_table_id: ids.route_table_id, attachment_id: ids.attachment_id, state: 'pending' };
    const server = await withScripted((index) =>
      index < 4 ? busy : { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ associations: [theirs], page_info: null, request_id: 'r-look' }) },
    );
    const body = structured<Record<string, unknown>>(await create(ids));
    expect(body).toMatchObject({ association: theirs, already_associated: true, made_by_this_call: false });
    expect(String(body.note)).toContain('another request made it, not this call');
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'POST', 'POST', 'GET']);
  });

  it('the same, retried with the agent\'s own client_token: it exists, and may be this agent\'s earlier call', async () => {
    const busy = { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error_code":"ER.04002003","error_msg":"The association is being operated."}' };
    const found = { id: 'assoc-1', route_table_id: ids.route_table_id, attachment_id: ids.attachment_id, state: 'pending' };
    await withScripted((index) => (index < 4 ? busy : { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ associations: [found] }) }));
    const body = structured<Record<string, unknown>>(await create({ ...ids, client_token: 'retried-token' }));
    expect(body).toMatchObject({ association: found, already_associated: false, made_by_this_call: null, client_token: 'retried-token' });
    expect(String(body.note)).toContain('earlier request with this client_token');
  });

  it('refused as "operation in progress" and nothing there: not created, with the token to retry with', async () => {
    const busy = { status: 400, headers: { 'content-type': 'application/json' }, body: '{"error_code":"ER.04002003","error_msg":"The association is being operated."}' };
    await withScripted((index) => (index < 4 ? busy : { status: 200, headers: { 'content-type': 'application/json' }, body: '{"associations":[]}' }));
    const error = actionable(await create({ ...ids, client_token: 'busy-nothing' }));
    expect(error).toMatchObject({ error_code: 'ER.04002003', outcome: 'not_created', client_token: 'busy-nothing' });
  });

  it('ER.04002002 on another table: an error naming that table and what to remove first', async () => {
    await withEmulator();
    const error = actionable(await create({ ...ids, route_table_id: SANDBOX_IDS.devTable, attachment_id: SANDBOX_IDS.webVpc }));
    expect(error).toMatchObject({ error_code: 'ER.04002002', retryable: false, associated_route_table_id: SANDBOX_IDS.prodTable });
    expect(error.hint).toContain(SANDBOX_IDS.prodTable);
    expect(error.hint).toContain('delete_route_association');
  });

  it('every answer lost after the create was applied: looks, and reports it created', async () => {
    const em = await withEmulator({ seed: 1, sequence: ['reset-after', 'reset-after', 'reset-after', 'reset-after'] });
    const result = await create({ ...ids, client_token: 'lost-answers-1' });
    const body = structured<{ already_associated: boolean; note: string; client_token: string }>(result);
    expect(body.already_associated).toBe(false);
    expect(body.client_token).toBe('lost-answers-1');
    expect(body.note).toContain('it was created');
    expect(em.store.allAssociations().filter((a) => a.attachment_id === ids.attachment_id)).toHaveLength(1);
  });

  it('every connection cut and nothing visible: unknown, since a lost request may still land', async () => {
    const em = await withEmulator({ seed: 1, sequence: ['reset-before', 'reset-before', 'reset-before', 'reset-before'] });
    const error = actionable(await create({ ...ids, client_token: 'never-applied-1' }));
    expect(error).toMatchObject({ error_code: 'HTTP.NETWORK', retryable: true, attempts: 4, outcome: 'unknown', client_token: 'never-applied-1' });
    expect(error.hint).toContain('never-applied-1');
    expect(error.hint).toContain('get_association_state');
    expect(em.store.allAssociations().filter((a) => a.attachment_id === ids.attachment_id)).toHaveLength(0);
  });

  it('every attempt answered 5xx and nothing visible: looks, and reports it not created', async () => {
    const em = await withEmulator({ seed: 1, sequence: ['server-error', 'server-error', 'server-error', 'server-error'] });
    const error = actionable(await create({ ...ids, client_token: 'never-applied-2' }));
    expect(error).toMatchObject({ retryable: true, attempts: 4, outcome: 'not_created', client_token: 'never-applied-2' });
    expect(error.hint).toContain('never-applied-2');
    expect(em.store.allAssociations().filter((a) => a.attachment_id === ids.attachment_id)).toHaveLength(0);
    expect(em.requests.filter((r) => r.operation === 'listAssociations')).toHaveLength(1);
  });

  it('ER.04002002 while the association on this table is being deleted: not a success, says to wait', async () => {
    const em = (emulator = await startTestEmulator({ deletedAfterMs: 60_000 }));
    harness = await connectInMemory(em, { settings: WITHOUT_APPROVAL });
    const deleted = await harness.client.callTool({ name: 'delete_route_association', arguments: { ...ids, attachment_id: SANDBOX_IDS.webVpc } });
    expect(structured<{ state: string }>(deleted).state).toBe('deleting');
    const error = actionable(await create({ ...ids, attachment_id: SANDBOX_IDS.webVpc }));
    expect(error).toMatchObject({ error_code: 'ER.04002002', association_state: 'deleting', retryable: true });
    expect(error.hint).toContain('wait_for "deleted"');
    expect(em.requests.filter((r) => r.operation === 'associateRouteTable')).toHaveLength(1);
  });

  it('create and look-up both failing: unknown, with the client token to retry with', async () => {
    await withEmulator({ seed: 1, sequence: Array(8).fill('reset-before') });
    const error = actionable(await create({ ...ids, client_token: 'unknown-outcome-1' }));
    expect(error).toMatchObject({ retryable: true, outcome: 'unknown', client_token: 'unknown-outcome-1' });
    expect(error.hint).toContain('unknown-outcome-1');
    expect(error.hint).toContain('get_association_state');
    // Calling again with that token is safe: it creates exactly one.
    const body = structured<{ already_associated: boolean }>(await create({ ...ids, client_token: 'unknown-outcome-1' }));
    expect(body.already_associated).toBe(false);
    expect(emulator!.store.allAssociations().filter((a) => a.attachment_id === ids.attachment_id)).toHaveLength(1);
  });

  it('the call deadline covers every attempt and the look-up, and names its setting', async () => {
    const em = await withEmulator({ seed: 1, latencyMs: [600, 600] }, { callDeadlineMs: 400 });
    const error = actionable(await create());
    expect(error).toMatchObject({ error_code: 'HTTP.DEADLINE', retryable: true, outcome: 'unknown' });
    // One create attempt cut by its share of the deadline, then a look-up with the rest, if a busy
    // machine left any: never a second create, never more than the deadline allows.
    // (Counted as they arrive: the emulator logs a request only once it answers, after the latency.)
    expect(em.faults?.counts.none).toBeGreaterThanOrEqual(1);
    expect(em.faults?.counts.none).toBeLessThanOrEqual(2);
  });
});
