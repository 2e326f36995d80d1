// Signing in to the approval pages at the authorization server (OIDC code flow with PKCE), over
// real HTTP on 127.0.0.1: the real server with an in-test desk, and a fake authorization server
// that checks what a real one checks. The test plays the browser: it follows the redirects and
// sends back the cookies, as a browser would.
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningHttpServer, startHttpServer } from '../../src/transports/http/http-server.js';
import { parseHttpSettings } from '../../src/transports/http/http-settings.js';
import { capturingLogger } from '../transports/http/harness.js';
import { FakeAuthorizationServer, type FakeAuthorizationServerOptions } from './fake-authorization-server.js';
import { type Answer, BROWSER_ACCEPT, csrfIn, FORM, MapDesk, planView, recordingClient, send } from './fixtures.js';

const AUDIENCE = 'https://er-mcp.test/mcp';
const CLIENT_ID = 'er-approvals';
const CLIENT_SECRET = 'client-secret-3f9a1c7e5b2d4f6a8c0e';

interface Pages {
  server: RunningHttpServer;
  as: FakeAuthorizationServer;
  desk: MapDesk;
  origin: string;
  logs: () => string;
  answers: Answer[];
  request(path: string, options?: Parameters<typeof send>[1]): Promise<Answer>;
}

const running: Pages[] = [];
afterEach(async () => {
  for (const pages of running.splice(0)) {
    await pages.server.drain(1_000);
    await pages.as.close();
    // No code, access token, PKCE verifier or client secret in any answer or log line; no cookie value in the log.
    for (const secret of pages.as.secrets()) {
      expect(pages.logs()).not.toContain(secret);
      for (const answer of pages.answers) expect(JSON.stringify(answer)).not.toContain(secret);
    }
    const cookieValues = pages.answers.flatMap(setCookies).map((line) => line.split(';')[0]!.split('=')[1]!).filter((value) => value !== '');
    for (const value of cookieValues) expect(pages.logs()).not.toContain(value);
  }
});

interface StartOptions {
  flags?: Record<string, string>;
  env?: Record<string, string>;
  as?: Partial<FakeAuthorizationServerOptions>;
}

/** A confidential client by default, its secret in the environment as an operator would give it. */
async function start(options: StartOptions = {}): Promise<Pages> {
  const as = await FakeAuthorizationServer.start({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, audience: AUDIENCE, ...options.as });
  const desk = new MapDesk();
  const { log, text } = capturingLogger();
  const flags: Record<string, string> = { port: '0', 'oauth-issuer': as.issuer, 'oauth-audience': AUDIENCE, 'oauth-client-id': CLIENT_ID, ...options.flags };
  const env: Record<string, string> = options.env ?? { HUAWEICLOUD_ER_MCP_OAUTH_CLIENT_SECRET: CLIENT_SECRET };
  const server = await startHttpServer({
    settings: parseHttpSettings((flag, variable) => flags[flag] ?? env[variable]),
    log,
    newServer: () => {
      throw new Error('these tests open no MCP session');
    },
    health: () => ({ sandbox: false, credentialsReady: true, projectReady: true }),
    approvals: desk,
  });
  const origin = `http://127.0.0.1:${server.port}`;
  as.redirectUri = `${origin}/approvals/oidc/callback`;
  const pages: Pages = {
    server,
    as,
    desk,
    origin,
    logs: text,
    ...recordingClient(origin),
  };
  running.push(pages);
  return pages;
}

/** The button: POST /approvals/oidc/start from the login page. */
function pressSignIn(pages: Pages, next?: string): Promise<Answer> {
  return pages.request('/approvals/oidc/start', { method: 'POST', headers: { 'content-type': FORM, accept: BROWSER_ACCEPT, origin: pages.origin }, body: new URLSearchParams(next ? { next } : {}).toString() });
}

interface Flow {
  /** The state cookie as the browser sends it back. */
  stateCookie: string;
  /** Where the authorization server sent the browser back (path and query on this server). */
  callbackPath: string;
}

/** Start and the authorization server's part: the browser is at the callback URL, not yet opened. */
async function authorize(pages: Pages, next?: string): Promise<Flow> {
  const started = await pressSignIn(pages, next);
  expect(started.status).toBe(303);
  const stateCookie = setCookies(started)[0]!.split(';')[0]!;
  const atServer = await send(started.headers.location as string);
  expect(atServer.status).toBe(302);
  const back = new URL(atServer.headers.location as string);
  expect(back.origin).toBe(pages.origin);
  return { stateCookie, callbackPath: `${back.pathname}${back.search}` };
}

function openCallback(pages: Pages, flow: Flow, cookie = flow.stateCookie): Promise<Answer> {
  return pages.request(flow.callbackPath, { headers: { accept: BROWSER_ACCEPT, cookie } });
}

