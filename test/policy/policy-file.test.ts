// The policy file: what loads into the model, and how each mistake is named (file:line:column,
// the rule or invariant, the field), and which files are refused before they are read.
import { mkdirSync, symlinkSync, chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../src/policy/model.js';
import { loadPolicyFile, MAX_POLICY_BYTES, MAX_POLICY_ERRORS, parsePolicy, PolicyFileError } from '../../src/policy/policy-file.js';
import { readYaml } from '../../src/policy/yaml-source.js';
import { tempDir } from '../helpers.js';
import { EXAMPLE_JSON, EXAMPLE_YAML, policyFile } from './policy-files.js';

/** The complaints about a file, or a failure if it loads. */
function errorsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof PolicyFileError) return error.errors;
    throw error;
  }
  throw new Error('the policy loaded');
}

const json = (value: unknown) => JSON.stringify(value, null, 2);
const rule = (fields: Record<string, unknown>) => ({ name: 'r', callers: { anyone: true }, allow: ['associate'], ...fields });

/** The model without where it came from: the same policy written in two notations. */
const withoutOrigin = (policy: Policy) => ({
  groupsClaim: policy.groupsClaim,
  rules: policy.rules.map(({ line: _line, ...rest }) => rest),
  invariants: policy.invariants.map(({ line: _line, ...rest }) => rest),
});

const EXAMPLE_MODEL = {
  groupsClaim: 'roles',
  rules: [
    { name: 'payments-bot', callers: { tokens: ['payments-bot'] }, actions: ['associate', 'propagate'], route_tables: [{ name: 'rtb-payments' }] },
    {
      name: 'alice-dev-tables',
      callers: { subjects: ['alice@example.com'] },
      actions: ['associate', 'disassociate', 'propagate', 'stop_propagating', 'create_static_route', 'delete_static_route'],
      route_tables: [{ name: 'rtb-dev*' }],
    },
    {
      name: 'netops-prod',
      callers: { groups: ['netops'] },
      actions: ['associate', 'disassociate', 'propagate', 'stop_propagating', 'create_static_route', 'delete_static_route'],
      routers: [{ name: 'er-shanghai-core' }],
      route_tables: [{ name: 'rtb-prod' }, { id: 'b1b2c3d4-0000-4000-8000-000000000011' }],
      require_second_person: true,
    },
    { name: 'local-lab-routes', callers: { local: true }, actions: ['create_static_route', 'delete_static_route'], routers: [{ id: 'a1b2c3d4-0000-4000-8000-000000000002' }] },
  ],
  invariants: [
    { name: 'dev-never-reaches-prod', kind: 'no_reach', from: { associated_with: [{ name: 'rtb-dev*' }] }, prefix: '10.0.0.0/16' },
    { name: 'prod-default-via-firewall', kind: 'routes_to', router: { name: 'er-shanghai-core' }, route_table: { name: 'rtb-prod' }, prefix: '0.0.0.0/0', attachment: { name: 'vpc-firewall' } },
    { name: 'analytics-stays-blackholed', kind: 'blackholed', router: { name: 'er-shanghai-core' }, route_table: { name: 'rtb-prod' }, prefix: '10.30.0.0/16' },
  ],
};

