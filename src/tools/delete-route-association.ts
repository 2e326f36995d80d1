// delete_route_association: the undo of a create. Sends the signed disassociate; an association
// that is already gone (or going) is reported as such, not as a failure (links/delete.ts).
import { defineWriteTool } from './definition.js';
import { ASSOCIATION } from '../toolkit/links/association.js';
import { linkSteps } from '../toolkit/links/steps.js';
import { deleteInput, deleteOutputOf } from '../toolkit/links/link-io.js';
import { planOutput } from '../plans/association-plan.js';

export const deleteOutput = deleteOutputOf({ plan: planOutput, alreadyGoneDescription: 'True when the association did not exist (nothing was sent or changed)' });

export const deleteRouteAssociationTool = defineWriteTool({
  name: 'delete_route_association',
  config: {
    title: 'Remove an attachment’s association from a route table',
    description:
      'Disassociates an attachment from a route table (the undo of create_route_association; its result carries the ' +
      'arguments). Traffic through that attachment stops using the table. Try dry_run: true first, then call with its plan_id (a person approves it). Then wait with ' +
      'get_association_state, wait_for "deleted".',
    inputSchema: deleteInput,
    outputSchema: deleteOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  },
  ...linkSteps(ASSOCIATION, 'delete'),
});