/** The whole sign-in; the browser session cookie as the browser sends it back. */
async function signIn(pages: Pages, next = '/approvals/plan-7Hq2xY'): Promise<string> {
  const callback = await openCallback(pages, await authorize(pages, next));
  expect(callback.status).toBe(200);
  return setCookies(callback)[0]!.split(';')[0]!;
}

function setCookies(answer: Answer): string[] {
  return (answer.headers['set-cookie'] as string[] | undefined) ?? [];
}

function browserGet(pages: Pages, path: string, cookie: string): Promise<Answer> {
  return pages.request(path, { headers: { accept: BROWSER_ACCEPT, cookie } });
}

/** A refused sign-in: the login page again with the message, no session, the state cookie cleared. */
function expectRefused(answer: Answer, status: number, message: string): void {
  expect(answer.status).toBe(status);
  expect(answer.body).toContain(message);
  expect(answer.body).toContain('action="/approvals/oidc/start"');
  expect(answer.body).toContain('name="token"');
  expect(setCookies(answer)).toEqual(['er-approvals-oidc=; HttpOnly; SameSite=Lax; Path=/approvals/oidc/callback; Max-Age=0']);
}

describe('the login page', () => {
  it('offers the authorization server’s button above the token form, and lets that form lead to the server', async () => {
    const pages = await start();
    const answer = await pages.request('/approvals/login?next=%2Fapprovals%2Fplan-1', { headers: { accept: BROWSER_ACCEPT } });
    expect(answer.status).toBe(200);
    const button = answer.body.indexOf('<form method="post" action="/approvals/oidc/start"><input type="hidden" name="next" value="/approvals/plan-1">');
    expect(button).toBeGreaterThan(-1);
    expect(answer.body).toContain(`Sign in with ${new URL(pages.as.issuer).host}</button>`);
    expect(answer.body.indexOf('name="token"')).toBeGreaterThan(button);
    // Browsers apply form-action to the redirect after the form too.
    expect(answer.headers['content-security-policy']).toBe(`default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${pages.as.origin}; frame-ancestors 'none'; base-uri 'none'`);
  });

  it('the start log names the redirect URI to register', async () => {
    const pages = await start();
    expect(pages.logs()).toContain(`"redirect_uri":"${pages.origin}/approvals/oidc/callback","client_id":"${CLIENT_ID}","client":"confidential (client_secret_basic + PKCE)"`);
  });
});

