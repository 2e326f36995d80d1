// get_propagation_state: the sibling of get_association_state for propagations, through the same
// wait (links/wait-for-state.ts): same arguments, same wait rules, same result shape, with
// `propagation` in place of `association`.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolCall } from '../toolkit/context.js';
import { defineReadTool } from './definition.js';
import { PROPAGATION } from '../toolkit/links/propagation.js';
import { type StateArgs, stateInput, stateOutputOf } from '../toolkit/links/link-io.js';
import { waitForLink } from '../toolkit/links/wait-for-state.js';
import { propagationOutput } from '../toolkit/fields.js';

export const propagationStateOutput = stateOutputOf(PROPAGATION.noun, propagationOutput);

export const getPropagationStateTool = defineReadTool({
  name: 'get_propagation_state',
  config: {
    title: 'Get (or wait for) a propagation state',
    description:
      'Reads the state of the propagation of an attachment into a route table (pending → available, deleting → gone). ' +
      'With wait_for and timeout_seconds it polls until then, sending progress notifications.',
    inputSchema: stateInput,
    outputSchema: propagationStateOutput,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  handler: (args, call) => getPropagationState(call, args),
});

export function getPropagationState(call: ToolCall, args: StateArgs): Promise<CallToolResult> {
  return waitForLink(PROPAGATION, call, args);
}
