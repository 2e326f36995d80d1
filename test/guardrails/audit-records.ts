// Audit records for tests of the audit file itself: an intent line numbered `n`.
import type { AttemptRecord } from '../../src/guardrails/audit.js';

export function intentRecord(n: number): AttemptRecord {
  return {
    event: 'intent',
    time: new Date(0).toISOString(),
    attempt_id: `attempt-${n}`,
    tool: 'create_route_association',
    arguments: {},
    client_token: null,
    region: 'cn-east-3',
    project_id: null,
    caller: 'test',
    sandbox: false,
    guardrail: 'confirmation_disabled',
    plan_id: null,
    plan_sha256: null,
    requested_by: 'test',
    approved_by: null,
    approval_channel: 'none',
  };
}
