// dry_run: every conflict kind is reported with a next step, and no dry run ever sends a write.
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS, sandboxTopology, type Topology } from '../../src/emulator/topology.js';
import type { Plan } from '../../src/plans/association-plan.js';
import { connectInMemory, errorOf, type InMemoryHarness, startTestEmulator, structured, WITHOUT_APPROVAL } from '../helpers.js';

const ids = SANDBOX_IDS;
let emulator: Emulator;
let harness: InMemoryHarness;

async function setUp(topology?: Topology): Promise<void> {
  emulator = await startTestEmulator(topology ? { topology } : {});
  harness = await connectInMemory(emulator, { settings: WITHOUT_APPROVAL });
}

afterEach(async () => {
  await harness.close();
  await emulator.close();
});

async function plan(tool: 'create_route_association' | 'delete_route_association', args: Record<string, string>): Promise<Plan> {
  const result = await harness.client.callTool({ name: tool, arguments: { ...args, dry_run: true } });
  const body = structured<{ dry_run: boolean; plan: Plan }>(result);
  expect(body.dry_run).toBe(true);
  return body.plan;
}

function expectNoWrites(): void {
  expect(emulator.requests.filter(isWrite)).toEqual([]);
}

function withStates(states: { router?: string; table?: string; attachment?: string }): Topology {
  const t = sandboxTopology();
  if (states.router) t.routers[0]!.state = states.router;
  if (states.table) t.routeTables.find((x) => x.id === ids.prodTable)!.state = states.table;
  if (states.attachment) t.attachments.find((x) => x.id === ids.paymentsVpc)!.state = states.attachment;
  return t;
}

describe('create_route_association dry_run', () => {
  it('plans a clean change with names resolved and will_change true', async () => {
    await setUp();
    const p = await plan('create_route_association', { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc });
    expect(p).toMatchObject({
      action: 'associate',
      region: 'cn-east-3',
      router: { id: ids.router, name: 'er-shanghai-core' },
      route_table: { id: ids.prodTable, name: 'rtb-prod' },
      attachment: { id: ids.paymentsVpc, name: 'vpc-payments', resource_type: 'vpc' },
      current_association: null,
      conflicts: [],
      will_change: true,
    });
    expectNoWrites();
    expect(emulator.store.allAssociations().some((a) => a.attachment_id === ids.paymentsVpc)).toBe(false);
  });

  it('reports an attachment associated with another route table', async () => {
    await setUp();
    const p = await plan('create_route_association', { er_id: ids.router, route_table_id: ids.devTable, attachment_id: ids.webVpc });
    expect(p.current_association).toEqual({ route_table_id: ids.prodTable, state: 'available' });
    expect(p.conflicts).toEqual([expect.objectContaining({ kind: 'associated_elsewhere' })]);
    expect(p.conflicts[0]!.message).toContain(ids.prodTable);
    expect(p.conflicts[0]!.message).toContain('delete_route_association');
    expect(p.will_change).toBe(false);
    expectNoWrites();
  });

  it('says nothing will change when already associated with the requested table', async () => {
    await setUp();
    const p = await plan('create_route_association', { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.webVpc });
    expect(p.conflicts).toEqual([]);
    expect(p.current_association?.route_table_id).toBe(ids.prodTable);
    expect(p.will_change).toBe(false);
  });

  it('explains the default association of the router', async () => {
    const t = sandboxTopology();
    t.routeTables.push({ id: 'rt-lab-extra', er_id: ids.labRouter, name: 'rtb-lab-extra' });
    await setUp(t);
    const p = await plan('create_route_association', { er_id: ids.labRouter, route_table_id: 'rt-lab-extra', attachment_id: ids.labVpc });
    expect(p.conflicts).toEqual([expect.objectContaining({ kind: 'default_association' })]);
    expect(p.conflicts[0]!.message).toMatch(/default route table/);
    expect(p.will_change).toBe(false);
    expectNoWrites();
  });

  it.each([
    ['router', { router: 'updating' }, 'router_not_available'],
    ['route table', { table: 'pending' }, 'route_table_not_available'],
    ['attachment', { attachment: 'pending_acceptance' }, 'attachment_not_available'],
  ] as const)('reports a %s that is not available', async (_what, states, kind) => {
    await setUp(withStates(states));
    const p = await plan('create_route_association', { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc });
    expect(p.conflicts.map((c) => c.kind)).toContain(kind);
    expect(p.will_change).toBe(false);
    expectNoWrites();
  });

  it.each([
    ['router', { er_id: 'no-such-router' }, 'router_not_found', 'list_enterprise_routers'],
    ['route table', { route_table_id: 'no-such-table' }, 'route_table_not_found', 'list_route_tables'],
    ['attachment', { attachment_id: 'no-such-attachment' }, 'attachment_not_found', 'list_attachments'],
  ] as const)('reports a %s that does not exist and the tool that lists the right ones', async (_what, override, kind, tool) => {
    await setUp();
    const p = await plan('create_route_association', { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc, ...override });
    const conflict = p.conflicts.find((c) => c.kind === kind);
    expect(conflict?.message).toContain(tool);
    expect(p.will_change).toBe(false);
    expectNoWrites();
  });
});

