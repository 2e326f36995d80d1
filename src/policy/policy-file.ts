// Reads a policy file (--policy) into the model of model.ts, or says everything that is wrong
// with it: each complaint names the file, the line and column, the rule or invariant, and the
// field. The file must be the file itself (no link), a regular file, and writable by its owner
// alone: whoever can change it decides who may change the routing.
import { lstatSync } from 'node:fs';
import { z } from 'zod';
import { format, parsePrefix } from '../er/cidr.js';
import { ID_PATTERN } from '../er/ids.js';
import { PrivateFileError, readPrivateFile } from '../transports/http/private-file.js';
import { type Invariant, type PermissionRule, type Policy, POLICY_ACTIONS, type PolicyAction, type ResourceRef } from './model.js';
import { keyPosition, nodeAt, type Position, type SourceNode, toPlain } from './source-tree.js';
import { readYaml } from './yaml-source.js';

/** Far above any policy a team writes; the file is never read past it. */
export const MAX_POLICY_BYTES = 1024 * 1024;
/** Complaints shown at once: past this, the rest are counted. */
export const MAX_POLICY_ERRORS = 20;
export const DEFAULT_GROUPS_CLAIM = 'groups';

export class PolicyFileError extends Error {
  override name = 'PolicyFileError';
  constructor(readonly errors: string[]) {
    super(errors.join('\n'));
  }
}

/** The policy in the file at `path`; throws PolicyFileError with every complaint (at most MAX_POLICY_ERRORS and a count). */
export function loadPolicyFile(path: string): Policy {
  if (missing(path)) {
    throw new PolicyFileError([`The policy file ${path} does not exist: check the path given to --policy or HUAWEICLOUD_ER_MCP_POLICY.`]);
  }
  let text: string;
  try {
    text = readPrivateFile(path, `The policy file ${path}`, MAX_POLICY_BYTES, {
      forbidden: 0o022,
      problem: 'writable by group or others, and whoever can change it decides who may change the routing',
      fix: `run chmod go-w ${path}`,
    });
  } catch (error) {
    if (error instanceof PrivateFileError) throw new PolicyFileError([error.message]);
    throw error;
  }
  return parsePolicy(text, path);
}

/** Nothing at all at the path (a dangling link is something: it is refused as a link). */
function missing(path: string): boolean {
  try {
    lstatSync(path);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** The policy in `text` (YAML, or JSON, which is YAML too), read from `source` (named in every complaint). */
export function parsePolicy(text: string, source: string): Policy {
  const complaint = (at: Position | null, message: string) => (at ? `${source}:${at.line}:${at.column}: ${message}` : `${source}: ${message}`);
  const parsed = readYaml(text);
  if (!parsed.ok) throw new PolicyFileError(capped(parsed.problems.map((p) => ({ at: p.at, text: complaint(p.at, p.message) }))));
  const { policy, problems } = checkPolicy(parsed.root, source);
  if (problems.length > 0 || !policy) throw new PolicyFileError(capped(problems.map((p) => ({ at: p.at, text: complaint(p.at, p.message) }))));
  return policy;
}

function capped(items: Array<{ at: Position | null; text: string }>): string[] {
  const sorted = [...items].sort((a, b) => (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.column ?? 0) - (b.at?.column ?? 0));
  const texts = [...new Set(sorted.map((item) => item.text))];
  if (texts.length <= MAX_POLICY_ERRORS) return texts;
  return [...texts.slice(0, MAX_POLICY_ERRORS), `… and ${texts.length - MAX_POLICY_ERRORS} more problems`];
}

// ---- The schema ----------------------------------------------------------------------------

const TOP_KEYS = ['version', 'identity', 'rules', 'invariants'];
const RULE_KEYS = ['name', 'callers', 'allow', 'routers', 'route_tables', 'attachments', 'require_second_person'];
const CALLER_KEYS = ['tokens', 'subjects', 'groups', 'local', 'anyone'];
const INVARIANT_KINDS = ['no_reach', 'routes_to', 'blackholed'] as const;
const INVARIANT_KEYS: Record<(typeof INVARIANT_KINDS)[number], string[]> = {
  no_reach: ['name', 'kind', 'router', 'from', 'prefix'],
  routes_to: ['name', 'kind', 'router', 'route_table', 'prefix', 'attachment'],
  blackholed: ['name', 'kind', 'router', 'route_table', 'prefix'],
};
const ACTION_WORDS = [...POLICY_ACTIONS, 'any'];

/** The message of an unrecognized_keys issue lists the keys allowed; the check adds each unknown key. */
const mapping = <T extends z.core.$ZodLooseShape>(shape: T, keys: string[], what: string, has = 'the keys here are') =>
  z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `${has} ${keys.join(', ')}` : issue.input === undefined ? `missing: ${what}` : `must be ${what}${got(issue.input)}`,
  });