describe('a valid policy file', () => {
  it('JSON loads into the model, each rule and invariant with the line it starts on', () => {
    const path = policyFile(EXAMPLE_JSON);
    const policy = loadPolicyFile(path);
    expect(policy.source).toBe(path);
    expect(withoutOrigin(policy)).toEqual(EXAMPLE_MODEL);
    expect(policy.rules.map((r) => r.line)).toEqual([5, 11, 17, 25]);
    expect(policy.invariants.map((i) => i.line)).toEqual([33, 39, 47]);
  });

  it('YAML loads into the same model as JSON, with its own lines', () => {
    const policy = loadPolicyFile(policyFile(EXAMPLE_YAML, 'policy.yaml'));
    expect(withoutOrigin(policy)).toEqual(EXAMPLE_MODEL);
    expect(policy.rules.map((r) => r.line)).toEqual([9, 15, 21, 29]);
    expect(policy.invariants.map((i) => i.line)).toEqual([36, 42, 50]);
  });

  it('the README example is the YAML fixture, word for word', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Policy'));
    const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(EXAMPLE_YAML);
  });

  it('the README\'s example of complaints is what the example with two mistakes gets', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Policy'));
    const shown = /```\nhuaweicloud-er-mcp: the policy file policy\.yaml[^\n]*\n([\s\S]*?)```/.exec(section)?.[1];
    const broken = EXAMPLE_YAML.replace('allow: [associate, propagate]', 'allow: [associate, assosiate]').replace('prefix: 10.0.0.0/16', 'prefix: 10.0.0.1/16');
    expect(shown?.split('\n').filter(Boolean).map((line) => line.trim())).toEqual(errorsOf(() => parsePolicy(broken, 'policy.yaml')));
  });

  it('defaults: groups claim "groups", no rules, no invariants', () => {
    expect(withoutOrigin(parsePolicy('{"version": 1}', 'p.json'))).toEqual({ groupsClaim: 'groups', rules: [], invariants: [] });
  });

  it('writes prefixes as their network (IPv6 in RFC 5952 text), and "any" as every action', () => {
    const policy = parsePolicy(
      json({ version: 1, rules: [rule({ allow: ['propagate', 'any'] })], invariants: [{ name: 'v6', kind: 'blackholed', route_table: 'rtb-prod', prefix: '2001:DB8:0::/32' }] }),
      'p.json',
    );
    expect(policy.rules[0]!.actions).toHaveLength(6);
    expect(policy.invariants[0]).toMatchObject({ prefix: '2001:db8::/32' });
  });

  it('a name may be written { name: … }, and an ID-shaped name only so', () => {
    const policy = parsePolicy(json({ version: 1, rules: [rule({ attachments: [{ name: 'vpc-*' }, { name: 'b1b2c3d4-0000-4000-8000-000000000011' }] })] }), 'p.json');
    expect(policy.rules[0]!.attachments).toEqual([{ name: 'vpc-*' }, { name: 'b1b2c3d4-0000-4000-8000-000000000011' }]);
  });
});

/** `line:column` of the `nth` occurrence of `needle` in `text`, to say where a complaint must point. */
function at(text: string, needle: string, nth = 1): string {
  let offset = -1;
  for (let i = 0; i < nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset === -1) throw new Error(`${needle} (#${nth}) is not in the text`);
  }
  const before = text.slice(0, offset);
  return `${before.split('\n').length}:${offset - before.lastIndexOf('\n')}`;
}

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const errorsOfYaml = (text: string) => errorsOf(() => parsePolicy(text, 'policy.yaml'));

