// check_routing_policy: every routing invariant of the policy in force, evaluated on one router's
// routes as they are now. Changes made through this server are checked before approval; this
// finds what changed outside it (the console, another tool), for an agent or a cron job.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { invariantsNow } from '../policy/invariant-check.js';
import { appliesTo } from '../policy/invariants.js';
import type { InvariantResult } from '../policy/model.js';
import { callOptions, type ToolCall } from '../toolkit/context.js';
import { erIdInput } from '../toolkit/fields.js';
import { describeError, failure, success } from '../toolkit/results.js';
import { defineReadTool } from './definition.js';

/** Results listed in one answer; the counts stay exact. */
export const MAX_RESULTS = 50;

export const checkRoutingPolicyInput = z.strictObject({
  er_id: erIdInput,
  invariant: z.string().min(1).max(128).optional().describe('Evaluate only the invariant with this name (as the policy file names it). Omit it for all.'),
});

const resultItem = z.object({
  name: z.string().describe('The invariant’s name in the policy file'),
  line: z.number().int().describe('Its line in the policy file'),
  kind: z.enum(['no_reach', 'routes_to', 'blackholed']),
  holds: z.boolean(),
  unknown: z.boolean().optional().describe('True when it could not be evaluated (routes not readable, a name that names nothing here): counted as broken'),
  message: z.string().describe('What holds, or which route or reachability breaks it'),
});

export const checkRoutingPolicyOutput = z.object({
  er_id: z.string(),
  router_name: z.string().nullable(),
  policy: z.string().describe('Where the policy was read from'),
  all_hold: z.boolean().describe('True when every invariant evaluated holds'),
  counts: z.object({
    evaluated: z.number().int(),
    holding: z.number().int(),
    broken: z.number().int().describe('Broken by a route or a reachability the message names'),
    unknown: z.number().int().describe('Could not be evaluated: counted as broken'),
  }),
  results: z.array(resultItem).describe(`Broken and unknown ones first, then those that hold, in the policy’s order; at most ${MAX_RESULTS}`),
  not_applicable: z.array(z.string()).describe('Invariants about another router (their `router`), not evaluated here'),
  sandbox: z.boolean(),
});

export const checkRoutingPolicyTool = defineReadTool({
  name: 'check_routing_policy',
  config: {
    title: 'Check the routing policy’s invariants on a router',
    description:
      'Evaluates the routing invariants of the server’s policy file (--policy) on the current routes of one enterprise router: ' +
      'attachments that must not reach a prefix, a prefix a table must send to one attachment, a prefix that must stay blackholed ' +
      '(longest-prefix match, static routes included). Says for each whether it holds, and if not, which route or reachability breaks it. ' +
      'Use it to find changes made outside this server (drift); changes made through it are checked before approval.',
    inputSchema: checkRoutingPolicyInput,
    outputSchema: checkRoutingPolicyOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => checkRoutingPolicy(call, args),
});

export async function checkRoutingPolicy(call: ToolCall, args: z.infer<typeof checkRoutingPolicyInput>): Promise<CallToolResult> {
  const policy = call.env.policy?.current() ?? null;
  if (!policy) {
    return refuse('NO_POLICY', 'No policy file: start the server with --policy FILE to define routing invariants.', 'Ask whoever runs this MCP server to configure a policy file (--policy FILE); the README documents its format.');
  }
  const invariants = args.invariant === undefined ? policy.invariants : policy.invariants.filter((i) => i.name === args.invariant);
  if (args.invariant !== undefined && invariants.length === 0) {
    const names = policy.invariants.map((i) => i.name);
    const listed = names.length === 0 ? 'it has none' : `its invariants are: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ` and ${names.length - 20} more` : ''}`;
    return refuse('INVARIANT_NOT_FOUND', `The policy (${policy.source}) has no invariant named "${args.invariant}": ${listed}.`, 'Call again with one of these names, or without invariant to check them all.');
  }
  let state;
  let results: InvariantResult[];
  try {
    ({ state, results } = await invariantsNow(call.er, args.er_id, callOptions(call), invariants));
  } catch (error) {
    return failure(describeError(error, { ids: { er_id: args.er_id }, nowMs: call.env.clock.now() }));
  }
  const broken = results.filter((r) => !r.holds && !r.unknown).length;
  const unknown = results.filter((r) => r.unknown).length;
  const ordered = [...results.filter((r) => !r.holds), ...results.filter((r) => r.holds)];
  return success({
    er_id: args.er_id,
    router_name: state.router.name,
    policy: policy.source,
    all_hold: results.every((r) => r.holds),
    counts: { evaluated: results.length, holding: results.length - broken - unknown, broken, unknown },
    results: ordered.slice(0, MAX_RESULTS).map((r) => ({ name: r.name, line: r.line, kind: r.kind, holds: r.holds, ...(r.unknown ? { unknown: true } : {}), message: r.message })),
    not_applicable: invariants.filter((i) => !appliesTo(i, state)).map((i) => i.name),
    sandbox: call.env.sandbox,
  });
}

function refuse(code: string, message: string, hint: string): CallToolResult {
  return failure({ error_code: code, error_msg: message, http_status: null, request_id: null, retryable: false, attempts: 0, hint });
}