/** What was written instead, for a message; lists and mappings are named, not quoted. */
function got(input: unknown): string {
  if (input === undefined) return '';
  if (input === null) return ' (got nothing)';
  if (Array.isArray(input)) return ' (got a list)';
  if (typeof input === 'object') return ' (got a mapping)';
  return ` (got ${JSON.stringify(input)})`;
}

const text = (what: string, max = 200) =>
  z.unknown().transform((input, ctx) => {
    if (typeof input !== 'string' || input.trim() === '' || input.length > max || /[\u0000-\u001f\u007f]/.test(input)) {
      ctx.addIssue({ code: 'custom', input, message: input === undefined ? `missing: ${what}` : `must be ${what}: text of 1 to ${max} characters${got(input)}` });
      return z.NEVER;
    }
    return input.trim();
  });

const nonEmptyList = <T extends z.ZodType>(item: T, what: string) =>
  z
    .array(item, {
      error: (issue) =>
        issue.input === undefined ? `missing: list ${what}` : issue.input === null ? `empty: leave the key out, or list ${what}` : `must be a list of ${what}, e.g. [a, b]${got(issue.input)}`,
    })
    .min(1, { error: `empty list: leave the key out, or list ${what}` });

const onlyTrue = (what: string) => z.literal(true, { error: (issue) => `must be true (${what}), or leave it out${got(issue.input)}` });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const EXAMPLES: Record<string, string> = { router: 'er-core, er-*', 'route table': 'rtb-prod, rtb-dev*', attachment: 'vpc-firewall, vpc-*' };

/**
 * A router, route table or attachment: plain text is a name (ending in `*` for every name with
 * that start), `{ name: … }` the same, `{ id: … }` an ID. Plain text shaped like a UUID is refused:
 * taken as a name it would match nothing, and a rule or invariant would silently not apply.
 */
const resourceRef = (kind: string) =>
  z.unknown().transform((input, ctx): ResourceRef => {
    const fail = (message: string, path: PropertyKey[] = []) => {
      ctx.addIssue({ code: 'custom', input, message, path });
      return z.NEVER;
    };
    const checkName = (name: unknown, path: PropertyKey[] = []): ResourceRef => {
      if (typeof name !== 'string' || name.trim() === '' || name.length > 255 || /[\u0000-\u001f\u007f]/.test(name)) {
        return fail(`must be ${article(kind)} ${kind} name, or { id: … }${got(name)}`, path);
      }
      const trimmed = name.trim();
      const star = trimmed.indexOf('*');
      if (star !== -1 && star !== trimmed.length - 1) {
        return fail(`${JSON.stringify(name)}: "*" may only end a name (rtb-dev* is every name that starts with rtb-dev)`, path);
      }
      return { name: trimmed };
    };
    if (input === undefined) return fail(`missing: the ${kind}, by name (${EXAMPLES[kind]}) or { id: … }`);
    if (typeof input === 'string') {
      if (UUID.test(input.trim())) return fail(`${JSON.stringify(input)} looks like an ID: write { id: ${input.trim()} } (or { name: ${input.trim()} } if it is a name)`);
      return checkName(input);
    }
    if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
      const keys = Object.keys(input);
      const record = input as Record<string, unknown>;
      if (keys.length === 1 && keys[0] === 'id') {
        const id = record.id;
        if (typeof id !== 'string' || !ID_PATTERN.test(id)) return fail(`must be ${article(kind)} ${kind} ID of 1-36 letters, digits, "_" or "-"${got(id)}`, ['id']);
        return { id };
      }
      if (keys.length === 1 && keys[0] === 'name') return checkName(record.name, ['name']);
    }
    return fail(`must be ${article(kind)} ${kind} name (${EXAMPLES[kind]}), { name: … } or { id: … }${got(input)}`);
  });

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');

