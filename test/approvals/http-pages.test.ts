// The approval pages of `serve --http`, in process over real HTTP on 127.0.0.1: the real server
// (Host/Origin check, Authenticator, rate limiter) with an in-test desk. Who may see and decide,
// the sign-in and its cookie, CSRF and cross-site refusals, and that no token ever comes back.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanView } from '../../src/approvals/desk.js';
import { type RunningHttpServer, startHttpServer } from '../../src/transports/http/http-server.js';
import { parseHttpSettings } from '../../src/transports/http/http-settings.js';
import { tempDir } from '../helpers.js';
import { capturingLogger, sha256 } from '../transports/http/harness.js';
import { type Answer, BROWSER_ACCEPT, csrfIn, FORM, hostileView, MapDesk, planView, propagationPlan, SECURITY_HEADERS, recordingClient, send } from './fixtures.js';

const TOKENS = {
  approver: 'approver-token-6c1f0e9d8b7a4c3e2d1f',
  alice: 'alice-token-2b4d6f8a0c1e3g5i7k9m',
  reader: 'reader-token-5e7c9a1b3d5f7h9j1l3n',
  noRead: 'noread-token-8a6c4e2g0i8k6m4o2q0s',
  wrong: 'wrong-token-0000000000000000000000',
} as const;

function tokensFile(): string {
  const path = join(tempDir('er-approval-tokens'), 'tokens');
  const lines = [
    `approver ${sha256(TOKENS.approver)} er:read,er:approve`,
    `alice ${sha256(TOKENS.alice)} er:read,er:write,er:approve`,
    `reader ${sha256(TOKENS.reader)} er:read,er:write`,
    `noread ${sha256(TOKENS.noRead)} er:approve`,
  ];
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  return path;
}

interface Pages {
  server: RunningHttpServer;
  desk: MapDesk;
  origin: string;
  logs: () => string;
  /** Every answer the test received, to check that no token came back in any. */
  answers: Answer[];
  request(path: string, options?: Parameters<typeof send>[1]): Promise<Answer>;
  pageOf(view: PlanView): string;
}

const running: Pages[] = [];
afterEach(async () => {
  for (const pages of running.splice(0)) {
    await pages.server.drain(1_000);
    for (const token of Object.values(TOKENS)) {
      for (const answer of pages.answers) expect(JSON.stringify(answer)).not.toContain(token);
      expect(pages.logs()).not.toContain(token);
    }
  }
});

async function start(options: { flags?: Record<string, string>; now?: () => number; withDesk?: boolean } = {}): Promise<Pages> {
  const desk = new MapDesk();
  const { log, text } = capturingLogger();
  const flags: Record<string, string> = { port: '0', 'http-tokens': tokensFile(), ...options.flags };
  const server = await startHttpServer({
    settings: parseHttpSettings((flag) => flags[flag]),
    log,
    newServer: () => {
      throw new Error('these tests open no MCP session');
    },
    health: () => ({ sandbox: false, credentialsReady: true, projectReady: true }),
    ...(options.withDesk === false ? {} : { approvals: desk }),
    ...(options.now ? { now: options.now } : {}),
  });
  const origin = `http://127.0.0.1:${server.port}`;
  const pages: Pages = {
    server,
    desk,
    origin,
    logs: text,
    ...recordingClient(origin),
    pageOf: (view) => new URL(server.approvalUrl(view.id)).pathname,
  };
  running.push(pages);
  return pages;
}

/** Signs in as a browser would; the session cookie as the browser sends it back. */
async function signIn(pages: Pages, token: string, next = '/approvals/whatever'): Promise<string> {
  const answer = await pages.request('/approvals/login', { method: 'POST', headers: { 'content-type': FORM, accept: BROWSER_ACCEPT, origin: pages.origin }, body: new URLSearchParams({ token, next }).toString() });
  expect(answer.status).toBe(303);
  return setCookieOf(answer).split(';')[0]!;
}

function setCookieOf(answer: Answer): string {
  const header = answer.headers['set-cookie'];
  expect(header).toHaveLength(1);
  return (header as string[])[0]!;
}

function browserGet(pages: Pages, path: string, cookie: string): Promise<Answer> {
  return pages.request(path, { headers: { accept: BROWSER_ACCEPT, cookie } });
}

function browserPost(pages: Pages, path: string, cookie: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  return pages.request(path, { method: 'POST', headers: { accept: BROWSER_ACCEPT, 'content-type': FORM, origin: pages.origin, cookie, ...headers }, body: new URLSearchParams(fields).toString() });
}

