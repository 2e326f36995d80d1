// Input and output pieces shared by several tools.
import { z } from 'zod';
import { CLIENT_TOKEN_PATTERN, ID_PATTERN } from '../er/ids.js';
import type { ToolEnv } from './context.js';

const ID_RULE = 'must be 1-36 characters of A-Z, a-z, 0-9, "_" or "-"';

export function idInput(name: string, whereFrom: string) {
  return z.string({ error: `${name} is required and must be a string` }).regex(ID_PATTERN, { error: `${name} ${ID_RULE}` }).describe(whereFrom);
}

export const erIdInput = idInput('er_id', 'Enterprise router ID (from list_enterprise_routers).');
export const routeTableIdInput = idInput('route_table_id', 'Route table ID on that router (from list_route_tables).');
export const attachmentIdInput = idInput('attachment_id', 'Attachment ID on that router (from list_attachments), not the VPC ID.');

export const clientTokenInput = z
  .string()
  .regex(CLIENT_TOKEN_PATTERN, { error: 'client_token must be 1-64 characters of A-Z, a-z, 0-9, "_" or "-"' })
  .optional()
  .describe('Idempotence token. Omit it and the server makes one; reuse the returned one to retry a create safely.');

/** An association or a propagation as the API returned it: the same fields, told apart by the words. */
function linkOutput(noun: string, words: { resourceTypes: string; states: string }) {
  return z
    .looseObject({
      id: z.string(),
      route_table_id: z.string().nullish(),
      attachment_id: z.string().nullish(),
      resource_type: z.string().nullish().describe(`${words.resourceTypes}, … (any string the API returns)`),
      resource_id: z.string().nullish(),
      state: z.string().describe(`${words.states}, … (any string the API returns)`),
      created_at: z.string().nullish(),
      updated_at: z.string().nullish(),
    })
    .describe(`The ${noun} as the ER API returned it`);
}

export const associationOutput = linkOutput('association', { resourceTypes: 'vpc, vpn, peering', states: 'pending, available, modifying, deleting, deleted, failed' });

export const propagationOutput = linkOutput('propagation', { resourceTypes: 'vpc, vpn, vgw, peering', states: 'pending, available, deleting, failed' });

export const nextCallOutput = z
  .object({ tool: z.string(), arguments: z.record(z.string(), z.unknown()) })
  .describe('The tool call to make next, with its arguments');

export const associationRefShape = {
  er_id: erIdInput,
  route_table_id: routeTableIdInput,
  attachment_id: attachmentIdInput,
};

export const dryRunInput = z
  .boolean()
  .optional()
  .describe('true: check IDs, states and conflicts and return the plan; nothing is changed.');

/** The id the server gives a plan: "plan-" and 32 characters of base64url (24 random bytes). */
export const PLAN_ID_PATTERN = /^plan-[A-Za-z0-9_-]{32}$/;

export const planIdInput = z
  .string()
  .regex(PLAN_ID_PATTERN, { error: 'plan_id must be the plan_id a dry run of this change returned ("plan-" and 32 characters)' })
  .optional()
  .describe(
    'The plan_id a dry_run returned for this same change. The write is then made only as planned: refused with PLAN_STALE (and a fresh plan) if anything the plan read has changed, and approved on that plan. Without it, the plan is made now.',
  );

/** A rule or invariant of the policy file, as answers name it. */
const policyOrigin = { name: z.string().describe('Its name in the policy file'), line: z.number().int().describe('Its line in the policy file') };

/** One invariant on the routing state a plan predicts. */
export const invariantResultOutput = z.object({
  ...policyOrigin,
  kind: z.enum(['no_reach', 'routes_to', 'blackholed']),
  holds: z.boolean(),
  message: z.string().describe('What holds, or which route or reachability breaks it'),
  unknown: z.boolean().optional().describe('True when it could not be evaluated: it then counts as broken'),
});

/** What a dry run says of the policy file (present only when one is loaded). */
export const dryRunPolicyOutput = z
  .object({
    rule: z.object(policyOrigin).describe('The permission rule that allows this change'),
    second_person_required: z.boolean().describe('True when a person other than the requester must approve it'),
    invariants: z.array(invariantResultOutput).describe('Every invariant on the routing state after the change: a plan that breaks one is refused (POLICY_VIOLATION)'),
  })
  .describe('The policy file: which rule allows this change, and which invariants hold or would break');

/** Fields every write tool's answer may carry about its plan: a dry run's handle, or a wait for a person's approval. */
export const planHandleOutput = {
  policy: dryRunPolicyOutput.optional(),
  status: z.enum(['approval_required']).optional().describe('approval_required: nothing was sent; a person must approve the plan at approval_url first'),
  plan_id: z.string().optional().describe('The plan this answer is about: pass it back as plan_id to make exactly this change'),
  plan_sha256: z.string().optional().describe('SHA-256 of the plan text the person approves (the audit records it)'),
  plan_expires_at: z.string().optional().describe('When the plan can no longer be used (ISO 8601)'),
  approval_url: z.string().optional().describe('Where a person reviews the plan and approves or rejects it'),
  hint: z.string().optional().describe('What to do next'),
};

/** On every write tool's answer, isError ones included (in their JSON): the audit did not get this call's outcome. */
export const auditWarningOutput = {
  audit_warning: z
    .string()
    .optional()
    .describe('Present when the outcome of this call could not be written to the audit log: the answer still says what happened, and further writes are refused until the log is fixed'),
};

/** The timeout_seconds a `next` hint suggests: the longest one call may wait. */
export function waitHint(env: ToolEnv): number {
  return Math.floor(env.maxWaitMs / 1000);
}
