// The delete of a link, the undo of its create. A link that is already gone (or going) is
// reported as such, not as a failure; a lost answer is settled by a look at what is there.
import { ErApiError, HttpFailure, isCancellation, mayHaveBeenApplied } from '../../er/errors.js';
import { callOptions, type ToolCall, type WriteAnswer, writeDeadlines } from '../context.js';
import { describeError, type ErrorContext, failure, success } from '../results.js';
import { waitHint } from '../fields.js';
import type { LinkKind } from './kind.js';

export async function deleteLink<R>(kind: LinkKind<R>, call: ToolCall, ref: R): Promise<WriteAnswer> {
  const errorContext: ErrorContext = { ids: kind.idsOf(ref), nowMs: call.env.clock.now() };
  const deadlines = writeDeadlines(call);
  const next = { tool: kind.tools.state, arguments: { ...kind.idsOf(ref), wait_for: 'deleted', timeout_seconds: waitHint(call.env) } };

  try {
    const removed = await kind.api.remove(call.er, ref, callOptions(call, deadlines.write));
    if (removed === 'absent') return gone(call, null);
    if (removed === 'deleting') return deleting(call, next, null, 'no_change');
    return deleting(call, next, removed.requestId ?? null, 'succeeded');
  } catch (error) {
    if (error instanceof ErApiError && error.errorCode === kind.codes.notFound) return gone(call, error.requestId ?? null);
    const described = describeError(error, errorContext);
    if (isCancellation(error, call.signal)) {
      const mayHave = mayHaveBeenApplied(error);
      const result = failure({
        ...described,
        may_have_reached_api: mayHave,
        hint: `Cancelled: call ${kind.tools.state} with the same IDs to see whether the ${kind.noun} ${kind.phrases.isRemoving}.`,
      });
      return { result, report: { outcome: mayHave ? 'may_have_been_applied' : 'failed', state: null, error_code: described.error_code } };
    }
    // A lost answer, or "operation in progress" after a retry of our own request: see what is there.
    const uncertain = error instanceof HttpFailure || (error instanceof ErApiError && error.retryable);
    if (uncertain) {
      try {
        const link = await kind.api.find(call.er, ref, callOptions(call, deadlines.lookup));
        if (!link) return mayHaveBeenApplied(error) ? deletedMeanwhile(call) : gone(call, null);
        if (link.state === 'deleting') return deleting(call, next, null, mayHaveBeenApplied(error) ? 'succeeded' : 'no_change');
      } catch {
        // Fall through to the original error: it says more than the failed look-up.
      }
    }
    return { result: failure(described), report: { outcome: mayHaveBeenApplied(error) ? 'may_have_been_applied' : 'failed', state: null, error_code: described.error_code } };
  }
}

function deleting(call: ToolCall, next: Record<string, unknown>, requestId: string | null, outcome: 'succeeded' | 'no_change'): WriteAnswer {
  const result = success({
    dry_run: false,
    state: 'deleting',
    already_gone: false,
    request_id: requestId,
    region: call.env.region,
    project_id: call.projectId,
    sandbox: call.env.sandbox,
    next,
  });
  return { result, report: { outcome, state: 'deleting', error_code: null } };
}

function gone(call: ToolCall, requestId: string | null): WriteAnswer {
  const result = success({ dry_run: false, state: 'not_found', already_gone: true, request_id: requestId, region: call.env.region, project_id: call.projectId, sandbox: call.env.sandbox });
  return { result, report: { outcome: 'no_change', state: 'not_found', error_code: null } };
}

/** The answer was lost but the link is gone: most likely this call removed it. */
function deletedMeanwhile(call: ToolCall): WriteAnswer {
  const result = success({ dry_run: false, state: 'not_found', already_gone: false, request_id: null, region: call.env.region, project_id: call.projectId, sandbox: call.env.sandbox });
  return { result, report: { outcome: 'succeeded', state: 'not_found', error_code: null } };
}
