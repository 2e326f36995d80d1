// `serve --http` as an OAuth resource server: a local authorization server on 127.0.0.1 publishes
// its metadata and JWKS; tokens are signed here with jose. Every kind of bad token gets 401.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/emulator.js';
import { errorOf, expectNoCanary, startTestEmulator, structured } from '../../helpers.js';
import type { AuditRecord, AuditSink } from '../../../src/guardrails/audit.js';
import { SANDBOX_IDS } from '../../../src/emulator/topology.js';
import { groupsOf } from '../../../src/transports/http/oauth.js';
import { policyHolder, policyOf } from '../../policy/fixtures.js';
import { connectClient, type HttpHarness, type HttpHarnessOptions, rawRequest, seen, startHttpHarness, TOKENS, writeTokensFile } from './harness.js';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

interface LocalAuthorizationServer {
  issuer: string;
  jwksUrl: string;
  /** Requests for the key set so far. */
  jwksRequests: number;
  /** Answer the key set requests with this status instead (e.g. 500). */
  failJwks: number | null;
  close(): Promise<void>;
}

const AUDIENCE = 'https://er-mcp.test/mcp';
let signingKey: Key;
let strangerKey: Key;
let publicJwk: JWK;
let as: LocalAuthorizationServer;
let emulator: Emulator;

