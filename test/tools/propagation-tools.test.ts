// The propagation tools in memory against the emulator: plans with their routing effect, the
// create/delete contract (one token, convergence, undo), state waits, lists, and the guardrails
// that every write tool gets from the registry.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultPlan } from '../../src/emulator/faults.js';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids, sandboxTopology } from '../../src/emulator/topology.js';
import { type AttemptRecord, openAuditLog } from '../../src/guardrails/audit.js';
import type { GuardrailSettings } from '../../src/guardrails/guardrail-settings.js';
import type { Plan } from '../../src/plans/association-plan.js';
import type { PropagationPlan } from '../../src/plans/propagation-plan.js';
import { EFFECT_TEXT_BUDGET } from '../../src/plans/effect-report.js';
import { TEXT_BUDGET } from '../../src/toolkit/paging.js';
import { connectInMemory, errorOf, type InMemoryHarness, startTestEmulator, structured, tempDir, textOf, withProdBlackhole, WITHOUT_APPROVAL } from '../helpers.js';

const payments = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc };

let emulator: Emulator;
let harness: InMemoryHarness;

afterEach(async () => {
  await harness?.close();
  await emulator?.close();
});

async function setUp(
  options: { faults?: FaultPlan; settings?: Partial<GuardrailSettings>; auditPath?: string; elicit?: Array<string>; topology?: ReturnType<typeof sandboxTopology>; availableAfterMs?: number } = {},
): Promise<void> {
  emulator = await startTestEmulator({
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.topology ? { topology: options.topology } : {}),
    ...(options.availableAfterMs !== undefined ? { availableAfterMs: options.availableAfterMs } : {}),
  });
  const elicit = options.elicit;
  harness = await connectInMemory(emulator, {
    settings: options.settings ?? WITHOUT_APPROVAL,
    ...(options.auditPath ? { audit: openAuditLog(options.auditPath) } : {}),
    ...(elicit ? { client: { capabilities: { elicitation: { form: {} } } } } : {}),
  });
  if (elicit) {
    harness.client.setRequestHandler(ElicitRequestSchema, async (request) => {
      elicit.push(request.params.message);
      return { action: 'accept', content: { approve: true } };
    });
  }
}

async function call<T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T> {
  return structured<T>(await harness.client.callTool({ name, arguments: args }));
}

const writes = () => emulator.requests.filter(isWrite);

describe('propagation dry runs', () => {
  it('create: names, no propagation yet, and the routing effect (appears, more specific static in the way); nothing sent', async () => {
    await setUp();
    const { plan } = await call<{ plan: PropagationPlan }>('create_route_propagation', { ...payments, dry_run: true });
    expect(plan).toMatchObject({
      action: 'enable_propagation',
      router: { name: 'er-shanghai-core' },
      route_table: { name: 'rtb-prod' },
      attachment: { name: 'vpc-payments', resource_type: 'vpc' },
      current_propagation: null,
      conflicts: [],
      will_change: true,
    });
    const effect = plan.routing_effect!;
    expect(effect.prefixes).toEqual({ count: 1, entries: ['10.10.0.0/16'] });
    expect(effect.appear.entries).toEqual([{ destination: '10.10.0.0/16', route_type: 'propagation', next_hops: [{ attachment_id: ids.paymentsVpc, resource_type: 'vpc' }] }]);
    expect(effect.conflicts.entries.map((c) => [c.kind, c.route_destination])).toEqual([['more_specific_route', '10.10.99.0/24']]);
    expect(effect.complete).toBe(true);
    expect(writes()).toEqual([]);
  });

  it('create of a propagation that exists: no change, no effect computed, not a conflict', async () => {
    await setUp();
    const { plan } = await call<{ plan: PropagationPlan }>('create_route_propagation', { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.webVpc, dry_run: true });
    expect(plan).toMatchObject({ current_propagation: { state: 'available' }, conflicts: [], will_change: false, routing_effect: null });
    expect(plan.routing_effect_note).toMatch(/already propagates/);
  });

  it('create of an attachment whose prefixes are not visible yet says so', async () => {
    await setUp();
    const { plan } = await call<{ plan: PropagationPlan }>('create_route_propagation', { ...payments, attachment_id: ids.partnerPeering, dry_run: true });
    expect(plan.will_change).toBe(true);
    expect(plan.routing_effect).toMatchObject({ prefixes_known: false, appear: { count: 0 } });
    expect(plan.routing_effect!.notes.join(' ')).toMatch(/not visible/);
  });

  it('delete: which destinations disappear; delete of nothing is no change', async () => {
    await setUp();
    const { plan } = await call<{ plan: PropagationPlan }>('delete_route_propagation', { ...payments, attachment_id: ids.dcVgw, dry_run: true });
    expect(plan).toMatchObject({ action: 'disable_propagation', current_propagation: { state: 'available' }, will_change: true });
    expect(plan.routing_effect!.disappear.entries.map((r) => r.destination)).toEqual(['192.168.20.0/24', '192.168.30.0/24']);
    const nothing = await call<{ plan: PropagationPlan }>('delete_route_propagation', { ...payments, dry_run: true });
    expect(nothing.plan).toMatchObject({ current_propagation: null, will_change: false, routing_effect: null });
    expect(writes()).toEqual([]);
  });

  it('reports missing IDs as conflicts with the tool that lists the right ones', async () => {
    await setUp();
    const missing = 'ffffffff-0000-4000-8000-00000000ffff';
    const { plan } = await call<{ plan: PropagationPlan }>('create_route_propagation', { ...payments, route_table_id: missing, dry_run: true });
    expect(plan.conflicts.map((c) => c.kind)).toEqual(['route_table_not_found']);
    expect(plan.conflicts[0]!.message).toContain('list_route_tables');
    expect(plan.will_change).toBe(false);
    const noRouter = await call<{ plan: PropagationPlan }>('delete_route_propagation', { ...payments, er_id: missing, dry_run: true });
    expect(noRouter.plan.conflicts.map((c) => c.kind)).toEqual(['router_not_found']);
  });
});

