// The gate with a policy, in memory: permissions refuse before a person is asked (and before a
// dry run answers), a rule's second person, the tools a caller can never use, the invariants on
// the predicted state (here with a fake engine: the real one is tested with its own module), and
// the audit lines that carry the rule. Without a policy nothing changes (the other gate tests).
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import type { AuditRecord, AuditSink } from '../../src/guardrails/audit.js';
import type { GuardrailSettings } from '../../src/guardrails/guardrail-settings.js';
import type { CheckInvariants, PlannedChange } from '../../src/guardrails/policy-invariants.js';
import type { Invariant, InvariantResult, Policy } from '../../src/policy/model.js';
import { connectInMemory, errorOf, type InMemoryHarness, startTestEmulator, structured, WITHOUT_APPROVAL } from '../helpers.js';
import { POLICY_SOURCE, policyHolder, policyOf, tokenAuth } from '../policy/fixtures.js';

const WRITE_TOOLS = ['create_route_association', 'delete_route_association', 'create_route_propagation', 'delete_route_propagation', 'create_static_route', 'delete_static_route'];
const prodLink = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc };
const devLink = { er_id: ids.router, route_table_id: ids.devTable, attachment_id: ids.analyticsVpc };

/** The payments bot may associate and propagate in rtb-dev (by name) only. */
const botInDev = policyOf([{ name: 'bot-dev', callers: { tokens: ['bot'] }, actions: ['associate', 'propagate'], route_tables: [{ name: 'rtb-dev' }] }]);

let emulator: Emulator;
let harness: InMemoryHarness;
let audit: AuditRecord[];
let asked: string[];

afterEach(async () => {
  await harness?.close();
  await emulator?.close();
});

interface SetUp {
  policy: { current(): Policy | null };
  auth?: ReturnType<typeof tokenAuth>;
  settings?: Partial<GuardrailSettings>;
  checkInvariants?: CheckInvariants;
}

async function setUp(options: SetUp): Promise<void> {
  emulator = await startTestEmulator();
  audit = [];
  asked = [];
  const sink: AuditSink = { problem: () => null, append: (record) => void audit.push(record), close: () => undefined };
  harness = await connectInMemory(emulator, {
    client: { capabilities: { elicitation: { form: {} } } },
    settings: options.settings,
    audit: sink,
    pages: { urlFor: async (id) => `http://127.0.0.1:9/approvals/${id}` },
    policy: options.policy,
    ...(options.checkInvariants ? { checkInvariants: options.checkInvariants } : {}),
    ...(options.auth ? { authInfo: options.auth } : {}),
  });
  harness.client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push(request.params.message);
    return { action: 'accept', content: { approve: true } };
  });
}

const writes = () => emulator.requests.filter(isWrite);
const outcomes = () => audit.filter((r) => r.event === 'outcome') as Array<AuditRecord & Record<string, unknown>>;
const call = (name: string, args: Record<string, unknown>) => harness.client.callTool({ name, arguments: args });

