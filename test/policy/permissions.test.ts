// The permission rules on their own: who a rule names, which actions, where (by ID, name and
// name pattern), deny by default, the second-person flag and what a refusal says.
import { describe, expect, it } from 'vitest';
import type { CallerIdentity, PermissionRule, Policy, PolicyTarget } from '../../src/policy/model.js';
import { callerMatches, decide, mayEverUse, refMatches } from '../../src/policy/permissions.js';

const ROUTER = { id: 'er-1', name: 'er-shanghai-core' };
const PAYMENTS = { id: 'rtb-pay-id', name: 'rtb-payments' };
const PROD = { id: 'rtb-prod-id', name: 'rtb-prod' };
const DEV_A = { id: 'rtb-dev-a-id', name: 'rtb-dev-a' };
const VPC = { id: 'att-1', name: 'vpc-payments' };

const at = (route_table: { id: string; name: string | null }, attachment: { id: string; name: string | null } | null = VPC): PolicyTarget => ({ router: ROUTER, route_table, ...(attachment ? { attachment } : {}) });

let line = 1;
function rule(name: string, fields: Omit<PermissionRule, 'name' | 'line'>): PermissionRule {
  return { name, line: line++, ...fields };
}

function policyOf(...rules: PermissionRule[]): Policy {
  return { source: '/etc/er-policy.yaml', groupsClaim: 'groups', rules, invariants: [] };
}

const bot: CallerIdentity = { caller: 'token:payments-bot', tokenName: 'payments-bot', groups: [], local: false };
const alice: CallerIdentity = { caller: 'jwt:https://idp.example#alice', subject: 'alice', groups: ['netops', 'dev'], local: false };
const local: CallerIdentity = { caller: 'stdio:alice', groups: [], local: true };
const stranger: CallerIdentity = { caller: 'token:stranger', tokenName: 'stranger', groups: [], local: false };

describe('who a rule names', () => {
  it('a static token by its name, a JWT by subject or by any of its groups, the local user, anyone', () => {
    expect(callerMatches({ tokens: ['payments-bot'] }, bot)).toBe(true);
    expect(callerMatches({ tokens: ['payments-bot'] }, stranger)).toBe(false);
    expect(callerMatches({ subjects: ['alice'] }, alice)).toBe(true);
    expect(callerMatches({ subjects: ['bob'] }, alice)).toBe(false);
    expect(callerMatches({ groups: ['dev'] }, alice)).toBe(true);
    expect(callerMatches({ groups: ['prod-admins'] }, alice)).toBe(false);
    expect(callerMatches({ local: true }, local)).toBe(true);
    expect(callerMatches({ local: true }, bot)).toBe(false);
    expect(callerMatches({ anyone: true }, stranger)).toBe(true);
    expect(callerMatches({}, local)).toBe(false);
  });

  it('a token name does not match a subject of the same name, nor a subject a token', () => {
    const tokenAlice: CallerIdentity = { caller: 'token:alice', tokenName: 'alice', groups: [], local: false };
    expect(callerMatches({ subjects: ['alice'] }, tokenAlice)).toBe(false);
    expect(callerMatches({ tokens: ['alice'] }, alice)).toBe(false);
    // A token has no groups, whatever its name.
    expect(callerMatches({ groups: ['alice'] }, tokenAlice)).toBe(false);
  });
});

describe('what a reference names', () => {
  it('an ID exactly; a name exactly or, ending in *, by its start; an unknown name only by ID', () => {
    expect(refMatches({ id: 'rtb-prod-id' }, PROD)).toBe(true);
    expect(refMatches({ id: 'rtb-prod' }, PROD)).toBe(false);
    expect(refMatches({ name: 'rtb-prod' }, PROD)).toBe(true);
    expect(refMatches({ name: 'rtb-pro' }, PROD)).toBe(false);
    expect(refMatches({ name: 'rtb-dev*' }, DEV_A)).toBe(true);
    expect(refMatches({ name: 'rtb-dev*' }, PROD)).toBe(false);
    expect(refMatches({ name: '*' }, PROD)).toBe(true);
    expect(refMatches({ name: '*' }, { id: 'x', name: null })).toBe(false);
    expect(refMatches({ id: 'x' }, { id: 'x', name: null })).toBe(true);
  });
});

