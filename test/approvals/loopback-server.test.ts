// The stdio approval page: a real loopback listener, started by urlFor, reached over HTTP. The key
// in the path is the credential, Host must be loopback, forms carry a CSRF token, and the
// listener closes itself when idle (waited for by its close event, never by a fixed sleep).
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { LoopbackApprovalServer } from '../../src/approvals/loopback-server.js';
import { capturingLogger } from '../transports/http/harness.js';
import { BROWSER_ACCEPT, csrfIn, FORM, hostileView, MapDesk, planView, SECURITY_HEADERS, send } from './fixtures.js';

const LOCAL_USER = { caller: 'stdio:me', scopes: null };

const servers: LoopbackApprovalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function start(idleMs?: number) {
  const desk = new MapDesk();
  const { log, text } = capturingLogger();
  const server = new LoopbackApprovalServer({ desk, approver: LOCAL_USER, log, ...(idleMs !== undefined ? { idleMs } : {}) });
  servers.push(server);
  return { server, desk, logs: text };
}

function parts(url: string): { origin: string; key: string; port: string } {
  const parsed = new URL(url);
  return { origin: parsed.origin, key: parsed.pathname.split('/')[1]!, port: parsed.port };
}

function post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return send(url, { method: 'POST', headers: { 'content-type': FORM, accept: BROWSER_ACCEPT, origin: new URL(url).origin, ...headers }, body: new URLSearchParams(fields).toString() });
}

describe('the loopback approval page', () => {
  it('urlFor starts a listener on 127.0.0.1 with a 32-byte key in the path, and the page shows the plan to the local user', async () => {
    const { server, desk, logs } = start();
    const view = desk.add(hostileView('plan-local'));
    const url = await server.urlFor(view.id);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}\/approvals\/plan-local$/);
    const answer = await send(url, { headers: { accept: BROWSER_ACCEPT } });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('Signed in as <strong>stdio:me</strong>');
    expect(answer.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(answer.body).not.toContain('<script>');
    expect(answer.headers).toMatchObject(SECURITY_HEADERS);
    // The key is the credential: it is never logged.
    expect(logs()).toContain('approval page listening on 127.0.0.1');
    expect(logs()).not.toContain(parts(url).key);
  });

  it('approves by the form with its CSRF token, as the local user, through the page channel', async () => {
    const { server, desk } = start();
    const view = desk.add(planView());
    const url = await server.urlFor(view.id);
    const csrf = csrfIn((await send(url)).body);
    const answer = await post(url, { decision: 'approve', csrf });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('Approved by stdio:me');
    expect(desk.calls).toEqual([{ planId: view.id, decision: 'approve', approver: LOCAL_USER, channel: 'page' }]);
  });

  it('refuses a POST without a CSRF token or with another plan’s, without asking the desk', async () => {
    const { server, desk } = start();
    const view = desk.add(planView());
    const other = desk.add(planView({ id: 'plan-other' }));
    const url = await server.urlFor(view.id);
    const otherToken = csrfIn((await send(await server.urlFor(other.id))).body);
    for (const fields of [{ decision: 'approve' } as Record<string, string>, { decision: 'approve', csrf: otherToken }]) expect((await post(url, fields)).status).toBe(403);
    expect(desk.calls).toEqual([]);
  });

  it('refuses a POST from another origin, even with the right token', async () => {
    const { server, desk } = start();
    const view = desk.add(planView());
    const url = await server.urlFor(view.id);
    const csrf = csrfIn((await send(url)).body);
    expect((await post(url, { decision: 'approve', csrf }, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await post(url, { decision: 'approve', csrf }, { origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect(desk.calls).toEqual([]);
  });

  it('a wrong key gets the same 404 as any unknown path, and the plan is not looked up', async () => {
    const { server, desk } = start();
    const view = desk.add(planView());
    const { origin, key } = parts(await server.urlFor(view.id));
    const wrongKey = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    const answers = await Promise.all([`/${wrongKey}/approvals/${view.id}`, `/approvals/${view.id}`, `/${key}x/approvals/${view.id}`, '/nothing'].map((path) => send(`${origin}${path}`)));
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(answer.body).toBe(answers[3]!.body);
    }
    expect(desk.viewed).toBe(0);
  });

  it('refuses a Host other than 127.0.0.1:PORT or localhost:PORT (DNS rebinding)', async () => {
    const { server, desk } = start();
    const view = desk.add(planView());
    const url = await server.urlFor(view.id);
    const { port } = parts(url);
    for (const host of [`evil.example:${port}`, '127.0.0.1', `127.0.0.1:${Number(port) + 1}`]) {
      const answer = await send(url, { headers: { host } });
      expect(answer.status).toBe(403);
    }
    expect(desk.viewed).toBe(0);
    expect((await send(url, { headers: { host: `localhost:${port}` } })).status).toBe(200);
  });

  it('closes itself when idle, and urlFor starts it again with a new key', async () => {
    const { server, desk } = start(20);
    const view = desk.add(planView());
    const first = await server.urlFor(view.id);
    await once(server, 'close');
    // Nothing listens there for this page any more (refused; reset if another test's listener has since taken the port).
    await expect(send(first)).rejects.toMatchObject({ code: expect.stringMatching(/^ECONN(REFUSED|RESET)$/) });
    // A second listener, with a new key; it too closes when idle (a request to it could race the short idle period).
    const second = await server.urlFor(view.id);
    expect(parts(second).key).not.toBe(parts(first).key);
    await once(server, 'close');
  });

  it('close() closes the listener; urlFor afterwards starts it again', async () => {
    const { server, desk } = start();
    const view = desk.add(planView());
    const first = await server.urlFor(view.id);
    const closed = once(server, 'close');
    await server.close();
    await closed;
    await expect(send(first)).rejects.toMatchObject({ code: expect.stringMatching(/^ECONN(REFUSED|RESET)$/) });
    expect((await send(await server.urlFor(view.id))).status).toBe(200);
  });

  it('calls to urlFor at the same time share one listener', async () => {
    const { server, desk } = start();
    const view = desk.add(planView());
    const urls = await Promise.all([server.urlFor(view.id), server.urlFor(view.id), server.urlFor(view.id)]);
    expect(new Set(urls).size).toBe(1);
  });
});
