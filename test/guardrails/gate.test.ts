// Guardrails in memory: read-only, allow-lists, human confirmation in every mode, audit records.
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultPlan } from '../../src/emulator/faults.js';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { type AttemptRecord, type OutcomeRecord, openAuditLog } from '../../src/guardrails/audit.js';
import type { GuardrailSettings } from '../../src/guardrails/guardrail-settings.js';
import { CANARY_VALUES, connectInMemory, errorOf, type InMemoryHarness, startTestEmulator, structured, tempDir } from '../helpers.js';

const ids = SANDBOX_IDS;
const createArgs = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc };
const deleteArgs = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.webVpc };

let emulator: Emulator;
let harness: InMemoryHarness;
let auditPath: string;
let elicitations: Array<{ message: string }>;
/** Where these tests say approval pages are; the pages themselves are tested in test/approvals/. */
const PAGE_BASE = 'http://127.0.0.1:9/approvals';

afterEach(async () => {
  await harness?.close();
  await emulator?.close();
});

async function setUp(settings: Partial<GuardrailSettings>, elicit?: ElicitResult['action'] | 'accept-unticked', faults?: FaultPlan): Promise<void> {
  emulator = await startTestEmulator({ faults });
  auditPath = join(tempDir('er-audit'), 'nested', 'audit.jsonl');
  elicitations = [];
  const capabilities = elicit ? { elicitation: { form: {} } } : {};
  harness = await connectInMemory(emulator, { client: { capabilities }, settings, audit: openAuditLog(auditPath), pages: { urlFor: async (id) => `${PAGE_BASE}/${id}` } });
  if (elicit) {
    harness.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      elicitations.push({ message: request.params.message });
      if (elicit === 'accept') return { action: 'accept', content: { approve: true } };
      if (elicit === 'accept-unticked') return { action: 'accept', content: { approve: false } };
      return { action: elicit };
    });
  }
}

const writes = () => emulator.requests.filter(isWrite);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function auditRecords(): AttemptRecord[] {
  return readFileSync(auditPath, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AttemptRecord);
}

/** The outcome lines only: one per audited call. */
function outcomes(): OutcomeRecord[] {
  return auditRecords().filter((r): r is OutcomeRecord => r.event === 'outcome');
}

describe('read-only mode', () => {
  it('does not list the write tools, refuses them by name, and keeps reads working', async () => {
    await setUp({ readOnly: true });
    const names = (await harness.client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('create_route_association');
    expect(names).not.toContain('delete_route_association');
    expect(names).toContain('get_association_state');
    for (const tool of ['create_route_association', 'delete_route_association']) {
      const error = errorOf(await harness.client.callTool({ name: tool, arguments: createArgs }));
      expect(error.error_code).toBe('READ_ONLY');
      expect(String(error.error_msg)).toContain('read-only');
    }
    structured(await harness.client.callTool({ name: 'list_enterprise_routers', arguments: {} }));
    structured(await harness.client.callTool({ name: 'get_association_state', arguments: deleteArgs }));
    expect(writes()).toEqual([]);
    expect(outcomes().map((r) => [r.tool, r.outcome, r.guardrail])).toEqual([
      ['create_route_association', 'refused', 'read_only'],
      ['delete_route_association', 'refused', 'read_only'],
    ]);
    expect((await harness.client.getInstructions()) ?? '').toContain('read-only');
  });

  it('records only the known arguments of a refused call, cut short', async () => {
    await setUp({ readOnly: true });
    errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: { er_id: 'x'.repeat(100_000), junk: 'y'.repeat(100_000), dry_run: true } }));
    const [record] = auditRecords();
    expect(record?.arguments).toEqual({ er_id: 'x'.repeat(64), dry_run: true });
    expect(readFileSync(auditPath, 'utf8').length).toBeLessThan(2_000);
  });
});