describe('signing in at the authorization server', () => {
  it('a subject with er:approve signs in, sees Approve, and the decision is recorded as them', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    pages.as.answer = { subject: 'bob@example.com', scope: 'er:read er:approve' };

    const started = await pressSignIn(pages, `/approvals/${view.id}`);
    expect(started.status).toBe(303);
    const [stateCookie] = setCookies(started);
    expect(stateCookie).toMatch(/^er-approvals-oidc=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Lax; Path=\/approvals\/oidc\/callback; Max-Age=600$/);
    const authorizeUrl = new URL(started.headers.location as string);
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${pages.as.origin}/authorize`);
    const params = Object.fromEntries(authorizeUrl.searchParams);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: `${pages.origin}/approvals/oidc/callback`,
      scope: 'openid er:read er:approve',
      state: stateCookie!.split(';')[0]!.split('=')[1],
      code_challenge_method: 'S256',
      resource: AUDIENCE,
      audience: AUDIENCE,
    });
    expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.nonce).toMatch(/^[A-Za-z0-9_-]{16,}$/);

    const atServer = await send(started.headers.location as string);
    const back = new URL(atServer.headers.location as string);
    const callback = await openCallback(pages, { stateCookie: stateCookie!.split(';')[0]!, callbackPath: `${back.pathname}${back.search}` });
    expect(callback.status).toBe(200);
    // A JWT's caller names its issuer and subject: no static token (token:…) can ever be this caller.
    const bob = `jwt:${pages.as.issuer}#bob@example.com`;
    // The token request carried client_secret_basic, which the fake server insists on.
    expect(pages.as.tokenRequests).toHaveLength(1);
    expect(pages.as.tokenRequests[0]!.authorization).toMatch(/^Basic /);
    expect(pages.as.refusals).toEqual([]);
    const [sessionCookie, clearedState] = setCookies(callback);
    expect(sessionCookie).toMatch(/^er-approvals=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/approvals; Max-Age=\d+$/);
    expect(clearedState).toBe('er-approvals-oidc=; HttpOnly; SameSite=Lax; Path=/approvals/oidc/callback; Max-Age=0');
    // On to the plan by the page's own refresh: a Strict cookie is not sent on a redirect of a navigation another site started.
    expect(callback.body).toContain(`<meta http-equiv="refresh" content="0; url=/approvals/${view.id}">`);
    expect(callback.body).toContain(`Signed in as ${bob}`);

    const cookie = sessionCookie!.split(';')[0]!;
    const page = await browserGet(pages, `/approvals/${view.id}`, cookie);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`Signed in as <strong>${bob}</strong>`);
    expect(page.body).toContain('name="decision" value="approve"');
    const decided = await pages.request(`/approvals/${view.id}`, {
      method: 'POST',
      headers: { accept: BROWSER_ACCEPT, 'content-type': FORM, origin: pages.origin, cookie },
      body: new URLSearchParams({ decision: 'approve', csrf: csrfIn(page.body) }).toString(),
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toContain(`Approved by ${bob}`);
    // The access token's subject and scopes, not the ID token's "mallory".
    expect(pages.desk.calls).toEqual([{ planId: view.id, decision: 'approve', approver: { caller: bob, scopes: ['er:read', 'er:approve'] }, channel: 'page' }]);
  });

  it('a subject without er:approve sees the plan but no buttons', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    pages.as.answer = { subject: 'carol@example.com', scope: 'er:read er:write' };
    const cookie = await signIn(pages, `/approvals/${view.id}`);
    const page = await browserGet(pages, `/approvals/${view.id}`, cookie);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`You (jwt:${pages.as.issuer}#carol@example.com) lack er:approve`);
    expect(page.body).not.toContain('name="decision"');
  });

  it('a public client (no secret) signs in with PKCE alone', async () => {
    const pages = await start({ env: {}, as: { clientSecret: null } });
    const view = pages.desk.add(planView());
    const cookie = await signIn(pages, `/approvals/${view.id}`);
    expect(pages.as.tokenRequests[0]!.authorization).toBeUndefined();
    expect(pages.as.tokenRequests[0]!.form.get('client_id')).toBe(CLIENT_ID);
    expect((await browserGet(pages, `/approvals/${view.id}`, cookie)).body).toContain('name="decision" value="approve"');
  });

  it('asks for the configured scopes', async () => {
    const pages = await start({ flags: { 'oauth-login-scopes': 'openid,er:read' } });
    await authorize(pages);
    expect(pages.as.authorizeRequests[0]!.get('scope')).toBe('openid er:read');
  });

  it('signs in without next to the signed-in page', async () => {
    const pages = await start();
    const flow = await authorize(pages);
    const callback = await openCallback(pages, flow);
    expect(callback.status).toBe(200);
    expect(callback.body).toContain(`Signed in as jwt:${pages.as.issuer}#bob@example.com`);
    expect(callback.body).not.toContain('http-equiv="refresh"');
  });
});