describe('association dry runs show the routing effect too', () => {
  it('payments VPC onto rtb-prod: what it will reach, and the blackholed destination', async () => {
    await setUp({ topology: withProdBlackhole(sandboxTopology()) });
    const { plan } = await call<{ plan: Plan }>('create_route_association', { ...payments, dry_run: true });
    const effect = plan.routing_effect!;
    expect(effect).toMatchObject({ route_table_before: null, route_table_after: ids.prodTable, removed: { count: 0 }, unchanged: 0, complete: true });
    expect(effect.added.entries.map((r) => r.destination)).toEqual(['10.10.99.0/24', '10.20.0.0/16', '192.168.20.0/24', '192.168.30.0/24']);
    expect(effect.blackholed_after.entries).toEqual(['10.30.0.0/16']);
  });

  it('web VPC off rtb-prod: everything it reached is removed; elsewhere-associated delete computes nothing', async () => {
    await setUp();
    const { plan } = await call<{ plan: Plan }>('delete_route_association', { ...payments, attachment_id: ids.webVpc, dry_run: true });
    expect(plan.routing_effect).toMatchObject({ route_table_before: ids.prodTable, route_table_after: null, added: { count: 0 }, removed: { count: 4 } });
    const elsewhere = await call<{ plan: Plan }>('delete_route_association', { ...payments, attachment_id: ids.officeVpn, dry_run: true });
    expect(elsewhere.plan.routing_effect).toBeNull();
    expect(elsewhere.plan.routing_effect_note).toMatch(/nothing to disassociate/);
  });

  it('office VPN, associated with rtb-dev, planned onto rtb-prod: the move it would take', async () => {
    await setUp();
    const { plan } = await call<{ plan: Plan }>('create_route_association', { ...payments, attachment_id: ids.officeVpn, dry_run: true });
    expect(plan.conflicts.map((c) => c.kind)).toEqual(['associated_elsewhere']);
    expect(plan.routing_effect).toMatchObject({ route_table_before: ids.devTable, route_table_after: ids.prodTable, added: { count: 2 }, removed: { count: 3 }, changed: { count: 1 }, unchanged: 1 });
  });
});

