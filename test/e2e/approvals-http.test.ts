// Approvals over HTTP with two tokens on the built server (`serve --http --require-second-person`):
// the requester cannot approve their own change, another person with er:approve can, and the
// audit names both. A plan belongs to the caller that made it.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import { envFor, errorOf, expectNoCanary, startTestEmulator, structured } from '../helpers.js';
import { connectClient, TOKENS, writeTokensFile } from '../transports/http/harness.js';
import { type SpawnedHttpServer, spawnHttpServer } from './http-process.js';

const change = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc };

let emulator: Emulator;
let server: SpawnedHttpServer;
const outputs: string[] = [];

beforeAll(async () => {
  emulator = await startTestEmulator();
  server = await spawnHttpServer(envFor(emulator), ['serve', '--http', '--port', '0', '--http-tokens', writeTokensFile(), '--require-second-person', '--audit-log', '-']);
});
afterAll(async () => {
  server.stop();
  await emulator.close();
  const everything = [...outputs, server.stderr(), server.stdout()].join('\n');
  expectNoCanary(everything);
  for (const token of Object.values(TOKENS)) expect(everything).not.toContain(token);
});

const writes = () => emulator.requests.filter(isWrite);
const audit = () =>
  server
    .stdout()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

async function decide(url: string, token: string, decision: 'approve' | 'reject'): Promise<{ status: number; body: Record<string, unknown> }> {
  const answer = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ decision }) });
  const body = (await answer.json()) as Record<string, unknown>;
  outputs.push(JSON.stringify(body));
  return { status: answer.status, body };
}

describe('a second person is required', () => {
  it('the requester is refused as approver even with er:approve and a form-capable client; another person approves; both are in the audit', async () => {
    // alice's client could show a form, but she may not approve her own change.
    const { client } = await connectClient(server.url, TOKENS.alice, { capabilities: { elicitation: { form: {} } } });
    const pending = structured<{ status: string; plan_id: string; approval_url: string; hint: string }>(await client.callTool({ name: 'create_route_association', arguments: change }));
    outputs.push(JSON.stringify(pending));
    expect(pending.status).toBe('approval_required');
    expect(pending.approval_url).toBe(new URL(`/approvals/${pending.plan_id}`, server.url).href);
    expect(pending.hint).toContain('other than the one who asked');

    const self = await decide(pending.approval_url, TOKENS.alice, 'approve');
    expect(self).toMatchObject({ status: 403, body: { error_code: 'SELF_APPROVAL' } });
    expect(String(self.body.message)).toContain('second person');
    // Someone who may write but not approve is refused too.
    expect((await decide(pending.approval_url, TOKENS.carol, 'approve')).status).toBe(403);
    expect(writes()).toEqual([]);

    const bob = await decide(pending.approval_url, TOKENS.bob, 'approve');
    expect(bob).toMatchObject({ status: 200, body: { status: 'approved', decided_by: 'token:bob' } });

    const created = structured<{ association: { state: string } }>(await client.callTool({ name: 'create_route_association', arguments: { ...change, plan_id: pending.plan_id } }));
    outputs.push(JSON.stringify(created));
    expect(created.association.state).toBe('pending');
    expect(writes()).toEqual([expect.objectContaining({ operation: 'associateRouteTable', status: 202 })]);
    await client.close();

    // The audit comes on the server's stdout, the answer over HTTP: the answer may be read first.
    const events = ['approval_requested', 'outcome', 'approved', 'intent', 'outcome'];
    await vi.waitFor(() => expect(audit().map((r) => r.event)).toEqual(events), { timeout: 10_000 });
    const lines = audit();
    expect(lines[2]).toMatchObject({ plan_id: pending.plan_id, requested_by: 'token:alice', person: 'token:bob', channel: 'page' });
    expect(lines[3]).toMatchObject({ plan_id: pending.plan_id, caller: 'token:alice', requested_by: 'token:alice', approved_by: 'token:bob', approval_channel: 'page' });
  });

  it('a plan belongs to the caller who made it: another caller using its id is told it is not found', async () => {
    const alice = await connectClient(server.url, TOKENS.alice);
    const plan = structured<{ plan_id: string }>(await alice.client.callTool({ name: 'create_route_propagation', arguments: { ...change, dry_run: true } }));
    const bob = await connectClient(server.url, TOKENS.bob);
    const error = errorOf(await bob.client.callTool({ name: 'create_route_propagation', arguments: { ...change, plan_id: plan.plan_id } }));
    expect(error.error_code).toBe('PLAN_NOT_FOUND');
    await alice.client.close();
    await bob.client.close();
  });

  it('the page needs a sign-in: without a token a browser is sent to the login form, a script gets 401', async () => {
    const alice = await connectClient(server.url, TOKENS.alice);
    const pending = structured<{ approval_url: string }>(await alice.client.callTool({ name: 'create_route_propagation', arguments: change }));
    await alice.client.close();
    const browser = await fetch(pending.approval_url, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(browser.status).toBe(303);
    expect(browser.headers.get('location')).toMatch(/^\/approvals\/login\?next=/);
    const script = await fetch(pending.approval_url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: '{"decision":"approve"}' });
    expect(script.status).toBe(401);
  });
});