describe('allow-lists', () => {
  it('lets a listed router and route table through', async () => {
    await setUp({ allowErIds: new Set([ids.router]), allowRouteTableIds: new Set([ids.prodTable]), confirmWrites: 'never' });
    structured(await harness.client.callTool({ name: 'create_route_association', arguments: createArgs }));
    expect(writes()).toHaveLength(1);
  });

  it('refuses an unlisted router before any request and names the rule', async () => {
    await setUp({ allowErIds: new Set([ids.labRouter]) });
    const before = emulator.requests.length;
    const error = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: createArgs }));
    expect(error.error_code).toBe('NOT_ALLOWED');
    expect(String(error.error_msg)).toContain('--allow-er-ids');
    expect(emulator.requests.length).toBe(before);
    expect(auditRecords()).toEqual([expect.objectContaining({ outcome: 'refused', guardrail: 'allow_er_ids' })]);
  });

  it('refuses an unlisted route table, dry runs and deletes included', async () => {
    await setUp({ allowRouteTableIds: new Set([ids.devTable]) });
    for (const [tool, args] of [
      ['create_route_association', { ...createArgs, dry_run: true }],
      ['delete_route_association', deleteArgs],
    ] as const) {
      const error = errorOf(await harness.client.callTool({ name: tool, arguments: args }));
      expect(String(error.error_msg)).toContain('--allow-route-table-ids');
    }
    expect(emulator.requests).toEqual([]);
  });
});

describe('human confirmation', () => {
  it('asks with names and the plan, and writes once accepted', async () => {
    await setUp({ confirmWrites: 'auto' }, 'accept');
    structured(await harness.client.callTool({ name: 'create_route_association', arguments: createArgs }));
    expect(elicitations).toHaveLength(1);
    const message = elicitations[0]!.message;
    for (const part of ['cn-east-3', ids.projectId, 'er-shanghai-core', 'rtb-prod', 'vpc-payments', 'currently not associated', 'will change']) {
      expect(message).toContain(part);
    }
    expect(writes()).toHaveLength(1);
    const records = auditRecords() as unknown as Array<Record<string, unknown>>;
    expect(records.map((r) => r.event)).toEqual(['approval_requested', 'approved', 'intent', 'outcome']);
    const planId = records[0]!.plan_id;
    expect(records[1]).toMatchObject({ plan_id: planId, person: 'stdio', channel: 'form' });
    // What the person saw is what the audit hashes.
    expect(records[2]).toMatchObject({ guardrail: 'approved', plan_id: planId, plan_sha256: sha256(message), requested_by: 'stdio', approved_by: 'stdio', approval_channel: 'form' });
    expect(records[3]).toMatchObject({ outcome: 'succeeded', state: 'pending', plan_id: planId, approved_by: 'stdio' });
  });

  it.each(['decline', 'cancel', 'accept-unticked'] as const)('sends nothing when the human answers %s, and the plan stays rejected', async (answer) => {
    await setUp({ confirmWrites: 'always' }, answer);
    const error = errorOf(await harness.client.callTool({ name: 'delete_route_association', arguments: deleteArgs }));
    expect(error).toMatchObject({ error_code: 'DECLINED_BY_HUMAN', status: 'declined' });
    expect(String(error.error_msg)).toMatch(/stdio rejected plan plan-/);
    expect(elicitations).toHaveLength(1);
    expect(writes()).toEqual([]);
    expect(auditRecords().map((r) => r.event)).toEqual(['approval_requested', 'rejected', 'outcome']);
    expect(outcomes()).toEqual([expect.objectContaining({ outcome: 'declined' })]);
    // The rejected plan cannot be used later: asking with it again is declined without a question.
    const again = errorOf(await harness.client.callTool({ name: 'delete_route_association', arguments: { ...deleteArgs, plan_id: error.plan_id } }));
    expect(again).toMatchObject({ error_code: 'DECLINED_BY_HUMAN', status: 'declined' });
    expect(elicitations).toHaveLength(1);
    expect(writes()).toEqual([]);
  });

  it.each(['auto', 'always'] as const)('%s: a client that cannot elicit gets approval_required (a result, not an error) and nothing is sent', async (mode) => {
    await setUp({ confirmWrites: mode });
    const pending = structured<{ status: string; plan_id: string; approval_url: string; hint: string }>(await harness.client.callTool({ name: 'create_route_association', arguments: createArgs }));
    expect(pending).toMatchObject({ status: 'approval_required', approval_url: `${PAGE_BASE}/${pending.plan_id}` });
    expect(pending.hint).toContain(`plan_id ${pending.plan_id}`);
    expect(writes()).toEqual([]);
    // Asking again before a decision answers the same, and is asked once in the audit.
    const again = structured<{ status: string; plan_id: string }>(await harness.client.callTool({ name: 'create_route_association', arguments: { ...createArgs, plan_id: pending.plan_id } }));
    expect(again).toMatchObject({ status: 'approval_required', plan_id: pending.plan_id });
    expect(writes()).toEqual([]);
    expect(auditRecords().map((r) => r.event)).toEqual(['approval_requested', 'outcome', 'outcome']);
    expect(outcomes().map((o) => o.outcome)).toEqual(['approval_required', 'approval_required']);
  });

  it('a plan approved on its page is made on the next call, with the person and the page in the intent', async () => {
    await setUp({ confirmWrites: 'auto' });
    const pending = structured<{ plan_id: string }>(await harness.client.callTool({ name: 'create_route_association', arguments: createArgs }));
    expect(harness.desk.decide(pending.plan_id, 'approve', { caller: 'stdio', scopes: null }, 'page')).toMatchObject({ ok: true });
    structured(await harness.client.callTool({ name: 'create_route_association', arguments: { ...createArgs, plan_id: pending.plan_id } }));
    expect(writes()).toHaveLength(1);
    const intent = auditRecords().find((r) => r.event === 'intent');
    expect(intent).toMatchObject({ plan_id: pending.plan_id, approved_by: 'stdio', approval_channel: 'page' });
  });

  it('a plan rejected on its page is declined on the next call', async () => {
    await setUp({ confirmWrites: 'auto' });
    const pending = structured<{ plan_id: string }>(await harness.client.callTool({ name: 'create_route_association', arguments: createArgs }));
    expect(harness.desk.decide(pending.plan_id, 'reject', { caller: 'stdio', scopes: null }, 'page')).toMatchObject({ ok: true });
    const error = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: { ...createArgs, plan_id: pending.plan_id } }));
    expect(error).toMatchObject({ error_code: 'DECLINED_BY_HUMAN', status: 'declined' });
    expect(writes()).toEqual([]);
  });

  it('without any approval page the write fails closed', async () => {
    emulator = await startTestEmulator();
    harness = await connectInMemory(emulator, { settings: { confirmWrites: 'auto' } });
    const error = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: createArgs }));
    expect(error.error_code).toBe('APPROVAL_UNAVAILABLE');
    expect(writes()).toEqual([]);
  });

  it('never: does not ask even a client that could', async () => {
    await setUp({ confirmWrites: 'never' }, 'decline');
    structured(await harness.client.callTool({ name: 'create_route_association', arguments: createArgs }));
    expect(elicitations).toEqual([]);
    expect(writes()).toHaveLength(1);
    expect(auditRecords().find((r) => r.event === 'intent')).toMatchObject({ approval_channel: 'none', approved_by: null, plan_id: null });
  });

  it('a dry run needs no approval and is audited as a dry run', async () => {
    await setUp({ confirmWrites: 'always' }, 'decline');
    structured(await harness.client.callTool({ name: 'create_route_association', arguments: { ...createArgs, dry_run: true } }));
    expect(elicitations).toEqual([]);
    expect(writes()).toEqual([]);
    expect(auditRecords()).toEqual([expect.objectContaining({ outcome: 'dry_run', plan_id: expect.stringMatching(/^plan-/) })]);
  });

  it('the agent cannot switch confirmation off with an argument', async () => {
    await setUp({ confirmWrites: 'always' }, 'decline');
    const result = await harness.client.callTool({ name: 'create_route_association', arguments: { ...createArgs, confirm_writes: 'never' } });
    expect(result.isError).toBe(true);
    expect(writes()).toEqual([]);
  });
});