describe('routing effects of large tables stay small', () => {
  it('a move between two tables of hundreds of routes keeps exact counts and fits its budget', async () => {
    const topology = sandboxTopology();
    const cidrs = (second: number) => Array.from({ length: 300 }, (_, i) => `10.${second}.${i % 256}.${i < 256 ? 0 : 128}/25`);
    for (const attachment of topology.attachments) {
      if (attachment.id === ids.analyticsVpc) attachment.cidrs = [...cidrs(130), ...cidrs(150)];
      if (attachment.id === ids.dcVgw) attachment.cidrs = [...cidrs(130), ...cidrs(140)];
    }
    await setUp({ topology });
    const result = await harness.client.callTool({ name: 'create_route_association', arguments: { ...payments, attachment_id: ids.officeVpn, dry_run: true } });
    const effect = structured<{ plan: Plan }>(result).plan.routing_effect!;
    // dev reaches payments, web, 600 analytics prefixes and the VPN's two; prod reaches the static /24, web and 600 gateway
    // prefixes, 300 of them the analytics VPC's too (those change next hop): three long lists, more than the budget at 20 each.
    expect({ added: effect.added.count, removed: effect.removed.count, changed: effect.changed.count, unchanged: effect.unchanged }).toEqual({ added: 301, removed: 303, changed: 300, unchanged: 1 });
    expect(effect.added.entries.length).toBeLessThan(20);
    expect(effect.added.entries.length).toBeGreaterThan(0);
    expect(effect.changed.entries.length).toBe(effect.added.entries.length);
    // The budget measures the JSON as sent: compact, as in the result's text.
    expect(JSON.stringify(effect).length).toBeLessThanOrEqual(EFFECT_TEXT_BUDGET);
    expect(textOf(result).length).toBeLessThanOrEqual(TEXT_BUDGET);
  });
});