describe('permissions in the gate', () => {
  it('a change no rule allows is refused (POLICY_DENIED, the rule named) before any approval, for a dry run too; nothing is sent; the audit carries the rule', async () => {
    await setUp({ policy: policyHolder(botInDev), auth: tokenAuth('bot') });
    for (const args of [prodLink, { ...prodLink, dry_run: true }]) {
      const error = errorOf(await call('create_route_association', args));
      expect(error.error_code).toBe('POLICY_DENIED');
      expect(error.rule).toEqual({ name: 'bot-dev', line: 10 });
      expect(error.policy_rule).toBe('bot-dev');
      expect(String(error.error_msg)).toContain('rule bot-dev (line 10) allows associate, propagate only in route table rtb-dev; this change is in route table rtb-prod');
      expect(String(error.error_msg)).toContain(POLICY_SOURCE);
      expect(String(error.hint)).toContain('policy');
    }
    expect(asked).toEqual([]);
    expect(writes()).toEqual([]);
    expect(audit.map((r) => r.event)).toEqual(['outcome', 'outcome']);
    expect(outcomes().map((r) => [r.outcome, r.guardrail, r.policy_rule, r.caller])).toEqual([
      ['refused', 'policy_denied', 'bot-dev', 'token:bot'],
      ['refused', 'policy_denied', 'bot-dev', 'token:bot'],
    ]);
    // The refusal names the plan it checked.
    expect(outcomes()[0]!.plan_id).toMatch(/^plan-/);
  });

  it('an allowed change: the dry run names the rule, the person is asked, and every audit line of the write carries the rule', async () => {
    await setUp({ policy: policyHolder(botInDev), auth: tokenAuth('bot') });
    const plan = structured<{ plan_id: string; policy: unknown; hint: string }>(await call('create_route_association', { ...devLink, dry_run: true }));
    expect(plan.policy).toEqual({ rule: { name: 'bot-dev', line: 10 }, second_person_required: false, invariants: [] });
    expect(plan.hint).toContain(`plan_id ${plan.plan_id}`);
    const created = structured<{ association: { state: string } }>(await call('create_route_association', { ...devLink, plan_id: plan.plan_id }));
    expect(created.association.state).toBe('pending');
    expect(asked).toHaveLength(1);
    expect(writes().map((r) => r.operation)).toEqual(['associateRouteTable']);
    expect(audit.map((r) => [r.event, (r as unknown as Record<string, unknown>).policy_rule])).toEqual([
      ['outcome', 'bot-dev'],
      ['approval_requested', 'bot-dev'],
      ['approved', 'bot-dev'],
      ['intent', 'bot-dev'],
      ['outcome', 'bot-dev'],
    ]);
    expect(audit[1]).toMatchObject({ second_person_required: false });
  });

  it('with --confirm-writes never a plan is still made and checked: refused outside the rule, made (from a plan) inside it', async () => {
    await setUp({ policy: policyHolder(botInDev), auth: tokenAuth('bot'), settings: WITHOUT_APPROVAL });
    expect(errorOf(await call('create_route_association', prodLink)).error_code).toBe('POLICY_DENIED');
    expect(writes()).toEqual([]);
    structured(await call('create_route_association', devLink));
    expect(writes().map((r) => r.operation)).toEqual(['associateRouteTable']);
    const intent = audit.find((r) => r.event === 'intent') as unknown as Record<string, unknown>;
    expect(intent).toMatchObject({ guardrail: 'confirmation_disabled', policy_rule: 'bot-dev', approval_channel: 'none' });
    expect(intent.plan_id).toMatch(/^plan-/);
  });

  it('a policy replaced between calls applies to the next call', async () => {
    const holder = policyHolder(botInDev);
    await setUp({ policy: holder, auth: tokenAuth('bot'), settings: WITHOUT_APPROVAL });
    expect(errorOf(await call('create_route_association', prodLink)).error_code).toBe('POLICY_DENIED');
    holder.set(policyOf([{ name: 'bot-anywhere', callers: { tokens: ['bot'] }, actions: ['associate'] }]));
    structured(await call('create_route_association', prodLink));
    expect(outcomes().map((r) => [r.guardrail, r.policy_rule])).toEqual([
      ['policy_denied', 'bot-dev'],
      ['confirmation_disabled', 'bot-anywhere'],
    ]);
  });

  it('without a policy (none loaded) the dry run has no policy field and every write tool is listed', async () => {
    await setUp({ policy: policyHolder(null), auth: tokenAuth('bot') });
    const plan = structured<Record<string, unknown>>(await call('create_route_association', { ...prodLink, dry_run: true }));
    expect(plan).not.toHaveProperty('policy');
    const names = (await harness.client.listTools()).tools.map((t) => t.name);
    for (const tool of WRITE_TOOLS) expect(names).toContain(tool);
    expect(outcomes()[0]).not.toHaveProperty('policy_rule');
  });
});

describe('tools a caller can never use', () => {
  it('are not listed for it, and called by name are refused (POLICY_DENIED), audited, with nothing sent', async () => {
    await setUp({ policy: policyHolder(botInDev), auth: tokenAuth('bot') });
    const names = (await harness.client.listTools()).tools.map((t) => t.name);
    expect(names.filter((n) => WRITE_TOOLS.includes(n)).sort()).toEqual(['create_route_association', 'create_route_propagation']);
    expect(names).toContain('list_route_tables');
    const error = errorOf(await call('delete_route_association', devLink));
    expect(error.error_code).toBe('POLICY_DENIED');
    expect(String(error.error_msg)).toContain('token:bot (token bot) to disassociate anywhere: delete_route_association is not available to you');
    expect(writes()).toEqual([]);
    expect(outcomes().map((r) => [r.tool, r.outcome, r.guardrail, r.policy_rule])).toEqual([['delete_route_association', 'refused', 'policy_denied', null]]);
    // Reading still works.
    structured(await call('get_association_state', devLink));
  });

  it('a caller no rule names sees no write tool at all', async () => {
    await setUp({ policy: policyHolder(botInDev), auth: tokenAuth('stranger') });
    const names = (await harness.client.listTools()).tools.map((t) => t.name);
    expect(names.filter((n) => WRITE_TOOLS.includes(n))).toEqual([]);
    expect(errorOf(await call('create_route_association', devLink)).error_code).toBe('POLICY_DENIED');
    expect(writes()).toEqual([]);
  });
});