describe('decide', () => {
  const payments = rule('payments-bot', { callers: { tokens: ['payments-bot'] }, actions: ['associate', 'propagate'], route_tables: [{ name: 'rtb-payments' }] });
  const devs = rule('devs-anything-dev', { callers: { groups: ['dev'] }, actions: ['associate', 'disassociate', 'propagate', 'stop_propagating'], route_tables: [{ name: 'rtb-dev*' }] });
  const prod = rule('prod-two-people', { callers: { groups: ['netops'] }, actions: ['associate', 'disassociate'], route_tables: [{ id: 'rtb-prod-id' }], require_second_person: true });
  const policy = policyOf(payments, devs, prod);

  it('allows what a rule allows, naming the rule', () => {
    expect(decide(policy, bot, 'associate', at(PAYMENTS))).toEqual({ allowed: true, rule: { name: 'payments-bot', line: payments.line }, requireSecondPerson: false });
    expect(decide(policy, alice, 'stop_propagating', at(DEV_A))).toMatchObject({ allowed: true, rule: { name: 'devs-anything-dev' }, requireSecondPerson: false });
  });

  it('denies by default: a caller no rule names, and an action no rule gives', () => {
    const none = decide(policy, stranger, 'associate', at(PAYMENTS));
    expect(none).toMatchObject({ allowed: false, rule: null });
    if (!none.allowed) expect(none.reason).toContain('No rule of the policy (/etc/er-policy.yaml) names token:stranger');
    const action = decide(policy, bot, 'disassociate', at(PAYMENTS));
    expect(action).toMatchObject({ allowed: false, rule: { name: 'payments-bot' } });
    if (!action.allowed) expect(action.reason).toContain('rule payments-bot (line 1) allows only associate, propagate, not disassociate');
    expect(decide(policyOf(), local, 'associate', at(PAYMENTS)).allowed).toBe(false);
  });

  it('a refusal outside the rule’s tables says where the rule allows and where this change is', () => {
    const denied = decide(policy, bot, 'associate', at(PROD));
    expect(denied.allowed).toBe(false);
    if (denied.allowed) return;
    expect(denied.rule).toEqual({ name: 'payments-bot', line: payments.line });
    expect(denied.reason).toContain('allows token:payments-bot (token payments-bot) to associate in route table rtb-prod (rtb-prod-id)');
    expect(denied.reason).toContain('rule payments-bot (line 1) allows associate, propagate only in route table rtb-payments; this change is in route table rtb-prod (rtb-prod-id)');
  });

  it('every where-list given must match: routers, route tables and attachments', () => {
    const narrow = rule('narrow', { callers: { anyone: true }, actions: ['associate'], routers: [{ name: 'er-shanghai-*' }], route_tables: [{ id: 'rtb-pay-id' }], attachments: [{ name: 'vpc-pay*' }] });
    const p = policyOf(narrow);
    expect(decide(p, stranger, 'associate', at(PAYMENTS)).allowed).toBe(true);
    expect(decide(p, stranger, 'associate', { ...at(PAYMENTS), router: { id: 'er-2', name: 'er-beijing' } }).allowed).toBe(false);
    const web = decide(p, stranger, 'associate', at(PAYMENTS, { id: 'att-2', name: 'vpc-web' }));
    expect(web.allowed).toBe(false);
    if (!web.allowed) expect(web.reason).toContain('only in attachment vpc-pay*; this change is in attachment vpc-web (att-2)');
    // A blackhole static route has no attachment: outside a rule that lists attachments.
    const blackhole = decide(policyOf(rule('hops', { callers: { anyone: true }, actions: ['create_static_route'], attachments: [{ name: '*' }] })), stranger, 'create_static_route', at(PAYMENTS, null));
    expect(blackhole.allowed).toBe(false);
    if (!blackhole.allowed) expect(blackhole.reason).toContain('this change has no attachment');
    // Without where-lists a rule allows anywhere.
    expect(decide(policyOf(rule('anywhere', { callers: { anyone: true }, actions: ['create_static_route'] })), stranger, 'create_static_route', at(PROD, null)).allowed).toBe(true);
  });

  it('a resource whose name is unknown is matched by ID only, and the refusal says so', () => {
    const unnamed = { id: 'rtb-pay-id', name: null };
    const denied = decide(policy, bot, 'associate', at(unnamed));
    expect(denied.allowed).toBe(false);
    if (!denied.allowed) expect(denied.reason).toContain('its name is unknown, so only IDs can match it');
    expect(decide(policyOf(rule('by-id', { callers: { tokens: ['payments-bot'] }, actions: ['associate'], route_tables: [{ id: 'rtb-pay-id' }] })), bot, 'associate', at(unnamed)).allowed).toBe(true);
  });

  it('requires a second person when any rule that allows the change requires one, whatever the order, and names that rule', () => {
    const broad = rule('netops-anywhere', { callers: { groups: ['netops'] }, actions: ['associate', 'disassociate'] });
    for (const rules of [[broad, prod], [prod, broad]]) {
      expect(decide(policyOf(...rules), alice, 'associate', at(PROD))).toEqual({ allowed: true, rule: { name: 'prod-two-people', line: prod.line }, requireSecondPerson: true });
    }
    // Elsewhere only the broad rule allows: one person is enough.
    expect(decide(policyOf(broad, prod), alice, 'associate', at(PAYMENTS))).toMatchObject({ allowed: true, rule: { name: 'netops-anywhere' }, requireSecondPerson: false });
  });

  it('the closest rule is the one that allows the action, and the refusal explains each rule that names the caller', () => {
    const denied = decide(policy, alice, 'propagate', at(PROD));
    expect(denied.allowed).toBe(false);
    if (denied.allowed) return;
    expect(denied.rule?.name).toBe('devs-anything-dev');
    expect(denied.reason).toContain('rule devs-anything-dev');
    expect(denied.reason).toContain('rule prod-two-people');
    expect(denied.reason).toContain('allows only associate, disassociate, not propagate');
  });

  it('the local user is matched by a local rule, not by token or group rules', () => {
    const p = policyOf(payments, rule('me', { callers: { local: true }, actions: ['create_static_route'], route_tables: [{ name: 'rtb-dev*' }] }));
    expect(decide(p, local, 'create_static_route', at(DEV_A, null))).toMatchObject({ allowed: true, rule: { name: 'me' } });
    expect(decide(p, local, 'create_static_route', at(PROD, null)).allowed).toBe(false);
    expect(decide(p, local, 'associate', at(PAYMENTS)).allowed).toBe(false);
  });
});

describe('mayEverUse', () => {
  it('is true when some rule naming the caller allows the action anywhere, false otherwise', () => {
    const p = policyOf(rule('bot', { callers: { tokens: ['payments-bot'] }, actions: ['associate'], route_tables: [{ name: 'rtb-payments' }] }));
    expect(mayEverUse(p, bot, 'associate')).toBe(true);
    expect(mayEverUse(p, bot, 'disassociate')).toBe(false);
    expect(mayEverUse(p, stranger, 'associate')).toBe(false);
    expect(mayEverUse(policyOf(), local, 'associate')).toBe(false);
  });
});