describe('every mistake names the file, line and column, the rule or invariant, and the field', () => {
  it('an action that does not exist (the message lists the actions), in YAML and in JSON', () => {
    const yaml = lines('version: 1', 'rules:', '  - name: payments-bot', '    callers: { tokens: [payments-bot] }', '    allow: [associate, assosiate]');
    const message = 'rule "payments-bot": allow: "assosiate" is not an action (associate, disassociate, propagate, stop_propagating, create_static_route, delete_static_route, any)';
    expect(at(yaml, 'assosiate')).toBe('5:24');
    expect(errorsOfYaml(yaml)).toEqual([`policy.yaml:5:24: ${message}`]);
    const text = json({ version: 1, rules: [{ name: 'payments-bot', callers: { tokens: ['payments-bot'] }, allow: ['associate', 'assosiate'] }] });
    expect(errorsOf(() => parsePolicy(text, 'policy.json'))).toEqual([`policy.json:${at(text, '"assosiate"')}: ${message}`]);
  });

  it('an unknown key, at the key, with the keys allowed there', () => {
    expect(errorsOfYaml(lines('version: 1', 'rulez: []'))).toEqual(['policy.yaml:2:1: the policy: unknown key "rulez": a policy has version, identity, rules, invariants']);
    const rule = lines('version: 1', 'rules:', '  - name: bot', '    callers: { token: [x] }', '    allow: [associate]', '    alow: [associate]');
    expect(errorsOfYaml(rule)).toEqual([
      `policy.yaml:${at(rule, 'token:')}: rule "bot": callers: unknown key "token": the keys here are tokens, subjects, groups, local, anyone`,
      `policy.yaml:${at(rule, 'alow')}: rule "bot": unknown key "alow": a rule has name, callers, allow, routers, route_tables, attachments, require_second_person`,
    ]);
  });

  it('a wrong or missing version', () => {
    expect(errorsOfYaml(lines('version: 2'))).toEqual(['policy.yaml:1:10: version: must be 1, the only version of this format (got 2)']);
    expect(errorsOfYaml(lines('rules: []'))).toEqual(['policy.yaml:1:1: version: missing: the file starts with version: 1']);
  });

  it('a rule without a name is named by its place; a missing field points at the rule', () => {
    const text = lines('version: 1', 'rules:', '  - name: first', '    callers: { anyone: true }', '    allow: [any]', '  - callers: { anyone: true }');
    expect(errorsOfYaml(text)).toEqual([
      `policy.yaml:${at(text, 'callers', 2)}: rule #2: name: missing: the rule's name, e.g. name: payments-bot`,
      `policy.yaml:${at(text, 'callers', 2)}: rule #2: allow: missing: list actions (associate, disassociate, propagate, stop_propagating, create_static_route, delete_static_route, any)`,
    ]);
  });

  it('two rules (or two invariants) with one name', () => {
    const text = lines(
      'version: 1',
      'rules:',
      '  - { name: bot, callers: { anyone: true }, allow: [associate] }',
      '  - { name: bot, callers: { anyone: true }, allow: [propagate] }',
      'invariants:',
      '  - { name: dark, kind: blackholed, route_table: rtb-prod, prefix: 10.30.0.0/16 }',
      '  - { name: dark, kind: blackholed, route_table: rtb-dev, prefix: 10.30.0.0/16 }',
    );
    expect(errorsOfYaml(text)).toEqual([
      `policy.yaml:${at(text, 'bot', 2)}: rule "bot": name: the rule at line 3 has this name too: each rule needs a name of its own, for the messages that name it`,
      `policy.yaml:${at(text, 'dark', 2)}: invariant "dark": name: the invariant at line 6 has this name too: each invariant needs a name of its own, for the messages that name it`,
    ]);
  });

  it('callers that name nobody, an empty list, local: false', () => {
    const text = lines(
      'version: 1',
      'rules:',
      '  - { name: nobody, callers: {}, allow: [associate] }',
      '  - { name: empty, callers: { tokens: [] }, allow: [associate] }',
      '  - { name: not-local, callers: { local: false }, allow: [associate] }',
    );
    expect(errorsOfYaml(text)).toEqual([
      `policy.yaml:${at(text, '{}')}: rule "nobody": callers: names nobody: give tokens, subjects, groups, local: true or anyone: true`,
      `policy.yaml:${at(text, '[]')}: rule "empty": callers.tokens: empty list: leave the key out, or list token names`,
      `policy.yaml:${at(text, 'false')}: rule "not-local": callers.local: must be true (the local user: stdio, or loopback HTTP without authentication), or leave it out (got false)`,
    ]);
  });

  it('routers, route tables and attachments: an ID written as a name, a bad ID, a "*" inside a name, something else', () => {
    const text = lines(
      'version: 1',
      'rules:',
      '  - name: bot',
      '    callers: { anyone: true }',
      '    allow: [associate]',
      '    route_tables:',
      '      - b1b2c3d4-0000-4000-8000-000000000011',
      '      - { id: not an id }',
      '      - rtb-*-dev',
      '      - { table: x }',
    );
    expect(errorsOfYaml(text)).toEqual([
      `policy.yaml:7:9: rule "bot": route_tables: "b1b2c3d4-0000-4000-8000-000000000011" looks like an ID: write { id: b1b2c3d4-0000-4000-8000-000000000011 } (or { name: b1b2c3d4-0000-4000-8000-000000000011 } if it is a name)`,
      `policy.yaml:${at(text, 'not an id')}: rule "bot": route_tables[1].id: must be a route table ID of 1-36 letters, digits, "_" or "-" (got "not an id")`,
      `policy.yaml:9:9: rule "bot": route_tables: "rtb-*-dev": "*" may only end a name (rtb-dev* is every name that starts with rtb-dev)`,
      `policy.yaml:10:9: rule "bot": route_tables[3]: must be a route table name (rtb-prod, rtb-dev*), { name: … } or { id: … } (got a mapping)`,
    ]);
  });

  it('invariants: an unknown kind, a key of another kind, a prefix with host bits or no length, an empty from, a missing field', () => {
    const text = lines(
      'version: 1',
      'invariants:',
      '  - name: a',
      '    kind: noreach',
      '  - name: b',
      '    kind: blackholed',
      '    route_table: rtb-prod',
      '    prefix: 10.30.0.1/16',
      '    attachment: x',
      '  - name: c',
      '    kind: no_reach',
      '    from: {}',
      '    prefix: 10.0.0.0',
      '  - name: d',
      '    kind: routes_to',
      '    route_table: rtb-prod',
      '    prefix: default',
    );
    expect(errorsOfYaml(text)).toEqual([
      'policy.yaml:4:11: invariant "a": kind: "noreach" is not an invariant kind (no_reach, routes_to, blackholed)',
      'policy.yaml:8:13: invariant "b": prefix: "10.30.0.1/16" is not a network address: did you mean 10.30.0.0/16?',
      'policy.yaml:9:5: invariant "b": unknown key "attachment": a blackholed invariant has name, kind, router, route_table, prefix',
      'policy.yaml:12:11: invariant "c": from: names no attachments: give associated_with, attachments, or both',
      'policy.yaml:13:13: invariant "c": prefix: "10.0.0.0" needs its length: 10.0.0.0/32 for this address alone, or the network, e.g. 10.0.0.0/16',
      'policy.yaml:14:5: invariant "d": attachment: missing: the attachment, by name (vpc-firewall, vpc-*) or { id: … }',
      'policy.yaml:17:13: invariant "d": prefix: "default" is not an IPv4 or IPv6 prefix (such as 10.0.0.0/16 or 2001:db8::/32)',
    ]);
  });

  it('all mistakes at once, in file order, at most 20 and a count of the rest', () => {
    const text = lines('version: 1', 'rules:', ...Array.from({ length: 25 }, (_, i) => `  - { name: r${i}, callers: { anyone: true }, allow: [nothing] }`));
    const errors = errorsOfYaml(text);
    expect(errors).toHaveLength(MAX_POLICY_ERRORS + 1);
    expect(errors.slice(0, MAX_POLICY_ERRORS)).toEqual(
      Array.from({ length: MAX_POLICY_ERRORS }, (_, i) => `policy.yaml:${at(text, 'nothing', i + 1)}: rule "r${i}": allow: "nothing" is not an action (associate, disassociate, propagate, stop_propagating, create_static_route, delete_static_route, any)`),
    );
    expect(errors[MAX_POLICY_ERRORS]).toBe('… and 5 more problems');
  });

  it('a JSON syntax error and a key given twice, at their place', () => {
    expect(errorsOf(() => parsePolicy('{\n  "version": 1,\n  "rules": [}\n', 'p.json'))[0]).toMatch(/^p\.json:3:\d+: YAML: /);
    expect(errorsOf(() => parsePolicy('{\n  "version": 1,\n  "version": 1\n}\n', 'p.json'))).toEqual(['p.json:3:3: YAML: Map keys must be unique']);
  });

  it('an empty file, and one that is not a mapping', () => {
    expect(errorsOf(() => parsePolicy('', 'p.yaml'))).toEqual(['p.yaml: the file is empty: a policy starts with version: 1 (README: Policy)']);
    expect(errorsOf(() => parsePolicy('# only a comment\n', 'p.yaml'))).toEqual(['p.yaml: the file is empty: a policy starts with version: 1 (README: Policy)']);
    expect(errorsOf(() => parsePolicy('[1]', 'p.json'))).toEqual(['p.json:1:1: the policy: must be a mapping with version, identity, rules and invariants (got a list)']);
  });
});