describe('the local user (stdio: no AuthInfo)', () => {
  const mine = policyOf([
    { name: 'bot-anywhere', callers: { tokens: ['bot'] }, actions: ['create_static_route', 'associate'] },
    { name: 'me-in-dev', callers: { local: true }, actions: ['create_static_route'], route_tables: [{ name: 'rtb-dev*' }] },
  ]);

  it('is allowed by a local rule and refused outside it; rules for tokens do not apply to it', async () => {
    await setUp({ policy: policyHolder(mine) });
    const route = { er_id: ids.router, destination: '10.77.0.0/16', is_blackhole: true };
    structured(await call('create_static_route', { ...route, route_table_id: ids.devTable }));
    expect(writes().map((r) => r.operation)).toEqual(['createStaticRoute']);
    const error = errorOf(await call('create_static_route', { ...route, route_table_id: ids.prodTable }));
    expect(error.error_code).toBe('POLICY_DENIED');
    expect(error.rule).toEqual({ name: 'me-in-dev', line: 15 });
    expect(String(error.error_msg)).toMatch(/^No rule of the policy .* allows stdio \(the local user\) to create_static_route in route table rtb-prod/);
    // associate is only the bot's: hidden from the local user.
    expect((await harness.client.listTools()).tools.map((t) => t.name)).not.toContain('create_route_association');
    expect(writes()).toHaveLength(1);
  });

  it('a rule that requires a second person cannot be satisfied: the dry run says so, the write is refused before anyone is asked', async () => {
    const twoPeople = policyOf([{ name: 'two-people', callers: { local: true }, actions: ['associate'], require_second_person: true }]);
    await setUp({ policy: policyHolder(twoPeople) });
    const plan = structured<{ policy: { second_person_required: boolean }; hint: string }>(await call('create_route_association', { ...prodLink, dry_run: true }));
    expect(plan.policy.second_person_required).toBe(true);
    expect(plan.hint).toMatch(/^Do not apply this plan: it would be refused \(POLICY_DENIED\)/);
    const error = errorOf(await call('create_route_association', prodLink));
    expect(error).toMatchObject({ error_code: 'POLICY_DENIED', policy_rule: 'two-people', second_person_required: true });
    expect(String(error.error_msg)).toContain('Rule two-people (line 10)');
    expect(String(error.error_msg)).toContain('a second person cannot be told apart');
    expect(String(error.hint)).toContain('serve --http');
    expect(asked).toEqual([]);
    expect(writes()).toEqual([]);
    expect(outcomes().map((r) => [r.outcome, r.guardrail, r.policy_rule])).toEqual([
      ['dry_run', 'dry_run', 'two-people'],
      ['refused', 'policy_second_person', 'two-people'],
    ]);
  });
});