function bearer(token: string, more: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${token}`, ...more };
}

describe('seeing a plan', () => {
  it('a browser without a session is sent to the sign-in page, which comes back to the plan', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    const answer = await pages.request(pages.pageOf(view), { headers: { accept: BROWSER_ACCEPT } });
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe(`/approvals/login?next=${encodeURIComponent(`/approvals/${view.id}`)}`);
    const login = await pages.request(answer.headers.location as string, { headers: { accept: BROWSER_ACCEPT } });
    expect(login.status).toBe(200);
    expect(login.body).toContain(`<input type="hidden" name="next" value="/approvals/${view.id}">`);
  });

  it('a script without a token gets 401 with the Bearer challenge', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    const answer = await pages.request(pages.pageOf(view), { headers: { accept: 'application/json' } });
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm="huaweicloud-er-mcp"/);
    expect(JSON.parse(answer.body)).toMatchObject({ error_code: 'UNAUTHENTICATED' });
  });

  it('after signing in, the page shows the names, routing-effect entries and conflicts, with the buttons', async () => {
    const pages = await start();
    const view = pages.desk.add(planView({ id: 'plan-prop', tool: 'create_route_propagation', plan: propagationPlan }));
    const cookie = await signIn(pages, TOKENS.approver, pages.pageOf(view));
    const answer = await browserGet(pages, pages.pageOf(view), cookie);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    for (const text of ['core-router', 'prod-table', 'payments-vpc', '10.31.0.0/16', '10.99.0.0/16', 'A static route to 10.30.0.0/16 wins over the propagated one', 'Signed in as <strong>token:approver</strong>']) {
      expect(answer.body).toContain(text);
    }
    expect(answer.body).toContain('name="decision" value="approve"');
  });

  it('hostile names from the cloud are escaped on the served page', async () => {
    const pages = await start();
    const view = pages.desk.add(hostileView());
    const answer = await pages.request(pages.pageOf(view), { headers: bearer(TOKENS.approver, { accept: BROWSER_ACCEPT }) });
    expect(answer.status).toBe(200);
    expect(answer.body).not.toContain('<script>');
    expect(answer.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('a script with a token gets the plan as JSON', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    const answer = await pages.request(pages.pageOf(view), { headers: bearer(TOKENS.reader, { accept: 'application/json' }) });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ plan_id: view.id, status: 'pending', decided_by: null, tool: view.tool, sha256: view.sha256, requested_by: 'token:alice', can_decide: false, plan: { router: { name: 'core-router' } } });
  });

  it('every answer carries the security headers: page, redirect, sign-in form, JSON error', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    const answers = [
      await pages.request(pages.pageOf(view), { headers: bearer(TOKENS.approver, { accept: BROWSER_ACCEPT }) }),
      await pages.request(pages.pageOf(view), { headers: { accept: BROWSER_ACCEPT } }),
      await pages.request('/approvals/login'),
      await pages.request('/approvals/nope', { headers: bearer(TOKENS.approver, { accept: 'application/json' }) }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 303, 200, 404]);
    for (const answer of answers) expect(answer.headers).toMatchObject(SECURITY_HEADERS);
  });
});

describe('deciding in a browser', () => {
  it('approves by the form with the session cookie and its CSRF token, as the signed-in caller, through the page channel', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    const cookie = await signIn(pages, TOKENS.approver);
    const csrf = csrfIn((await browserGet(pages, pages.pageOf(view), cookie)).body);
    const answer = await browserPost(pages, pages.pageOf(view), cookie, { decision: 'approve', csrf });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('Approved by token:approver');
    expect(pages.desk.calls).toEqual([{ planId: view.id, decision: 'approve', approver: { caller: 'token:approver', scopes: ['er:read', 'er:approve'] }, channel: 'page' }]);
    const again = await browserGet(pages, pages.pageOf(view), cookie);
    expect(again.body).toContain('Approved by token:approver');
    expect(again.body).not.toContain('name="decision"');
  });

  it('rejects by the form', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    const cookie = await signIn(pages, TOKENS.approver);
    const csrf = csrfIn((await browserGet(pages, pages.pageOf(view), cookie)).body);
    const answer = await browserPost(pages, pages.pageOf(view), cookie, { decision: 'reject', csrf });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('Rejected by token:approver');
    expect(pages.desk.plans.get(view.id)?.decision.status).toBe('rejected');
  });

  it('refuses a cookie POST without a CSRF token, with another plan’s, or with another session’s, and never asks the desk', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    const other = pages.desk.add(planView({ id: 'plan-other' }));
    const cookie = await signIn(pages, TOKENS.approver);
    const otherCookie = await signIn(pages, TOKENS.approver);
    const otherPlanToken = csrfIn((await browserGet(pages, pages.pageOf(other), cookie)).body);
    const otherSessionToken = csrfIn((await browserGet(pages, pages.pageOf(view), otherCookie)).body);
    for (const fields of [{ decision: 'approve' } as Record<string, string>, { decision: 'approve', csrf: 'forged' }, { decision: 'approve', csrf: otherPlanToken }, { decision: 'approve', csrf: otherSessionToken }]) {
      const answer = await browserPost(pages, pages.pageOf(view), cookie, fields);
      expect(answer.status).toBe(403);
      expect(answer.body).toContain('The form is stale or did not come from this page');
    }
    expect(pages.desk.calls).toEqual([]);
    expect(pages.desk.plans.get(view.id)?.decision.status).toBe('pending');
  });

  it('a cookie POST needs no CSRF token only when sent as application/json (no browser sends that cross-site without a preflight)', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    const cookie = await signIn(pages, TOKENS.approver);
    // JSON text as a cross-site form could send it (form-encoded or text/plain): refused without a token.
    for (const type of [FORM, 'text/plain']) {
      const forged = await pages.request(pages.pageOf(view), { method: 'POST', headers: { cookie, 'content-type': type }, body: '{"decision":"approve"}' });
      expect([403, 415], type).toContain(forged.status);
    }
    expect(pages.desk.calls).toEqual([]);
    const json = await pages.request(pages.pageOf(view), { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{"decision":"approve"}' });
    expect(json.status).toBe(200);
    expect(pages.desk.plans.get(view.id)?.decision.status).toBe('approved');
    // And the preflight such a cross-site request would need is never granted.
    const preflight = await pages.request(pages.pageOf(view), { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a POST from another origin the Host check lets through, or marked cross-site, even with a valid token', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    const cookie = await signIn(pages, TOKENS.approver);
    const csrf = csrfIn((await browserGet(pages, pages.pageOf(view), cookie)).body);
    // Another web app on this machine: an allowed host name, so only the page's own check stops it.
    const foreign = await browserPost(pages, pages.pageOf(view), cookie, { decision: 'approve', csrf }, { origin: 'http://127.0.0.1:1' });
    expect(foreign.status).toBe(403);
    const crossSite = await pages.request(pages.pageOf(view), { method: 'POST', headers: bearer(TOKENS.approver, { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' }), body: '{"decision":"approve"}' });
    expect(crossSite.status).toBe(403);
    expect(JSON.parse(crossSite.body)).toMatchObject({ error_code: 'CROSS_SITE' });
    expect(pages.desk.calls).toEqual([]);
  });

  it('a signed-in caller without er:approve sees no buttons and is refused 403 without the desk being asked', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    const cookie = await signIn(pages, TOKENS.reader);
    const page = await browserGet(pages, pages.pageOf(view), cookie);
    expect(page.body).toContain('You (token:reader) lack er:approve');
    expect(page.body).not.toContain('name="decision"');
    const answer = await pages.request(pages.pageOf(view), { method: 'POST', headers: bearer(TOKENS.reader, { 'content-type': 'application/json' }), body: '{"decision":"approve"}' });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ error_code: 'FORBIDDEN_SCOPE' });
    expect(pages.desk.calls).toEqual([]);
  });

  it('signing out ends the session on the server and clears the cookie', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    const cookie = await signIn(pages, TOKENS.approver);
    const out = await browserPost(pages, '/approvals/logout', cookie, {});
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/approvals/login');
    expect(setCookieOf(out)).toMatch(/^er-approvals=; HttpOnly; SameSite=Strict; Path=\/approvals; Max-Age=0$/);
    // The old cookie, replayed, no longer opens anything.
    expect((await browserGet(pages, pages.pageOf(view), cookie)).status).toBe(303);
  });

  it('a session ends after 8 hours', async () => {
    let now = Date.UTC(2025, 5, 1);
    const pages = await start({ now: () => now });
    const view = pages.desk.add(planView({ expiresAt: now + 24 * 3_600_000 }));
    const cookie = await signIn(pages, TOKENS.approver);
    now += 8 * 3_600_000 - 1;
    expect((await browserGet(pages, pages.pageOf(view), cookie)).status).toBe(200);
    now += 1;
    expect((await browserGet(pages, pages.pageOf(view), cookie)).status).toBe(303);
  });
});

describe('deciding from a script with a bearer token', () => {
  it('approves with curl’s body as JSON and no CSRF token, and answers JSON', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    // What `curl -H 'Authorization: Bearer …' -d '{"decision":"approve"}'` sends.
    const answer = await pages.request(pages.pageOf(view), { method: 'POST', headers: bearer(TOKENS.approver, { 'content-type': FORM, accept: '*/*' }), body: '{"decision":"approve"}' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.body)).toMatchObject({ plan_id: view.id, status: 'approved', decided_by: 'token:approver', channel: 'page' });
    expect(answer.headers).toMatchObject(SECURITY_HEADERS);
  });

  it('maps the desk’s refusals to their statuses: unknown plan 404, own plan 403, decided otherwise 409', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    const post = (path: string, token: string, decision: string) =>
      pages.request(path, { method: 'POST', headers: bearer(token, { 'content-type': 'application/json' }), body: JSON.stringify({ decision }) });
    const unknown = await post('/approvals/plan-unknown', TOKENS.approver, 'approve');
    expect([unknown.status, JSON.parse(unknown.body).error_code]).toEqual([404, 'PLAN_NOT_FOUND']);
    const own = await post(pages.pageOf(view), TOKENS.alice, 'approve');
    expect([own.status, JSON.parse(own.body).error_code]).toEqual([403, 'SELF_APPROVAL']);
    expect((await post(pages.pageOf(view), TOKENS.approver, 'approve')).status).toBe(200);
    expect((await post(pages.pageOf(view), TOKENS.approver, 'approve')).status).toBe(200);
    const late = await post(pages.pageOf(view), TOKENS.approver, 'reject');
    expect([late.status, JSON.parse(late.body).error_code]).toEqual([409, 'ALREADY_DECIDED']);
    const page = await pages.request('/approvals/plan-unknown', { headers: bearer(TOKENS.approver, { accept: BROWSER_ACCEPT }) });
    expect(page.status).toBe(404);
    expect(page.body).toContain('There is no such plan, or it has expired');
  });

  it('refuses a decision that is neither approve nor reject (400), and other methods (405)', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    for (const body of ['{"decision":"yes"}', '{"decision":true}', '{}', 'decision=approve&decision=reject']) {
      const answer = await pages.request(pages.pageOf(view), { method: 'POST', headers: bearer(TOKENS.approver, { 'content-type': body.startsWith('{') ? 'application/json' : FORM, accept: 'application/json' }), body });
      expect(answer.status).toBe(400);
    }
    const put = await pages.request(pages.pageOf(view), { method: 'PUT', headers: bearer(TOKENS.approver, { accept: 'application/json' }) });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, POST');
    expect(pages.desk.calls).toEqual([]);
  });

  it('refuses a body past 16 KiB (413) and one that is neither a form nor JSON (415)', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    const large = await pages.request(pages.pageOf(view), { method: 'POST', headers: bearer(TOKENS.approver, { 'content-type': 'application/json' }), body: JSON.stringify({ decision: 'approve', pad: 'x'.repeat(17 * 1024) }) });
    expect(large.status).toBe(413);
    const multipart = await pages.request(pages.pageOf(view), { method: 'POST', headers: bearer(TOKENS.approver, { 'content-type': 'multipart/form-data; boundary=x' }), body: '--x--' });
    expect(multipart.status).toBe(415);
    expect(pages.desk.calls).toEqual([]);
  });

  it('a wrong token gets 401 with the challenge; a token without er:read gets 403', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    const wrong = await pages.request(pages.pageOf(view), { headers: bearer(TOKENS.wrong, { accept: 'application/json' }) });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toContain('error="invalid_token"');
    const noRead = await pages.request(pages.pageOf(view), { headers: bearer(TOKENS.noRead, { accept: 'application/json' }) });
    expect(noRead.status).toBe(403);
    expect(pages.desk.viewed).toBe(0);
  });

  it('page requests count against the caller’s rate limit', async () => {
    const pages = await start({ flags: { 'http-rate-limit': '3' } });
    const view = pages.desk.add(planView());
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await pages.request(pages.pageOf(view), { headers: bearer(TOKENS.approver, { accept: 'application/json' }) })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Strict cookie on /approvals for 8 hours, not Secure over plain http, holding a random id and not the token', async () => {
    const pages = await start();
    const answer = await pages.request('/approvals/login', { method: 'POST', headers: { 'content-type': FORM, origin: pages.origin }, body: new URLSearchParams({ token: TOKENS.approver, next: '/approvals/plan-1' }).toString() });
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/approvals/plan-1');
    const cookie = setCookieOf(answer);
    expect(cookie).toMatch(/^er-approvals=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/approvals; Max-Age=28800$/);
  });

  it('makes the cookie Secure when the public URL is https, and gives the page’s public URL', async () => {
    const pages = await start({ flags: { 'http-public-url': 'https://er-mcp.example.com/mcp' } });
    expect(pages.server.approvalUrl('plan 1/2')).toBe('https://er-mcp.example.com/approvals/plan%201%2F2');
    const answer = await pages.request('/approvals/login', { method: 'POST', headers: { 'content-type': FORM }, body: new URLSearchParams({ token: TOKENS.approver }).toString() });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('Signed in as token:approver');
    expect(setCookieOf(answer)).toMatch(/^__Secure-er-approvals=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/approvals; Max-Age=28800; Secure$/);
  });

  it('refuses a bad token with the form again and no cookie, and past the rate limit answers 429', async () => {
    const pages = await start({ flags: { 'http-rate-limit': '3' } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const answer = await pages.request('/approvals/login', { method: 'POST', headers: { 'content-type': FORM, origin: pages.origin }, body: new URLSearchParams({ token: TOKENS.wrong, next: '/approvals/p' }).toString() });
      statuses.push(answer.status);
      expect(answer.headers['set-cookie']).toBeUndefined();
      if (answer.status === 401) {
        expect(answer.body).toContain('That token is not valid');
        expect(answer.body).toContain('name="token"');
      } else expect(answer.headers['retry-after']).toMatch(/^\d+$/);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(pages.logs()).toContain('refused an approval page sign-in');
  });

  it('never sends the token back: not after a failed sign-in, a sign-in, on the page, nor in the cookie', async () => {
    const pages = await start();
    const view = pages.desk.add(planView());
    await pages.request('/approvals/login', { method: 'POST', headers: { 'content-type': FORM }, body: new URLSearchParams({ token: `${TOKENS.approver}x`, next: pages.pageOf(view) }).toString() });
    const cookie = await signIn(pages, TOKENS.approver, pages.pageOf(view));
    await browserGet(pages, pages.pageOf(view), cookie);
    await pages.request(pages.pageOf(view), { headers: bearer(TOKENS.approver, { accept: 'application/json' }) });
    expect(pages.answers).toHaveLength(4);
    for (const answer of pages.answers) expect(JSON.stringify(answer)).not.toContain(TOKENS.approver);
    expect(pages.logs()).not.toContain(TOKENS.approver);
  });

  it('refuses a token without er:read', async () => {
    const pages = await start();
    const answer = await pages.request('/approvals/login', { method: 'POST', headers: { 'content-type': FORM }, body: new URLSearchParams({ token: TOKENS.noRead }).toString() });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('lacks the er:read scope');
    expect(answer.headers['set-cookie']).toBeUndefined();
  });

  it('never redirects off the approval pages: an absolute, protocol-relative or other path as next is refused', async () => {
    const pages = await start();
    for (const next of ['https://evil.example/approvals/x', '//evil.example/approvals/x', '/\\evil.example', '/mcp', '/approvals/../mcp', 'javascript:alert(1)']) {
      const shown = await pages.request(`/approvals/login?next=${encodeURIComponent(next)}`);
      expect(shown.status).toBe(400);
      const posted = await pages.request('/approvals/login', { method: 'POST', headers: { 'content-type': FORM }, body: new URLSearchParams({ token: TOKENS.approver, next }).toString() });
      expect(posted.status).toBe(400);
      expect(posted.headers.location).toBeUndefined();
      expect(posted.headers['set-cookie']).toBeUndefined();
    }
  });

  it('refuses a sign-in posted from another origin', async () => {
    const pages = await start();
    const answer = await pages.request('/approvals/login', { method: 'POST', headers: { 'content-type': FORM, origin: 'http://localhost:1' }, body: new URLSearchParams({ token: TOKENS.approver }).toString() });
    expect(answer.status).toBe(403);
    expect(answer.headers['set-cookie']).toBeUndefined();
  });
});

describe('the HTTP server around the pages', () => {
  it('without a desk, /approvals is 404 as before', async () => {
    const pages = await start({ withDesk: false });
    const answer = await pages.request('/approvals/plan-1', { headers: bearer(TOKENS.approver) });
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ error: 'not_found' });
  });

  it('the Host check comes first', async () => {
    const pages = await start();
    const answer = await pages.request('/approvals/login', { headers: { host: 'evil.example' } });
    expect(answer.status).toBe(403);
  });
});
