// `serve --http` in process, over real HTTP on 127.0.0.1 with static tokens: who gets in, what is
// refused before any tool runs, and what the session layer promises (cap, owner, expiry, drain).
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Emulator } from '../../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../../src/emulator/topology.js';
import { expectNoCanary, startTestEmulator, structured } from '../../helpers.js';
import { KEEP_ALIVE_MS } from '../../../src/transports/http/http-server.js';
import { connectClient, type HttpHarness, rawRequest, seen, sha256, startHttpHarness, TOKENS, writeTokensFile } from './harness.js';

const ref = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator.close();
});

const harnesses: HttpHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    await h.close();
    // Whatever the test did, no token, AK, SK or security token reached the log.
    expectNoCanary(h.logs());
    for (const token of Object.values(TOKENS)) expect(h.logs()).not.toContain(token);
  }
});

async function start(flags: Record<string, string> = {}, now?: () => number): Promise<HttpHarness> {
  const h = await startHttpHarness(emulator, { flags: { 'http-tokens': writeTokensFile(), ...flags }, ...(now ? { now } : {}) });
  harnesses.push(h);
  return h;
}

describe('authentication with static tokens', () => {
  it('a request without a token gets 401 with a Bearer challenge, and no session', async () => {
    const h = await start();
    const response = await rawRequest(h.url);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="huaweicloud-er-mcp"/);
    expect(response.headers['mcp-session-id']).toBeUndefined();
    expect(h.server.sessions.size).toBe(0);
  });

  it('a wrong token gets 401 invalid_token, and the log names neither it nor any real token', async () => {
    const h = await start();
    const response = await rawRequest(h.url, { headers: { authorization: `Bearer ${TOKENS.nobody}` } });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(seen(response)).not.toContain(TOKENS.nobody);
    expect(h.logs()).toContain('refused a request (authentication)');
    expect(h.logs()).not.toContain(TOKENS.nobody);
  });

  it('a token that only differs in its last character, or a prefix of a real one, is refused', async () => {
    const h = await start();
    for (const guess of [TOKENS.alice.slice(0, -1) + 'X', TOKENS.alice.slice(0, 10), `${TOKENS.alice}0`]) {
      expect((await rawRequest(h.url, { headers: { authorization: `Bearer ${guess}` } })).status).toBe(401);
    }
  });

  it('the SDK client with a valid token lists the tools and calls one', async () => {
    const h = await start();
    const { client } = await connectClient(h.url, TOKENS.alice);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('get_association_state');
    const state = structured<{ state: string }>(await client.callTool({ name: 'get_association_state', arguments: ref }));
    expect(typeof state.state).toBe('string');
    await client.close();
  });

  it('the SDK client without a token fails to connect with 401', async () => {
    const h = await start();
    const error = await connectClient(h.url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(401);
  });

  it('a token without er:read is refused with 403 insufficient_scope', async () => {
    const path = writeTokensFile();
    writeFileSync(path, `writer-only ${sha256(TOKENS.nobody)} er:write\n`, { mode: 0o600 });
    const h = await start({ 'http-tokens': path });
    const response = await rawRequest(h.url, { headers: { authorization: `Bearer ${TOKENS.nobody}` } });
    expect(response.status).toBe(403);
    expect(response.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect(response.headers['www-authenticate']).toContain('scope="er:read"');
  });
});

describe('DNS-rebinding protection', () => {
  it('a foreign Host header gets 403 before authentication', async () => {
    const h = await start();
    const port = new URL(h.url).port;
    const response = await rawRequest(h.url, { headers: { host: `evil.example.com:${port}`, authorization: `Bearer ${TOKENS.alice}` } });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).error.message).toContain('Host');
    expect(h.server.sessions.size).toBe(0);
  });

  it('a foreign Origin gets 403 even with a valid token and a good Host', async () => {
    const h = await start();
    const response = await rawRequest(h.url, { headers: { origin: 'http://evil.example.com', authorization: `Bearer ${TOKENS.alice}` } });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body).error.message).toContain('Origin');
  });

  it('an origin on an allowed host passes, and gets CORS headers that expose the session id', async () => {
    const h = await start();
    const origin = `http://localhost:${new URL(h.url).port}`;
    const response = await rawRequest(h.url, { headers: { origin, authorization: `Bearer ${TOKENS.alice}` } });
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(origin);
    expect(response.headers['access-control-expose-headers']).toContain('Mcp-Session-Id');
  });

  it('--http-allowed-hosts and --http-allowed-origins replace the defaults', async () => {
    const h = await start({ 'http-allowed-hosts': 'mcp.internal', 'http-allowed-origins': 'https://console.internal' });
    const auth = { authorization: `Bearer ${TOKENS.alice}` };
    expect((await rawRequest(h.url, { headers: auth })).status).toBe(403); // 127.0.0.1 is no longer listed
    expect((await rawRequest(h.url, { headers: { ...auth, host: 'mcp.internal' } })).status).toBe(200);
    expect((await rawRequest(h.url, { headers: { ...auth, host: 'mcp.internal', origin: 'https://mcp.internal' } })).status).toBe(403);
    expect((await rawRequest(h.url, { headers: { ...auth, host: 'mcp.internal', origin: 'https://console.internal' } })).status).toBe(200);
  });
});