async function startAuthorizationServer(): Promise<LocalAuthorizationServer> {
  const state = { jwksRequests: 0, failJwks: null as number | null };
  const server: Server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (req.url === '/.well-known/oauth-authorization-server/tenant') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer: `${base}/tenant`, jwks_uri: `${base}/keys`, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`, response_types_supported: ['code'] }));
      return;
    }
    if (req.url === '/keys') {
      state.jwksRequests++;
      if (state.failJwks) {
        res.writeHead(state.failJwks).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [publicJwk] }));
      return;
    }
    res.writeHead(404).end();
  });
  // Longer than the server under test keeps its JWKS connection: Node's 5 s default races a busy machine's late client.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    issuer: `${base}/tenant`,
    jwksUrl: `${base}/keys`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

beforeAll(async () => {
  // The authorization server publishes the public half of `signingKey` only.
  const published = await generateKeyPair('ES256', { extractable: true });
  signingKey = published.privateKey;
  publicJwk = { ...(await exportJWK(published.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  strangerKey = (await generateKeyPair('ES256')).privateKey;
  as = await startAuthorizationServer();
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await as.close();
  await emulator.close();
});

const harnesses: HttpHarness[] = [];
afterEach(async () => {
  as.failJwks = null;
  for (const h of harnesses.splice(0)) {
    await h.close();
    expectNoCanary(h.logs());
    expect(h.logs()).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./); // no JWT in the log
  }
});

async function start(flags: Record<string, string> = {}, options: Omit<HttpHarnessOptions, 'flags'> = {}): Promise<HttpHarness> {
  const h = await startHttpHarness(emulator, { ...options, flags: { 'oauth-issuer': as.issuer, 'oauth-audience': AUDIENCE, ...flags } });
  harnesses.push(h);
  return h;
}

interface TokenOptions {
  key?: Key;
  kid?: string;
  issuer?: string;
  audience?: string;
  subject?: string;
  scope?: string;
  /** Seconds from now. */
  expiresIn?: number;
  notBeforeIn?: number;
  /** Leave out the exp claim. */
  noExpiry?: boolean;
  /** More claims (groups, roles). */
  claims?: Record<string, unknown>;
}

async function token(options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ scope: options.scope ?? 'er:read er:write', client_id: 'chatops-bot', ...options.claims })
    .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'k1' })
    .setIssuer(options.issuer ?? as.issuer)
    .setAudience(options.audience ?? AUDIENCE)
    .setSubject(options.subject ?? 'alice@example.com')
    .setIssuedAt(now);
  if (!options.noExpiry) jwt.setExpirationTime(now + (options.expiresIn ?? 300));
  if (options.notBeforeIn !== undefined) jwt.setNotBefore(now + options.notBeforeIn);
  return jwt.sign(options.key ?? signingKey);
}

async function call(h: HttpHarness, jwt: string) {
  return rawRequest(h.url, { headers: { authorization: `Bearer ${jwt}` } });
}

describe('OAuth resource server', () => {
  it('finds the JWKS through the issuer metadata and accepts a good token through the SDK client', async () => {
    const h = await start();
    const { client } = await connectClient(h.url, await token());
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(0);
    await client.close();
    expect(h.logs()).toContain(`"caller":"jwt:${as.issuer}#alice@example.com"`);
  });

  it.each([
    ['a wrong audience', { audience: 'https://another-service.test' }, '"aud" claim'],
    ['a wrong issuer', { issuer: 'https://evil.test/tenant' }, '"iss" claim'],
    ['an expired token', { expiresIn: -120 }, 'expired'],
    ['a token not valid yet (nbf)', { notBeforeIn: 600 }, 'not valid yet'],
  ])('%s gets 401 invalid_token with resource_metadata', async (_name, options, reason) => {
    const h = await start();
    const jwt = await token(options);
    const response = await call(h, jwt);
    expect(response.status).toBe(401);
    const challenge = String(response.headers['www-authenticate']);
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toContain(reason);
    expect(challenge).toContain(`resource_metadata="${new URL('/.well-known/oauth-protected-resource/mcp', h.url).href}"`);
    expect(seen(response)).not.toContain(jwt);
  });

  it('a token without exp gets 401 invalid_token saying that only tokens that expire are accepted', async () => {
    const h = await start();
    const jwt = await token({ noExpiry: true });
    expect(JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'))).not.toHaveProperty('exp');
    const response = await call(h, jwt);
    expect(response.status).toBe(401);
    const challenge = String(response.headers['www-authenticate']);
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toContain('error_description="The token has no exp (expiry) claim: only tokens that expire are accepted"');
    expect(JSON.parse(response.body)).toEqual({ error: 'invalid_token', error_description: 'The token has no exp (expiry) claim: only tokens that expire are accepted' });
    expect(h.server.sessions.size).toBe(0);
  });

  it('a token signed by a key the issuer does not publish gets 401', async () => {
    const h = await start();
    for (const jwt of [await token({ key: strangerKey }), await token({ key: strangerKey, kid: 'unknown' })]) {
      const response = await call(h, jwt);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    }
  });

  it('an HMAC-signed token (alg confusion) and an unsigned one get 401', async () => {
    const h = await start();
    const hmac = await new SignJWT({ scope: 'er:read er:write' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuer(as.issuer)
      .setAudience(AUDIENCE)
      .setSubject('mallory')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    const payload = hmac.split('.')[1];
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    expect((await call(h, hmac)).status).toBe(401);
    expect((await call(h, none)).status).toBe(401);
  });

  it('a token without er:read gets 403 insufficient_scope', async () => {
    const h = await start();
    const response = await call(h, await token({ scope: 'profile' }));
    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toContain('error="insufficient_scope"');
  });

  it('no token: 401 whose resource_metadata leads to the RFC 9728 document naming the issuer and scopes', async () => {
    const h = await start();
    const response = await rawRequest(h.url);
    expect(response.status).toBe(401);
    const challenge = String(response.headers['www-authenticate']);
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1];
    expect(metadataUrl).toBeDefined();
    for (const url of [metadataUrl!, new URL('/.well-known/oauth-protected-resource', h.url).href]) {
      const metadata = await rawRequest(url, { method: 'GET' });
      expect(metadata.status).toBe(200);
      expect(JSON.parse(metadata.body)).toMatchObject({ resource: h.url, authorization_servers: [as.issuer], scopes_supported: ['er:read', 'er:write', 'er:approve', 'metrics'], bearer_methods_supported: ['header'] });
    }
  });

  it('--http-public-url is the resource the metadata and the challenge name', async () => {
    const h = await start({ 'http-public-url': 'https://er-mcp.example.com/team/mcp' });
    expect(h.url).toBe('https://er-mcp.example.com/team/mcp');
    const local = `http://127.0.0.1:${h.server.port}`;
    const challenge = String((await rawRequest(`${local}/mcp`)).headers['www-authenticate']);
    expect(challenge).toContain('resource_metadata="https://er-mcp.example.com/.well-known/oauth-protected-resource/team/mcp"');
    const metadata = await rawRequest(`${local}/.well-known/oauth-protected-resource/team/mcp`, { method: 'GET' });
    expect(JSON.parse(metadata.body).resource).toBe('https://er-mcp.example.com/team/mcp');
  });

  it('--oauth-jwks-url skips discovery; a key set that cannot be fetched answers 503, not 401', async () => {
    const h = await start({ 'oauth-jwks-url': as.jwksUrl });
    as.failJwks = 500;
    const response = await call(h, await token({ kid: 'rotated' }));
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBeDefined();
  });

  it('start-up fails clearly when the issuer metadata names another issuer', async () => {
    const error = await startHttpHarness(emulator, { flags: { 'oauth-issuer': `${as.issuer}/`, 'oauth-audience': AUDIENCE } }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/metadata|issuer/i);
  });
});

