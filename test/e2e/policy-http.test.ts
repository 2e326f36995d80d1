// Permissions end to end over Streamable HTTP: the real HTTP server with static tokens (in
// process, so the test can hand it a policy: the policy file's loader is tested on its own), the
// emulator behind it. Two callers with different rules, a tool hidden from one of them, a rule
// that needs a second person approved on the page, and a loopback server without tokens, where
// everyone is the local user.
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import type { AuditRecord, AuditSink } from '../../src/guardrails/audit.js';
import type { Policy } from '../../src/policy/model.js';
import { errorOf, startTestEmulator, structured, WITHOUT_APPROVAL } from '../helpers.js';
import { policyHolder, policyOf } from '../policy/fixtures.js';
import { connectClient, type HttpHarness, startHttpHarness, TOKENS, writeTokensFile } from '../transports/http/harness.js';

const WRITE_TOOLS = ['create_route_association', 'delete_route_association', 'create_route_propagation', 'delete_route_propagation', 'create_static_route', 'delete_static_route'];
const prodLink = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc };
const devLink = { er_id: ids.router, route_table_id: ids.devTable, attachment_id: ids.analyticsVpc };

/** alice may do anything anywhere; bob may associate and propagate in rtb-dev only. */
const TWO_CALLERS = policyOf([
  { name: 'alice-anywhere', callers: { tokens: ['alice'] }, actions: ['associate', 'disassociate', 'propagate', 'stop_propagating', 'create_static_route', 'delete_static_route'] },
  { name: 'bob-dev-links', callers: { tokens: ['bob'] }, actions: ['associate', 'propagate'], route_tables: [{ name: 'rtb-dev' }] },
]);

let emulator: Emulator;
let harness: HttpHarness | undefined;
let audit: AuditRecord[];

// A fresh emulator for each test: the changes of one must not be in the way of the next.
beforeEach(async () => {
  emulator = await startTestEmulator();
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await emulator.close();
});

async function start(policy: Policy, options: { tokens?: boolean; pages?: boolean; approvals?: boolean } = {}): Promise<HttpHarness> {
  audit = [];
  const sink: AuditSink = { problem: () => null, append: (record) => void audit.push(record), close: () => undefined };
  harness = await startHttpHarness(emulator, {
    flags: options.tokens === false ? {} : { 'http-tokens': writeTokensFile() },
    audit: sink,
    policy: policyHolder(policy),
    pages: options.pages ?? false,
    ...(options.approvals === false ? { settings: WITHOUT_APPROVAL } : {}),
  });
  return harness;
}

/** A client over HTTP whose person approves every form it is shown (the count is kept). */
async function clientOf(url: string, token: string | undefined): Promise<{ call(name: string, args: Record<string, unknown>): Promise<unknown>; tools(): Promise<string[]>; asked: string[]; close(): Promise<void> }> {
  const { client } = await connectClient(url, token, { capabilities: { elicitation: { form: {} } } });
  const asked: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push(request.params.message);
    return { action: 'accept', content: { approve: true } };
  });
  return {
    call: (name, args) => client.callTool({ name, arguments: args }),
    tools: async () => (await client.listTools()).tools.map((t) => t.name),
    asked,
    close: () => client.close(),
  };
}

const newWrites = () => emulator.requests.filter(isWrite);
const outcomes = () => audit.filter((r) => r.event === 'outcome') as unknown as Array<Record<string, unknown>>;

describe('two callers over HTTP, each with its own rules', () => {
  it('bob is refused in rtb-prod (POLICY_DENIED naming his rule) with no write sent; bob in rtb-dev and alice in rtb-prod succeed', async () => {
    const h = await start(TWO_CALLERS);
    const bob = await clientOf(h.url, TOKENS.bob);
    const alice = await clientOf(h.url, TOKENS.alice);

    const refused = errorOf(await bob.call('create_route_association', prodLink));
    expect(refused.error_code).toBe('POLICY_DENIED');
    expect(refused.rule).toEqual({ name: 'bob-dev-links', line: 15 });
    expect(String(refused.error_msg)).toContain('rule bob-dev-links (line 15) allows associate, propagate only in route table rtb-dev; this change is in route table rtb-prod');
    expect(bob.asked).toEqual([]);
    expect(newWrites()).toEqual([]);

    structured(await bob.call('create_route_association', devLink));
    expect(bob.asked).toHaveLength(1);
    structured(await alice.call('create_route_association', prodLink));
    expect(alice.asked).toHaveLength(1);
    expect(newWrites().map((r) => `${r.operation} ${r.status}`)).toEqual(['associateRouteTable 202', 'associateRouteTable 202']);
    await bob.close();
    await alice.close();

    expect(outcomes().map((r) => [r.caller, r.outcome, r.guardrail, r.policy_rule])).toEqual([
      ['token:bob', 'refused', 'policy_denied', 'bob-dev-links'],
      ['token:bob', 'succeeded', 'approved', 'bob-dev-links'],
      ['token:alice', 'succeeded', 'approved', 'alice-anywhere'],
    ]);
    const intents = audit.filter((r) => r.event === 'intent') as unknown as Array<Record<string, unknown>>;
    expect(intents.map((r) => [r.caller, r.policy_rule])).toEqual([
      ['token:bob', 'bob-dev-links'],
      ['token:alice', 'alice-anywhere'],
    ]);
  });

  it('a tool bob can never use is not listed for him and is refused by name; alice sees every write tool; a token no rule names sees none', async () => {
    const h = await start(TWO_CALLERS);
    const bob = await clientOf(h.url, TOKENS.bob);
    const alice = await clientOf(h.url, TOKENS.alice);
    const carol = await clientOf(h.url, TOKENS.carol);
    expect((await bob.tools()).filter((n) => WRITE_TOOLS.includes(n)).sort()).toEqual(['create_route_association', 'create_route_propagation']);
    expect((await alice.tools()).filter((n) => WRITE_TOOLS.includes(n)).sort()).toEqual([...WRITE_TOOLS].sort());
    expect((await carol.tools()).filter((n) => WRITE_TOOLS.includes(n))).toEqual([]);

    const hidden = errorOf(await bob.call('delete_static_route', { er_id: ids.router, route_table_id: ids.devTable, destination: '10.77.0.0/16' }));
    expect(hidden.error_code).toBe('POLICY_DENIED');
    expect(String(hidden.error_msg)).toContain('delete_static_route is not available to you');
    expect(errorOf(await carol.call('create_route_association', devLink)).error_code).toBe('POLICY_DENIED');
    expect(newWrites()).toEqual([]);
    for (const c of [bob, alice, carol]) await c.close();
    expect(outcomes().map((r) => [r.caller, r.tool, r.guardrail, r.policy_rule])).toEqual([
      ['token:bob', 'delete_static_route', 'policy_denied', null],
      ['token:carol', 'create_route_association', 'policy_denied', null],
    ]);
  });
});