describe('limits', () => {
  it('a 2 MiB body gets 413 and opens no session', async () => {
    const h = await start();
    const padding = 'x'.repeat(2 * 1024 * 1024);
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: padding, version: '1' } } });
    const response = await rawRequest(h.url, { headers: { authorization: `Bearer ${TOKENS.alice}` }, body });
    expect(response.status).toBe(413);
    expect(h.server.sessions.size).toBe(0);
  });

  it('a 2 MiB body sent without Content-Length (chunked) also gets 413', async () => {
    const h = await start();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(h.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${TOKENS.alice}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 32; i++) req.write(Buffer.alloc(64 * 1024, 0x20));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('the session cap answers 503 with Retry-After, and a closed session frees its place', async () => {
    const h = await start({ 'http-max-sessions': '2' });
    const first = await connectClient(h.url, TOKENS.alice);
    const second = await connectClient(h.url, TOKENS.bob);
    const refused = await rawRequest(h.url, { headers: { authorization: `Bearer ${TOKENS.carol}` } });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.parse(refused.body).error.message).toContain('Too many open sessions on this server (--http-max-sessions)');
    expect(h.server.sessions.size).toBe(2);
    await first.transport.terminateSession(); // DELETE /mcp
    await first.client.close();
    expect(h.server.sessions.size).toBe(1);
    const third = await connectClient(h.url, TOKENS.alice);
    expect(h.server.sessions.size).toBe(2);
    await second.client.close();
    await third.client.close();
  });

  it('a caller past its share of sessions gets 503 with Retry-After and a JSON-RPC error saying so, while others still get sessions', async () => {
    const h = await start({ 'http-max-sessions': '10', 'http-max-sessions-per-caller': '2' });
    const reader = { authorization: `Bearer ${TOKENS.reader}` };
    // Read-only is enough to open sessions: the share is what stops one caller crowding out the rest.
    const opened = [await rawRequest(h.url, { headers: reader }), await rawRequest(h.url, { headers: reader })];
    expect(opened.map((r) => r.status)).toEqual([200, 200]);
    const refused = await rawRequest(h.url, { headers: reader });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const error = JSON.parse(refused.body);
    expect(error).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
    expect(error.error.message).toContain('Too many open sessions for this caller: 2 at most (--http-max-sessions-per-caller)');
    expect(h.logs()).toContain('"caller":"token:reader","sessions":2,"max_per_caller":2');
    // Alice is not locked out by the reader.
    const alice = await connectClient(h.url, TOKENS.alice);
    expect(h.server.sessions.size).toBe(3);
    // The reader ends one session (DELETE) and may open one again.
    const ended = await rawRequest(h.url, { method: 'DELETE', headers: { ...reader, 'mcp-session-id': String(opened[0]!.headers['mcp-session-id']), 'mcp-protocol-version': '2025-06-18' } });
    expect(ended.status).toBe(200);
    expect((await rawRequest(h.url, { headers: reader })).status).toBe(200);
    await alice.client.close();
  });

  it('without authentication (loopback) everyone is the one local user: only the cap applies, not the share', async () => {
    const h = await startHttpHarness(emulator, { flags: { 'http-max-sessions': '3', 'http-max-sessions-per-caller': '1' } });
    harnesses.push(h);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await rawRequest(h.url)).status);
    expect(statuses).toEqual([200, 200, 200, 503]);
    expect(h.logs()).toContain('"max_sessions_per_caller":3');
    expect(h.logs()).toContain('the cap on open sessions is reached');
  });

  it('the rate limit answers 429 with Retry-After, per caller', async () => {
    const h = await start({ 'http-rate-limit': '3' });
    const alice = { authorization: `Bearer ${TOKENS.alice}` };
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await rawRequest(h.url, { headers: alice })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await rawRequest(h.url, { headers: alice });
    expect(limited.status).toBe(429);
    // 3 per minute: one request's worth comes back after 20 s.
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(20);
    // Bob has his own budget.
    expect((await rawRequest(h.url, { headers: { authorization: `Bearer ${TOKENS.bob}` } })).status).toBe(200);
  });

  it('guessing tokens is rate limited by address', async () => {
    const h = await start({ 'http-rate-limit': '2' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await rawRequest(h.url, { headers: { authorization: `Bearer guess-${i}` } })).status);
    expect(statuses).toEqual([401, 401, 429]);
  });
});

