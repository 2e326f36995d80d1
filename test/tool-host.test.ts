// The registry is the only way in: a new write tool is gated and audited without asking for it,
// and nothing in src/ reaches into the SDK's private fields.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Emulator } from '../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../src/emulator/topology.js';
import { type AttemptRecord, type AuditSink, openAuditLog } from '../src/guardrails/audit.js';
import type { GuardrailSettings } from '../src/guardrails/guardrail-settings.js';
import { defineReadTool, defineWriteTool, type WriteToolDefinition } from '../src/tools/definition.js';
import { success } from '../src/toolkit/results.js';
import { associationRefShape } from '../src/toolkit/fields.js';
import { connectInMemory, errorOf, type InMemoryHarness, startTestEmulator, structured, tempDir } from './helpers.js';

const args = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };

let emulator: Emulator;
let harness: InMemoryHarness;
let auditPath: string;
let performed: number;

afterEach(async () => {
  await harness?.close();
  await emulator?.close();
});

/** A write tool nobody wired into any guardrail by hand: it only counts its calls. */
const dummyWrite = defineWriteTool({
  name: 'dummy_write',
  config: {
    title: 'Dummy write',
    description: 'A write tool added only through the registry.',
    inputSchema: z.strictObject({ ...associationRefShape, client_token: z.string().optional() }),
    outputSchema: z.object({ done: z.boolean() }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  },
  plan: async () => ({ plan: { dummy: true }, fingerprint: {}, expectation: null }),
  describe: () => 'approve the dummy?',
  apply: async () => {
    performed += 1;
    return { result: success({ done: true }), report: { outcome: 'succeeded', state: 'pending', error_code: null } };
  },
  verify: async () => ({ status: 'not_checked', differences: [], differences_count: 0 }),
  settles: { stateTool: 'get_dummy_state', state: 'available' },
});

const dummyRead = defineReadTool({
  name: 'dummy_read',
  config: {
    title: 'Dummy read',
    description: 'A read tool added only through the registry.',
    inputSchema: z.strictObject({}),
    outputSchema: z.object({ ok: z.boolean() }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  },
  handler: async () => success({ ok: true }),
});

async function setUp(settings: Partial<GuardrailSettings>): Promise<void> {
  performed = 0;
  emulator = await startTestEmulator();
  auditPath = join(tempDir('er-audit'), 'audit.jsonl');
  harness = await connectInMemory(emulator, { settings: { confirmWrites: 'never', ...settings }, audit: openAuditLog(auditPath), tools: [dummyRead, dummyWrite] });
}

const records = () => readFileSync(auditPath, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AttemptRecord);

describe('a write tool added through the registry', () => {
  it('is audited before and after, with a client token fixed before the intent', async () => {
    await setUp({});
    structured(await harness.client.callTool({ name: 'dummy_write', arguments: args }));
    expect(performed).toBe(1);
    const [intent, outcome] = records();
    expect(intent).toMatchObject({ event: 'intent', tool: 'dummy_write', caller: 'stdio', client_token: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(outcome).toMatchObject({ event: 'outcome', tool: 'dummy_write', outcome: 'succeeded', attempt_id: intent!.attempt_id, client_token: intent!.client_token });
  });

  it('is held by the allow-lists', async () => {
    await setUp({ allowErIds: new Set(['er-other']) });
    expect(errorOf(await harness.client.callTool({ name: 'dummy_write', arguments: args })).error_code).toBe('NOT_ALLOWED');
    expect(performed).toBe(0);
    expect(records()).toEqual([expect.objectContaining({ event: 'outcome', tool: 'dummy_write', outcome: 'refused', guardrail: 'allow_er_ids' })]);
  });

  it('is hidden and refused by name in read-only mode, while the read tool works', async () => {
    await setUp({ readOnly: true });
    expect((await harness.client.listTools()).tools.map((t) => t.name)).toEqual(['dummy_read']);
    expect(errorOf(await harness.client.callTool({ name: 'dummy_write', arguments: args })).error_code).toBe('READ_ONLY');
    structured(await harness.client.callTool({ name: 'dummy_read', arguments: {} }));
    expect(performed).toBe(0);
    expect(records()).toEqual([expect.objectContaining({ event: 'outcome', tool: 'dummy_write', outcome: 'refused', guardrail: 'read_only' })]);
  });

  it('is not made before a person approves it when confirmation is on', async () => {
    await setUp({ confirmWrites: 'auto' });
    // No elicitation in this client and no approval page here: it fails closed.
    expect(errorOf(await harness.client.callTool({ name: 'dummy_write', arguments: args })).error_code).toBe('APPROVAL_UNAVAILABLE');
    expect(performed).toBe(0);
  });
});

describe('the er:write scope of an HTTP caller', () => {
  /** What the HTTP transport attaches to every request of a verified token. */
  const authInfo = (caller: string, scopes: string[]): AuthInfo => ({ token: 'opaque', clientId: caller, scopes, extra: { caller } });

  async function setUpAs(auth: AuthInfo): Promise<void> {
    performed = 0;
    emulator = await startTestEmulator();
    auditPath = join(tempDir('er-audit'), 'audit.jsonl');
    harness = await connectInMemory(emulator, { settings: { confirmWrites: 'never' }, audit: openAuditLog(auditPath), tools: [dummyRead, dummyWrite], authInfo: auth });
  }

  it('without it, a write tool is neither listed nor callable by name (FORBIDDEN_SCOPE, audited), and reads work', async () => {
    await setUpAs(authInfo('token:reader', ['er:read']));
    expect((await harness.client.listTools()).tools.map((t) => t.name)).toEqual(['dummy_read']);
    const error = errorOf(await harness.client.callTool({ name: 'dummy_write', arguments: args }));
    expect(error.error_code).toBe('FORBIDDEN_SCOPE');
    expect(String(error.error_msg)).toContain('lack the er:write scope');
    expect(performed).toBe(0);
    structured(await harness.client.callTool({ name: 'dummy_read', arguments: {} }));
    expect(records()).toEqual([expect.objectContaining({ event: 'outcome', tool: 'dummy_write', outcome: 'refused', guardrail: 'scope', caller: 'token:reader' })]);
  });

  it('with it, the same write tool is listed and made, as that caller', async () => {
    await setUpAs(authInfo('token:writer', ['er:read', 'er:write']));
    expect((await harness.client.listTools()).tools.map((t) => t.name)).toEqual(['dummy_read', 'dummy_write']);
    structured(await harness.client.callTool({ name: 'dummy_write', arguments: args }));
    expect(performed).toBe(1);
    expect(records().map((r) => [r.event, r.caller])).toEqual([
      ['intent', 'token:writer'],
      ['outcome', 'token:writer'],
    ]);
  });
});

describe('shutting down with a write in flight', () => {
  it('refuses new calls, records a write still unsettled at the bound as may_have_been_applied, and answers it', async () => {
    const stuck: WriteToolDefinition = { ...dummyWrite, name: 'stuck_write', apply: () => new Promise(() => undefined) };
    emulator = await startTestEmulator();
    auditPath = join(tempDir('er-audit'), 'audit.jsonl');
    harness = await connectInMemory(emulator, { settings: { confirmWrites: 'never' }, audit: openAuditLog(auditPath), tools: [dummyRead, stuck] });
    let answer: unknown;
    void harness.client.callTool({ name: 'stuck_write', arguments: { ...args, client_token: 'stuck-1' } }).then((result) => (answer = result), () => undefined);
    await vi.waitFor(() => expect(records()).toHaveLength(1), { timeout: 10_000 });
    const drained = harness.gate.drain(100);
    expect(errorOf(await harness.client.callTool({ name: 'dummy_read', arguments: {} })).error_code).toBe('SHUTTING_DOWN');
    await drained;
    const [intent, outcome] = records();
    expect(intent).toMatchObject({ event: 'intent', tool: 'stuck_write' });
    expect(outcome).toMatchObject({ event: 'outcome', attempt_id: intent!.attempt_id, outcome: 'may_have_been_applied' });
    // The note points at the state tool the write tool declares.
    expect((outcome as { note?: string }).note).toContain('check with get_dummy_state (same IDs) whether it was applied');
    // The caller is not left without an answer: the outcome is unknown, and how to find out.
    await vi.waitFor(() => expect(answer).toBeDefined(), { timeout: 10_000 });
    expect(errorOf(answer)).toMatchObject({ error_code: 'SERVER_STOPPED', outcome: 'unknown', client_token: 'stuck-1' });
    expect(String(errorOf(answer).hint)).toContain('Check with get_dummy_state (same IDs) whether it was applied. To finish the job once the server is back, call stuck_write again with client_token stuck-1');
  });
});

describe('shutting down when the outcome cannot be recorded', () => {
  it('still answers the stopped write, and the answer says the audit log failed', async () => {
    const stuck: WriteToolDefinition = { ...dummyWrite, name: 'stuck_write', apply: () => new Promise(() => undefined) };
    const written: string[] = [];
    let failed = false;
    // Takes the intent, then fails: the disk filled up while the write was at the API.
    const audit: AuditSink = {
      problem: () => (failed ? 'the disk is full' : null),
      append: (record) => {
        if (record.event === 'outcome') {
          failed = true;
          throw new Error('ENOSPC');
        }
        written.push(record.event);
      },
      close: () => undefined,
    };
    emulator = await startTestEmulator();
    harness = await connectInMemory(emulator, { settings: { confirmWrites: 'never' }, audit, tools: [dummyRead, stuck] });
    let answer: unknown;
    void harness.client.callTool({ name: 'stuck_write', arguments: args }).then((result) => (answer = result), () => undefined);
    await vi.waitFor(() => expect(written).toEqual(['intent']), { timeout: 10_000 });
    await harness.gate.drain(100);
    await vi.waitFor(() => expect(answer).toBeDefined(), { timeout: 10_000 });
    const error = errorOf(answer);
    expect(error.error_code).toBe('SERVER_STOPPED');
    expect(String(error.audit_warning)).toContain('the outcome of this call (may_have_been_applied) could not be written to the audit log: the disk is full');
  });
});

describe('a write tool that throws', () => {
  it('answers INTERNAL with a hint naming the write, and records may_have_been_applied', async () => {
    const throwing: WriteToolDefinition = {
      ...dummyWrite,
      name: 'throwing_write',
      apply: () => Promise.reject(new Error('bug in the handler')),
    };
    emulator = await startTestEmulator();
    auditPath = join(tempDir('er-audit'), 'audit.jsonl');
    harness = await connectInMemory(emulator, { settings: { confirmWrites: 'never' }, audit: openAuditLog(auditPath), tools: [dummyRead, throwing] });
    const error = errorOf(await harness.client.callTool({ name: 'throwing_write', arguments: args }));
    expect(error).toMatchObject({ error_code: 'INTERNAL', retryable: false });
    expect(error.hint).toBe('Check with get_dummy_state (same IDs) whether the change was made; the server log (stderr) has details.');
    const [intent, outcome] = records();
    expect(intent).toMatchObject({ event: 'intent', tool: 'throwing_write' });
    expect(outcome).toMatchObject({ event: 'outcome', attempt_id: intent!.attempt_id, outcome: 'may_have_been_applied', error_code: 'INTERNAL' });
  });
});

describe('the SDK is used through its public API only', () => {
  it('no file in src/ touches a private (underscore) member', () => {
    const root = fileURLToPath(new URL('../src', import.meta.url));
    const offenders: string[] = [];
    const visit = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) visit(path);
        else if (entry.name.endsWith('.ts') && /\._[A-Za-z]|\b_requestHandlers\b/.test(readFileSync(path, 'utf8').replace(/_meta\b/g, ''))) offenders.push(path);
      }
    };
    visit(root);
    expect(offenders).toEqual([]);
  });
});