const refList = (kind: string) => nonEmptyList(resourceRef(kind), `${kind}s by name or { id: … }`);

const prefix = z.unknown().transform((input, ctx) => {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', input, message });
    return z.NEVER;
  };
  if (input === undefined) return fail('missing: the IPv4 or IPv6 prefix, e.g. 10.0.0.0/16');
  if (typeof input !== 'string') return fail(`must be an IPv4 or IPv6 prefix such as 10.0.0.0/16${got(input)}`);
  const written = input.trim();
  const [address = '', length] = written.split('/');
  const parsed = parsePrefix(written);
  if (!parsed) return fail(`${JSON.stringify(input)} is not an IPv4 or IPv6 prefix (such as 10.0.0.0/16 or 2001:db8::/32)`);
  if (length === undefined) return fail(`${JSON.stringify(input)} needs its length: ${format(parsed)} for this address alone, or the network, e.g. 10.0.0.0/16`);
  // Host bits set (10.0.0.1/16) are more likely a typo than a way to write 10.0.0.0/16.
  if (parsePrefix(address)!.network !== parsed.network) return fail(`${JSON.stringify(input)} is not a network address: did you mean ${format(parsed)}?`);
  return format(parsed);
});

const action = z.enum(ACTION_WORDS as [string, ...string[]], {
  error: (issue) =>
    typeof issue.input === 'string' ? `${JSON.stringify(issue.input)} is not an action (${ACTION_WORDS.join(', ')})` : `each entry must be an action (${ACTION_WORDS.join(', ')})${got(issue.input)}`,
});

const callersSchema = mapping(
  {
    tokens: nonEmptyList(text('a token name (--http-tokens)', 64), 'token names').optional(),
    subjects: nonEmptyList(text('a JWT subject (sub claim)'), 'JWT subjects').optional(),
    groups: nonEmptyList(text('a group (a value of the groups claim)'), 'groups').optional(),
    local: onlyTrue('the local user: stdio, or loopback HTTP without authentication').optional(),
    anyone: onlyTrue('every caller').optional(),
  },
  CALLER_KEYS,
  'who the rule is for, e.g. callers: { tokens: [payments-bot] }, { groups: [netops] }, { local: true } or { anyone: true }',
).refine((callers) => Object.keys(callers).length > 0, {
  message: 'names nobody: give tokens, subjects, groups, local: true or anyone: true',
  // After an unknown key (`token:`), that key is the mistake to name, not the emptiness it leaves.
  when: (payload) => payload.issues.length === 0,
});

const ruleSchema = mapping(
  {
    name: text('the rule\'s name, e.g. name: payments-bot', 100),
    callers: callersSchema,
    allow: nonEmptyList(action, `actions (${ACTION_WORDS.join(', ')})`),
    routers: refList('router').optional(),
    route_tables: refList('route table').optional(),
    attachments: refList('attachment').optional(),
    require_second_person: onlyTrue('a second person approves what this rule allows').optional(),
  },
  RULE_KEYS,
  'a rule: a mapping with name, callers and allow',
  'a rule has',
);

