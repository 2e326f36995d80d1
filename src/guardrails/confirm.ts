// Asking the human through MCP elicitation: a form that approves one write, or (URL mode) a link
// to the approval page. Only a clear "yes" from the person approves: an error, a time-out or an
// answer of the wrong shape is a failure to ask, and refuses the write like a "no" does.
import type { NotificationOptions, RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ClientCapabilities, ElicitRequestFormParams as ElicitFormParams, ElicitRequestURLParams as ElicitUrlParams, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { loadFormValidator } from '../first-use-validator.js';

/** What came of asking: the person's answer, or why no usable answer came. */
export type ConfirmationAnswer =
  | { kind: 'accepted' }
  | { kind: 'declined' | 'cancelled' }
  | { kind: 'call_cancelled' }
  | { kind: 'failed'; reason: string; timedOut?: boolean };

/** What the gate needs from the MCP session: what the client can do, and ways to ask it. */
export interface HumanChannel {
  capabilities(): ClientCapabilities | undefined;
  elicit(message: string, requestedSchema: ApprovalSchema, options: { timeoutMs: number; signal: AbortSignal }): Promise<ElicitResult>;
  /** URL mode: asks the client to open `url` for the person. */
  elicitUrl(request: { message: string; url: string; elicitationId: string }, options: { timeoutMs: number; signal: AbortSignal }): Promise<ElicitResult>;
  /** Tells the client the interaction behind a URL elicitation is over. */
  completeUrl(elicitationId: string): Promise<void>;
}

export interface ApprovalSchema {
  type: 'object';
  properties: { approve: { type: 'boolean'; title: string; description: string; default: boolean } };
  required: ['approve'];
}

export const APPROVAL_SCHEMA: ApprovalSchema = {
  type: 'object',
  properties: { approve: { type: 'boolean', title: 'Approve this change', description: 'Tick to let the change be sent to Huawei Cloud.', default: false } },
  required: ['approve'],
};

export function canElicit(channel: HumanChannel): boolean {
  return Boolean(channel.capabilities()?.elicitation?.form);
}

export function canElicitUrl(channel: HumanChannel): boolean {
  return Boolean(channel.capabilities()?.elicitation?.url);
}

/** What came of offering the approval page through a URL elicitation. */
export type UrlAnswer = { kind: 'opened' } | { kind: 'declined' | 'cancelled' } | { kind: 'call_cancelled' } | { kind: 'failed'; reason: string; timedOut?: boolean };

export async function offerUrl(channel: HumanChannel, request: { message: string; url: string; elicitationId: string }, options: { timeoutMs: number; signal: AbortSignal }): Promise<UrlAnswer> {
  const asked = await elicitOnce(() => channel.elicitUrl(request, options), options);
  if (!('answered' in asked)) return asked;
  const result = asked.answered;
  if (result.action === 'accept') return { kind: 'opened' };
  if (result.action === 'decline') return { kind: 'declined' };
  if (result.action === 'cancel') return { kind: 'cancelled' };
  return { kind: 'failed', reason: 'the client answered with an unknown action' };
}

export async function askApproval(channel: HumanChannel, message: string, options: { timeoutMs: number; signal: AbortSignal }): Promise<ConfirmationAnswer> {
  const asked = await elicitOnce(() => channel.elicit(message, APPROVAL_SCHEMA, options), options);
  if (!('answered' in asked)) return asked;
  const result = asked.answered;
  if (result.action === 'decline') return { kind: 'declined' };
  if (result.action === 'cancel') return { kind: 'cancelled' };
  if (result.action !== 'accept') return { kind: 'failed', reason: 'the client answered with an unknown action' };
  const approve = result.content?.approve;
  if (approve === true) return { kind: 'accepted' };
  if (approve === false) return { kind: 'declined' };
  return { kind: 'failed', reason: 'the client accepted without the approve field the form asks for' };
}

/**
 * One question to the client: its answer, or why there is none. A call cancelled while the
 * question was open is cancelled whatever the client answers afterwards.
 */
async function elicitOnce(
  ask: () => Promise<ElicitResult>,
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<{ answered: ElicitResult } | { kind: 'call_cancelled' } | { kind: 'failed'; reason: string; timedOut?: boolean }> {
  let result: ElicitResult;
  try {
    result = await ask();
  } catch (error) {
    if (options.signal.aborted) return { kind: 'call_cancelled' };
    return { kind: 'failed', ...describeElicitFailure(error, options.timeoutMs) };
  }
  return options.signal.aborted ? { kind: 'call_cancelled' } : { answered: result };
}

/** Why asking failed; `timedOut` when the person simply did not answer in time (the wait expired). */
function describeElicitFailure(error: unknown, timeoutMs: number): { reason: string; timedOut?: boolean } {
  const message = error instanceof Error ? error.message : String(error);
  if (/timed out|timeout/i.test(message)) return { reason: `no answer came within ${timeoutMs / 1000} s`, timedOut: true };
  // The SDK's own words, cut short: they name the protocol problem, never a secret.
  return { reason: `the client failed to ask (${message.replace(/\s+/g, ' ').slice(0, 200)})` };
}

/** The channel of one tool call: the client's capabilities, and elicitation tied to that call. */
export function sessionChannel(
  server: {
    getClientCapabilities(): ClientCapabilities | undefined;
    elicitInput: (params: ElicitFormParams | ElicitUrlParams, options?: RequestOptions) => Promise<ElicitResult>;
    createElicitationCompletionNotifier(elicitationId: string, options?: NotificationOptions): () => Promise<void>;
  },
  requestId: string | number,
): HumanChannel {
  return {
    capabilities: () => server.getClientCapabilities(),
    elicit: async (message, requestedSchema, options) => {
      // The SDK checks the answer against the schema with this validator, so it is there first.
      await loadFormValidator();
      return server.elicitInput({ mode: 'form', message, requestedSchema }, { relatedRequestId: requestId, signal: options.signal, timeout: options.timeoutMs });
    },
    elicitUrl: (request, options) => server.elicitInput({ mode: 'url', ...request }, { relatedRequestId: requestId, signal: options.signal, timeout: options.timeoutMs }),
    completeUrl: (elicitationId) => server.createElicitationCompletionNotifier(elicitationId, { relatedRequestId: requestId })(),
  };
}