describe('a rule that requires a second person, over HTTP', () => {
  const prodTwo = policyOf([{ name: 'prod-two', callers: { tokens: ['alice', 'bob'] }, actions: ['associate'], route_tables: [{ name: 'rtb-prod' }], require_second_person: true }, { name: 'dev-alone', callers: { tokens: ['alice'] }, actions: ['associate'], route_tables: [{ name: 'rtb-dev' }] }]);

  async function decide(url: string, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const answer = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ decision: 'approve' }) });
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
  }

  it('the requester cannot approve her own change on the page, another person can; her other changes need no second person', async () => {
    const h = await start(prodTwo, { pages: true });
    const alice = await clientOf(h.url, TOKENS.alice);
    const pending = structured<{ status: string; plan_id: string; approval_url: string; hint: string }>(await alice.call('create_route_association', prodLink));
    expect(pending.status).toBe('approval_required');
    expect(pending.hint).toContain('other than the one who asked');
    // Her client could show a form: she is not asked, she may not approve this one.
    expect(alice.asked).toEqual([]);

    const self = await decide(pending.approval_url, TOKENS.alice);
    expect(self).toMatchObject({ status: 403, body: { error_code: 'SELF_APPROVAL' } });
    expect(String(self.body.message)).toContain('policy rule prod-two requires a second person');
    expect(newWrites()).toEqual([]);
    expect(await decide(pending.approval_url, TOKENS.bob)).toMatchObject({ status: 200, body: { status: 'approved', decided_by: 'token:bob' } });
    structured(await alice.call('create_route_association', { ...prodLink, plan_id: pending.plan_id }));
    expect(newWrites().map((r) => r.operation)).toEqual(['associateRouteTable']);

    // In rtb-dev her own approval is enough.
    structured(await alice.call('create_route_association', devLink));
    expect(alice.asked).toHaveLength(1);
    await alice.close();

    const lines = audit as unknown as Array<Record<string, unknown>>;
    expect(lines.find((r) => r.event === 'approval_requested')).toMatchObject({ policy_rule: 'prod-two', second_person_required: true });
    expect(lines.find((r) => r.event === 'approved')).toMatchObject({ person: 'token:bob', policy_rule: 'prod-two' });
    expect(lines.filter((r) => r.event === 'intent').map((r) => [r.policy_rule, r.requested_by, r.approved_by])).toEqual([
      ['prod-two', 'token:alice', 'token:bob'],
      ['dev-alone', 'token:alice', 'token:alice'],
    ]);
  });
});

describe('a loopback server without tokens: everyone is the local user', () => {
  it('a local rule allows, a token rule does not, and a rule that needs a second person is refused', async () => {
    const policy = policyOf([
      { name: 'local-dev', callers: { local: true }, actions: ['associate'], route_tables: [{ name: 'rtb-dev' }] },
      { name: 'local-prod-two', callers: { local: true }, actions: ['associate'], route_tables: [{ name: 'rtb-prod' }], require_second_person: true },
      { name: 'bob-anything', callers: { tokens: ['bob'] }, actions: ['propagate'] },
    ]);
    const h = await start(policy, { tokens: false, approvals: false });
    const me = await clientOf(h.url, undefined);
    expect((await me.tools()).filter((n) => WRITE_TOOLS.includes(n))).toEqual(['create_route_association']);
    structured(await me.call('create_route_association', devLink));
    const twoPeople = errorOf(await me.call('create_route_association', prodLink));
    expect(twoPeople).toMatchObject({ error_code: 'POLICY_DENIED', policy_rule: 'local-prod-two', second_person_required: true });
    expect(String(twoPeople.error_msg)).toContain('a second person cannot be told apart');
    expect(errorOf(await me.call('create_route_propagation', devLink)).error_code).toBe('POLICY_DENIED');
    await me.close();
    expect(newWrites().map((r) => r.operation)).toEqual(['associateRouteTable']);
    expect(outcomes().map((r) => [r.caller, r.guardrail, r.policy_rule])).toEqual([
      ['http:loopback', 'confirmation_disabled', 'local-dev'],
      ['http:loopback', 'policy_second_person', 'local-prod-two'],
      ['http:loopback', 'policy_denied', null],
    ]);
  });
});
