// delete_route_propagation: the undo of create_route_propagation. The route table forgets the
// attachment's routes. A propagation that is already gone (or going) is reported as such
// (links/delete.ts).
import { defineWriteTool } from './definition.js';
import { linkSteps } from '../toolkit/links/steps.js';
import { PROPAGATION } from '../toolkit/links/propagation.js';
import { deleteInput, deleteOutputOf } from '../toolkit/links/link-io.js';
import { propagationPlanOutput } from '../plans/propagation-plan.js';

export const deletePropagationOutput = deleteOutputOf({ plan: propagationPlanOutput, alreadyGoneDescription: 'True when the propagation did not exist (nothing was changed)' });

export const deleteRoutePropagationTool = defineWriteTool({
  name: 'delete_route_propagation',
  config: {
    title: 'Stop propagating an attachment’s routes into a route table',
    description:
      'Removes the propagation of an attachment into a route table (the undo of create_route_propagation; its result carries the ' +
      'arguments): the table forgets the attachment’s routes, so traffic looked up there can no longer reach it that way. Try ' +
      'dry_run: true first to see which destinations disappear, then call with its plan_id (a person approves it). Then wait with get_propagation_state, wait_for "deleted".',
    inputSchema: deleteInput,
    outputSchema: deletePropagationOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  },
  ...linkSteps(PROPAGATION, 'delete'),
});
