// Policies for the tests, built as the policy file's loader would leave them (no file), and the
// AuthInfo an HTTP transport attaches for a static token.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Invariant, PermissionRule, Policy } from '../../src/policy/model.js';
import { SCOPES } from '../../src/scopes.js';

export const POLICY_SOURCE = '/etc/huaweicloud-er-mcp/policy.yaml';

export function policyOf(rules: Array<Omit<PermissionRule, 'line'> & { line?: number }>, invariants: Invariant[] = []): Policy {
  return { source: POLICY_SOURCE, groupsClaim: 'groups', rules: rules.map((rule, i) => ({ line: 10 + i * 5, ...rule })), invariants };
}

/** A policy the test can replace between calls, as a reload would. */
export function policyHolder(policy: Policy | null = null): { current(): Policy | null; set(next: Policy | null): void } {
  let now = policy;
  return { current: () => now, set: (next) => (now = next) };
}

/** What the HTTP transport attaches for a static token with these scopes. */
export function tokenAuth(name: string, scopes: string[] = [SCOPES.read, SCOPES.write, SCOPES.approve]): AuthInfo {
  return { token: `opaque-${name}`, clientId: name, scopes, extra: { caller: `token:${name}`, tokenName: name } };
}
