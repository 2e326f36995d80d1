// Asking the human, through MCP elicitation, to approve one write, showing what it will change.
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ClientCapabilities, ElicitRequestFormParams as ElicitFormParams, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import type { Plan } from '../tools/plan.js';

export type ConfirmationAnswer = 'accepted' | 'declined' | 'cancelled';

/** What the guard needs from the MCP session: what the client can do, and a way to ask it. */
export interface HumanChannel {
  capabilities(): ClientCapabilities | undefined;
  elicit(message: string, requestedSchema: ApprovalSchema): Promise<ElicitResult>;
}

export interface ApprovalSchema {
  type: 'object';
  properties: { approve: { type: 'boolean'; title: string; description: string; default: boolean } };
  required: ['approve'];
}

export const APPROVAL_SCHEMA: ApprovalSchema = {
  type: 'object',
  properties: { approve: { type: 'boolean', title: 'Approve this change', description: 'Tick to let the change be sent to Huawei Cloud.', default: false } },
  required: ['approve'],
};

export function canElicit(channel: HumanChannel): boolean {
  return Boolean(channel.capabilities()?.elicitation?.form);
}

export async function askApproval(channel: HumanChannel, tool: string, plan: Plan): Promise<ConfirmationAnswer> {
  let result: ElicitResult;
  try {
    result = await channel.elicit(describePlan(tool, plan), APPROVAL_SCHEMA);
  } catch {
    // No answer (the client failed or timed out) is not an approval.
    return 'cancelled';
  }
  if (result.action === 'accept') return result.content?.approve === true ? 'accepted' : 'declined';
  return result.action === 'decline' ? 'declined' : 'cancelled';
}

export function describePlan(tool: string, plan: Plan): string {
  const name = (x: { id: string; name: string | null }) => (x.name ? `${x.name} (${x.id})` : x.id);
  const verb = plan.action === 'associate' ? 'ASSOCIATE' : 'DISASSOCIATE';
  const current = plan.current_association
    ? `currently associated with route table ${plan.current_association.route_table_id} (${plan.current_association.state ?? 'state unknown'})`
    : 'currently not associated';
  const lines = [
    `${tool} asks to ${verb} an attachment ${plan.action === 'associate' ? 'with' : 'from'} a route table.`,
    `Region: ${plan.region}   Project: ${plan.project_id}`,
    `Router: ${name(plan.router)}`,
    `Route table: ${name(plan.route_table)}`,
    `Attachment: ${name(plan.attachment)}${plan.attachment.resource_type ? `, ${plan.attachment.resource_type} ${plan.attachment.resource_id ?? ''}` : ''}`,
    `Now: ${current}`,
    plan.will_change ? 'Effect: this will change the routing of that attachment.' : 'Effect: the plan expects no change.',
    ...plan.conflicts.map((c) => `Conflict: ${c.message}`),
  ];
  return lines.join('\n');
}

/** The channel of one tool call: the client's capabilities, and elicitation tied to that call. */
export function sessionChannel(
  server: { getClientCapabilities(): ClientCapabilities | undefined; elicitInput: (params: ElicitFormParams, options?: RequestOptions) => Promise<ElicitResult> },
  extra: { requestId: string | number; signal: AbortSignal },
): HumanChannel {
  return {
    capabilities: () => server.getClientCapabilities(),
    elicit: (message, requestedSchema) =>
      server.elicitInput(
        { mode: 'form', message, requestedSchema },
        // A person may take a while to read the plan; the client's own call timeout still applies.
        { relatedRequestId: extra.requestId, signal: extra.signal, timeout: HUMAN_TIMEOUT_MS },
      ),
  };
}

const HUMAN_TIMEOUT_MS = 10 * 60 * 1000;
