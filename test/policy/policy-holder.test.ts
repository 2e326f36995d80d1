// The policy in force and its reload: a good file replaces it whole, a bad one changes nothing.
import { chmodSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../src/policy/model.js';
import { PolicyHolder } from '../../src/policy/policy-holder.js';
import { EXAMPLE_YAML, policyFile } from './policy-files.js';

const ONE_RULE = 'version: 1\nrules:\n  - { name: only, callers: { local: true }, allow: [associate] }\n';

describe('PolicyHolder', () => {
  it('has no policy before the first load, then the file\'s', () => {
    const holder = new PolicyHolder(policyFile(ONE_RULE, 'policy.yaml'));
    expect(holder.current()).toBeNull();
    const result = holder.reload();
    expect(result.ok).toBe(true);
    expect(holder.current()!.rules.map((r) => r.name)).toEqual(['only']);
    expect(result.ok && result.policy).toBe(holder.current());
  });

  it('a good new file replaces the policy and tells each listener, with the policy it replaced', () => {
    const path = policyFile(ONE_RULE, 'policy.yaml');
    const holder = new PolicyHolder(path);
    holder.reload();
    const first = holder.current();
    const seen: Array<[Policy, Policy | null]> = [];
    holder.onChange((policy, previous) => seen.push([policy, previous]));
    writeFileSync(path, EXAMPLE_YAML);
    expect(holder.reload().ok).toBe(true);
    expect(holder.current()!.rules.map((r) => r.name)).toEqual(['payments-bot', 'alice-dev-tables', 'netops-prod', 'local-lab-routes']);
    expect(seen).toEqual([[holder.current(), first]]);
  });

  it('a bad new file keeps the old policy, tells no listener, and says why', () => {
    const path = policyFile(EXAMPLE_YAML, 'policy.yaml');
    const holder = new PolicyHolder(path);
    holder.reload();
    const before = holder.current();
    let told = 0;
    holder.onChange(() => told++);

    writeFileSync(path, 'version: 1\nrules:\n  - { name: x, callers: { local: true }, allow: [assosiate] }\n');
    expect(holder.reload()).toEqual({
      ok: false,
      errors: [`${path}:3:50: rule "x": allow: "assosiate" is not an action (associate, disassociate, propagate, stop_propagating, create_static_route, delete_static_route, any)`],
    });
    expect(holder.current()).toBe(before);

    // A file that became group-writable is refused the same way, the policy in force kept.
    writeFileSync(path, ONE_RULE);
    chmodSync(path, 0o664);
    expect(holder.reload()).toEqual({ ok: false, errors: [expect.stringContaining('is writable by group or others')] });
    expect(holder.current()).toBe(before);
    expect(told).toBe(0);
  });

  it('an unsubscribed listener is not told', () => {
    const path = policyFile(ONE_RULE, 'policy.yaml');
    const holder = new PolicyHolder(path);
    let told = 0;
    const unsubscribe = holder.onChange(() => told++);
    holder.reload();
    unsubscribe();
    holder.reload();
    expect(told).toBe(1);
  });

  it('a failing listener does not stop the others, and the new policy is in force', () => {
    const holder = new PolicyHolder(policyFile(ONE_RULE, 'policy.yaml'));
    let told = 0;
    holder.onChange(() => {
      throw new Error('listener broke');
    });
    holder.onChange(() => told++);
    expect(() => holder.reload()).toThrow('listener broke');
    expect(told).toBe(1);
    expect(holder.current()).not.toBeNull();
  });

  it('of(): a policy without a file, for tests of the engines', () => {
    const policy: Policy = { source: 'test', groupsClaim: 'groups', rules: [], invariants: [] };
    const holder = PolicyHolder.of(policy);
    expect(holder.current()).toBe(policy);
    expect(holder.reload()).toEqual({ ok: true, policy });
  });
});
