// The ER emulator over real HTTP on 127.0.0.1: signature checks, association lifecycle on a fake
// clock, idempotence tokens, documented error codes, paging and filters. Requests are built by
// hand (undici + our signer) so a test can sign one thing and send another.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { type Emulator, type EmulatorCredential, type EmulatorOptions, startEmulator } from '../../src/emulator/emulator.js';
import { generatedTopology, SANDBOX_IDS, type Topology } from '../../src/emulator/topology.js';
import { canonicalQueryString, formatSdkDate, type Query, sign } from '../../src/http/signer.js';

const CREDENTIAL: EmulatorCredential = { ak: 'EMUTESTAK00000000001', sk: 'emulator-test-secret-key-1' };
const STS_CREDENTIAL: EmulatorCredential = { ak: 'EMUTESTSTSAK00000002', sk: 'emulator-test-secret-key-2', securityToken: 'sts-token-ABC+/=123' };
const AVAILABLE_AFTER_MS = 5_000;
const DELETED_AFTER_MS = 3_000;
const START_MS = Date.UTC(2025, 0, 15, 10, 0, 0);

const ids = SANDBOX_IDS;
const agent = new Agent({ connections: 4 });

/** A clock the emulator reads and the tests move by hand: no sleeping. */
class FakeClock {
  ms = START_MS;
  readonly now = () => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

interface Call {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Query;
  headers?: Record<string, string>;
  json?: unknown;
  credential?: EmulatorCredential;
  /** Sign with this SK instead of the credential's. */
  signingSk?: string;
  /** X-Sdk-Date is the emulator's clock plus this. */
  skewMs?: number;
  /** Sent and signed unless `sendToken`/`signToken` say otherwise (for credentials that have one). */
  sendToken?: boolean;
  signToken?: boolean;
  /** Leave X-Project-Id out; by default it names the project in the path. */
  projectHeader?: string | null;
  /** What actually goes on the wire, after signing the values above. */
  sentJson?: unknown;
  sentQuery?: Query;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // Bodies are the emulator's JSON; tests read fields loosely.
  body: Record<string, unknown> & { error_code?: string; error_msg?: string; request_id?: string };
  text: string;
}

class Harness {
  constructor(
    readonly emulator: Emulator,
    readonly clock: FakeClock,
  ) {}

  get projectId(): string {
    return this.emulator.store.topology.projectId;
  }

  base(projectId = this.projectId): string {
    return `/v3/${projectId}/enterprise-router`;
  }

  tablePath(erId: string, tableId: string, tail: string): string {
    return `${this.base()}/${erId}/route-tables/${tableId}/${tail}`;
  }

