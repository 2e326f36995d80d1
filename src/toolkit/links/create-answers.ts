// The answers a create of a link can end with, each with the report the audit records: what the
// agent reads and what the audit says come from the same place, so they cannot disagree.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { mayHaveBeenApplied } from '../../er/errors.js';
import type { ToolCall, WriteAnswer } from '../context.js';
import { describeError, type ErrorContext, failure, success, type ToolError } from '../results.js';
import { waitHint } from '../fields.js';
import type { Link, LinkKind } from './kind.js';

/** One create call, as the steps that settle its outcome need it. */
export interface CreateAttempt<R> {
  kind: LinkKind<R>;
  call: ToolCall;
  ref: R;
  clientToken: string;
  errorContext: ErrorContext;
  /** Deadline for look-ups: the call's, including the time kept back for them. */
  lookupDeadline: number;
}

export interface CreatedFacts {
  requestId?: string;
  /** The link was there before this call (the result's already_associated / already_propagating). */
  already?: boolean;
  /** true, false, or null when it cannot be told. */
  madeByThisCall: boolean | null;
  note?: string;
}

export function created<R>(attempt: CreateAttempt<R>, link: Link, facts: CreatedFacts): WriteAnswer {
  const { kind, call, ref, clientToken } = attempt;
  const ids = kind.idsOf(ref);
  const result = success({
    dry_run: false,
    [kind.noun]: link,
    [kind.alreadyField]: facts.already ?? false,
    made_by_this_call: facts.madeByThisCall,
    request_id: facts.requestId ?? null,
    client_token: clientToken,
    region: call.env.region,
    project_id: call.projectId,
    sandbox: call.env.sandbox,
    ...(facts.note ? { note: facts.note } : {}),
    next: { tool: kind.tools.state, arguments: { ...ids, wait_for: 'available', timeout_seconds: waitHint(call.env) } },
    undo: { tool: kind.tools.delete, arguments: ids },
  });
  // The audit says what this call did: nothing, when the link was there already.
  return { result, report: { outcome: facts.madeByThisCall === false ? 'no_change' : 'succeeded', state: link.state, error_code: null } };
}

/** Nothing this call sent can have been applied. */
export function refused(result: CallToolResult, described: ToolError, state: string | null = null): WriteAnswer {
  return { result, report: { outcome: 'failed', state, error_code: described.error_code } };
}

/** This call's request may have been applied, and looking did not settle it. */
export function unknownOutcome<R>(attempt: CreateAttempt<R>, described: ToolError, hint: string): WriteAnswer {
  const result = failure({ ...described, retryable: true, client_token: attempt.clientToken, outcome: 'unknown', hint });
  return { result, report: { outcome: 'may_have_been_applied', state: null, error_code: described.error_code } };
}

/** The client cancelled: say so, and whether the create may already have been applied. */
export function cancelled<R>(attempt: CreateAttempt<R>, error: unknown, original: unknown): WriteAnswer {
  const mayHave = mayHaveBeenApplied(original);
  const described = { ...describeError(error, attempt.errorContext), error_code: 'HTTP.CANCELLED' };
  const result = failure({
    ...described,
    retryable: true,
    client_token: attempt.clientToken,
    may_have_reached_api: mayHave,
    hint: mayHave
      ? `Cancelled after the create may have reached the API: call ${attempt.kind.tools.state} with the same IDs to see whether it was created; calling create again with client_token ${attempt.clientToken} is safe.`
      : 'Cancelled before the API accepted anything: nothing was created.',
  });
  return { result, report: { outcome: mayHave ? 'may_have_been_applied' : 'failed', state: null, error_code: described.error_code } };
}

/** The link on the requested table is on its way out: it does not count as done. */
export function dying<R>(attempt: CreateAttempt<R>, state: 'deleting' | 'failed', described: ToolError): WriteAnswer {
  const { kind, ref, clientToken } = attempt;
  const ids = Object.entries(kind.idsOf(ref))
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  const result = failure({
    ...described,
    client_token: clientToken,
    [`${kind.noun}_state`]: state,
    retryable: state === 'deleting',
    hint:
      state === 'deleting'
        ? `${kind.phrases.theOneHere} is ${kind.phrases.beingRemoved}: wait with ${kind.tools.state} (${ids}, wait_for "deleted"), then create again.`
        : `${kind.phrases.theOneHere} has failed: remove it with ${kind.tools.delete} (${ids}), then create again.`,
  });
  return refused(result, described, state);
}
