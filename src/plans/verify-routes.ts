// The check after a change: read the route tables its plan made a prediction for, and compare
// what they route now with that prediction. Reads only; a failed read leaves it "not_checked".
import { z } from 'zod';
import { callOptions, type ToolCall } from '../toolkit/context.js';
import { failedRead, readRoutes } from './effect-report.js';
import type { Expectation } from './expectation.js';
import { compareTables, type Difference, describeSignature } from './verification.js';

/** Differences listed in a result; the count stays exact. */
const MAX_DIFFERENCES = 20;

/** The policy's routing invariants on the routes observed once the change settled (src/policy). */
export const invariantsAfterOutput = z
  .object({
    status: z
      .enum(['all_hold', 'violated', 'incomplete', 'not_checked'])
      .describe('all_hold; violated: see broken and alert; incomplete: some could not be told (see broken, unknown: true); not_checked: see note'),
    checked: z.number().int().describe('How many invariants apply on this router'),
    broken: z
      .array(
        z.object({
          name: z.string(),
          line: z.number().int(),
          kind: z.string(),
          message: z.string().describe('Which route or reachability breaks it'),
          unknown: z.boolean().optional().describe('True when it could not be told (routes not readable)'),
        }),
      )
      .describe('The invariants that do not hold now'),
    alert: z.string().optional().describe('"POLICY VIOLATION after the change: …" when an invariant is broken: tell the person'),
    note: z.string().optional(),
  })
  .describe('The routing policy’s invariants, evaluated on the routes as they are after the change');

export type InvariantsAfter = z.infer<typeof invariantsAfterOutput>;

export const verificationOutput = z
  .object({
    status: z.enum(['as_planned', 'differs', 'not_checked']).describe('as_planned: the route tables are as the plan predicted; differs: see differences; not_checked: see note'),
    differences: z
      .array(
        z.object({
          route_table_id: z.string(),
          destination: z.string(),
          kind: z.enum(['unexpected_route', 'missing_route', 'different_next_hops']),
          expected: z.string().optional().describe('The route the plan predicted (absent: none)'),
          observed: z.string().optional().describe('The route the table has now (absent: none)'),
        }),
      )
      .describe(`The first ${MAX_DIFFERENCES} differences by destination`),
    differences_count: z.number().int(),
    plan_id: z.string(),
    attempt_id: z.string().describe('The audit attempt of the change this checks'),
    note: z.string().optional(),
    invariants: invariantsAfterOutput.optional(),
  })
  .describe('The route tables after the change, checked against the plan it was made from');

export type Verification = z.infer<typeof verificationOutput>;
/** What the check finds, before the gate adds which plan and attempt it was about (and the policy's invariants). */
export type Finding = Omit<Verification, 'plan_id' | 'attempt_id' | 'invariants'>;

/** A change made through this server after the one being checked, with what its plan predicted. */
export interface LaterChange {
  plan_id: string;
  tool: string;
  expectation: Expectation;
}

/**
 * Compares the tables with the plan's prediction. A difference that a later change made through
 * this server predicted (the propagation made right after an association, say) is no surprise:
 * it is left out of the differences, and the note says which change explains it.
 */
export async function verifyRoutes(expectation: Expectation, call: ToolCall, later: readonly LaterChange[] = []): Promise<Finding> {
  if (expectation.tables.length === 0) return notChecked('the plan predicted no route table to compare');
  const found: Difference[] = [];
  for (const table of expectation.tables) {
    let read;
    try {
      read = await readRoutes(call.er, table.route_table_id, callOptions(call));
    } catch (error) {
      return notChecked(`the routes of ${table.route_table_id} could not be read: ${failedRead(error, call.signal)}`);
    }
    if (!read.complete) return notChecked(`route table ${table.route_table_id} has more routes than are read for a check`);
    found.push(...compareTables(table, read.routes, { unpredictableVia: table.unpredictableVia, hiddenPropagatedAt: table.hiddenPropagatedAt }));
  }
  const explainedBy = new Set<string>();
  const differences = found.filter((difference) => {
    const change = later.find((c) => predicts(c.expectation, difference));
    if (change) explainedBy.add(`${change.tool} (${change.plan_id})`);
    return !change;
  });
  const note = explainedBy.size > 0 ? `${found.length - differences.length} change(s) in the routes are what later change(s) made through this server planned: ${[...explainedBy].join(', ')}` : undefined;
  return {
    status: differences.length === 0 ? 'as_planned' : 'differs',
    differences: differences.slice(0, MAX_DIFFERENCES).map(({ route_table_id, destination, kind, expected, observed }) => ({
      route_table_id,
      destination,
      kind,
      ...(expected === null ? {} : { expected: describeSignature(expected) }),
      ...(observed === null ? {} : { observed: describeSignature(observed) }),
    })),
    differences_count: differences.length,
    ...(note ? { note } : {}),
  };
}

/** Whether this plan's prediction for the table is what was observed where the check differs. */
function predicts(expectation: Expectation, difference: Difference): boolean {
  const table = expectation.tables.find((t) => t.route_table_id === difference.route_table_id);
  if (!table) return false;
  const predicted = table.routes.get(difference.destination) ?? null;
  return predicted === difference.observed;
}

function notChecked(note: string): Finding {
  return { status: 'not_checked', differences: [], differences_count: 0, note };
}