/** Every audit record, in memory. */
function recordingAudit(): AuditSink & { records: AuditRecord[] } {
  const records: AuditRecord[] = [];
  return { records, problem: () => null, append: (record) => void records.push(record), close: () => undefined };
}

describe('a JWT subject and a static token of the same name are two callers', () => {
  const ids = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.devTable, attachment_id: SANDBOX_IDS.analyticsVpc };

  it('one cannot use the other’s session or plan, and the audit and the logs tell them apart', async () => {
    const audit = recordingAudit();
    const h = await start({ 'http-tokens': writeTokensFile() }, { audit });
    const jwtAlice = `jwt:${as.issuer}#alice`;
    const byToken = await connectClient(h.url, TOKENS.alice);
    const plan = structured<{ plan_id: string }>(await byToken.client.callTool({ name: 'create_route_association', arguments: { ...ids, dry_run: true } }));

    const bearer = await token({ subject: 'alice' });
    const session = { 'mcp-session-id': byToken.transport.sessionId!, 'mcp-protocol-version': '2025-06-18' };
    const listTools = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect((await rawRequest(h.url, { headers: { ...session, authorization: `Bearer ${bearer}` }, body: listTools })).status).toBe(404);
    expect((await rawRequest(h.url, { headers: { ...session, authorization: `Bearer ${TOKENS.alice}` }, body: listTools })).status).toBe(200);

    const byJwt = await connectClient(h.url, bearer);
    const refused = errorOf(await byJwt.client.callTool({ name: 'create_route_association', arguments: { ...ids, plan_id: plan.plan_id } }));
    expect(refused.error_code).toBe('PLAN_NOT_FOUND');
    await byToken.client.close();
    await byJwt.client.close();

    const outcomes = audit.records.filter((r) => r.event === 'outcome') as Array<AuditRecord & { caller: string; guardrail: string }>;
    expect(outcomes.map((r) => [r.caller, r.guardrail])).toEqual([
      ['token:alice', 'dry_run'],
      [jwtAlice, 'plan_not_found'],
    ]);
    expect(h.logs()).toContain('"caller":"token:alice"');
    expect(h.logs()).toContain(`"caller":"${jwtAlice}"`);
  });

  it('each has its own rate limit', async () => {
    const h = await start({ 'http-tokens': writeTokensFile(), 'http-rate-limit': '2' });
    const byToken = { authorization: `Bearer ${TOKENS.alice}` };
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await rawRequest(h.url, { headers: byToken })).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await call(h, await token({ subject: 'alice' }))).status).toBe(200);
  });

  it('a subject cannot pass itself off as another caller: what would mislead a reader is escaped', async () => {
    const h = await start({ 'http-tokens': writeTokensFile() });
    const response = await call(h, await token({ subject: 'x\n{"caller":"token:alice"} \u202e' }));
    expect(response.status).toBe(200);
    expect(h.logs()).toContain(`"caller":"jwt:${as.issuer}#x%0A{\\"caller\\":\\"token:alice\\"}%20%E2%80%AE"`);
  });
});