describe('a rule that requires a second person (HTTP callers)', () => {
  const prodTwo = policyOf([{ name: 'prod-two', callers: { tokens: ['alice', 'bob'] }, actions: ['associate'], route_tables: [{ id: ids.prodTable }], require_second_person: true }]);

  it('the requester’s own client is not asked; the answer asks for another person', async () => {
    await setUp({ policy: policyHolder(prodTwo), auth: tokenAuth('alice') });
    const pending = structured<{ status: string; hint: string; plan_id: string }>(await call('create_route_association', prodLink));
    expect(pending.status).toBe('approval_required');
    expect(pending.hint).toContain('a person other than the one who asked');
    expect(asked).toEqual([]);
    expect(harness.desk.decide(pending.plan_id, 'approve', { caller: 'token:alice', scopes: ['er:approve'] }, 'page')).toMatchObject({ ok: false, code: 'SELF_APPROVAL' });
    expect(harness.desk.decide(pending.plan_id, 'approve', { caller: 'token:bob', scopes: ['er:approve'] }, 'page')).toMatchObject({ ok: true });
    structured(await call('create_route_association', { ...prodLink, plan_id: pending.plan_id }));
    expect(writes().map((r) => r.operation)).toEqual(['associateRouteTable']);
    expect(audit.find((r) => r.event === 'intent')).toMatchObject({ policy_rule: 'prod-two', requested_by: 'token:alice', approved_by: 'token:bob' });
  });

  it('is refused where nobody is asked (--confirm-writes never)', async () => {
    await setUp({ policy: policyHolder(prodTwo), auth: tokenAuth('alice'), settings: WITHOUT_APPROVAL });
    const error = errorOf(await call('create_route_association', prodLink));
    expect(error).toMatchObject({ error_code: 'POLICY_DENIED', second_person_required: true });
    expect(String(error.error_msg)).toContain('--confirm-writes never');
    expect(writes()).toEqual([]);
  });

  it('an approval the requester gave before the rule asked for a second person does not count', async () => {
    const holder = policyHolder(null);
    await setUp({ policy: holder, auth: tokenAuth('alice') });
    const plan = structured<{ plan_id: string }>(await call('create_route_association', { ...prodLink, dry_run: true }));
    expect(harness.desk.decide(plan.plan_id, 'approve', { caller: 'token:alice', scopes: ['er:approve'] }, 'page')).toMatchObject({ ok: true });
    holder.set(prodTwo);
    const error = errorOf(await call('create_route_association', { ...prodLink, plan_id: plan.plan_id }));
    expect(error.error_code).toBe('SELF_APPROVAL');
    expect(String(error.error_msg)).toContain('policy rule prod-two');
    expect(writes()).toEqual([]);
    expect(outcomes().at(-1)).toMatchObject({ guardrail: 'self_approval', policy_rule: 'prod-two', outcome: 'refused' });
  });
});

