// Human approval that cannot hang or be faked: only a clear "yes" from the person lets a write
// through; a client that fails, answers nonsense or never answers refuses it, and so does a call
// cancelled while the question was open.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { type AttemptRecord, openAuditLog } from '../../src/guardrails/audit.js';
import { connectInMemory, errorOf, type InMemoryHarness, startTestEmulator, tempDir } from '../helpers.js';

const args = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };

let emulator: Emulator;
let harness: InMemoryHarness;
let auditPath: string;

afterEach(async () => {
  await harness?.close();
  await emulator?.close();
});

async function setUp(answer: () => Promise<ElicitResult>, confirmTimeoutMs = 120_000): Promise<void> {
  emulator = await startTestEmulator();
  auditPath = join(tempDir('er-audit'), 'audit.jsonl');
  harness = await connectInMemory(emulator, {
    client: { capabilities: { elicitation: { form: {} } } },
    settings: { confirmWrites: 'always', confirmTimeoutMs },
    audit: openAuditLog(auditPath),
  });
  harness.client.setRequestHandler(ElicitRequestSchema, () => answer());
}

const records = () => readFileSync(auditPath, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AttemptRecord);

async function expectRefusedWithoutBlame(): Promise<string> {
  const error = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: args }));
  expect(error.error_code).toBe('CONFIRMATION_FAILED');
  expect(String(error.error_msg)).toMatch(/^The client could not ask for approval/);
  expect(String(error.error_msg)).not.toMatch(/human (declined|cancelled)/);
  expect(emulator.requests.filter(isWrite)).toEqual([]);
  // The person was asked (and the plan stays open for another try); the attempt sent nothing.
  expect(records()).toEqual([
    expect.objectContaining({ event: 'approval_requested', tool: 'create_route_association' }),
    expect.objectContaining({ event: 'outcome', outcome: 'confirmation_failed', guardrail: 'confirmation_failed' }),
  ]);
  return String(error.error_msg);
}

describe('approval that fails is no approval', () => {
  it('the client answers the question with an error', async () => {
    await setUp(async () => {
      throw new Error('the approval dialog crashed');
    });
    await expectRefusedWithoutBlame();
  });

  it('the client accepts with an answer of the wrong shape', async () => {
    await setUp(async () => ({ action: 'accept', content: { approve: 'yes' } }) as unknown as ElicitResult);
    // The server checks the answer against the form's schema (its validator is built on first use).
    expect(await expectRefusedWithoutBlame()).toContain('does not match requested schema');
  });

  it('the client accepts with no answer at all', async () => {
    await setUp(async () => ({ action: 'accept' }));
    await expectRefusedWithoutBlame();
  });

  it('no answer comes within --confirm-timeout-seconds', async () => {
    await setUp(() => new Promise<ElicitResult>(() => undefined), 200);
    expect(await expectRefusedWithoutBlame()).toContain('no answer came within');
  });
});

describe('cancellation while the question is open', () => {
  it('an approval that arrives after the call was cancelled sends nothing', async () => {
    const controller = new AbortController();
    let asked = false;
    await setUp(async () => {
      asked = true;
      controller.abort();
      // The person clicks "approve" a moment after the agent gave up on the call.
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { action: 'accept', content: { approve: true } };
    });
    await expect(harness.client.callTool({ name: 'create_route_association', arguments: args }, undefined, { signal: controller.signal })).rejects.toThrow();
    expect(asked).toBe(true);
    await vi.waitFor(() => expect(records().filter((r) => r.event === 'outcome')).toEqual([expect.objectContaining({ event: 'outcome', outcome: 'refused', guardrail: 'call_cancelled' })]), { timeout: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(emulator.requests.filter(isWrite)).toEqual([]);
  });
});
