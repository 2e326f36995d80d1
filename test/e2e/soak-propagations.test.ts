// Fault soak of create_route_propagation: over five hundred propagations created while ~30% of
// requests fail in every way the fault plan knows. Agents follow the hints (retry a retryable
// error with the returned client_token). Afterwards each (attachment, table) pair has exactly one
// propagation, and only first-create tokens ever made one.
import { afterAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { generatedTopology } from '../../src/emulator/topology.js';
import { connectInMemory, expectNoCanary, type InMemoryHarness, startTestEmulator, structured, textOf, WITHOUT_APPROVAL, SOAK_TIMEOUT_MS } from '../helpers.js';
import { retryableFailure, soakFaults } from '../soak-kit.js';

const ATTACHMENTS = 260;
const TABLES = 2;
const AGENTS = 40;
const MAX_TRIES = 12;

const PLAN = soakFaults(20_261_313);

interface Created {
  propagation: { id: string };
  already_propagating: boolean;
  client_token: string;
  note?: string;
}

describe('fault soak of create_route_propagation', () => {
  let emulator: Emulator;
  let harness: InMemoryHarness;
  const outputs: string[] = [];

  afterAll(async () => {
    await harness?.close();
    await emulator?.close();
    expectNoCanary(...outputs);
  });

  it(`${ATTACHMENTS * TABLES} propagations under ~30% faults: exactly one each, no duplicate, no false claim`, async () => {
    const topology = generatedTopology({ attachments: ATTACHMENTS, routeTables: TABLES });
    const erId = topology.routers[0]!.id;
    emulator = await startTestEmulator({ topology, faults: PLAN });
    harness = await connectInMemory(emulator, { http: { retry: { baseDelayMs: 1, maxDelayMs: 5 } }, settings: WITHOUT_APPROVAL });
    const tally = { calls: 0, errors: {} as Record<string, number>, settledByLookUp: 0 };
    const firstTokens = new Set<string>();

    async function step(args: Record<string, string>, token?: string): Promise<Created> {
      for (let i = 0; i < MAX_TRIES; i++) {
        const result = await harness.client.callTool({ name: 'create_route_propagation', arguments: token ? { ...args, client_token: token } : args });
        tally.calls += 1;
        outputs.push(textOf(result));
        if (!result.isError) {
          const body = structured<Created>(result);
          if (token) expect(body.client_token).toBe(token);
          if (body.note) tally.settledByLookUp += 1;
          return body;
        }
        token = retryableFailure(result, tally.errors, token);
      }
      throw new Error(`an agent gave up after ${MAX_TRIES} calls for ${JSON.stringify(args)}`);
    }

    const pairs = topology.attachments.flatMap((a) => topology.routeTables.map((t) => ({ er_id: erId, route_table_id: t.id, attachment_id: a.id })));
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: AGENTS }, async () => {
        while (next < pairs.length) {
          const args = pairs[next++]!;
          const first = await step(args);
          // Nothing existed before: "already propagating" would mean a retry went out with a new token.
          expect(first.already_propagating, `first create of ${JSON.stringify(args)}`).toBe(false);
          firstTokens.add(first.client_token);
          const again = await step(args, first.client_token);
          expect(again.propagation.id).toBe(first.propagation.id);
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;

    const all = emulator.routing.allPropagations() as Array<{ attachment_id: string; route_table_id: string }>;
    const perPair = new Map<string, number>();
    for (const p of all) perPair.set(`${p.attachment_id} ${p.route_table_id}`, (perPair.get(`${p.attachment_id} ${p.route_table_id}`) ?? 0) + 1);
    expect(all).toHaveLength(pairs.length);
    expect([...perPair.values()].filter((n) => n !== 1)).toEqual([]);
    const accepted = emulator.requests.filter((r) => r.operation === 'enablePropagation' && r.status === 202).map((r) => r.clientToken);
    expect(accepted.every((t) => t !== undefined && firstTokens.has(t))).toBe(true);

    const faults = emulator.faults!.counts;
    const faulted = Object.entries(faults).filter(([k]) => !k.includes(':') && k !== 'none').reduce((n, [, v]) => n + v, 0);
    console.log(
      JSON.stringify({
        soak: { propagations: pairs.length, agents: AGENTS, seconds, calls: tally.calls, settled_by_look_up: tally.settledByLookUp, errors: tally.errors },
        http: { requests: emulator.requests.length, faulted, fault_share: Number((faulted / (faulted + (faults.none ?? 0))).toFixed(3)) },
        faults,
      }),
    );
    expect(pairs.length).toBeGreaterThanOrEqual(500);
    for (const kind of ['throttle', 'server-error', 'busy', 'reset-before', 'reset-after']) expect(faults[kind] ?? 0, kind).toBeGreaterThan(0);
    // The busy answers of propagation requests carry the propagation code.
    expect(emulator.requests.some((r) => r.operation === 'enablePropagation' && r.status === 400)).toBe(true);
  }, SOAK_TIMEOUT_MS);
});
