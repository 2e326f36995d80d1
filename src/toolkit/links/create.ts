// The create of a link (association or propagation): one request with one client token, then
// converge on what really happened when the network or the API misbehaves. "Already exists",
// a lost answer and "operation in progress" are each settled by a look at what is there, so the
// agent hears whether the link exists and whether this call made it, never a guess.
import { ER_CODES } from '../../er/codes.js';
import { attemptsOf, ErApiError, isCancellation, mayHaveBeenApplied, mayStillBeInFlight } from '../../er/errors.js';
import { callOptions, type ToolCall, type WriteAnswer, writeDeadlines } from '../context.js';
import { describeError, type ErrorContext, failure, type ToolError } from '../results.js';
import { cancelled, type CreateAttempt, created, dying, refused, unknownOutcome } from './create-answers.js';
import type { LinkKind } from './kind.js';

/** The create itself; the gate has fixed the client token (and recorded it) before this is called. */
export async function createLink<R>(kind: LinkKind<R>, call: ToolCall, ref: R, clientToken: string): Promise<WriteAnswer> {
  const errorContext: ErrorContext = { ids: kind.idsOf(ref), nowMs: call.env.clock.now() };
  const deadlines = writeDeadlines(call);
  const attempt: CreateAttempt<R> = { kind, call, ref, clientToken, errorContext, lookupDeadline: deadlines.lookup };
  try {
    const result = await kind.api.create(call.er, ref, clientToken, callOptions(call, deadlines.write));
    call.env.log.info({ tool: kind.tools.create, caller: call.caller, [`${kind.noun}_id`]: result.link.id, attempts: result.attempts.length }, `${kind.noun} created`);
    return created(attempt, result.link, { requestId: result.requestId, madeByThisCall: true });
  } catch (error) {
    if (error instanceof ErApiError && error.errorCode === kind.codes.exists) return convergeOnExisting(attempt, error);
    if (isCancellation(error, call.signal)) return cancelled(attempt, error, error);
    if (mayHaveBeenApplied(error)) return settleUnknownOutcome(attempt, error);
    const described = describeError(error, errorContext);
    // Every attempt was refused: this call created nothing. "Operation in progress" on the link
    // or the attachment can mean another request is creating this very link.
    if (error instanceof ErApiError && isOperationInProgress(kind, error.errorCode)) return settleRefused(attempt, described);
    return refused(failure({ ...described, client_token: clientToken, ...(described.retryable ? { outcome: 'not_created' } : {}) }), described);
  }
}

function isOperationInProgress<R>(kind: LinkKind<R>, errorCode: string): boolean {
  return errorCode === kind.codes.busy || errorCode === ER_CODES.ATTACHMENT_BUSY;
}

/**
 * Whether a link found after a refusal may be this agent's own: made by an earlier attempt of
 * this call, or by an earlier call with the client_token the agent passed again. A token the
 * server made for this call has never been sent before it.
 */
function mayBeMine<R>(attempt: CreateAttempt<R>, earlierAttemptMayHaveApplied: boolean): boolean {
  return earlierAttemptMayHaveApplied || attempt.call.tokenFromCaller === true;
}

function alreadyThereMaybeMine<R>(kind: LinkKind<R>): string {
  return `The ${kind.noun} exists: made by an earlier request with this client_token, or by another request.`;
}

