// What the audit promises about outcomes, each guarded by a test that fails if the promise is
// broken (mutation testing found these unguarded): an association that was already there is
// no_change; a delete whose every answer was lost is may_have_been_applied, never failed; a call
// cancelled as its approval goes through sends nothing, writes no intent and is audited as cancelled.
// (A write whose intent cannot be written is refused with nothing sent: audit-whole.test.ts.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EmulatorOptions } from '../../src/emulator/emulator.js';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { type AuditRecord, type OutcomeRecord, openAuditLog } from '../../src/guardrails/audit.js';
import { createRouteAssociationTool } from '../../src/tools/create-route-association.js';
import type { WriteToolDefinition } from '../../src/tools/definition.js';
import { TOOLS } from '../../src/tools/definitions.js';
import { connectInMemory, errorOf, type InMemoryHarness, type InMemoryOptions, startTestEmulator, structured, tempDir, WITHOUT_APPROVAL } from '../helpers.js';

const ids = SANDBOX_IDS;
/** In the seed, vpc-web is associated with rtb-prod; vpc-payments is associated with nothing. */
const existingAssociation = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.webVpc };
const newAssociation = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc };

let emulator: Emulator;
let harness: InMemoryHarness;
let auditPath: string;

afterEach(async () => {
  await harness?.close();
  await emulator?.close();
});

async function setUp(options: InMemoryOptions, emulatorOptions: Partial<EmulatorOptions> = {}): Promise<void> {
  emulator = await startTestEmulator(emulatorOptions);
  auditPath = join(tempDir('er-audit-promises'), 'audit.jsonl');
  harness = await connectInMemory(emulator, { ...options, audit: openAuditLog(auditPath) });
}

const records = () =>
  readFileSync(auditPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord);
const outcomes = () => records().filter((r): r is OutcomeRecord => r.event === 'outcome');

describe('outcomes the audit must tell apart', () => {
  it('creating an association that already existed (the seed made it) is no_change, not succeeded', async () => {
    await setUp({ settings: WITHOUT_APPROVAL });
    const answer = structured(await harness.client.callTool({ name: 'create_route_association', arguments: existingAssociation }));
    expect(answer).toMatchObject({ already_associated: true, made_by_this_call: false });
    expect(emulator.requests.filter(isWrite).map((r) => r.operation)).toEqual(['associateRouteTable']);
    expect(outcomes()).toEqual([expect.objectContaining({ tool: 'create_route_association', outcome: 'no_change', state: 'available', arguments: expect.objectContaining(existingAssociation) })]);
  });

  it('a delete whose every answer was lost, and whose look-up failed too, is may_have_been_applied, not failed', async () => {
    // Four disassociate attempts, each applied and its answer cut off; then the look-up that would
    // settle it has every attempt cut off before the emulator handles it.
    const sequence = [...Array(4).fill('reset-after'), ...Array(4).fill('reset-before')];
    await setUp({ settings: WITHOUT_APPROVAL }, { faults: { seed: 1, sequence } });
    const error = errorOf(await harness.client.callTool({ name: 'delete_route_association', arguments: existingAssociation }));
    expect(error).toMatchObject({ error_code: 'HTTP.NETWORK', attempts: 4 });
    expect(emulator.requests.map((r) => r.operation)).toEqual([...Array(4).fill('disassociateRouteTable'), ...Array(4).fill('listAssociations')]);
    expect(outcomes()).toEqual([expect.objectContaining({ tool: 'delete_route_association', outcome: 'may_have_been_applied', state: null })]);
  });
});

describe('a call cancelled as its approval goes through', () => {
  /**
   * create_route_association, except that the re-read after the person's approval (its second
   * plan) ends only once the client has cancelled the call and the server has seen it: the
   * cancellation lands after the approval, before anything is sent.
   */
  function cancelledAfterApproval(controller: AbortController): WriteToolDefinition {
    let plans = 0;
    return {
      ...createRouteAssociationTool,
      plan: async (target, call) => {
        const made = await createRouteAssociationTool.plan(target, call);
        if (++plans === 2) {
          controller.abort();
          if (!call.signal.aborted) await new Promise((resolve) => call.signal.addEventListener('abort', resolve, { once: true }));
        }
        return made;
      },
    };
  }

  it('sends nothing, writes no intent, and is audited refused as call_cancelled, with the approval on record', async () => {
    const controller = new AbortController();
    const tools = TOOLS.map((tool) => (tool.name === 'create_route_association' ? cancelledAfterApproval(controller) : tool));
    await setUp({ client: { capabilities: { elicitation: { form: {} } } }, settings: { confirmWrites: 'always' }, tools });
    harness.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { approve: true } }));

    await expect(harness.client.callTool({ name: 'create_route_association', arguments: newAssociation }, undefined, { signal: controller.signal })).rejects.toThrow();
    await vi.waitFor(() => expect(outcomes()).toHaveLength(1), { timeout: 10_000 });
    expect(outcomes()).toEqual([expect.objectContaining({ outcome: 'refused', guardrail: 'call_cancelled', approved_by: 'stdio', approval_channel: 'form' })]);
    expect(records().map((r) => r.event)).toEqual(['approval_requested', 'approved', 'outcome']);
    expect(emulator.requests.filter(isWrite)).toEqual([]);
  });

  it('the cancellation comes right behind the approval (as when both arrive in one read): no intent, nothing sent, audited as cancelled', async () => {
    const controller = new AbortController();
    await setUp({
      client: { capabilities: { elicitation: { form: {} } } },
      settings: { confirmWrites: 'always' },
      // The client cancels the call the moment its answer to the form has been handed over, so the
      // server takes the answer in and sees the cancellation before the gate acts on the answer.
      clientTransport: (transport) => {
        const send = transport.send.bind(transport);
        transport.send = (message, options) => {
          const sent = send(message, options);
          if ('result' in message) controller.abort();
          return sent;
        };
      },
    });
    harness.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { approve: true } }));

    await expect(harness.client.callTool({ name: 'create_route_association', arguments: newAssociation }, undefined, { signal: controller.signal })).rejects.toThrow();
    await vi.waitFor(() => expect(outcomes()).toHaveLength(1), { timeout: 10_000 });
    expect(outcomes()).toEqual([expect.objectContaining({ outcome: 'refused', guardrail: 'call_cancelled' })]);
    // The answer came too late to count: no approval is recorded, and no intent.
    expect(records().map((r) => r.event)).toEqual(['approval_requested', 'outcome']);
    expect(emulator.requests.filter(isWrite)).toEqual([]);
  });

  it('the person approves in the form just as the agent cancels: no intent, nothing sent, audited as cancelled', async () => {
    const controller = new AbortController();
    await setUp({ client: { capabilities: { elicitation: { form: {} } } }, settings: { confirmWrites: 'always' } });
    harness.client.setRequestHandler(ElicitRequestSchema, async () => {
      controller.abort();
      return { action: 'accept', content: { approve: true } };
    });

    await expect(harness.client.callTool({ name: 'create_route_association', arguments: newAssociation }, undefined, { signal: controller.signal })).rejects.toThrow();
    await vi.waitFor(() => expect(outcomes()).toHaveLength(1), { timeout: 10_000 });
    expect(outcomes()).toEqual([expect.objectContaining({ outcome: 'refused', guardrail: 'call_cancelled' })]);
    expect(records().filter((r) => r.event === 'intent')).toEqual([]);
    expect(emulator.requests.filter(isWrite)).toEqual([]);
  });
});