describe('refusals', () => {
  it('a callback whose state is missing, or is not the one in this browser’s cookie, is refused before the code is exchanged', async () => {
    const pages = await start();
    const victim = await authorize(pages);
    const attacker = await authorize(pages);
    const withoutState = victim.callbackPath.replace(/&?state=[^&]*/, '');
    for (const answer of [
      await openCallback(pages, victim, ''), // no state cookie at all
      await openCallback(pages, victim, attacker.stateCookie), // another sign-in's cookie
      await openCallback(pages, { ...victim, callbackPath: withoutState }),
    ]) {
      expectRefused(answer, 400, 'This sign-in did not start in this browser, or it has expired');
    }
    expect(pages.as.tokenRequests).toEqual([]);
  });

  it('a state is used once: the same callback again is refused', async () => {
    const pages = await start();
    const flow = await authorize(pages);
    expect((await openCallback(pages, flow)).status).toBe(200);
    expectRefused(await openCallback(pages, flow), 400, 'This sign-in has expired or was already used');
    expect(pages.as.tokenRequests).toHaveLength(1);
  });

  it('an error from the authorization server is shown, and nothing is exchanged', async () => {
    const pages = await start();
    pages.as.answer = { error: 'access_denied' };
    const flow = await authorize(pages);
    expectRefused(await openCallback(pages, flow), 401, `${new URL(pages.as.issuer).host} did not sign you in (access_denied)`);
    expect(pages.as.tokenRequests).toEqual([]);
  });

  it('a refusal, a failure or an oversized answer of the token endpoint is shown on the login page', async () => {
    const pages = await start();
    const cases: [{ status: number; body: string }, number, string][] = [
      [{ status: 400, body: '{"error":"invalid_grant"}' }, 401, 'refused to complete the sign-in'],
      [{ status: 500, body: 'oops' }, 502, 'could not complete the sign-in right now'],
      [{ status: 200, body: JSON.stringify({ access_token: 'x'.repeat(70_000), token_type: 'Bearer' }) }, 502, 'could not complete the sign-in right now'],
      [{ status: 200, body: '{"token_type":"Bearer"}' }, 502, 'could not complete the sign-in right now'],
    ];
    for (const [tokenAnswer, status, message] of cases) {
      pages.as.tokenAnswer = tokenAnswer;
      expectRefused(await openCallback(pages, await authorize(pages)), status, message);
    }
    expect(pages.logs()).toContain('token endpoint: HTTP 400 invalid_grant');
    expect(pages.logs()).toContain('token endpoint: HTTP 200, an answer over 65536 bytes');
  });

  it('a code issued for another sign-in is refused: the verifier sent is the one of the sign-in its state belongs to', async () => {
    const pages = await start();
    const other = await authorize(pages);
    const mine = await authorize(pages);
    const otherCode = new URLSearchParams(other.callbackPath.split('?')[1]).get('code')!;
    const injected = mine.callbackPath.replace(/code=[^&]*/, `code=${otherCode}`);
    expectRefused(await openCallback(pages, { ...mine, callbackPath: injected }), 401, 'refused to complete the sign-in');
    expect(pages.as.refusals).toEqual(['code_verifier does not match the challenge']);
  });

  it('the access token is verified as /mcp verifies it: one for another audience is refused', async () => {
    const pages = await start();
    pages.as.tokenAudience = 'https://another-service.test';
    expectRefused(await openCallback(pages, await authorize(pages)), 401, 'is not accepted here: The token&#39;s &quot;aud&quot; claim is not accepted here');
  });

  it('next must be a plan page here: an open redirect is refused at the start, and the callback goes only where the start said', async () => {
    const pages = await start();
    for (const next of ['https://evil.example/approvals/x', '//evil.example/approvals/x', '/mcp']) {
      const answer = await pressSignIn(pages, next);
      expect(answer.status).toBe(400);
      expect(answer.headers.location).toBeUndefined();
      expect(setCookies(answer)).toEqual([]);
    }
    expect(pages.as.authorizeRequests).toEqual([]);
    const flow = await authorize(pages, '/approvals/plan-1');
    const callback = await openCallback(pages, { ...flow, callbackPath: `${flow.callbackPath}&next=${encodeURIComponent('https://evil.example/')}` });
    expect(callback.status).toBe(200);
    expect(callback.body).toContain('<meta http-equiv="refresh" content="0; url=/approvals/plan-1">');
    expect(callback.body).not.toContain('evil.example');
  });

  it('failed callbacks count against the address’s rate limit, as failed token sign-ins do', async () => {
    const pages = await start({ flags: { 'http-rate-limit': '3' } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await pages.request('/approvals/oidc/callback?code=x&state=y', { headers: { accept: BROWSER_ACCEPT } })).status);
    expect(statuses).toEqual([400, 400, 400, 429]);
  });

  it('a start from another name than the redirect URI’s is refused before any sign-in is made', async () => {
    const pages = await start();
    const local = `http://localhost:${pages.server.port}`;
    const answer = await pages.request('/approvals/oidc/start', { method: 'POST', headers: { host: `localhost:${pages.server.port}`, 'content-type': FORM, origin: local }, body: '' });
    expect(answer.status).toBe(400);
    expect(answer.body).toContain(`works only at ${pages.origin}/approvals/login`);
    expect(setCookies(answer)).toEqual([]);
  });
});

describe('without the endpoints in the issuer’s metadata', () => {
  it('the sign-in is off with a warning at start, and the token form stays', async () => {
    const pages = await start({ as: { withoutEndpoints: true } });
    expect(pages.logs()).toContain('OIDC sign-in to the approval pages is off; the token form stays');
    const login = await pages.request('/approvals/login', { headers: { accept: BROWSER_ACCEPT } });
    expect(login.status).toBe(200);
    expect(login.body).toContain('name="token"');
    expect(login.body).not.toContain('/approvals/oidc/start');
    const started = await pressSignIn(pages);
    expect(started.status).toBe(401);
    expect(setCookies(started)).toEqual([]);
  });

  it('with --oauth-jwks-url, metadata that cannot be read turns only the sign-in off', async () => {
    const as = await FakeAuthorizationServer.start({ clientId: CLIENT_ID, clientSecret: null, audience: AUDIENCE });
    const pages = await start({ flags: { 'oauth-issuer': `${as.origin}/elsewhere`, 'oauth-jwks-url': `${as.origin}/keys` }, env: {} });
    await as.close();
    expect(pages.logs()).toContain('Could not read the authorization server');
    expect(pages.logs()).toContain('OIDC sign-in to the approval pages is off');
    expect((await pages.request('/approvals/login')).body).not.toContain('/approvals/oidc/start');
  });
});