  async call(c: Call): Promise<Answer> {
    const method = c.method ?? 'GET';
    const credential = c.credential ?? CREDENTIAL;
    const url = new URL(this.emulator.url);
    const headers: Record<string, string> = {
      host: url.host,
      'x-sdk-date': formatSdkDate(new Date(this.clock.now() + (c.skewMs ?? 0))),
      ...c.headers,
    };
    const projectFromPath = /^\/v3\/([^/]+)\//.exec(c.path)?.[1];
    if (c.projectHeader !== null && (c.projectHeader ?? projectFromPath)) headers['x-project-id'] = (c.projectHeader ?? projectFromPath)!;
    const body = c.json === undefined ? '' : JSON.stringify(c.json);
    if (body) headers['content-type'] = 'application/json';
    const token = credential.securityToken;
    const signed = { ...headers };
    if (token && c.signToken !== false) signed['x-security-token'] = token;
    const { authorization } = sign({ method, path: c.path, query: c.query, headers: signed, body }, { ak: credential.ak, sk: c.signingSk ?? credential.sk });
    const sent: Record<string, string> = { ...headers, authorization };
    if (token && c.sendToken !== false) sent['x-security-token'] = token;

    const sentBody = c.sentJson === undefined ? body : JSON.stringify(c.sentJson);
    const query = canonicalQueryString(c.sentQuery ?? c.query);
    const res = await request(`${this.emulator.url}${c.path}${query ? `?${query}` : ''}`, {
      method,
      headers: sent,
      body: sentBody || undefined,
      dispatcher: agent,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, body: text ? (JSON.parse(text) as Answer['body']) : {}, text };
  }

  associate(erId: string, tableId: string, attachmentId: string, token?: string): Promise<Answer> {
    return this.call({
      method: 'POST',
      path: this.tablePath(erId, tableId, 'associate'),
      json: { attachment_id: attachmentId },
      headers: token ? { 'x-client-token': token } : {},
    });
  }

  disassociate(erId: string, tableId: string, attachmentId: string): Promise<Answer> {
    return this.call({ method: 'POST', path: this.tablePath(erId, tableId, 'disassociate'), json: { attachment_id: attachmentId } });
  }

  async associations(erId: string, tableId: string, query: Query = {}): Promise<Array<Record<string, string>>> {
    const answer = await this.call({ path: this.tablePath(erId, tableId, 'associations'), query });
    expect(answer.status).toBe(200);
    return answer.body.associations as Array<Record<string, string>>;
  }

  async associationOf(attachmentId: string, tableId: string = ids.prodTable): Promise<Record<string, string> | undefined> {
    const list = await this.associations(ids.router, tableId, { attachment_id: attachmentId });
    expect(list.length).toBeLessThanOrEqual(1);
    return list[0];
  }

  /** The attachment's entry in ListAttachments, the one answer that says where it is associated. */
  async listedAttachment(attachmentId: string, erId: string = ids.router): Promise<Record<string, unknown> | undefined> {
    const answer = await this.call({ path: `${this.base()}/${erId}/attachments` });
    expect(answer.status).toBe(200);
    return (answer.body.attachments as Array<Record<string, unknown>>).find((a) => a.id === attachmentId);
  }

  /** Every item of a list endpoint, following next_marker the way er-api.md says. */
  async walk(path: string, key: string, limit: number, query: Query = {}): Promise<{ items: Array<Record<string, unknown>>; pages: number[] }> {
    const items: Array<Record<string, unknown>> = [];
    const pages: number[] = [];
    let marker: string | undefined;
    for (let guard = 0; guard < 100; guard += 1) {
      const answer = await this.call({ path, query: { ...query, limit, ...(marker ? { marker } : {}) } });
      expect(answer.status).toBe(200);
      const page = answer.body[key] as Array<Record<string, unknown>>;
      const info = answer.body.page_info as { next_marker: string; current_count: number };
      expect(info.current_count).toBe(page.length);
      expect(page.length).toBeLessThanOrEqual(limit);
      items.push(...page);
      pages.push(page.length);
      if (!info.next_marker || info.next_marker === marker) return { items, pages };
      marker = info.next_marker;
    }
    throw new Error('paging did not end');
  }
}

const open: Emulator[] = [];

async function harness(options: Partial<EmulatorOptions> = {}): Promise<Harness> {
  const clock = new FakeClock();
  const emulator = await startEmulator({
    credentials: [CREDENTIAL, STS_CREDENTIAL],
    availableAfterMs: AVAILABLE_AFTER_MS,
    deletedAfterMs: DELETED_AFTER_MS,
    now: clock.now,
    ...options,
  });
  open.push(emulator);
  return new Harness(emulator, clock);
}

function expectError(answer: Answer, status: number, code: string): void {
  expect({ status: answer.status, code: answer.body.error_code }).toEqual({ status, code });
  expect(typeof answer.body.error_msg).toBe('string');
  expect(answer.body.request_id).toMatch(/\S/);
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

afterAll(async () => {
  await agent.close();
});

describe('signature verification', () => {
  let h: Harness;
  const showRouter = () => `${h.base()}/instances/${ids.router}`;

  it('accepts a correctly signed request (the control for every rejection below)', async () => {
    h = await harness();
    const answer = await h.call({ path: showRouter() });
    expect(answer.status).toBe(200);
    expect((answer.body.instance as { id: string }).id).toBe(ids.router);
  });

  it('rejects a wrong secret key with 401 APIGW.0301', async () => {
    h = await harness();
    expectError(await h.call({ path: showRouter(), signingSk: 'not-the-secret' }), 401, 'APIGW.0301');
  });

  it('rejects an unknown access key', async () => {
    h = await harness();
    expectError(await h.call({ path: showRouter(), credential: { ak: 'UNKNOWNAK00000000000', sk: CREDENTIAL.sk } }), 401, 'APIGW.0301');
  });

  it('rejects a missing Authorization header', async () => {
    h = await harness();
    const res = await request(`${h.emulator.url}${showRouter()}`, { headers: { 'x-project-id': h.projectId, 'x-sdk-date': formatSdkDate(new Date(h.clock.now())) }, dispatcher: agent });
    const body = (await res.body.json()) as { error_code: string };
    expect({ status: res.statusCode, code: body.error_code }).toEqual({ status: 401, code: 'APIGW.0301' });
  });

  it('rejects X-Sdk-Date more than 15 minutes away in either direction, accepts 14 minutes', async () => {
    h = await harness();
    const minute = 60_000;
    expectError(await h.call({ path: showRouter(), skewMs: -16 * minute }), 401, 'APIGW.0301');
    expectError(await h.call({ path: showRouter(), skewMs: 16 * minute }), 401, 'APIGW.0301');
    expect((await h.call({ path: showRouter(), skewMs: -14 * minute })).status).toBe(200);
    expect((await h.call({ path: showRouter(), skewMs: 14 * minute })).status).toBe(200);
    // The server's clock is what counts: a once-fresh date goes stale as the clock moves.
    h.clock.advance(16 * minute);
    expectError(await h.call({ path: showRouter(), skewMs: -16 * minute }), 401, 'APIGW.0301');
  });

  it('rejects a tampered body and creates nothing', async () => {
    h = await harness();
    const before = h.emulator.store.allAssociations().length;
    const answer = await h.call({
      method: 'POST',
      path: h.tablePath(ids.router, ids.prodTable, 'associate'),
      json: { attachment_id: ids.paymentsVpc },
      sentJson: { attachment_id: ids.analyticsVpc },
    });
    expectError(answer, 401, 'APIGW.0301');
    expect(h.emulator.store.allAssociations()).toHaveLength(before);
  });

  it('rejects a tampered query', async () => {
    h = await harness();
    const path = h.tablePath(ids.router, ids.prodTable, 'associations');
    expect((await h.call({ path, query: { attachment_id: ids.webVpc } })).status).toBe(200);
    expectError(await h.call({ path, query: { attachment_id: ids.webVpc }, sentQuery: { attachment_id: ids.paymentsVpc } }), 401, 'APIGW.0301');
    expectError(await h.call({ path, query: { limit: 1 }, sentQuery: { limit: 2 } }), 401, 'APIGW.0301');
  });

  it('verifies queries with unicode, spaces, reserved characters and repeated keys', async () => {
    h = await harness();
    const path = h.tablePath(ids.router, ids.prodTable, 'associations');
    const query = { attachment_id: ['路由 表', "a&b=c?d/e+f%g#h!i*j'k(l)", ids.webVpc, '😀'], state: ['available', 'available'], limit: 10 };
    const answer = await h.call({ path, query });
    expect(answer.status).toBe(200);
    expect((answer.body.associations as Array<{ attachment_id: string }>).map((a) => a.attachment_id)).toEqual([ids.webVpc]);
    expectError(await h.call({ path, query, sentQuery: { ...query, attachment_id: ['路由+表', ...query.attachment_id.slice(1)] } }), 401, 'APIGW.0301');
  });

  it('requires the security token of temporary credentials, sent and signed', async () => {
    h = await harness();
    expect((await h.call({ path: showRouter(), credential: STS_CREDENTIAL })).status).toBe(200);
    expectError(await h.call({ path: showRouter(), credential: STS_CREDENTIAL, sendToken: false, signToken: false }), 401, 'APIGW.0301');
    expectError(await h.call({ path: showRouter(), credential: STS_CREDENTIAL, signToken: false }), 401, 'APIGW.0301');
    expectError(
      await h.call({ path: showRouter(), credential: { ...STS_CREDENTIAL, securityToken: 'some-other-token' } }),
      401,
      'APIGW.0301',
    );
  });

  it('never echoes the secret key or the security token in a rejection', async () => {
    h = await harness();
    const answers = [
      await h.call({ path: showRouter(), signingSk: 'not-the-secret' }),
      await h.call({ path: showRouter(), credential: { ...STS_CREDENTIAL, securityToken: 'some-other-token' } }),
    ];
    for (const answer of answers) {
      for (const secret of [CREDENTIAL.sk, STS_CREDENTIAL.sk, STS_CREDENTIAL.securityToken!, 'some-other-token']) {
        expect(answer.text).not.toContain(secret);
      }
    }
  });

  it('records rejected requests with their status', async () => {
    h = await harness();
    await h.call({ path: showRouter(), signingSk: 'wrong' });
    expect(h.emulator.requests.at(-1)).toMatchObject({ operation: 'showEnterpriseRouter', status: 401 });
  });
});

describe('association lifecycle on a fake clock', () => {
  it('goes pending → available after the configured delay', async () => {
    const h = await harness();
    const created = await h.associate(ids.router, ids.prodTable, ids.paymentsVpc, 'token-lifecycle-1');
    expect(created.status).toBe(202);
    const association = created.body.association as Record<string, string>;
    expect(association).toMatchObject({
      route_table_id: ids.prodTable,
      attachment_id: ids.paymentsVpc,
      resource_type: 'vpc',
      resource_id: 'd1b2c3d4-0000-4000-8000-00000000a001',
      state: 'pending',
    });
    expect(created.body.request_id).toMatch(/\S/);
    expect(created.headers['x-request-id']).toBe(created.body.request_id);
    expect(created.headers['x-client-token']).toBe('token-lifecycle-1');

    h.clock.advance(AVAILABLE_AFTER_MS - 1);
    expect((await h.associationOf(ids.paymentsVpc))?.state).toBe('pending');
    h.clock.advance(1);
    const available = await h.associationOf(ids.paymentsVpc);
    expect(available).toMatchObject({ id: association.id, state: 'available', created_at: association.created_at });
    expect(available?.updated_at).not.toBe(association.updated_at);
  });

  it('goes available → deleting → gone after disassociate, and frees the attachment', async () => {
    const h = await harness();
    await h.associate(ids.router, ids.prodTable, ids.paymentsVpc);
    h.clock.advance(AVAILABLE_AFTER_MS);
    const gone = await h.disassociate(ids.router, ids.prodTable, ids.paymentsVpc);
    expect(gone.status).toBe(202);
    expect(gone.text).toBe('');

    expect((await h.associationOf(ids.paymentsVpc))?.state).toBe('deleting');
    h.clock.advance(DELETED_AFTER_MS - 1);
    expect((await h.associationOf(ids.paymentsVpc))?.state).toBe('deleting');
    h.clock.advance(1);
    expect(await h.associationOf(ids.paymentsVpc)).toBeUndefined();

    expect(await h.listedAttachment(ids.paymentsVpc)).toMatchObject({ associated: false, route_table_id: '' });
    // Gone means gone: a fresh association is allowed again.
    expect((await h.associate(ids.router, ids.devTable, ids.paymentsVpc)).status).toBe(202);
  });

  it('shows a seeded association being deleted with a changed updated_at', async () => {
    const h = await harness();
    const before = await h.associationOf(ids.webVpc);
    expect((await h.disassociate(ids.router, ids.prodTable, ids.webVpc)).status).toBe(202);
    const deleting = await h.associationOf(ids.webVpc);
    expect(deleting?.state).toBe('deleting');
    expect(deleting?.updated_at).not.toBe(before?.updated_at);
    expect(deleting?.created_at).toBe(before?.created_at);
  });

  it('refuses to disassociate while the association is still pending', async () => {
    const h = await harness();
    await h.associate(ids.router, ids.prodTable, ids.paymentsVpc);
    expectError(await h.disassociate(ids.router, ids.prodTable, ids.paymentsVpc), 400, 'ER.04002003');
  });

  it('lists the attachment as associated with the table while the association lives; its show never says', async () => {
    const h = await harness();
    expect(await h.listedAttachment(ids.analyticsVpc)).toMatchObject({ associated: false, route_table_id: '' });
    await h.associate(ids.router, ids.devTable, ids.analyticsVpc);
    expect(await h.listedAttachment(ids.analyticsVpc)).toMatchObject({ id: ids.analyticsVpc, er_id: ids.router, associated: true, route_table_id: ids.devTable });
    // ShowAttachment (AttachmentResponse) has no router and no association fields.
    const shown = await h.call({ path: `${h.base()}/${ids.router}/attachments/${ids.analyticsVpc}` });
    expect(shown.body.attachment).toMatchObject({ id: ids.analyticsVpc });
    for (const field of ['associated', 'route_table_id', 'er_id']) expect(shown.body.attachment).not.toHaveProperty(field);
  });

  it('failAssociationsOf makes the next association of that attachment end failed, once', async () => {
    const h = await harness();
    h.emulator.store.failAssociationsOf(ids.paymentsVpc);
    const created = await h.associate(ids.router, ids.prodTable, ids.paymentsVpc);
    expect((created.body.association as { state: string }).state).toBe('pending');
    h.clock.advance(AVAILABLE_AFTER_MS);
    expect((await h.associationOf(ids.paymentsVpc))?.state).toBe('failed');
    // A failed association can be removed, and the next attempt succeeds.
    expect((await h.disassociate(ids.router, ids.prodTable, ids.paymentsVpc)).status).toBe(202);
    h.clock.advance(DELETED_AFTER_MS);
    await h.associate(ids.router, ids.prodTable, ids.paymentsVpc);
    h.clock.advance(AVAILABLE_AFTER_MS);
    expect((await h.associationOf(ids.paymentsVpc))?.state).toBe('available');
  });
});

describe('idempotence and conflicts', () => {
  it('replays an X-Client-Token with the first association, without creating another', async () => {
    const h = await harness();
    const first = await h.associate(ids.router, ids.prodTable, ids.paymentsVpc, 'replay-token-0001');
    const count = h.emulator.store.allAssociations().length;
    const again = await h.associate(ids.router, ids.prodTable, ids.paymentsVpc, 'replay-token-0001');
    expect(again.status).toBe(202);
    expect((again.body.association as { id: string }).id).toBe((first.body.association as { id: string }).id);
    expect(again.headers['x-client-token']).toBe('replay-token-0001');
    expect(h.emulator.store.allAssociations()).toHaveLength(count);
    // The replay reports the association as it is now.
    h.clock.advance(AVAILABLE_AFTER_MS);
    const later = await h.associate(ids.router, ids.prodTable, ids.paymentsVpc, 'replay-token-0001');
    expect(later.body.association).toMatchObject({ id: (first.body.association as { id: string }).id, state: 'available' });
    expect(h.emulator.store.allAssociations()).toHaveLength(count);
  });

  it('refuses the same token with a different attachment or route table, creating nothing', async () => {
    const h = await harness();
    await h.associate(ids.router, ids.prodTable, ids.paymentsVpc, 'shared-token-0001');
    const count = h.emulator.store.allAssociations().length;
    expectError(await h.associate(ids.router, ids.prodTable, ids.analyticsVpc, 'shared-token-0001'), 400, 'ER.04009005');
    expectError(await h.associate(ids.router, ids.devTable, ids.paymentsVpc, 'shared-token-0001'), 400, 'ER.04009005');
    expect(h.emulator.store.allAssociations()).toHaveLength(count);
    expect(await h.associationOf(ids.analyticsVpc)).toBeUndefined();
  });

  it('answers a second association for an attachment with 400 ER.04002002', async () => {
    const h = await harness();
    expect((await h.associate(ids.router, ids.prodTable, ids.paymentsVpc, 'token-a')).status).toBe(202);
    expectError(await h.associate(ids.router, ids.prodTable, ids.paymentsVpc, 'token-b'), 400, 'ER.04002002');
    expectError(await h.associate(ids.router, ids.prodTable, ids.paymentsVpc), 400, 'ER.04002002');
    // Already associated elsewhere (seeded: web VPC on prod), asked for dev.
    expectError(await h.associate(ids.router, ids.devTable, ids.webVpc), 400, 'ER.04002002');
    expect(h.emulator.store.allAssociations().filter((a) => a.attachment_id === ids.paymentsVpc)).toHaveLength(1);
  });

  it('refuses an X-Client-Token of 65 characters, or an empty one, with 400 ER.04009005 before doing anything; 64 and 1 work', async () => {
    const h = await harness();
    const count = h.emulator.store.allAssociations().length;
    expectError(await h.associate(ids.router, ids.prodTable, ids.paymentsVpc, 't'.repeat(65)), 400, 'ER.04009005');
    const empty = await h.call({ method: 'POST', path: h.tablePath(ids.router, ids.prodTable, 'associate'), json: { attachment_id: ids.paymentsVpc }, headers: { 'x-client-token': '' } });
    expectError(empty, 400, 'ER.04009005');
    expect(empty.headers['x-client-token']).toBeUndefined();
    const propagation = await h.call({
      method: 'POST',
      path: h.tablePath(ids.router, ids.prodTable, 'enable-propagations'),
      json: { attachment_id: ids.paymentsVpc },
      headers: { 'x-client-token': 'p'.repeat(65) },
    });
    expectError(propagation, 400, 'ER.04009005');
    expect(h.emulator.store.allAssociations()).toHaveLength(count);
    expect(h.emulator.routing.allPropagations().filter((p) => p.attachment_id === ids.paymentsVpc && p.route_table_id === ids.prodTable)).toEqual([]);

    const longest = await h.associate(ids.router, ids.prodTable, ids.paymentsVpc, 'L'.repeat(64));
    expect(longest.status).toBe(202);
    expect(longest.headers['x-client-token']).toBe('L'.repeat(64));
    const shortest = await h.associate(ids.router, ids.devTable, ids.analyticsVpc, 's');
    expect(shortest.status).toBe(202);
    expect(shortest.headers['x-client-token']).toBe('s');
  });

  it('ignores X-Client-Token on operations that take none: not checked, not echoed, not replayed', async () => {
    const h = await harness();
    const shown = await h.call({ path: `${h.base()}/instances/${ids.router}`, headers: { 'x-client-token': 'x'.repeat(65) } });
    expect(shown.status).toBe(200);
    expect(shown.headers['x-client-token']).toBeUndefined();
    const removed = await h.call({
      method: 'POST',
      path: h.tablePath(ids.router, ids.prodTable, 'disassociate'),
      json: { attachment_id: ids.webVpc },
      headers: { 'x-client-token': 'y'.repeat(65) },
    });
    expect(removed.status).toBe(202);
    expect(removed.headers['x-client-token']).toBeUndefined();
    expect(h.emulator.requests.at(-1)).toMatchObject({ operation: 'disassociateRouteTable', status: 202, clientToken: 'y'.repeat(65) });
  });

  it('answers an invalid body with 400 ER.04009005', async () => {
    const h = await harness();
    const path = h.tablePath(ids.router, ids.prodTable, 'associate');
    expectError(await h.call({ method: 'POST', path, json: {} }), 400, 'ER.04009005');
    expectError(await h.call({ method: 'POST', path, json: { attachment_id: 42 } }), 400, 'ER.04009005');
    expectError(await h.call({ method: 'POST', path }), 400, 'ER.04009005');
  });
});

describe('not found', () => {
  const missing = 'ffffffff-0000-4000-8000-00000000ffff';

  it('answers unknown router, route table and attachment with their ER codes', async () => {
    const h = await harness();
    expectError(await h.associate(missing, ids.prodTable, ids.paymentsVpc), 404, 'ER.04041001');
    expectError(await h.associate(ids.router, missing, ids.paymentsVpc), 404, 'ER.04045001');
    expectError(await h.associate(ids.router, ids.prodTable, missing), 404, 'ER.04044001');
    // A route table or attachment of another router does not exist on this one.
    expectError(await h.associate(ids.router, ids.labTable, ids.paymentsVpc), 404, 'ER.04045001');
    expectError(await h.associate(ids.router, ids.prodTable, ids.labVpc), 404, 'ER.04044001');
    expectError(await h.call({ path: h.tablePath(missing, ids.prodTable, 'associations') }), 404, 'ER.04041001');
    expectError(await h.call({ path: h.tablePath(ids.router, missing, 'associations') }), 404, 'ER.04045001');
  });

  it('answers the show endpoints with the same codes', async () => {
    const h = await harness();
    expectError(await h.call({ path: `${h.base()}/instances/${missing}` }), 404, 'ER.04041001');
    expectError(await h.call({ path: `${h.base()}/${ids.router}/route-tables/${missing}` }), 404, 'ER.04045001');
    expectError(await h.call({ path: `${h.base()}/${ids.router}/attachments/${missing}` }), 404, 'ER.04044001');
    expectError(await h.call({ path: `${h.base()}/${missing}/route-tables` }), 404, 'ER.04041001');
    expectError(await h.call({ path: `${h.base()}/${missing}/attachments` }), 404, 'ER.04041001');
  });

  it('answers disassociate of a missing association with 404 ER.04042001', async () => {
    const h = await harness();
    expectError(await h.disassociate(ids.router, ids.prodTable, ids.paymentsVpc), 404, 'ER.04042001');
    // Associated, but with another table.
    expectError(await h.disassociate(ids.router, ids.prodTable, ids.officeVpn), 404, 'ER.04042001');
  });

  it('answers an unknown path or method with 404 APIGW.0101', async () => {
    const h = await harness();
    expectError(await h.call({ path: `${h.base()}/${ids.router}/nothing-here` }), 404, 'APIGW.0101');
    expectError(await h.call({ path: '/v2/whatever' }), 404, 'APIGW.0101');
    expectError(await h.call({ method: 'DELETE', path: h.tablePath(ids.router, ids.prodTable, 'associations') }), 404, 'APIGW.0101');
    expectError(await h.call({ method: 'GET', path: h.tablePath(ids.router, ids.prodTable, 'associate') }), 404, 'APIGW.0101');
  });

  it('answers a malformed percent-escape in an ID as not found, not as a crash', async () => {
    const h = await harness();
    expectError(await h.call({ path: `${h.base()}/instances/%E0%A4%A` }), 404, 'ER.04041001');
  });
});

describe('project header', () => {
  it('refuses a request whose X-Project-Id differs from the path, or lacks it', async () => {
    const h = await harness();
    const path = `${h.base()}/instances`;
    expectError(await h.call({ path, projectHeader: '00000000000000000000000000000000' }), 400, 'ER.04009005');
    expectError(await h.call({ path, projectHeader: null }), 400, 'ER.04009005');
  });

  it('refuses a project that is not the emulated one', async () => {
    const h = await harness();
    const other = '00000000000000000000000000000000';
    const answer = await h.call({ path: `${h.base(other)}/instances` });
    expect(answer.status).toBe(403);
    expect(answer.body.error_code).toBe('APIGW.0302');
  });
});

describe('paging and filters', () => {
  /** A generated router where every third attachment is already associated with the first table. */
  function pagedTopology(): Topology {
    const topology = generatedTopology({ attachments: 23, routeTables: 2 });
    topology.attachments = topology.attachments.map((a, i) => (i % 3 === 0 ? { ...a, associated_route_table_id: 'gen-rt-000000' } : a));
    return topology;
  }

  it('walks attachments with limit/marker: every item once, in order, pages no larger than limit', async () => {
    const h = await harness({ topology: pagedTopology() });
    const path = `${h.base()}/gen-router-0001/attachments`;
    const all = await h.walk(path, 'attachments', 2000);
    expect(all.items).toHaveLength(23);
    for (const limit of [1, 5, 7, 23, 50]) {
      const walked = await h.walk(path, 'attachments', limit);
      expect(walked.items.map((a) => a.id)).toEqual(all.items.map((a) => a.id));
      expect(walked.pages.slice(0, -1).every((n) => n === limit || n === 23 % limit)).toBe(true);
    }
  });

  it('walks associations, route tables and routers the same way', async () => {
    const h = await harness({ topology: pagedTopology() });
    const associations = await h.walk(h.tablePath('gen-router-0001', 'gen-rt-000000', 'associations'), 'associations', 3);
    expect(associations.items).toHaveLength(8);
    expect(new Set(associations.items.map((a) => a.id)).size).toBe(8);
    expect((await h.walk(`${h.base()}/gen-router-0001/route-tables`, 'route_tables', 1)).items).toHaveLength(2);

    const sandbox = await harness();
    const routers = await sandbox.walk(`${sandbox.base()}/instances`, 'instances', 1);
    expect(routers.items.map((r) => r.id)).toEqual([ids.router, ids.labRouter]);
  });

  it('keeps paging when the marker item disappears between pages', async () => {
    const h = await harness();
    // Three associations on prod: seeded web VPC, then two new ones.
    await h.associate(ids.router, ids.prodTable, ids.paymentsVpc);
    await h.associate(ids.router, ids.prodTable, ids.analyticsVpc);
    h.clock.advance(AVAILABLE_AFTER_MS);
    const path = h.tablePath(ids.router, ids.prodTable, 'associations');
    const first = await h.call({ path, query: { limit: 1 } });
    const marker = (first.body.page_info as { next_marker: string }).next_marker;
    expect((first.body.associations as Array<{ attachment_id: string }>)[0]?.attachment_id).toBe(ids.webVpc);
    // The marker's association finishes deleting before the next page is asked for.
    await h.disassociate(ids.router, ids.prodTable, ids.webVpc);
    h.clock.advance(DELETED_AFTER_MS);
    const second = await h.call({ path, query: { limit: 5, marker } });
    expect(second.status).toBe(200);
    expect((second.body.associations as Array<{ attachment_id: string }>).map((a) => a.attachment_id)).toEqual([ids.paymentsVpc, ids.analyticsVpc]);
  });

  it('rejects a limit outside 1..2000', async () => {
    const h = await harness();
    const path = `${h.base()}/instances`;
    for (const limit of [0, 2001, 'ten']) expectError(await h.call({ path, query: { limit } }), 400, 'ER.04009005');
  });

  it('filters associations by state, resource_type and (repeated) attachment_id', async () => {
    const h = await harness();
    await h.associate(ids.router, ids.devTable, ids.paymentsVpc);
    await h.associate(ids.router, ids.devTable, ids.partnerPeering);
    // dev now holds: office VPN (seeded, available), payments VPC and partner peering (pending).
    const ofIds = (list: Array<Record<string, string>>) => list.map((a) => a.attachment_id).sort();
    expect(ofIds(await h.associations(ids.router, ids.devTable))).toEqual([ids.officeVpn, ids.paymentsVpc, ids.partnerPeering].sort());
    expect(ofIds(await h.associations(ids.router, ids.devTable, { state: 'pending' }))).toEqual([ids.paymentsVpc, ids.partnerPeering].sort());
    expect(ofIds(await h.associations(ids.router, ids.devTable, { state: ['available', 'failed'] }))).toEqual([ids.officeVpn]);
    expect(ofIds(await h.associations(ids.router, ids.devTable, { resource_type: 'peering' }))).toEqual([ids.partnerPeering]);
    expect(ofIds(await h.associations(ids.router, ids.devTable, { resource_type: ['vpn', 'vpc'] }))).toEqual([ids.officeVpn, ids.paymentsVpc].sort());
    expect(ofIds(await h.associations(ids.router, ids.devTable, { attachment_id: [ids.officeVpn, ids.partnerPeering] }))).toEqual(
      [ids.officeVpn, ids.partnerPeering].sort(),
    );
    expect(await h.associations(ids.router, ids.devTable, { attachment_id: ids.webVpc })).toEqual([]);
    expect(ofIds(await h.associations(ids.router, ids.devTable, { state: 'pending', resource_type: 'vpc' }))).toEqual([ids.paymentsVpc]);
  });

  it('filters attachments by resource_type and routers by id', async () => {
    const h = await harness();
    const vpcs = await h.call({ path: `${h.base()}/${ids.router}/attachments`, query: { resource_type: 'vpc' } });
    expect((vpcs.body.attachments as Array<{ id: string }>).map((a) => a.id).sort()).toEqual([ids.paymentsVpc, ids.webVpc, ids.analyticsVpc].sort());
    const routers = await h.call({ path: `${h.base()}/instances`, query: { id: ids.labRouter } });
    expect((routers.body.instances as Array<{ id: string }>).map((r) => r.id)).toEqual([ids.labRouter]);
  });
});

describe('seeded topology', () => {
  it('has seeded associations with the API reference timestamp form "2020-03-11T15:13:31"', async () => {
    const h = await harness();
    const web = await h.associationOf(ids.webVpc);
    expect(web).toMatchObject({ state: 'available', route_table_id: ids.prodTable, resource_type: 'vpc' });
    expect(web?.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect(web?.updated_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    const vpn = await h.associationOf(ids.officeVpn, ids.devTable);
    expect(vpn?.resource_type).toBe('vpn');
  });

  it('fills what a seed leaves out as a plainly created object has it: project, tags, timestamps, enterprise project', async () => {
    const h = await harness();
    const router = (await h.call({ path: `${h.base()}/instances/${ids.labRouter}` })).body.instance;
    expect(router).toMatchObject({
      project_id: h.projectId,
      enterprise_project_id: '0',
      charge_mode: 'postPaid',
      description: '',
      tags: [],
      created_at: '2020-03-11T15:13:31',
      updated_at: '2020-03-11T15:13:31',
      availability_zone_ids: ['cn-east-3a', 'cn-east-3b'],
      auto_accept_shared_attachments: false,
      default_association_route_table_id: ids.labTable,
    });
    const core = (await h.call({ path: `${h.base()}/instances/${ids.router}` })).body.instance;
    expect(core).toMatchObject({ tags: [{ key: 'env', value: 'prod' }], enable_default_association: false, default_association_route_table_id: '' });
    const table = (await h.call({ path: `${h.base()}/${ids.router}/route-tables/${ids.devTable}` })).body.route_table;
    expect(table).toMatchObject({ is_default_association: false, is_default_propagation: false, tags: [], created_at: '2020-03-11T15:13:31' });
    expect(table).not.toHaveProperty('er_id');
    const attachment = (await h.call({ path: `${h.base()}/${ids.router}/attachments/${ids.webVpc}` })).body.attachment;
    expect(attachment).toMatchObject({ project_id: h.projectId, resource_project_id: h.projectId, tags: [], description: '' });
    // The emulator's routing knowledge stays out of every body.
    for (const field of ['cidrs', 'propagated_route_table_ids', 'associated_route_table_id']) {
      expect(attachment).not.toHaveProperty(field);
      expect(await h.listedAttachment(ids.webVpc)).not.toHaveProperty(field);
    }
  });

  it('shows attachments of several resource types with their association', async () => {
    const h = await harness();
    const answer = await h.call({ path: `${h.base()}/${ids.router}/attachments` });
    const attachments = answer.body.attachments as Array<{ id: string; resource_type: string; associated: boolean; route_table_id: string }>;
    expect(new Set(attachments.map((a) => a.resource_type))).toEqual(new Set(['vpc', 'vpn', 'peering', 'vgw']));
    expect(attachments.find((a) => a.id === ids.webVpc)).toMatchObject({ associated: true, route_table_id: ids.prodTable });
    expect(attachments.find((a) => a.id === ids.paymentsVpc)).toMatchObject({ associated: false, route_table_id: '' });
  });
});