describe('confirmation matrix: every mode with every kind of client', () => {
  // [mode, client answer (none: the client cannot elicit), questions asked, writes sent]
  const cases = [
    ['auto', 'accept', 1, 1],
    ['auto', 'decline', 1, 0],
    ['auto', 'cancel', 1, 0],
    ['auto', 'none', 0, 0],
    ['always', 'accept', 1, 1],
    ['always', 'decline', 1, 0],
    ['always', 'cancel', 1, 0],
    ['always', 'none', 0, 0],
    ['never', 'accept', 0, 1],
    ['never', 'decline', 0, 1],
    ['never', 'cancel', 0, 1],
    ['never', 'none', 0, 1],
  ] as const;
  it.each(cases)('%s with a client answering %s: %i question(s), %i write(s)', async (mode, answer, questions, sent) => {
    await setUp({ confirmWrites: mode }, answer === 'none' ? undefined : answer);
    const result = await harness.client.callTool({ name: 'create_route_association', arguments: createArgs });
    expect(elicitations).toHaveLength(questions);
    expect(writes()).toHaveLength(sent);
    // A client that cannot ask gets approval_required: a result, not an error.
    expect(Boolean(result.isError)).toBe(sent === 0 && answer !== 'none');
  });
});

describe('audit trail', () => {
  it('writes one 0600 line per attempt, with outcome, token, request id and no secret', async () => {
    await setUp({ confirmWrites: 'never' });
    structured(await harness.client.callTool({ name: 'create_route_association', arguments: { ...createArgs, client_token: 'audit-token-1' } }));
    errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: { ...createArgs, route_table_id: 'no-such-table' } }));
    structured(await harness.client.callTool({ name: 'delete_route_association', arguments: { ...deleteArgs, dry_run: true } }));
    const records = auditRecords();
    expect(records.map((r) => [r.event, r.tool, r.event === 'outcome' ? r.outcome : null])).toEqual([
      ['intent', 'create_route_association', null],
      ['outcome', 'create_route_association', 'succeeded'],
      ['intent', 'create_route_association', null],
      ['outcome', 'create_route_association', 'failed'],
      ['outcome', 'delete_route_association', 'dry_run'],
    ]);
    // Each intent and its outcome share an attempt id no other attempt has.
    expect(records[0]!.attempt_id).toBe(records[1]!.attempt_id);
    expect(records[2]!.attempt_id).toBe(records[3]!.attempt_id);
    expect(new Set(records.map((r) => r.attempt_id)).size).toBe(3);
    const [created, failed] = outcomes() as [OutcomeRecord, OutcomeRecord];
    expect(records[0]).toMatchObject({ client_token: 'audit-token-1', region: 'cn-east-3', project_id: ids.projectId, arguments: expect.objectContaining(createArgs) });
    expect(created).toMatchObject({ client_token: 'audit-token-1', region: 'cn-east-3', project_id: ids.projectId, state: 'pending', arguments: expect.objectContaining(createArgs) });
    // The failed create's generated token was fixed before its intent was written.
    expect(records[2]!.client_token).toMatch(/^[0-9a-f-]{36}$/);
    expect(failed.client_token).toBe(records[2]!.client_token);
    expect(created.request_ids).toHaveLength(1);
    expect(created.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(failed.error_code).toBe('ER.04045001');
    expect(statSync(auditPath).mode & 0o777).toBe(0o600);
    const text = readFileSync(auditPath, 'utf8');
    for (const secret of CANARY_VALUES) expect(text).not.toContain(secret);
  });

  it('records the request id of every answer in a faulted create, the settling look-up included', async () => {
    // A 503, then three answers lost after the API acted: the create is settled by a look-up.
    await setUp({ confirmWrites: 'never' }, undefined, { seed: 3, sequence: ['server-error', 'reset-after', 'reset-after', 'reset-after'] });
    structured(await harness.client.callTool({ name: 'create_route_association', arguments: createArgs }));
    expect(emulator.requests.map((r) => r.operation)).toEqual(['associateRouteTable', 'associateRouteTable', 'associateRouteTable', 'associateRouteTable', 'listAssociations']);
    const [outcome] = outcomes();
    expect(outcome).toMatchObject({ outcome: 'succeeded', state: 'pending' });
    // Only the 503 and the look-up answered; the lost answers carried no id.
    expect(outcome!.request_ids).toHaveLength(2);
    expect(new Set(outcome!.request_ids).size).toBe(2);
  });

  it('tightens an existing audit file to 0600 and appends to it', async () => {
    const path = join(tempDir('er-audit'), 'audit.jsonl');
    writeFileSync(path, '{"earlier":true}\n', { mode: 0o644 });
    const log = openAuditLog(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    log.close();
    expect(readFileSync(path, 'utf8')).toBe('{"earlier":true}\n');
  });

  it('refuses writes when the audit log cannot be written, and still serves reads', async () => {
    emulator = await startTestEmulator();
    const dir = tempDir('er-audit');
    writeFileSync(join(dir, 'not-a-directory'), '');
    harness = await connectInMemory(emulator, { settings: { confirmWrites: 'never' }, audit: openAuditLog(join(dir, 'not-a-directory', 'audit.jsonl')) });
    const error = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: createArgs }));
    expect(error.error_code).toBe('AUDIT_UNAVAILABLE');
    expect(String(error.error_msg)).toContain('not-a-directory');
    expect(emulator.requests).toEqual([]);
    structured(await harness.client.callTool({ name: 'list_enterprise_routers', arguments: {} }));
  });
});
