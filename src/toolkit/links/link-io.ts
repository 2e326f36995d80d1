// The arguments and results of the link tools. Both kinds take the same arguments; their results
// differ only in the plan, the link's own schema and field, and the words of a few descriptions,
// which each tool file gives. Field order is the order the tools list them.
import { z } from 'zod';
import { verificationOutput } from '../../plans/verify-routes.js';
import { associationRefShape, auditWarningOutput, clientTokenInput, dryRunInput, nextCallOutput, planHandleOutput, planIdInput } from '../fields.js';
import type { LinkKind } from './kind.js';

export const createInput = z.strictObject({
  ...associationRefShape,
  client_token: clientTokenInput,
  dry_run: dryRunInput,
  plan_id: planIdInput,
});

export const deleteInput = z.strictObject({
  ...associationRefShape,
  dry_run: dryRunInput,
  plan_id: planIdInput,
});

export const MAX_WAIT_SECONDS = 900;

export const stateInput = z.strictObject({
  ...associationRefShape,
  wait_for: z
    .enum(['available', 'deleted', 'terminal'])
    .optional()
    .describe('Wait until this: "available" after a create, "deleted" after a delete, "terminal" for any final state. Needs timeout_seconds.'),
  timeout_seconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_WAIT_SECONDS)
    .optional()
    .describe('How long to wait, 0-900 seconds; one call waits at most the server\'s cap (50 s unless configured), then answers timed_out: call again to keep waiting. 0 (default) looks once.'),
});

export type StateArgs = z.infer<typeof stateInput>;

type Kind = Pick<LinkKind, 'noun' | 'alreadyField'>;

/** One shape for both answers of a create: a dry run fills `plan`; a real create fills the link's fields. */
export function createOutputOf(kind: Kind, parts: { plan: z.ZodType; link: z.ZodType; alreadyDescription: string }) {
  return z.object({
    dry_run: z.boolean(),
    plan: parts.plan.optional(),
    [kind.noun]: parts.link.optional(),
    [kind.alreadyField]: z.boolean().optional().describe(parts.alreadyDescription),
    made_by_this_call: z
      .boolean()
      .nullable()
      .optional()
      .describe(`Whether this call created the ${kind.noun}: false when it already existed (made by another request), null when that cannot be told`),
    request_id: z.string().nullable().optional(),
    client_token: z.string().optional().describe('The X-Client-Token sent; reuse it to retry this create safely'),
    region: z.string(),
    project_id: z.string(),
    sandbox: z.boolean().describe('True when talking to the local emulator, not Huawei Cloud'),
    note: z.string().optional().describe('How the outcome was established when the first answer was lost'),
    next: nextCallOutput.optional(),
    undo: nextCallOutput.optional(),
    ...planHandleOutput,
    ...auditWarningOutput,
  });
}

/** A delete's answers: the plan of a dry run, or what the delete did. */
export function deleteOutputOf(parts: { plan: z.ZodType; alreadyGoneDescription: string }) {
  return z.object({
    dry_run: z.boolean(),
    plan: parts.plan.optional(),
    state: z.string().optional().describe('"deleting" once accepted; "not_found" when there was nothing to delete'),
    already_gone: z.boolean().optional().describe(parts.alreadyGoneDescription),
    request_id: z.string().nullable().optional(),
    region: z.string(),
    project_id: z.string(),
    sandbox: z.boolean(),
    next: nextCallOutput.optional(),
    ...planHandleOutput,
    ...auditWarningOutput,
  });
}

/** A get_*_state result: the link under its noun, then the fields both kinds share. */
export function stateOutputOf(noun: LinkKind['noun'], linkOutput: z.ZodType) {
  return z.object({
    [noun]: linkOutput.nullable(),
    state: z.string().describe(`The ${noun} state, or "not_found" when there is none`),
    terminal: z.boolean().describe('True for available, failed, deleted and not_found: nothing more will happen by itself'),
    sandbox: z.boolean(),
    polls: z.number().int().describe('How many times the API was asked'),
    elapsed_seconds: z.number(),
    timed_out: z.boolean().optional().describe('True when the wait ended before wait_for was reached'),
    wait_capped_to_seconds: z.number().optional().describe('Present when timeout_seconds was above the longest this server waits in one call: it waited this long'),
    cancelled: z.boolean().optional(),
    hint: z.string().optional(),
    verification: verificationOutput.optional(),
  });
}