const from = mapping(
  {
    associated_with: refList('route table').optional(),
    attachments: refList('attachment').optional(),
  },
  ['associated_with', 'attachments'],
  'the attachments it is about, e.g. from: { associated_with: [rtb-dev*] }',
).refine((set) => set.associated_with !== undefined || set.attachments !== undefined, {
  message: 'names no attachments: give associated_with, attachments, or both',
  when: (payload) => payload.issues.length === 0,
});

const invariantName = text('the invariant\'s name, e.g. name: dev-never-reaches-prod', 100);
const kindSchema = z.enum(INVARIANT_KINDS, {
  error: (issue) => (issue.input === undefined ? `missing: one of ${INVARIANT_KINDS.join(', ')}` : `${JSON.stringify(issue.input)} is not an invariant kind (${INVARIANT_KINDS.join(', ')})`),
});
const invariantSchemas = {
  // `router`: the one router the invariant is about; without it, it applies on every router and must find what it names on each.
  no_reach: mapping({ name: invariantName, kind: z.literal('no_reach'), router: resourceRef('router').optional(), from, prefix }, INVARIANT_KEYS.no_reach, 'an invariant', 'a no_reach invariant has'),
  routes_to: mapping(
    { name: invariantName, kind: z.literal('routes_to'), router: resourceRef('router').optional(), route_table: resourceRef('route table'), prefix, attachment: resourceRef('attachment') },
    INVARIANT_KEYS.routes_to,
    'an invariant',
    'a routes_to invariant has',
  ),
  blackholed: mapping(
    { name: invariantName, kind: z.literal('blackholed'), router: resourceRef('router').optional(), route_table: resourceRef('route table'), prefix },
    INVARIANT_KEYS.blackholed,
    'an invariant',
    'a blackholed invariant has',
  ),
};
const invariantHead = mapping({ kind: kindSchema }, [], 'an invariant: a mapping with name, kind and the fields of its kind').loose();

const topSchema = mapping(
  {
    version: z.literal(1, { error: (issue) => (issue.input === undefined ? 'missing: the file starts with version: 1' : `must be 1, the only version of this format${got(issue.input)}`) }),
    identity: mapping({ groups_claim: text('the JWT claim that holds a caller\'s groups or roles, e.g. groups_claim: roles', 100).optional() }, ['groups_claim'], 'a mapping, e.g. identity: { groups_claim: roles }').optional(),
    rules: z.array(z.unknown(), { error: (issue) => (issue.input === null ? 'empty: write rules: [] for no rules' : `must be a list of rules${got(issue.input)}`) }).optional(),
    invariants: z.array(z.unknown(), { error: (issue) => (issue.input === null ? 'empty: write invariants: [] for none' : `must be a list of invariants${got(issue.input)}`) }).optional(),
  },
  TOP_KEYS,
  'a mapping with version, identity, rules and invariants',
  'a policy has',
);

// ---- Checking a tree against it ------------------------------------------------------------

interface Problem {
  at: Position | null;
  message: string;
}