describe('create_route_propagation → get_propagation_state → lists → delete_route_propagation', () => {
  it('creates pending, waits to available, shows in both lists, undoes, waits until gone', async () => {
    await setUp();
    const created = await call<{ propagation: { id: string; state: string }; client_token: string; made_by_this_call: boolean; next: { tool: string; arguments: Record<string, unknown> }; undo: { tool: string; arguments: Record<string, unknown> } }>(
      'create_route_propagation',
      payments,
    );
    expect(created.propagation.state).toBe('pending');
    expect(created.made_by_this_call).toBe(true);
    expect(created.next).toEqual({ tool: 'get_propagation_state', arguments: { ...payments, wait_for: 'available', timeout_seconds: 50 } });
    expect(created.undo).toEqual({ tool: 'delete_route_propagation', arguments: payments });
    expect(writes().map((w) => [w.operation, w.status, w.clientToken])).toEqual([['enablePropagation', 202, created.client_token]]);

    const available = await call<{ state: string; propagation: { id: string } }>(created.next.tool, { ...created.next.arguments, timeout_seconds: 10 });
    expect(available).toMatchObject({ state: 'available', propagation: { id: created.propagation.id } });

    const listed = await call<{ propagations: Array<{ attachment_id: string; state: string }> }>('list_route_propagations', { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc });
    expect(listed.propagations).toEqual([expect.objectContaining({ attachment_id: ids.paymentsVpc, state: 'available', resource_type: 'vpc' })]);
    const routes = await call<{ routes: Array<{ destination: string; route_type: string; next_hops: Array<{ attachment_id: string }> }> }>('list_effective_routes', {
      route_table_id: ids.prodTable,
      attachment_id: ids.paymentsVpc,
    });
    expect(routes.routes.map((r) => [r.destination, r.route_type, r.next_hops.map((h) => h.attachment_id)])).toEqual([['10.10.0.0/16', 'propagation', [ids.paymentsVpc]]]);

    const deleting = await call<{ state: string; next: { tool: string; arguments: Record<string, unknown> } }>(created.undo.tool, created.undo.arguments);
    expect(deleting.state).toBe('deleting');
    const gone = await call<{ state: string; terminal: boolean }>(deleting.next.tool, { ...deleting.next.arguments, timeout_seconds: 10 });
    expect(gone).toMatchObject({ state: 'not_found', terminal: true });
    const again = await call<{ state: string; already_gone: boolean }>('delete_route_propagation', payments);
    expect(again).toMatchObject({ state: 'not_found', already_gone: true });
    expect((await call<{ routes: unknown[] }>('list_effective_routes', { route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc })).routes).toEqual([]);
  });

  it('the same token returns the same propagation; a fresh token converges on it, made by another request', async () => {
    await setUp();
    const first = await call<{ propagation: { id: string }; client_token: string }>('create_route_propagation', { ...payments, client_token: 'prop-tool-token-1' });
    const again = await call<{ propagation: { id: string }; already_propagating: boolean }>('create_route_propagation', { ...payments, client_token: 'prop-tool-token-1' });
    expect(again).toMatchObject({ propagation: { id: first.propagation.id }, already_propagating: false });
    const other = await call<{ propagation: { id: string }; already_propagating: boolean; made_by_this_call: boolean; note: string }>('create_route_propagation', payments);
    expect(other).toMatchObject({ propagation: { id: first.propagation.id }, already_propagating: true, made_by_this_call: false });
    expect(emulator.routing.allPropagations().filter((p) => p.attachment_id === ids.paymentsVpc && p.route_table_id === ids.prodTable)).toHaveLength(1);
  });

  it('a create while the propagation is being removed is refused with the wait to make', async () => {
    await setUp();
    await call('delete_route_propagation', { ...payments, attachment_id: ids.webVpc });
    const error = errorOf(await harness.client.callTool({ name: 'create_route_propagation', arguments: { ...payments, attachment_id: ids.webVpc } }));
    expect(error).toMatchObject({ error_code: 'ER.04003002', propagation_state: 'deleting', retryable: true });
    expect(String(error.hint)).toContain('get_propagation_state');
  });

  it('a create whose answer is lost is settled by looking: created, with the same token', async () => {
    // Still pending when looked at, however slow the machine: the look-up finds the one the lost answers made.
    await setUp({ faults: { seed: 3, sequence: ['reset-after', 'reset-after', 'reset-after', 'reset-after'] }, availableAfterMs: 10 * 60_000 });
    const body = await call<{ propagation: { state: string }; client_token: string; note: string; made_by_this_call: null }>('create_route_propagation', { ...payments, client_token: 'lost-answer-token' });
    expect(body).toMatchObject({ client_token: 'lost-answer-token', made_by_this_call: null, propagation: { state: 'pending' } });
    expect(body.note).toMatch(/exists: it was created/);
    const created = writes().filter((w) => w.status === 202);
    expect(new Set(created.map((w) => w.clientToken))).toEqual(new Set(['lost-answer-token']));
    expect(emulator.routing.allPropagations().filter((p) => p.attachment_id === ids.paymentsVpc && p.route_table_id === ids.prodTable)).toHaveLength(1);
  });

  it('a create refused as busy on every attempt says not_created with the token to retry with', async () => {
    await setUp({ faults: { seed: 1, sequence: ['busy', 'busy', 'busy', 'busy'], busy: 0 } });
    const error = errorOf(await harness.client.callTool({ name: 'create_route_propagation', arguments: { ...payments, client_token: 'busy-token-1' } }));
    expect(error).toMatchObject({ client_token: 'busy-token-1', retryable: true, outcome: 'not_created' });
    expect(emulator.routing.allPropagations().some((p) => p.attachment_id === ids.paymentsVpc && p.route_table_id === ids.prodTable)).toBe(false);
  });
});