describe('invariants in the gate (a fake engine)', () => {
  const noProdFromDev: Invariant = { name: 'no-prod-from-dev', line: 40, kind: 'no_reach', from: { associated_with: [{ name: 'rtb-dev' }] }, prefix: '10.0.0.0/16' };
  const prodBlackhole: Invariant = { name: 'analytics-blackholed', line: 44, kind: 'blackholed', route_table: { name: 'rtb-prod' }, prefix: '10.30.0.0/16' };
  const anyoneAnywhere = (invariants: Invariant[]) => policyOf([{ name: 'anyone', callers: { anyone: true }, actions: ['associate', 'propagate'] }], invariants);
  const result = (invariant: Invariant, holds: boolean, message: string, unknown = false): InvariantResult => ({ name: invariant.name, line: invariant.line, kind: invariant.kind, holds, message, ...(unknown ? { unknown } : {}) });

  /** A fake engine: answers `after` (and `before`), and keeps what it was asked about. */
  function engine(after: InvariantResult[], before?: InvariantResult[]): CheckInvariants & { seen: PlannedChange[] } {
    const seen: PlannedChange[] = [];
    return Object.assign(async (_invariants: readonly Invariant[], change: PlannedChange) => {
      seen.push(change);
      return { after, ...(before ? { before } : {}) };
    }, { seen });
  }

  const leak = 'vpc-analytics (rtb-dev) would reach 10.0.1.0/24 via vpc-payments';

  it('a plan that breaks one is refused (POLICY_VIOLATION) before approval, naming the invariant and what breaks it; nothing sent; audited', async () => {
    const fake = engine([result(noProdFromDev, false, leak), result(prodBlackhole, true, '10.30.0.0/16 is blackholed in rtb-prod')]);
    await setUp({ policy: policyHolder(anyoneAnywhere([noProdFromDev, prodBlackhole])), auth: tokenAuth('bot'), checkInvariants: fake });
    const error = errorOf(await call('create_route_propagation', { er_id: ids.router, route_table_id: ids.devTable, attachment_id: ids.paymentsVpc }));
    expect(error.error_code).toBe('POLICY_VIOLATION');
    expect(String(error.error_msg)).toContain(`no-prod-from-dev (line 40, no_reach): ${leak}`);
    expect(error.violations).toEqual([result(noProdFromDev, false, leak)]);
    expect(error.policy_rule).toBe('anyone');
    expect(asked).toEqual([]);
    expect(writes()).toEqual([]);
    expect(audit.map((r) => r.event)).toEqual(['outcome']);
    expect(outcomes()[0]).toMatchObject({ outcome: 'refused', guardrail: 'policy_violation', policy_rule: 'anyone', policy_violations: ['no-prod-from-dev'] });
    // The engine got the change with its plan.
    expect(fake.seen).toHaveLength(1);
    expect(fake.seen[0]).toMatchObject({ tool: 'create_route_propagation', target: { route_table_id: ids.devTable, attachment_id: ids.paymentsVpc } });
    expect(fake.seen[0]!.made.plan).toMatchObject({ action: 'enable_propagation', route_table: { id: ids.devTable, name: 'rtb-dev' } });
  });

  it('the dry run shows which hold and which would break, and says applying would be refused', async () => {
    const after = [result(noProdFromDev, false, leak), result(prodBlackhole, true, 'held')];
    await setUp({ policy: policyHolder(anyoneAnywhere([noProdFromDev, prodBlackhole])), auth: tokenAuth('bot'), checkInvariants: engine(after) });
    const plan = structured<{ policy: { invariants: InvariantResult[] }; hint: string }>(await call('create_route_propagation', { er_id: ids.router, route_table_id: ids.devTable, attachment_id: ids.paymentsVpc, dry_run: true }));
    expect(plan.policy.invariants).toEqual(after);
    expect(plan.hint).toMatch(/^Do not apply this plan: it would be refused \(POLICY_VIOLATION\): .*no-prod-from-dev/);
    expect(outcomes()[0]).toMatchObject({ outcome: 'dry_run', policy_violations: ['no-prod-from-dev'] });
  });

  it('a plan that keeps every invariant goes on to approval and is made', async () => {
    await setUp({ policy: policyHolder(anyoneAnywhere([prodBlackhole])), auth: tokenAuth('bot'), checkInvariants: engine([result(prodBlackhole, true, 'held')]) });
    structured(await call('create_route_association', devLink));
    expect(asked).toHaveLength(1);
    expect(writes().map((r) => r.operation)).toEqual(['associateRouteTable']);
    expect(audit.find((r) => r.event === 'intent')).not.toHaveProperty('policy_violations');
  });

  it('an invariant that could not be evaluated counts as broken; one broken before the change is named as such', async () => {
    await setUp({ policy: policyHolder(anyoneAnywhere([noProdFromDev, prodBlackhole])), auth: tokenAuth('bot'), checkInvariants: engine([result(noProdFromDev, false, 'rtb-dev was not read', true), result(prodBlackhole, false, 'rtb-prod routes 10.30.0.0/16 to vpc-web')], [result(noProdFromDev, true, 'held'), result(prodBlackhole, false, 'rtb-prod routes 10.30.0.0/16 to vpc-web')]) });
    const error = errorOf(await call('create_route_association', devLink));
    expect(error.error_code).toBe('POLICY_VIOLATION');
    expect(String(error.error_msg)).toContain('no-prod-from-dev (line 40, no_reach) could not be evaluated: rtb-dev was not read');
    expect(String(error.error_msg)).toContain('analytics-blackholed (line 44, blackholed): rtb-prod routes 10.30.0.0/16 to vpc-web (already broken before this change');
    expect(writes()).toEqual([]);
  });

  it('when the state cannot be read, the write is refused (POLICY_UNAVAILABLE) and says why', async () => {
    const failing: CheckInvariants = async () => {
      throw new Error('route table rtb-prod could not be read');
    };
    await setUp({ policy: policyHolder(anyoneAnywhere([prodBlackhole])), auth: tokenAuth('bot'), checkInvariants: failing });
    const error = errorOf(await call('create_route_association', devLink));
    expect(error.error_code).toBe('POLICY_UNAVAILABLE');
    expect(String(error.error_msg)).toContain('rtb-prod could not be read');
    expect(asked).toEqual([]);
    expect(writes()).toEqual([]);
    expect(outcomes()[0]).toMatchObject({ guardrail: 'policy_unavailable', policy_rule: 'anyone' });
  });

  it('no invariants: the engine is not asked', async () => {
    const fake = engine([]);
    await setUp({ policy: policyHolder(anyoneAnywhere([])), auth: tokenAuth('bot'), checkInvariants: fake, settings: WITHOUT_APPROVAL });
    structured(await call('create_route_association', devLink));
    expect(fake.seen).toEqual([]);
  });
});
