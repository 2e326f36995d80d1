// The answers the gate gives when it does not write: refusals (isError, with what to do next),
// and the request for a person's approval, which is a result, not an error: nothing went wrong,
// the agent is to show the link and call again.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { PlanRecord } from '../plans/plan-book.js';
import { SCOPES } from '../scopes.js';
import { failure, success } from '../toolkit/results.js';

export function refusal(code: string, message: string, hint: string, extra: Record<string, unknown> = {}): CallToolResult {
  return failure({ error_code: code, error_msg: message, http_status: null, request_id: null, retryable: false, attempts: 0, hint, ...extra });
}

export function approvalRequired(
  record: PlanRecord,
  options: { url: string; secondPerson: boolean; expiresAt: string; base: { region: string; project_id: string; sandbox: boolean } },
): CallToolResult {
  const who = options.secondPerson ? `a person other than the one who asked, holding ${SCOPES.approve},` : 'the person';
  return success({
    dry_run: false,
    status: 'approval_required',
    plan_id: record.id,
    plan_sha256: record.sha256,
    plan_expires_at: options.expiresAt,
    approval_url: options.url,
    plan: record.made.plan,
    ...options.base,
    hint:
      `Nothing was sent: ${who} must approve this change first. Show the person the approval_url (${options.url}) and what the plan changes. ` +
      `Once they say they have approved it, call ${record.tool} again with the same arguments and plan_id ${record.id}. ` +
      `Calling before then answers approval_required again; after a rejection it is refused as declined.`,
  });
}