describe('get_propagation_state and the lists', () => {
  it('looks once by default and says not_found for an attachment that does not propagate there', async () => {
    await setUp();
    expect(await call('get_propagation_state', { ...payments, attachment_id: ids.dcVgw })).toMatchObject({ state: 'available', terminal: true, polls: 1 });
    expect(await call('get_propagation_state', payments)).toMatchObject({ state: 'not_found', propagation: null, polls: 1 });
  });

  it('a wait that runs out says timed_out and to call again', async () => {
    await setUp();
    await call('create_route_propagation', payments);
    const result = await call<{ state: string; timed_out: boolean; hint: string }>('get_propagation_state', { ...payments, wait_for: 'deleted', timeout_seconds: 1 });
    expect(result).toMatchObject({ timed_out: true });
    expect(result.hint).toContain('get_propagation_state again');
  });

  it('list_effective_routes filters by destination and resource type and pages with a cursor', async () => {
    await setUp({ topology: withProdBlackhole(sandboxTopology()) });
    const one = await call<{ routes: Array<{ destination: string; blackhole?: boolean; next_hops: unknown[] }> }>('list_effective_routes', { route_table_id: ids.prodTable, destination: '10.30.0.0/16' });
    expect(one.routes).toEqual([expect.objectContaining({ destination: '10.30.0.0/16', blackhole: true, route_type: 'static', next_hops: [] })]);
    const vgw = await call<{ routes: Array<{ destination: string }> }>('list_effective_routes', { route_table_id: ids.prodTable, resource_type: 'vgw' });
    expect(vgw.routes.map((r) => r.destination).sort()).toEqual(['192.168.20.0/24', '192.168.30.0/24']);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const body = await call<{ routes: Array<{ route_id: string }>; next_cursor?: string }>('list_effective_routes', { route_table_id: ids.prodTable, limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...body.routes.map((r) => r.route_id));
      if (!body.next_cursor) break;
      cursor = body.next_cursor;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it('refuses a destination that is not a CIDR block, and an unknown table with the hint to list tables', async () => {
    await setUp();
    const before = emulator.requests.length;
    for (const destination of ['10.0.0.0', 'ten/8', '10.0.0.0/33', '../x']) {
      const result = await harness.client.callTool({ name: 'list_effective_routes', arguments: { route_table_id: ids.prodTable, destination } });
      expect(result.isError, destination).toBe(true);
    }
    expect(emulator.requests.length).toBe(before);
    const error = errorOf(await harness.client.callTool({ name: 'list_effective_routes', arguments: { route_table_id: 'ffffffff-0000-4000-8000-00000000ffff' } }));
    expect(error.error_code).toBe('ER.04045001');
    expect(String(error.hint)).toContain('list_route_tables');
    expect(String(error.hint)).not.toContain('undefined');
  });
});

describe('guardrails apply to the propagation tools through the registry', () => {
  it('read-only: not listed, refused by name, reads still work', async () => {
    const auditPath = join(tempDir('er-prop-audit'), 'audit.jsonl');
    await setUp({ settings: { readOnly: true }, auditPath });
    const names = (await harness.client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['list_route_propagations', 'get_propagation_state', 'list_effective_routes']));
    expect(names).not.toContain('create_route_propagation');
    expect(names).not.toContain('delete_route_propagation');
    for (const tool of ['create_route_propagation', 'delete_route_propagation']) {
      expect(errorOf(await harness.client.callTool({ name: tool, arguments: payments })).error_code).toBe('READ_ONLY');
    }
    expect(writes()).toEqual([]);
  });

  it('allow-lists refuse another route table before any request', async () => {
    await setUp({ settings: { allowRouteTableIds: new Set([ids.devTable]) } });
    for (const tool of ['create_route_propagation', 'delete_route_propagation']) {
      const error = errorOf(await harness.client.callTool({ name: tool, arguments: { ...payments, dry_run: true } }));
      expect(error.error_code).toBe('NOT_ALLOWED');
    }
    expect(emulator.requests).toEqual([]);
  });

  it('the human sees the plan with its routing effect before a propagation is made; intent and outcome are audited', async () => {
    const auditPath = join(tempDir('er-prop-audit'), 'audit.jsonl');
    const asked: string[] = [];
    await setUp({ settings: { confirmWrites: 'always' }, auditPath, elicit: asked });
    const created = await call<{ client_token: string }>('create_route_propagation', payments);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('START propagating');
    expect(asked[0]).toContain('vpc-payments');
    expect(asked[0]).toContain('Appear: 10.10.0.0/16');
    expect(asked[0]).toContain('10.10.99.0/24');
    const records = readFileSync(auditPath, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as AttemptRecord);
    expect(records.map((r) => r.event)).toEqual(['approval_requested', 'approved', 'intent', 'outcome']);
    const planId = (records[0] as unknown as { plan_id: string }).plan_id;
    expect(records[1]).toMatchObject({ plan_id: planId, person: 'stdio', channel: 'form' });
    expect(records[2]).toMatchObject({ tool: 'create_route_propagation', client_token: created.client_token, guardrail: 'approved', plan_id: planId, requested_by: 'stdio', approved_by: 'stdio', approval_channel: 'form' });
    expect(records[3]).toMatchObject({ outcome: 'succeeded', state: 'pending', attempt_id: records[2]!.attempt_id });
  });
});