function checkPolicy(root: SourceNode, source: string): { policy?: Policy; problems: Problem[] } {
  const problems: Problem[] = [];
  const plain = toPlain(root);
  if (root.kind === 'scalar' && root.value === null) {
    return { problems: [{ at: null, message: 'the file is empty: a policy starts with version: 1 (README: Policy)' }] };
  }
  const top = topSchema.safeParse(plain);
  if (!top.success) report(top.error.issues, [], '', root, problems);

  const record = (plain !== null && typeof plain === 'object' && !Array.isArray(plain) ? plain : {}) as Record<string, unknown>;
  const rules: PermissionRule[] = [];
  const ruleList = Array.isArray(record.rules) ? record.rules : [];
  ruleList.forEach((item, i) => {
    const path = ['rules', i];
    const label = labelOf('rule', item, i);
    const parsed = ruleSchema.safeParse(item);
    if (!parsed.success) return report(parsed.error.issues, path, label, root, problems);
    const { name, callers, allow, routers, route_tables, attachments, require_second_person } = parsed.data;
    const actions: PolicyAction[] = allow.includes('any') ? [...POLICY_ACTIONS] : POLICY_ACTIONS.filter((a) => allow.includes(a));
    rules.push({
      name,
      line: nodeAt(root, path).node.at.line,
      callers,
      actions,
      ...(routers && { routers }),
      ...(route_tables && { route_tables }),
      ...(attachments && { attachments }),
      ...(require_second_person && { require_second_person }),
    });
  });
  uniqueNames('rule', ruleList, 'rules', root, problems);

  const invariants: Invariant[] = [];
  const invariantList = Array.isArray(record.invariants) ? record.invariants : [];
  invariantList.forEach((item, i) => {
    const path = ['invariants', i];
    const label = labelOf('invariant', item, i);
    const head = invariantHead.safeParse(item);
    if (!head.success) return report(head.error.issues, path, label, root, problems);
    const parsed = invariantSchemas[head.data.kind].safeParse(item);
    if (!parsed.success) return report(parsed.error.issues, path, label, root, problems);
    invariants.push({ ...parsed.data, line: nodeAt(root, path).node.at.line } as Invariant);
  });
  uniqueNames('invariant', invariantList, 'invariants', root, problems);

  if (problems.length > 0 || !top.success) return { problems };
  const groupsClaim = top.data.identity?.groups_claim ?? DEFAULT_GROUPS_CLAIM;
  return { policy: { source, groupsClaim, rules, invariants }, problems };
}

/** `rule "payments-bot"`, or `rule #3` while it has no usable name. */
function labelOf(what: string, item: unknown, index: number): string {
  const name = item !== null && typeof item === 'object' ? (item as Record<string, unknown>).name : undefined;
  return typeof name === 'string' && name.trim() !== '' && name.length <= 100 ? `${what} ${JSON.stringify(name.trim())}` : `${what} #${index + 1}`;
}

/** Names must differ within rules and within invariants, valid or not: the messages name them. */
function uniqueNames(what: string, list: unknown[], key: string, root: SourceNode, problems: Problem[]): void {
  const seen = new Map<string, number>();
  list.forEach((item, i) => {
    const name = item !== null && typeof item === 'object' ? (item as Record<string, unknown>).name : undefined;
    if (typeof name !== 'string' || name.trim() === '') return;
    const { node } = nodeAt(root, [key, i, 'name']);
    const first = seen.get(name.trim());
    if (first === undefined) seen.set(name.trim(), node.at.line);
    else problems.push({ at: node.at, message: `${labelOf(what, item, i)}: name: the ${what} at line ${first} has this name too: each ${what} needs a name of its own, for the messages that name it` });
  });
}

/** Each zod issue as a problem at the place it is about, labelled with its rule or invariant and field. */
function report(issues: readonly z.core.$ZodIssue[], base: PropertyKey[], label: string, root: SourceNode, problems: Problem[]): void {
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    const { node, rest } = nodeAt(root, path);
    const field = fieldName(issue.path, rest.length === 0 && node.kind === 'scalar');
    const prefix = [label, field].filter(Boolean).join(': ');
    const say = (message: string) => `${prefix || 'the policy'}: ${message}`;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ at: keyPosition(node, key) ?? node.at, message: say(`unknown key ${JSON.stringify(key)}: ${issue.message}`) });
      continue;
    }
    problems.push({ at: node.at, message: say(issue.message) });
  }
}

/**
 * The field an issue is about, as written: `callers.tokens`, `from.attachments[1].id`. A last
 * index is left out when the message quotes the value itself, which the position points at.
 */
function fieldName(path: readonly PropertyKey[], quotesValue: boolean): string {
  const steps = quotesValue && typeof path[path.length - 1] === 'number' ? path.slice(0, -1) : path;
  return steps.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? String(step) : `.${String(step)}`)).join('');
}