describe('a policy matches a JWT by subject and by the values of its groups claim', () => {
  const dev = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.devTable, attachment_id: SANDBOX_IDS.analyticsVpc };
  const rules = [
    { name: 'netops-associate', callers: { groups: ['netops'] }, actions: ['associate' as const] },
    { name: 'carla-propagate', callers: { subjects: ['carla@example.com'] }, actions: ['propagate' as const] },
  ];

  it('the claim the policy names is read at each request (a nested one by its path), and decides what each caller may do', async () => {
    const audit = recordingAudit();
    const holder = policyHolder({ ...policyOf(rules), groupsClaim: 'realm_access.roles' });
    const h = await start({}, { audit, policy: holder, settings: { confirmWrites: 'never' } });
    const writeTools = async (bearer: string) => {
      const { client } = await connectClient(h.url, bearer);
      const names = (await client.listTools()).tools.map((t) => t.name).filter((n) => n.startsWith('create_') || n.startsWith('delete_'));
      await client.close();
      return names;
    };
    const netops = await token({ subject: 'alice@example.com', claims: { realm_access: { roles: ['netops', 'viewer'] } } });
    const carla = await token({ subject: 'carla@example.com' });
    const elsewhere = await token({ subject: 'dave@example.com', claims: { groups: ['netops'] } });
    expect(await writeTools(netops)).toEqual(['create_route_association']);
    expect(await writeTools(carla)).toEqual(['create_route_propagation']);
    // The same group under another claim than the policy's is not a group.
    expect(await writeTools(elsewhere)).toEqual([]);

    const { client } = await connectClient(h.url, netops);
    structured(await client.callTool({ name: 'create_route_association', arguments: dev }));
    const refused = errorOf(await client.callTool({ name: 'create_route_propagation', arguments: dev }));
    expect(refused.error_code).toBe('POLICY_DENIED');
    expect(String(refused.error_msg)).toContain('groups netops, viewer');
    await client.close();
    const outcomes = audit.records.filter((r) => r.event === 'outcome') as unknown as Array<Record<string, unknown>>;
    expect(outcomes.map((r) => [r.caller, r.guardrail, r.policy_rule])).toEqual([
      [`jwt:${as.issuer}#alice@example.com`, 'confirmation_disabled', 'netops-associate'],
      [`jwt:${as.issuer}#alice@example.com`, 'policy_denied', null],
    ]);

    // A reloaded policy that names another claim applies to the next request.
    holder.set({ ...policyOf(rules), groupsClaim: 'groups' });
    expect(await writeTools(elsewhere)).toEqual(['create_route_association']);
    expect(await writeTools(netops)).toEqual([]);
  });

  it('groupsOf: an exact claim name first (dots and all), else a path; a string is one value; anything but strings is dropped', () => {
    expect(groupsOf({ 'https://example.com/roles': ['a', 'b'] }, 'https://example.com/roles')).toEqual(['a', 'b']);
    expect(groupsOf({ realm_access: { roles: ['x', 1, null, 'y', 'x', ''] } }, 'realm_access.roles')).toEqual(['x', 'y']);
    expect(groupsOf({ groups: 'netops' }, 'groups')).toEqual(['netops']);
    expect(groupsOf({ groups: { netops: true } }, 'groups')).toEqual([]);
    expect(groupsOf({}, 'groups')).toEqual([]);
    expect(groupsOf({ realm_access: ['roles'] }, 'realm_access.roles')).toEqual([]);
  });
});
