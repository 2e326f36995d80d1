// get_association_state: look once, or wait (with progress notifications) until the association
// reaches the wanted state, the time runs out, or the client cancels (links/wait-for-state.ts).
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolCall } from '../toolkit/context.js';
import { defineReadTool } from './definition.js';
import { ASSOCIATION } from '../toolkit/links/association.js';
import { type StateArgs, stateInput, stateOutputOf } from '../toolkit/links/link-io.js';
import { waitForLink } from '../toolkit/links/wait-for-state.js';
import { associationOutput } from '../toolkit/fields.js';

export const stateOutput = stateOutputOf(ASSOCIATION.noun, associationOutput);

export const getAssociationStateTool = defineReadTool({
  name: 'get_association_state',
  config: {
    title: 'Get (or wait for) an association state',
    description:
      'Reads the state of the association of an attachment on a route table (pending → available, deleting → gone). ' +
      'With wait_for and timeout_seconds it polls until then, sending progress notifications.',
    inputSchema: stateInput,
    outputSchema: stateOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => getAssociationState(call, args),
});

export function getAssociationState(call: ToolCall, args: StateArgs): Promise<CallToolResult> {
  return waitForLink(ASSOCIATION, call, args);
}
