// get_static_route_state: look once, or wait (with progress notifications) until the table's
// static route to a destination reaches the wanted state (links/wait-for-state.ts).
import { stateOutputOf } from '../toolkit/links/link-io.js';
import { STATIC_ROUTE } from '../toolkit/links/static-route.js';
import { staticRouteOutput, staticRouteStateInput } from '../toolkit/links/static-route-io.js';
import { waitForLink } from '../toolkit/links/wait-for-state.js';
import { defineReadTool } from './definition.js';

export const staticRouteStateOutput = stateOutputOf(STATIC_ROUTE.noun, staticRouteOutput);

export const getStaticRouteStateTool = defineReadTool({
  name: 'get_static_route_state',
  config: {
    title: 'Get (or wait for) a static route state',
    description:
      'Reads the state of the static route to a destination in a route table (pending → available, modifying → available, deleting → gone). ' +
      'With wait_for and timeout_seconds it polls until then, sending progress notifications.',
    inputSchema: staticRouteStateInput,
    outputSchema: staticRouteStateOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => waitForLink(STATIC_ROUTE, call, args),
});