describe('YAML mistakes', () => {
  const yamlErrors = (text: string) => errorsOf(() => parsePolicy(text, 'policy.yaml'));

  it('name the line and rule as in JSON', () => {
    expect(yamlErrors('version: 1\nrules:\n  - name: payments-bot\n    callers: { tokens: [payments-bot] }\n    allow: [associate, assosiate]\n')).toEqual([
      'policy.yaml:5:24: rule "payments-bot": allow: "assosiate" is not an action (associate, disassociate, propagate, stop_propagating, create_static_route, delete_static_route, any)',
    ]);
  });

  it('a syntax error, a key twice, two documents', () => {
    expect(yamlErrors('version: 1\nrules: [\n')[0]).toMatch(/^policy\.yaml:\d+:\d+: YAML: /);
    expect(yamlErrors('version: 1\nversion: 1\n')).toEqual(['policy.yaml:2:1: YAML: Map keys must be unique']);
    expect(yamlErrors('version: 1\n---\nversion: 1\n')).toEqual([
      'policy.yaml:2:1: YAML: a policy file holds one document: remove the second "---" and what follows, or merge the two',
    ]);
  });

  it('an empty value is not an empty list', () => {
    expect(yamlErrors('version: 1\nrules:\n')).toEqual(['policy.yaml:2:7: rules: empty: write rules: [] for no rules']);
  });

  it('nested aliases are not expanded without bound', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    expect(yamlErrors(`${lines.join('\n')}\n`)[0]).toMatch(/^policy\.yaml:\d+:\d+: YAML: more than 100000 values/);
  });
});

