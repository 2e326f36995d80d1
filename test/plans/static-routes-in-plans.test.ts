// Association and propagation plans read a table's static routes through their own list, as on
// the real API: a static route still `pending` is not among the effective routes yet, but it will
// decide its destination, so the routing effect counts it.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import type { Plan } from '../../src/plans/association-plan.js';
import type { PropagationPlan } from '../../src/plans/propagation-plan.js';
import { connectInMemory, type InMemoryHarness, startTestEmulator, structured, WITHOUT_APPROVAL } from '../helpers.js';

let emulator: Emulator;
let harness: InMemoryHarness;

afterEach(async () => {
  await harness?.close();
  await emulator?.close();
});

/** The sandbox, where a new static route stays `pending` for the whole test. */
async function setUp(): Promise<void> {
  emulator = await startTestEmulator({ availableAfterMs: 10 * 60_000 });
  harness = await connectInMemory(emulator, { settings: WITHOUT_APPROVAL });
}

async function dryRun<T>(name: string, args: Record<string, unknown>): Promise<T> {
  return structured<{ plan: T }>(await harness.client.callTool({ name, arguments: { ...args, dry_run: true } })).plan;
}

const effective = async (tableId: string) => (await harness.er.listEffectiveRoutes(tableId)).items.map((r) => r.destination);

describe('plans count static routes the effective routes do not list yet', () => {
  it('an association onto rtb-prod sees a pending blackhole there as dropping its destination', async () => {
    await setUp();
    await harness.er.createStaticRoute({ routeTableId: ids.prodTable, destination: '10.40.0.0/16', isBlackhole: true }, 'pending-blackhole-1');
    expect(await effective(ids.prodTable)).not.toContain('10.40.0.0/16');

    const plan = await dryRun<Plan>('create_route_association', { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc });
    expect(plan.routing_effect?.blackholed_after.entries).toContain('10.40.0.0/16');
    expect(emulator.requests.some((r) => r.operation === 'listStaticRoutes' && r.path.includes(ids.prodTable))).toBe(true);
  });

  it('a propagation into rtb-dev meets a pending static route to one of the attachment’s prefixes as the route in the way', async () => {
    await setUp();
    // vpc-web carries 10.20.0.0/16 and already propagates into rtb-dev: propagating the DC gateway's
    // prefixes instead is the change; a pending static route to 192.168.30.0/24 will keep that one.
    await harness.er.createStaticRoute({ routeTableId: ids.devTable, destination: '192.168.30.0/24', attachmentId: ids.webVpc }, 'pending-static-1');
    expect(await effective(ids.devTable)).not.toContain('192.168.30.0/24');

    const plan = await dryRun<PropagationPlan>('create_route_propagation', { er_id: ids.router, route_table_id: ids.devTable, attachment_id: ids.dcVgw });
    const conflicts = plan.routing_effect?.conflicts.entries ?? [];
    expect(conflicts).toContainEqual(expect.objectContaining({ kind: 'static_route', destination: '192.168.30.0/24' }));
  });
});
