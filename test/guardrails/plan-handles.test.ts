// Plans as handles, in memory against the emulator: a dry run's plan_id makes exactly the planned
// change or nothing (stale, unknown, expired, other arguments, used twice), and a change made from
// a plan is checked against it once it settles.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatorOptions } from '../../src/emulator/emulator.js';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import { openAuditLog } from '../../src/guardrails/audit.js';
import type { GuardrailSettings } from '../../src/guardrails/guardrail-settings.js';
import { FakeClock } from '../fake-clock.js';
import { connectInMemory, errorOf, type InMemoryHarness, startTestEmulator, structured, tempDir } from '../helpers.js';

const payments = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc };
const PAGE_BASE = 'http://127.0.0.1:9/approvals';

let emulator: Emulator;
let harness: InMemoryHarness;
let auditPath: string;

afterEach(async () => {
  await harness?.close();
  await emulator?.close();
});

interface SetUp {
  settings?: Partial<GuardrailSettings>;
  emulator?: Partial<EmulatorOptions>;
  clock?: FakeClock;
  /** The client approves every form it is shown. */
  approves?: boolean;
}

async function setUp(options: SetUp = {}): Promise<void> {
  emulator = await startTestEmulator(options.emulator);
  auditPath = join(tempDir('er-plans'), 'audit.jsonl');
  harness = await connectInMemory(emulator, {
    settings: { confirmWrites: 'auto', ...options.settings },
    audit: openAuditLog(auditPath),
    pages: { urlFor: async (id) => `${PAGE_BASE}/${id}` },
    ...(options.clock ? { env: { clock: options.clock } } : {}),
    ...(options.approves ? { client: { capabilities: { elicitation: { form: {} } } } } : {}),
  });
  if (options.approves) harness.client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { approve: true } }));
}

const writes = () => emulator.requests.filter(isWrite);
const audit = () => readFileSync(auditPath, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

async function dryRun(tool: string, args: Record<string, unknown>): Promise<{ plan_id: string; plan_sha256: string; plan_expires_at: string; plan: Record<string, unknown> }> {
  return structured(await harness.client.callTool({ name: tool, arguments: { ...args, dry_run: true } }));
}

describe('a dry run returns a plan handle', () => {
  it('with plan_id, plan_expires_at (15 minutes by default) and the plan; the audit records the plan id and hash', async () => {
    // A clock that moves only when told: the lifetime is exact, however slow the machine.
    const clock = new FakeClock(false);
    await setUp({ clock });
    const made = await dryRun('create_route_association', payments);
    expect(made.plan_id).toMatch(/^plan-[A-Za-z0-9_-]{32}$/);
    expect(Date.parse(made.plan_expires_at)).toBe(clock.now() + 15 * 60_000);
    expect(made.plan).toMatchObject({ action: 'associate', will_change: true });
    expect(audit()).toEqual([expect.objectContaining({ event: 'outcome', outcome: 'dry_run', plan_id: made.plan_id, plan_sha256: made.plan_sha256 })]);
  });

  it('each dry run mints a new, unguessable id', async () => {
    await setUp();
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await dryRun('create_route_association', payments)).plan_id);
    expect(ids.size).toBe(5);
  });
});

