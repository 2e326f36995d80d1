// Eventual consistency in the emulator: a new association can be kept out of association lists for
// a while after its create, as the real API's list may. The waiter still ends `available`.
import { describe, expect, it } from 'vitest';
import { parseFaultPlan } from '../../src/emulator/faults.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { ErApiError } from '../../src/er/errors.js';
import { ErClient } from '../../src/er/client.js';
import { waitForState } from '../../src/er/waiter.js';
import { HttpClient } from '../../src/http/http-client.js';
import { FakeClock } from '../fake-clock.js';
import { CANARY, startTestEmulator } from '../helpers.js';

const ref = { erId: SANDBOX_IDS.router, routeTableId: SANDBOX_IDS.prodTable, attachmentId: SANDBOX_IDS.paymentsVpc };

/** An emulator and an ER client sharing one fake clock: time moves only when the test (or a wait) moves it. */
async function setUp(options: { associationListLagMs?: number; faultsJson?: string; availableAfterMs: number }) {
  const clock = new FakeClock(true);
  const emulator = await startTestEmulator({
    now: () => clock.now(),
    availableAfterMs: options.availableAfterMs,
    associationListLagMs: options.associationListLagMs,
    faults: options.faultsJson ? parseFaultPlan(options.faultsJson) : undefined,
  });
  const http = new HttpClient({ endpoint: emulator.url, credentials: CANARY, clock });
  const er = new ErClient(http, emulator.store.topology.projectId);
  return {
    clock,
    emulator,
    er,
    close: async () => {
      await http.close();
      await emulator.close();
    },
  };
}

describe('association list lag', () => {
  it('hides a new association from lists for the lag, while the create path already sees it', async () => {
    const { clock, er, close } = await setUp({ associationListLagMs: 8_000, availableAfterMs: 1_000 });
    try {
      await er.associate(ref, 'lag-token-1');
      expect(await er.findAssociation(ref)).toBeNull();
      const listed = await er.listAssociations(ref.erId, ref.routeTableId);
      expect(listed.items.map((a) => a.attachment_id)).not.toContain(ref.attachmentId);
      // A second create for the same attachment is still refused: the store knows it exists.
      const duplicate = await er.associate(ref, 'lag-token-2').catch((e: unknown) => e);
      expect(duplicate).toBeInstanceOf(ErApiError);
      expect((duplicate as ErApiError).errorCode).toBe('ER.04002002');

      clock.advance(7_999);
      expect(await er.findAssociation(ref)).toBeNull();
      clock.advance(1);
      expect(await er.findAssociation(ref)).toMatchObject({ attachment_id: ref.attachmentId, state: 'available' });
    } finally {
      await close();
    }
  });

  it('is read from the fault plan too (HUAWEICLOUD_ER_EMULATOR_FAULTS), and validated there', async () => {
    const { clock, er, close } = await setUp({ faultsJson: '{"associationListLagMs": 3000}', availableAfterMs: 1_000 });
    try {
      await er.associate(ref, 'lag-token-3');
      expect(await er.findAssociation(ref)).toBeNull();
      clock.advance(3_000);
      expect(await er.findAssociation(ref)).not.toBeNull();
    } finally {
      await close();
    }
    for (const bad of ['{"associationListLagMs": -1}', '{"associationListLagMs": 1.5}', '{"associationListLagMs": "5"}']) {
      expect(() => parseFaultPlan(bad)).toThrow('fault plan: associationListLagMs must be a whole number of milliseconds, 0 or more');
    }
  });

  it('without a lag a new association is listed at once', async () => {
    const { er, close } = await setUp({ availableAfterMs: 1_000 });
    try {
      await er.associate(ref, 'lag-token-4');
      expect(await er.findAssociation(ref)).toMatchObject({ state: 'pending' });
    } finally {
      await close();
    }
  });
});

describe('waiting for available through a lagging list', () => {
  async function createThenWait(notFoundGraceMs?: number) {
    const { clock, er, close } = await setUp({ associationListLagMs: 8_000, availableAfterMs: 12_000 });
    try {
      await er.associate(ref, 'wait-token');
      const states: string[] = [];
      const result = await waitForState({
        waitFor: 'available',
        poll: ({ signal, deadline }) => er.findAssociation(ref, { signal, deadline }),
        clock,
        timeoutMs: 50_000,
        pollTimeoutMs: 30_000,
        notFoundGraceMs,
        onObservation: (o) => states.push(o.state ?? 'error'),
        // Polls on the nominal schedule, without jitter: the states seen depend on when each poll lands.
        random: () => 0,
      });
      return { result, states };
    } finally {
      await close();
    }
  }

  it('ends available: not_found during the grace period, then pending, then available', async () => {
    const { result, states } = await createThenWait();
    expect(states).toEqual(['not_found', 'not_found', 'not_found', 'pending', 'available']);
    expect(result).toMatchObject({ status: 'success', state: 'available', polls: 5 });
  });

  it('without the grace period the same wait would end at the first not_found', async () => {
    const { result, states } = await createThenWait(0);
    expect(states).toEqual(['not_found']);
    expect(result).toMatchObject({ status: 'failure', state: 'not_found' });
  });
});
