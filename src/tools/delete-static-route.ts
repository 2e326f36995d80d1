// delete_static_route: the undo of create_static_route. The table forgets its static route to the
// destination; a route that is already gone (or going) is reported as such (links/delete.ts).
import { staticRoutePlanOutput } from '../plans/static-route-plan.js';
import { deleteOutputOf } from '../toolkit/links/link-io.js';
import { STATIC_ROUTE } from '../toolkit/links/static-route.js';
import { deleteStaticRouteInput } from '../toolkit/links/static-route-io.js';
import { linkSteps } from '../toolkit/links/steps.js';
import { defineWriteTool } from './definition.js';

export const deleteStaticRouteOutput = deleteOutputOf({ plan: staticRoutePlanOutput, alreadyGoneDescription: 'True when the table had no static route to the destination (nothing was changed)' });

export const deleteStaticRouteTool = defineWriteTool({
  name: 'delete_static_route',
  config: {
    title: 'Delete a static route from a route table',
    description:
      'Deletes the static route to a destination from an ER route table (the undo of create_static_route; its result carries the arguments). ' +
      'Traffic to the destination then follows whatever other route the table has for it, or has none. Try dry_run: true first to see where ' +
      'traffic goes after, then call with its plan_id (a person approves it). Then wait with get_static_route_state, wait_for "deleted".',
    inputSchema: deleteStaticRouteInput,
    outputSchema: deleteStaticRouteOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  },
  ...linkSteps(STATIC_ROUTE, 'delete'),
});