describe('sessions', () => {
  it("another caller cannot use a session by its id: 404, as if it did not exist", async () => {
    const h = await start();
    const { client, transport } = await connectClient(h.url, TOKENS.alice);
    const listTools = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    const headers = { 'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': '2025-06-18' };
    const asBob = await rawRequest(h.url, { headers: { ...headers, authorization: `Bearer ${TOKENS.bob}` }, body: listTools });
    expect(asBob.status).toBe(404);
    const asAlice = await rawRequest(h.url, { headers: { ...headers, authorization: `Bearer ${TOKENS.alice}` }, body: listTools });
    expect(asAlice.status).toBe(200);
    expect(asAlice.body).toContain('get_association_state');
    await client.close();
  });

  it('an idle session expires: its id then gets 404, and its place is free', async () => {
    let now = Date.now();
    const h = await start({ 'http-session-idle-seconds': '60' }, () => now);
    const { client, transport } = await connectClient(h.url, TOKENS.alice);
    now += 59_000;
    expect(await h.server.expireIdleSessions()).toBe(0);
    await client.listTools(); // activity restarts the idle time
    now += 59_000;
    expect(await h.server.expireIdleSessions()).toBe(0);
    now += 1_000;
    expect(await h.server.expireIdleSessions()).toBe(1);
    expect(h.server.sessions.size).toBe(0);
    const after = await rawRequest(h.url, {
      headers: { authorization: `Bearer ${TOKENS.alice}`, 'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }),
    });
    expect(after.status).toBe(404);
    await client.close();
  });

  it('a body that is not JSON gets 415 (wrong media type) or 400 (unparsable), and no session', async () => {
    const h = await start();
    const auth = { authorization: `Bearer ${TOKENS.alice}` };
    expect((await rawRequest(h.url, { headers: { ...auth, 'content-type': 'text/plain' } })).status).toBe(415);
    const garbled = await rawRequest(h.url, { headers: auth, body: '{"jsonrpc": "2.0", ' });
    expect(garbled.status).toBe(400);
    expect(JSON.parse(garbled.body).error.code).toBe(-32700);
    expect(h.server.sessions.size).toBe(0);
  });

  it('a request without a session id that is not initialize gets 400', async () => {
    const h = await start();
    const response = await rawRequest(h.url, { headers: { authorization: `Bearer ${TOKENS.alice}` }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(response.status).toBe(400);
  });
});

describe('health and other paths', () => {
  it('GET /healthz answers without a token and without secrets', async () => {
    const h = await start();
    const response = await rawRequest(new URL('/healthz', h.url).href, { method: 'GET' });
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body);
    expect(body).toEqual({ status: 'ok', version: expect.any(String), uptime_seconds: expect.any(Number), sandbox: false, credentials_ready: true, project_ready: true });
    expectNoCanary(seen(response));
  });

  it('an idle keep-alive connection is held longer than clients hold theirs (65 s, not Node\'s 5 s), and the server says so', async () => {
    const h = await start();
    const agent = new Agent({ keepAlive: true });
    try {
      const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
        const req = request(new URL('/healthz', h.url), { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers));
        });
        req.on('error', reject);
        req.end();
      });
      expect(headers.connection).toBe('keep-alive');
      expect(headers['keep-alive']).toBe(`timeout=${KEEP_ALIVE_MS / 1000}`);
      expect(KEEP_ALIVE_MS).toBeGreaterThan(60_000);
    } finally {
      agent.destroy();
    }
  });

  it('other paths are 404, and the protected-resource metadata exists only with OAuth', async () => {
    const h = await start();
    const auth = { authorization: `Bearer ${TOKENS.alice}` };
    expect((await rawRequest(new URL('/other', h.url).href, { method: 'GET', headers: auth })).status).toBe(404);
    expect((await rawRequest(new URL('/.well-known/oauth-protected-resource', h.url).href, { method: 'GET' })).status).toBe(404);
  });
});

describe('drain', () => {
  it('refuses new sessions and calls with 503 while a call in flight finishes, then closes every session', async () => {
    const slow = await startTestEmulator({ faults: { seed: 1, latencyMs: [400, 400] } });
    const h = await startHttpHarness(slow, { flags: { 'http-tokens': writeTokensFile() } });
    try {
      const { client } = await connectClient(h.url, TOKENS.alice);
      const call = client.callTool({ name: 'list_route_tables', arguments: { er_id: SANDBOX_IDS.router } });
      await vi.waitFor(() => expect(h.server.sessions.inFlight()).toBe(1), { timeout: 10_000 });
      const drained = h.server.drain(10_000);
      const refused = await rawRequest(h.url, { headers: { authorization: `Bearer ${TOKENS.bob}` } });
      expect(refused.status).toBe(503);
      expect((await rawRequest(new URL('/healthz', h.url).href, { method: 'GET' })).status).toBe(503);
      const result = structured<{ route_tables: unknown[] }>(await call);
      expect(result.route_tables.length).toBeGreaterThan(0);
      expect(await drained).toEqual({ abandoned: 0 });
      expect(h.server.sessions.size).toBe(0);
      await client.close().catch(() => undefined);
    } finally {
      await h.close().catch(() => undefined);
      await slow.close();
    }
  });
});