describe('delete_route_association dry_run', () => {
  it('plans the removal of an existing association', async () => {
    await setUp();
    const p = await plan('delete_route_association', { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.webVpc });
    expect(p).toMatchObject({ action: 'disassociate', current_association: { route_table_id: ids.prodTable, state: 'available' }, conflicts: [], will_change: true });
    expectNoWrites();
  });

  it('says nothing will change when there is no association', async () => {
    await setUp();
    const p = await plan('delete_route_association', { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc });
    expect(p.current_association).toBeNull();
    expect(p.will_change).toBe(false);
    expectNoWrites();
  });

  it('points at the table that really holds the association', async () => {
    await setUp();
    const p = await plan('delete_route_association', { er_id: ids.router, route_table_id: ids.devTable, attachment_id: ids.webVpc });
    expect(p.conflicts).toEqual([expect.objectContaining({ kind: 'associated_elsewhere' })]);
    expect(p.conflicts[0]!.message).toContain(`use route_table_id ${ids.prodTable}`);
    expect(p.will_change).toBe(false);
    expectNoWrites();
  });

  it('reports an operation in progress on a pending association', async () => {
    emulator = await startTestEmulator({ availableAfterMs: 60_000 });
    harness = await connectInMemory(emulator, { settings: WITHOUT_APPROVAL });
    const args = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc };
    structured(await harness.client.callTool({ name: 'create_route_association', arguments: args }));
    const writes = emulator.requests.filter(isWrite).length;
    const p = await plan('delete_route_association', args);
    expect(p.conflicts).toEqual([expect.objectContaining({ kind: 'operation_in_progress' })]);
    expect(p.will_change).toBe(false);
    expect(emulator.requests.filter(isWrite).length).toBe(writes);
  });
});

describe('delete_route_association', () => {
  it('sends the disassociate and points at get_association_state wait_for deleted', async () => {
    await setUp();
    const args = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.webVpc };
    const body = structured<{ state: string; already_gone: boolean; next: { tool: string; arguments: Record<string, unknown> } }>(
      await harness.client.callTool({ name: 'delete_route_association', arguments: args }),
    );
    expect(body.state).toBe('deleting');
    expect(body.already_gone).toBe(false);
    expect(body.next).toEqual({ tool: 'get_association_state', arguments: expect.objectContaining({ ...args, wait_for: 'deleted' }) });
    expect(emulator.requests.filter(isWrite)).toEqual([expect.objectContaining({ operation: 'disassociateRouteTable', status: 202 })]);
  });

  it('reports a missing association as already gone, not as a failure', async () => {
    await setUp();
    const result = await harness.client.callTool({ name: 'delete_route_association', arguments: { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc } });
    expect(structured<{ already_gone: boolean; state: string }>(result)).toMatchObject({ already_gone: true, state: 'not_found' });
  });

  it('still fails clearly on a wrong route table', async () => {
    await setUp();
    const error = errorOf(await harness.client.callTool({ name: 'delete_route_association', arguments: { er_id: ids.router, route_table_id: 'no-such-table', attachment_id: ids.webVpc } }));
    expect(error.error_code).toBe('ER.04045001');
    expect(String(error.hint)).toContain('list_route_tables');
  });

  it('every successful create carries the undo call', async () => {
    await setUp();
    const args = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc };
    const body = structured<{ undo: { tool: string; arguments: Record<string, unknown> } }>(await harness.client.callTool({ name: 'create_route_association', arguments: args }));
    expect(body.undo).toEqual({ tool: 'delete_route_association', arguments: args });
  });
});

describe('delete_route_association when the answer is lost', () => {
  it('settles a disassociate whose answer was cut off: reported deleting, applied once', async () => {
    emulator = await startTestEmulator({ faults: { seed: 1, sequence: ['reset-after'] } });
    harness = await connectInMemory(emulator, { settings: WITHOUT_APPROVAL });
    const args = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.webVpc };
    const body = structured<{ state: string; already_gone: boolean }>(await harness.client.callTool({ name: 'delete_route_association', arguments: args }));
    expect(body).toMatchObject({ state: 'deleting', already_gone: false });
    const disassociates = emulator.requests.filter((r) => r.operation === 'disassociateRouteTable');
    // The first was applied (then the connection was cut); any retry met "in progress", not a second delete.
    expect(disassociates[0]?.status).toBe(202);
    expect(disassociates.slice(1).every((r) => r.status === 400)).toBe(true);
  });
});
