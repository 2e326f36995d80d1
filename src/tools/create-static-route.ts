// create_static_route: send a destination to an attachment, or drop it (a blackhole), in one
// route table; idempotently, converging on what really happened when the network or the API
// misbehaves (links/create.ts; what is particular to static routes is in links/static-route.ts).
import { staticRoutePlanOutput } from '../plans/static-route-plan.js';
import { createOutputOf } from '../toolkit/links/link-io.js';
import { STATIC_ROUTE } from '../toolkit/links/static-route.js';
import { createStaticRouteInput, staticRouteOutput } from '../toolkit/links/static-route-io.js';
import { linkSteps } from '../toolkit/links/steps.js';
import { defineWriteTool } from './definition.js';

export const createStaticRouteOutput = createOutputOf(STATIC_ROUTE, {
  plan: staticRoutePlanOutput,
  link: staticRouteOutput,
  alreadyDescription: 'True when the table already had this static route, going the same way',
});

export const createStaticRouteTool = defineWriteTool({
  name: 'create_static_route',
  config: {
    title: 'Add a static route to a route table',
    description:
      'Adds a static route to an ER route table: traffic to a destination CIDR goes to one attachment (attachment_id), or is dropped ' +
      '(is_blackhole: true) — e.g. "send 0.0.0.0/0 to the firewall", "drop 10.30.0.0/16". A static route wins over propagated routes ' +
      'to the same destination, for every attachment associated with the table. Call with dry_run: true first to see the routing effect ' +
      '(where traffic goes before and after, and whose), then with the plan_id it returns to make exactly that change (a person approves it; ' +
      'see status approval_required). Idempotent: retries with the same client_token never create a duplicate. Starts "pending": follow ' +
      'with get_static_route_state.',
    inputSchema: createStaticRouteInput,
    outputSchema: createStaticRouteOutput,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  ...linkSteps(STATIC_ROUTE, 'create'),
});