describe('a write with plan_id', () => {
  it('makes the planned change once approved, with the plan in the intent and the answer', async () => {
    await setUp({ approves: true });
    const made = await dryRun('create_route_propagation', payments);
    const created = structured<{ plan_id: string; propagation: { state: string } }>(await harness.client.callTool({ name: 'create_route_propagation', arguments: { ...payments, plan_id: made.plan_id } }));
    expect(created).toMatchObject({ plan_id: made.plan_id, propagation: { state: 'pending' } });
    expect(writes()).toHaveLength(1);
    expect(audit().find((r) => r.event === 'intent')).toMatchObject({ plan_id: made.plan_id, plan_sha256: made.plan_sha256, approval_channel: 'form' });
  });

  it('is refused with PLAN_STALE and sends nothing when what the plan read has changed, and carries what changed and a fresh plan', async () => {
    await setUp({ approves: true });
    const made = await dryRun('create_route_association', payments);
    // Someone else associates the attachment elsewhere between the plan and the write.
    await harness.er.associate({ erId: ids.router, routeTableId: ids.devTable, attachmentId: ids.paymentsVpc }, 'someone-else');
    const writesBefore = writes().length;
    const error = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: { ...payments, plan_id: made.plan_id } }));
    expect(error.error_code).toBe('PLAN_STALE');
    expect(writes()).toHaveLength(writesBefore);
    const changed = error.changed as Array<{ what: string; before: string; after: string }>;
    // The attachment's own fields are as they were: where it is associated is the association's part.
    expect(changed.map((c) => c.what)).toContain('current_association');
    expect(changed.map((c) => c.what)).not.toContain('attachment');
    expect(changed.find((c) => c.what === 'current_association')).toMatchObject({ before: 'none', after: expect.stringContaining(ids.devTable) });
    // The fresh plan shows the new state, under a new id that can be used in its turn.
    expect(error.plan_id).not.toBe(made.plan_id);
    expect(error.plan).toMatchObject({ current_association: { route_table_id: ids.devTable }, will_change: false });
    expect(audit().at(-1)).toMatchObject({ event: 'outcome', outcome: 'refused', guardrail: 'plan_stale' });
  });

  it('is refused with PLAN_STALE when a route the routing effect used has changed', async () => {
    await setUp({ approves: true });
    const made = await dryRun('create_route_association', payments);
    // A new propagation into rtb-prod: the table the attachment would use routes differently now.
    await harness.er.enablePropagation({ erId: ids.router, routeTableId: ids.prodTable, attachmentId: ids.partnerPeering }, 'moves-routes');
    await waitUntilPropagating(ids.partnerPeering);
    const error = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: { ...payments, plan_id: made.plan_id } }));
    expect(error.error_code).toBe('PLAN_STALE');
    expect((error.changed as Array<{ what: string }>).map((c) => c.what)).toContain(`routes of ${ids.prodTable}`);
    expect(writes().filter((w) => w.operation === 'associateRouteTable')).toEqual([]);
  });

  it('with an unknown id gives PLAN_NOT_FOUND and sends nothing', async () => {
    await setUp({ approves: true });
    const error = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: { ...payments, plan_id: `plan-${'A'.repeat(32)}` } }));
    expect(error.error_code).toBe('PLAN_NOT_FOUND');
    expect(writes()).toEqual([]);
  });

  it('with a malformed id is refused by the input schema', async () => {
    await setUp({ approves: true });
    const result = await harness.client.callTool({ name: 'create_route_association', arguments: { ...payments, plan_id: 'plan-../../etc' } });
    expect(result.isError).toBe(true);
    expect(writes()).toEqual([]);
  });

  it('made for other arguments or another tool is refused with PLAN_MISMATCH', async () => {
    await setUp({ approves: true });
    const made = await dryRun('create_route_association', payments);
    const other = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: { ...payments, attachment_id: ids.partnerPeering, plan_id: made.plan_id } }));
    expect(other.error_code).toBe('PLAN_MISMATCH');
    const tool = errorOf(await harness.client.callTool({ name: 'create_route_propagation', arguments: { ...payments, plan_id: made.plan_id } }));
    expect(tool.error_code).toBe('PLAN_MISMATCH');
    const token = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: { ...payments, client_token: 'not-the-plans', plan_id: made.plan_id } }));
    expect(token.error_code).toBe('PLAN_MISMATCH');
    expect(writes()).toEqual([]);
  });

  it('together with dry_run is refused', async () => {
    await setUp();
    const made = await dryRun('create_route_association', payments);
    expect(errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: { ...payments, dry_run: true, plan_id: made.plan_id } })).error_code).toBe('INVALID_ARGUMENTS');
  });

  it('is applied at most once, with the token of the plan; a second use says how to retry safely', async () => {
    await setUp({ approves: true });
    const made = await dryRun('create_route_association', { ...payments, client_token: 'planned-token' });
    const created = structured<{ client_token: string }>(await harness.client.callTool({ name: 'create_route_association', arguments: { ...payments, plan_id: made.plan_id } }));
    expect(created.client_token).toBe('planned-token');
    const again = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: { ...payments, plan_id: made.plan_id } }));
    expect(again.error_code).toBe('PLAN_ALREADY_USED');
    expect(String(again.hint)).toContain('client_token planned-token');
    expect(writes()).toHaveLength(1);
  });

  it('after its time (default 15 minutes) gives PLAN_NOT_FOUND, and an undecided request is audited approval_expired', async () => {
    const clock = new FakeClock(false);
    await setUp({ clock });
    const pending = structured<{ status: string; plan_id: string }>(await harness.client.callTool({ name: 'create_route_association', arguments: payments }));
    expect(pending.status).toBe('approval_required');
    clock.advance(15 * 60_000 + 1);
    const error = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: { ...payments, plan_id: pending.plan_id } }));
    expect(error.error_code).toBe('PLAN_NOT_FOUND');
    expect(audit().filter((r) => r.event !== 'outcome')).toEqual([
      expect.objectContaining({ event: 'approval_requested', plan_id: pending.plan_id }),
      expect.objectContaining({ event: 'approval_expired', plan_id: pending.plan_id, person: null }),
    ]);
    expect(writes()).toEqual([]);
  });

  it('follows a configured plan lifetime', async () => {
    const clock = new FakeClock(false);
    await setUp({ clock, settings: { planTtlMs: 60_000 } });
    const made = await dryRun('create_route_association', payments);
    expect(Date.parse(made.plan_expires_at)).toBe(clock.now() + 60_000);
    clock.advance(60_000);
    expect(errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: { ...payments, plan_id: made.plan_id } })).error_code).toBe('PLAN_NOT_FOUND');
  });
});