/** "Already exists": fine if it is on the requested table, and say whether this call made it. */
async function convergeOnExisting<R>(attempt: CreateAttempt<R>, original: ErApiError): Promise<WriteAnswer> {
  const { kind, call, ref, clientToken, errorContext } = attempt;
  const described = describeError(original, errorContext);
  const mine = mayBeMine(attempt, attemptsOf(original).slice(0, -1).some((a) => a.may_have_applied));
  try {
    const existing = await kind.api.find(call.er, ref, callOptions(call, attempt.lookupDeadline));
    if (existing?.state === 'deleting' || existing?.state === 'failed') return dying(attempt, existing.state, described);
    if (existing) {
      return created(attempt, existing, {
        requestId: original.requestId,
        already: !mine,
        madeByThisCall: mine ? null : false,
        note: mine ? alreadyThereMaybeMine(kind) : `The ${kind.noun} already existed: another request made it, not this call.`,
      });
    }
    const elsewhere = kind.existsElsewhere ? await kind.existsElsewhere(attempt, described) : null;
    if (elsewhere) return elsewhere;
    // Gone (or just settling) between the create and the look-up: nothing is in the way any more.
    return unknownOutcome(
      attempt,
      described,
      `The API said ${kind.phrases.existsSaid}, but none is visible now: call ${kind.tools.state}, or call create again with client_token ${clientToken}.`,
    );
  } catch (lookupError) {
    if (isCancellation(lookupError, call.signal)) return cancelled(attempt, lookupError, original);
    return unknownOutcome(
      attempt,
      described,
      `The API says ${kind.phrases.existsSays}, but looking it up failed (${describeError(lookupError, errorContext).error_msg}). Call again with client_token ${clientToken}, or ${kind.phrases.lookElsewhere}.`,
    );
  }
}

/** Retries ran out after the request may have been applied: look before answering. */
async function settleUnknownOutcome<R>(attempt: CreateAttempt<R>, original: unknown): Promise<WriteAnswer> {
  const { kind, call, ref, clientToken, errorContext } = attempt;
  const described = describeError(original, errorContext);
  try {
    const existing = await kind.api.find(call.er, ref, callOptions(call, attempt.lookupDeadline));
    if (existing) {
      return created(attempt, existing, {
        madeByThisCall: null,
        note: `The create answered ${described.error_code} after ${described.attempts} attempt(s), but the ${kind.noun} exists: it was created (by this call's request, as far as can be told).`,
      });
    }
    if (mayStillBeInFlight(original)) {
      return unknownOutcome(
        attempt,
        described,
        `Unknown whether it was created: an attempt lost its answer and may still be applied, and no ${kind.noun} is visible yet. Check with ${kind.tools.state}, or call again with client_token ${clientToken} (safe: never a duplicate).`,
      );
    }
    const result = failure({
      ...described,
      retryable: true,
      client_token: clientToken,
      outcome: 'not_created',
      hint: `Not created: the API failed ${described.attempts} time(s) and no ${kind.noun} exists. Call again with client_token ${clientToken}; it cannot create a duplicate.`,
    });
    return refused(result, described);
  } catch (lookupError) {
    if (isCancellation(lookupError, call.signal)) return cancelled(attempt, lookupError, original);
    return unknownOutcome(
      attempt,
      described,
      `Unknown whether it was created: the create and the look-up both failed. Call again with client_token ${clientToken} (safe: never a duplicate), or check with ${kind.tools.state}.`,
    );
  }
}

/**
 * Every attempt was refused with a passing error (busy): this call created nothing. A look tells
 * whether another request made the link meanwhile, which is what the agent wants.
 */
async function settleRefused<R>(attempt: CreateAttempt<R>, described: ToolError): Promise<WriteAnswer> {
  const { kind, call, ref, clientToken } = attempt;
  const notCreated = () =>
    refused(
      failure({
        ...described,
        client_token: clientToken,
        outcome: 'not_created',
        hint: `${described.hint} Not created: every attempt was refused; calling again with client_token ${clientToken} is safe.`,
      }),
      described,
    );
  try {
    const existing = await kind.api.find(call.er, ref, callOptions(call, attempt.lookupDeadline));
    if (!existing || existing.state === 'deleting' || existing.state === 'failed') return notCreated();
    const mine = mayBeMine(attempt, false);
    return created(attempt, existing, {
      already: !mine,
      madeByThisCall: mine ? null : false,
      note: mine ? alreadyThereMaybeMine(kind) : `This call's create was refused (${described.error_code}), but the ${kind.noun} exists: another request made it, not this call.`,
    });
  } catch {
    // The look-up adds nothing certain: the refusal stands.
    return notCreated();
  }
}
