// create_route_propagation: make a route table learn an attachment's routes, idempotently, and
// converge on what really happened when the network or the API misbehaves. The same contract as
// create_route_association (links/create.ts); what is particular to propagations is in
// links/propagation.ts.
import { defineWriteTool } from './definition.js';
import { linkSteps } from '../toolkit/links/steps.js';
import { PROPAGATION } from '../toolkit/links/propagation.js';
import { createInput, createOutputOf } from '../toolkit/links/link-io.js';
import { propagationPlanOutput } from '../plans/propagation-plan.js';
import { propagationOutput } from '../toolkit/fields.js';

export const createPropagationOutput = createOutputOf(PROPAGATION, {
  plan: propagationPlanOutput,
  link: propagationOutput,
  alreadyDescription: 'True when the attachment already propagated into this route table',
});

export const createRoutePropagationTool = defineWriteTool({
  name: 'create_route_propagation',
  config: {
    title: 'Propagate an attachment’s routes into a route table',
    description:
      'Makes a route table of the enterprise router learn the routes of an attachment (a VPC’s CIDR blocks, a gateway’s routes), ' +
      'so traffic looked up in that table can reach it. An association decides which table an attachment USES; a propagation decides ' +
      'which tables LEARN its routes: connecting usually needs both. Call with dry_run: true first to see the routing effect and ' +
      'conflicts, then with the plan_id it returns to make exactly that change (a person approves it; see status approval_required). ' +
      'Idempotent: retries with the same client_token never create a duplicate. Starts "pending": follow with get_propagation_state.',
    inputSchema: createInput,
    outputSchema: createPropagationOutput,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  ...linkSteps(PROPAGATION, 'create'),
});