describe('the check after a change made from a plan', () => {
  it('a propagation that becomes available is as_planned, in the answer and in the audit under the write attempt', async () => {
    await setUp({ approves: true });
    const made = await dryRun('create_route_propagation', payments);
    structured(await harness.client.callTool({ name: 'create_route_propagation', arguments: { ...payments, plan_id: made.plan_id } }));
    const waited = structured<{ state: string; verification: { status: string; plan_id: string; attempt_id: string } }>(
      await harness.client.callTool({ name: 'get_propagation_state', arguments: { ...payments, wait_for: 'available', timeout_seconds: 30 } }),
    );
    expect(waited.state).toBe('available');
    expect(waited.verification).toMatchObject({ status: 'as_planned', plan_id: made.plan_id, differences_count: 0 });
    const intent = audit().find((r) => r.event === 'intent')!;
    expect(audit().at(-1)).toMatchObject({ event: 'verification', outcome: 'verified', attempt_id: intent.attempt_id, plan_id: made.plan_id });
    // Checked once: a later look has nothing left to check.
    const later = structured<Record<string, unknown>>(await harness.client.callTool({ name: 'get_propagation_state', arguments: payments }));
    expect(later.verification).toBeUndefined();
  });

  it('a route no plan could foresee makes it differs, naming the route', async () => {
    await setUp({ approves: true, emulator: { faults: { seed: 1, unforeseenRoute: { destination: '198.51.100.0/24' } } } });
    const made = await dryRun('create_route_propagation', payments);
    structured(await harness.client.callTool({ name: 'create_route_propagation', arguments: { ...payments, plan_id: made.plan_id } }));
    const waited = structured<{ verification: { status: string; differences: Array<Record<string, unknown>>; differences_count: number } }>(
      await harness.client.callTool({ name: 'get_propagation_state', arguments: { ...payments, wait_for: 'available', timeout_seconds: 30 } }),
    );
    expect(waited.verification.status).toBe('differs');
    expect(waited.verification.differences).toEqual([expect.objectContaining({ route_table_id: ids.prodTable, destination: '198.51.100.0/24', kind: 'unexpected_route', observed: expect.stringContaining('static') })]);
    expect(audit().at(-1)).toMatchObject({ event: 'verification', outcome: 'verification_differs', differences_count: 1 });
  });

  it('a route a later change through this server planned is no difference: the note names that change', async () => {
    await setUp({ approves: true });
    // The association first, then (before anyone waits) the propagation that adds the VPC's prefix to rtb-prod.
    const association = await dryRun('create_route_association', payments);
    structured(await harness.client.callTool({ name: 'create_route_association', arguments: { ...payments, plan_id: association.plan_id } }));
    const propagation = await dryRun('create_route_propagation', payments);
    structured(await harness.client.callTool({ name: 'create_route_propagation', arguments: { ...payments, plan_id: propagation.plan_id } }));
    await waitUntilPropagating(ids.paymentsVpc);
    const waited = structured<{ verification: { status: string; note: string } }>(
      await harness.client.callTool({ name: 'get_association_state', arguments: { ...payments, wait_for: 'available', timeout_seconds: 30 } }),
    );
    expect(waited.verification.status).toBe('as_planned');
    expect(waited.verification.note).toContain(`create_route_propagation (${propagation.plan_id})`);
  });

  it('a delete made from a plan is checked once it is gone', async () => {
    await setUp({ approves: true });
    const web = { ...payments, attachment_id: ids.webVpc };
    const made = await dryRun('delete_route_association', web);
    structured(await harness.client.callTool({ name: 'delete_route_association', arguments: { ...web, plan_id: made.plan_id } }));
    const waited = structured<{ verification: { status: string } }>(await harness.client.callTool({ name: 'get_association_state', arguments: { ...web, wait_for: 'deleted', timeout_seconds: 30 } }));
    expect(waited.verification.status).toBe('as_planned');
  });

  it('a write made without any plan (--confirm-writes never) has nothing to check', async () => {
    await setUp({ settings: { confirmWrites: 'never' } });
    structured(await harness.client.callTool({ name: 'create_route_association', arguments: payments }));
    const waited = structured<Record<string, unknown>>(await harness.client.callTool({ name: 'get_association_state', arguments: { ...payments, wait_for: 'available', timeout_seconds: 30 } }));
    expect(waited.verification).toBeUndefined();
  });
});

async function waitUntilPropagating(attachmentId: string): Promise<void> {
  const result = structured<{ state: string }>(
    await harness.client.callTool({ name: 'get_propagation_state', arguments: { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: attachmentId, wait_for: 'available', timeout_seconds: 30 } }),
  );
  expect(result.state).toBe('available');
}

describe('one approved plan carried by two calls at once', () => {
  it('is applied by one of them only', async () => {
    await setUp({ approves: true });
    const made = await dryRun('create_route_association', payments);
    const results = await Promise.all([0, 1].map(() => harness.client.callTool({ name: 'create_route_association', arguments: { ...payments, plan_id: made.plan_id } })));
    expect(results.filter((r) => !r.isError)).toHaveLength(1);
    expect(errorOf(results.find((r) => r.isError)).error_code).toBe('PLAN_ALREADY_USED');
    expect(writes()).toHaveLength(1);
    expect(audit().filter((r) => r.event === 'intent')).toHaveLength(1);
  });
});