describe('files refused before they are read', () => {
  it('a symbolic link, even to a good file', () => {
    const target = policyFile(EXAMPLE_JSON);
    const link = join(tempDir('er-mcp-policy-link'), 'policy.json');
    symlinkSync(target, link);
    expect(errorsOf(() => loadPolicyFile(link))).toEqual([`The policy file ${link} is a symbolic link: give the real file's path.`]);
  });

  it.each([
    [0o664, '664'],
    [0o646, '646'],
    [0o666, '666'],
  ])('writable by group or others (mode %s)', (mode, text) => {
    const path = policyFile(EXAMPLE_JSON);
    chmodSync(path, mode);
    expect(errorsOf(() => loadPolicyFile(path))).toEqual([
      `The policy file ${path} is writable by group or others, and whoever can change it decides who may change the routing (mode ${text}): run chmod go-w ${path}.`,
    ]);
    chmodSync(path, 0o644);
    expect(loadPolicyFile(path).rules).toHaveLength(4);
  });

  it('a directory, and a path that does not exist', () => {
    const dir = join(tempDir('er-mcp-policy-dir'), 'policy.json');
    mkdirSync(dir);
    expect(errorsOf(() => loadPolicyFile(dir))).toEqual([`The policy file ${dir} is a directory, not a regular file: give the file itself.`]);
    const missing = join(tempDir('er-mcp-policy-none'), 'policy.json');
    expect(errorsOf(() => loadPolicyFile(missing))).toEqual([`The policy file ${missing} does not exist: check the path given to --policy or HUAWEICLOUD_ER_MCP_POLICY.`]);
    const dangling = join(tempDir('er-mcp-policy-dangling'), 'policy.json');
    symlinkSync(missing, dangling);
    expect(errorsOf(() => loadPolicyFile(dangling))).toEqual([`The policy file ${dangling} is a symbolic link: give the real file's path.`]);
  });

  it('a file over 1 MiB', () => {
    const path = policyFile('');
    writeFileSync(path, `{"version": 1}${' '.repeat(MAX_POLICY_BYTES)}`);
    expect(errorsOf(() => loadPolicyFile(path))).toEqual([`The policy file ${path} is larger than ${MAX_POLICY_BYTES} bytes (${MAX_POLICY_BYTES + 14}): is it the right file?`]);
  });
});

describe('the reader', () => {
  it('keeps __proto__ an ordinary key, refused as unknown', () => {
    expect(errorsOf(() => parsePolicy('{"version": 1, "__proto__": {"polluted": true}}', 'p.json'))).toEqual([
      'p.json:1:16: the policy: unknown key "__proto__": a policy has version, identity, rules, invariants',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['brackets', '['.repeat(200_000)],
    ['block lists', `${'- '.repeat(200_000)}x\n`],
    ['explicit keys', `${'? '.repeat(200_000)}x\n`],
    ['indentation', `${Array.from({ length: 1_000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} 1\n`],
  ])('refuses %s nested deeper than any policy, before the parser could exhaust the stack', (_, text) => {
    const result = readYaml(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([{ at: expect.any(Object), message: 'YAML: nested deeper than any policy (more than 64 levels, or indented past column 256)' }]);
  });
});
