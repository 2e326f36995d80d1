// create_route_association: associate an attachment with a route table, idempotently, and
// converge on what really happened when the network or the API misbehaves (links/create.ts; what
// is particular to associations is in links/association.ts).
import { defineWriteTool } from './definition.js';
import { ASSOCIATION } from '../toolkit/links/association.js';
import { linkSteps } from '../toolkit/links/steps.js';
import { createInput, createOutputOf } from '../toolkit/links/link-io.js';
import { planOutput } from '../plans/association-plan.js';
import { associationOutput } from '../toolkit/fields.js';

export const createOutput = createOutputOf(ASSOCIATION, {
  plan: planOutput,
  link: associationOutput,
  alreadyDescription: 'True when the attachment was already associated with this route table',
});

export const createRouteAssociationTool = defineWriteTool({
  name: 'create_route_association',
  config: {
    title: 'Associate an attachment with a route table',
    description:
      'Associates an ER attachment (VPC, VPN, peering…) with a route table of the same enterprise router. ' +
      'Call it with dry_run: true first to see the plan and any conflict, then with the plan_id it returns to make exactly that change ' +
      '(a person approves it; see status approval_required). Idempotent: retries with the same ' +
      'client_token never create a duplicate. The association starts "pending": follow with get_association_state.',
    inputSchema: createInput,
    outputSchema: createOutput,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  ...linkSteps(ASSOCIATION, 'create'),
});
