// The permission rules of a policy, asked about one change: may this caller do this action to
// this target? Pure: the gate (policy-step.ts) asks before a person is shown the plan, and the
// tool host asks mayEverUse to leave out the tools a caller can never use.
//
// The rules only allow; whatever no rule allows is denied. A rule allows a change when
//   - its callers name the caller (a static token's name, a JWT's subject, one of its groups,
//     the local user, or anyone),
//   - its actions include the change's action, and
//   - each where-list it gives (routers, route_tables, attachments) has an entry that names the
//     target's resource, by ID or by name; a name ending in `*` names every name with that start.
//     A resource whose name is not known (null) is named only by its ID, and a change without an
//     attachment (a blackhole static route) is outside every rule that lists attachments.
//
// Several rules may allow one change. The answer does not depend on their order: a second person
// is required when ANY rule that allows the change requires one (a narrow "prod needs two people"
// rule cannot be bypassed by a broad rule written before it), and the rule named is then the
// first of those that require one; otherwise it is the first rule that allows the change.
import type { CallerIdentity, CallerMatch, Origin, PermissionDecision, PermissionRule, Policy, PolicyAction, PolicyTarget, ResourceRef } from './model.js';

type Where = 'routers' | 'route_tables' | 'attachments';

const WHERE_LISTS: ReadonlyArray<{ list: Where; noun: string; of(target: PolicyTarget): { id: string; name: string | null } | undefined }> = [
  { list: 'routers', noun: 'router', of: (t) => t.router },
  { list: 'route_tables', noun: 'route table', of: (t) => t.route_table },
  { list: 'attachments', noun: 'attachment', of: (t) => t.attachment },
];

/** At most this many rules are explained in a refusal; the rest are counted. */
const MAX_EXPLAINED = 4;

/** The rules' answer for one change. */
export function decide(policy: Policy, who: CallerIdentity, action: PolicyAction, target: PolicyTarget): PermissionDecision {
  const mine = policy.rules.filter((rule) => callerMatches(rule.callers, who));
  const allowing = mine.filter((rule) => rule.actions.includes(action) && missedLists(rule, target).length === 0);
  if (allowing.length > 0) {
    const strict = allowing.find((rule) => rule.require_second_person === true);
    return { allowed: true, rule: origin(strict ?? allowing[0]!), requireSecondPerson: strict !== undefined };
  }
  if (mine.length === 0) {
    return { allowed: false, rule: null, reason: `No rule of the policy (${policy.source}) names ${describeCaller(who)}: whatever no rule allows is denied.` };
  }
  // The closest rule: one that allows the action and misses the fewest where-lists; else the first that names the caller.
  const withAction = mine.filter((rule) => rule.actions.includes(action));
  const closest = withAction.length > 0 ? withAction.reduce((best, rule) => (missedLists(rule, target).length < missedLists(best, target).length ? rule : best)) : mine[0]!;
  const explained = [closest, ...mine.filter((rule) => rule !== closest)].slice(0, MAX_EXPLAINED).map((rule) => whyNot(rule, action, target));
  const more = mine.length > MAX_EXPLAINED ? ` (${mine.length - MAX_EXPLAINED} more rule(s) name you and do not allow it either)` : '';
  return {
    allowed: false,
    rule: origin(closest),
    reason: `No rule of the policy (${policy.source}) allows ${describeCaller(who)} to ${action} ${describeTarget(target)}: ${explained.join('; ')}${more}.`,
  };
}

/** Whether some rule could ever allow this caller this action (somewhere): tools for actions no rule allows it are not listed. */
export function mayEverUse(policy: Policy, who: CallerIdentity, action: PolicyAction): boolean {
  return policy.rules.some((rule) => callerMatches(rule.callers, who) && rule.actions.includes(action));
}

/** Whether the rule's callers name this caller. */
export function callerMatches(callers: CallerMatch, who: CallerIdentity): boolean {
  if (callers.anyone === true) return true;
  if (callers.local === true && who.local) return true;
  if (who.tokenName !== undefined && callers.tokens?.includes(who.tokenName)) return true;
  if (who.subject !== undefined && callers.subjects?.includes(who.subject)) return true;
  return callers.groups !== undefined && who.groups.some((group) => callers.groups!.includes(group));
}

/** Whether a reference names this resource: by ID exactly, or by name (a trailing `*` matches any rest; a null name matches no name). */
export function refMatches(ref: ResourceRef, resource: { id: string; name: string | null }): boolean {
  if ('id' in ref) return ref.id === resource.id;
  if (resource.name === null) return false;
  return ref.name.endsWith('*') ? resource.name.startsWith(ref.name.slice(0, -1)) : ref.name === resource.name;
}

/** The where-lists of a rule that the target is outside of. */
function missedLists(rule: PermissionRule, target: PolicyTarget): Where[] {
  return WHERE_LISTS.filter(({ list, of }) => {
    const refs = rule[list];
    if (refs === undefined) return false;
    const resource = of(target);
    return resource === undefined || !refs.some((ref) => refMatches(ref, resource));
  }).map(({ list }) => list);
}

/** Why one rule that names the caller does not allow this change, in a clause. */
function whyNot(rule: PermissionRule, action: PolicyAction, target: PolicyTarget): string {
  const name = `rule ${rule.name} (line ${rule.line})`;
  if (!rule.actions.includes(action)) return `${name} allows only ${rule.actions.join(', ')}, not ${action}`;
  const where = WHERE_LISTS.filter(({ list }) => missedLists(rule, target).includes(list)).map(({ list, noun, of }) => {
    const resource = of(target);
    const allowed = `${rule.actions.join(', ')} only in ${noun}${rule[list]!.length > 1 ? 's' : ''} ${rule[list]!.map(describeRef).join(', ')}`;
    if (resource === undefined) return `${allowed}; this change has no ${noun}`;
    const unnamed = resource.name === null && rule[list]!.some((ref) => 'name' in ref) ? ` (its name is unknown, so only IDs can match it)` : '';
    return `${allowed}; this change is in ${noun} ${describeResource(resource)}${unnamed}`;
  });
  return `${name} allows ${where.join(', and ')}`;
}

function describeRef(ref: ResourceRef): string {
  return 'id' in ref ? ref.id : ref.name;
}

function describeResource(resource: { id: string; name: string | null }): string {
  return resource.name === null ? resource.id : `${resource.name} (${resource.id})`;
}

function describeTarget(target: PolicyTarget): string {
  return `in route table ${describeResource(target.route_table)} of router ${describeResource(target.router)}${target.attachment ? ` for attachment ${describeResource(target.attachment)}` : ''}`;
}

/** The caller as a refusal names it: its audit name, and what the rules can match on. */
export function describeCaller(who: CallerIdentity): string {
  const facts: string[] = [];
  if (who.tokenName !== undefined) facts.push(`token ${who.tokenName}`);
  // A JWT's subject is in its caller name already, escaped.
  if (who.groups.length > 0) facts.push(`groups ${who.groups.slice(0, 10).map(printable).join(', ')}${who.groups.length > 10 ? ', …' : ''}`);
  if (who.local) facts.push('the local user');
  return facts.length > 0 ? `${who.caller} (${facts.join('; ')})` : who.caller;
}

/** A claim value as a message may show it: control and format characters escaped, cut short. */
function printable(text: string): string {
  const shown = text.replace(/[\p{C}]/gu, (char) => `\\u{${char.codePointAt(0)!.toString(16)}}`);
  return shown.length > 64 ? `${shown.slice(0, 63)}…` : shown;
}

function origin(rule: PermissionRule): Origin {
  return { name: rule.name, line: rule.line };
}
