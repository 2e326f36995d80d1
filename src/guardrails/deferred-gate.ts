// The write gate of a stdio server, created once, by the first call that needs it: a write tool,
// or a write refused before it runs. Until then nothing has been written, so there is no plan,
// approval or settle check for it to hold. The audit log is opened (and its problem reported) at
// start as before; the gate receives that same log.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Policy } from '../policy/model.js';
import type { Approvals } from './approvals.js';
import type { ApprovalPages, createGate, HiddenReason, Session, WriteGate, WriteRequest } from './gate.js';
import type { GuardrailSettings } from './guardrail-settings.js';
import type { HostGate } from './host-gate.js';
import type { SettleChecks } from './settle-checks.js';
import type { WriteArgs } from '../tools/definition.js';

export type CreateGateOptions = Parameters<typeof createGate>[0];

export interface DeferredGateOptions {
  gate: CreateGateOptions;
  /** Where this gate's plans are shown to a person, given the desk they are decided at. */
  pages(desk: Approvals): ApprovalPages;
  /** Told once, when the gate is made: the read tools' checks after a write start here. */
  onCreated(made: { gate: WriteGate; desk: Approvals; checks: SettleChecks }): void;
}

export class DeferredGate implements HostGate {
  private loading: Promise<WriteGate> | undefined;
  private made: WriteGate | undefined;
  private stopping = false;

  constructor(private readonly options: DeferredGateOptions) {}

  get settings(): GuardrailSettings {
    return this.options.gate.settings;
  }

  get shuttingDown(): boolean {
    return this.stopping || (this.made?.shuttingDown ?? false);
  }

  currentPolicy(): Policy | null {
    return this.options.gate.policy?.current() ?? null;
  }

  async refuseHidden(tool: string, args: Record<string, unknown>, session: Pick<Session, 'caller' | 'projectId' | 'identity'>, reason: HiddenReason): Promise<CallToolResult> {
    return (await this.gate()).refuseHidden(tool, args, session, reason);
  }

  async refuseUnconfigured(tool: string, args: WriteArgs, session: Pick<Session, 'caller' | 'projectId'>, result: CallToolResult): Promise<CallToolResult> {
    return (await this.gate()).refuseUnconfigured(tool, args, session, result);
  }

  async run(request: WriteRequest): Promise<CallToolResult> {
    return (await this.gate()).run(request);
  }

  /** Takes no new calls; a gate already made (or being made) drains its writes in flight. */
  async drain(boundMs: number): Promise<void> {
    this.stopping = true;
    if (this.loading) await (await this.loading).drain(boundMs);
  }

  private gate(): Promise<WriteGate> {
    this.loading ??= import('./gate.js').then(({ createGate }) => {
      const made = createGate(this.options.gate);
      made.gate.pages = this.options.pages(made.desk);
      this.options.onCreated(made);
      this.made = made.gate;
      return made.gate;
    });
    return this.loading;
  }
}
