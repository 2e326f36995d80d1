// What the tool host asks of the write gate. The gate itself (plans, policy, approvals, audit
// records, settle checks) is a large part of the code a stdio server would compile before its
// first answer, so there it loads with the first call that needs it (deferred-gate.ts); the two
// refusals may therefore answer later than at once.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Policy } from '../policy/model.js';
import type { HiddenReason, Session, WriteRequest } from './gate.js';
import type { GuardrailSettings } from './guardrail-settings.js';
import type { WriteArgs } from '../tools/definition.js';

export interface HostGate {
  readonly settings: GuardrailSettings;
  readonly shuttingDown: boolean;
  /** The policy as loaded now, or null without one. */
  currentPolicy(): Policy | null;
  refuseHidden(tool: string, args: Record<string, unknown>, session: Pick<Session, 'caller' | 'projectId' | 'identity'>, reason: HiddenReason): CallToolResult | Promise<CallToolResult>;
  refuseUnconfigured(tool: string, args: WriteArgs, session: Pick<Session, 'caller' | 'projectId'>, result: CallToolResult): CallToolResult | Promise<CallToolResult>;
  run(request: WriteRequest): Promise<CallToolResult>;
}
