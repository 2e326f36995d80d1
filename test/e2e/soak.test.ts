// Fault soak: over a thousand create_route_association calls while ~30% of requests fail in every
// way the fault plan knows. Agents behave as the hints tell them: retry a retryable error with the
// returned client_token, and ask again later. Afterwards every attachment has exactly one
// association, and no call claims what did not happen.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { generatedTopology } from '../../src/emulator/topology.js';
import { connectInMemory, expectNoCanary, type InMemoryHarness, startTestEmulator, structured, textOf, WITHOUT_APPROVAL, SOAK_TIMEOUT_MS } from '../helpers.js';
import { retryableFailure, soakFaults } from '../soak-kit.js';

const ATTACHMENTS = 360;
const AGENTS = 40;
/** An agent gives up after this many calls for one step; the soak fails if any does. */
const MAX_TRIES = 12;

const PLAN = soakFaults(20_260_101, { latencyMs: [0, 3], retryAfterSeconds: 1 });

interface Created {
  association: { id: string; attachment_id: string; route_table_id: string };
  already_associated: boolean;
  client_token: string;
  note?: string;
}

interface Tally {
  calls: number;
  created: number;
  alreadyAssociated: number;
  settledByLookUp: number;
  errors: Record<string, number>;
}

describe('fault soak of create_route_association', () => {
  let emulator: Emulator;
  let harness: InMemoryHarness;
  const logs: string[] = [];
  const outputs: string[] = [];

  afterAll(async () => {
    await harness?.close();
    await emulator?.close();
    expectNoCanary(...outputs, logs.join(''));
  });

  it(`${ATTACHMENTS} attachments, three steps each, ~30% faults: one association each, no false claims`, async () => {
    const topology = generatedTopology({ attachments: ATTACHMENTS, routeTables: 2 });
    const [erId, tables] = [topology.routers[0]!.id, topology.routeTables.map((t) => t.id)];
    emulator = await startTestEmulator({ topology, faults: PLAN });
    const log = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) }));
    // Three attempts a call, not four: enough calls then fail outright that the agents' own
    // retries (with the token handed back) are exercised in every run.
    harness = await connectInMemory(emulator, { env: { log }, http: { retry: { baseDelayMs: 2, maxDelayMs: 20, maxAttempts: 3 } }, settings: WITHOUT_APPROVAL });

    const tally: Tally = { calls: 0, created: 0, alreadyAssociated: 0, settledByLookUp: 0, errors: {} };
    const firstTokens = new Map<string, string>();

    /** One agent step: call until it succeeds, following the hint's advice on retryable errors. */
    async function step(args: Record<string, string>, token?: string): Promise<Created> {
      for (let i = 0; i < MAX_TRIES; i++) {
        const result = await harness.client.callTool({ name: 'create_route_association', arguments: token ? { ...args, client_token: token } : args });
        tally.calls += 1;
        outputs.push(textOf(result));
        if (!result.isError) {
          const body = structured<Created>(result);
          if (token) expect(body.client_token).toBe(token);
          if (body.already_associated) tally.alreadyAssociated += 1;
          else tally.created += 1;
          if (body.note) tally.settledByLookUp += 1;
          return body;
        }
        token = retryableFailure(result, tally.errors, token);
      }
      throw new Error(`an agent gave up after ${MAX_TRIES} calls for ${JSON.stringify(args)}`);
    }

    async function agentFor(index: number): Promise<void> {
      const args = { er_id: erId, route_table_id: tables[index % tables.length]!, attachment_id: topology.attachments[index]!.id };
      // 1. The first create, without a token: the server makes one, the agent reuses it on errors.
      //    Nothing existed before, so it must never report already_associated — it would if any
      //    retry (by the HTTP layer or by the agent) went out with a new token after a lost answer.
      const first = await step(args);
      expect(first.already_associated, `first create of ${args.attachment_id}`).toBe(false);
      firstTokens.set(args.attachment_id, first.client_token);
      // 2. The same create sent again with the same token (an agent unsure whether it went through).
      const again = await step(args, first.client_token);
      expect(again.association.id).toBe(first.association.id);
      expect(again.already_associated).toBe(false);
      // 3. Another agent asks for the same thing with a fresh token: it converges on the same one.
      const other = await step(args);
      expect(other.association.id).toBe(first.association.id);
      expect(other.already_associated || other.note !== undefined).toBe(true);
    }

    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: AGENTS }, async () => {
        while (next < ATTACHMENTS) await agentFor(next++);
      }),
    );
    const seconds = (Date.now() - started) / 1000;

    // Exactly one association per attachment, on the table asked for.
    const all = emulator.store.allAssociations() as Array<{ attachment_id: string; route_table_id: string }>;
    const perAttachment = new Map<string, number>();
    for (const a of all) perAttachment.set(a.attachment_id, (perAttachment.get(a.attachment_id) ?? 0) + 1);
    expect(all).toHaveLength(ATTACHMENTS);
    expect([...perAttachment.values()].every((n) => n === 1)).toBe(true);
    topology.attachments.forEach((attachment, i) => {
      expect(all.find((a) => a.attachment_id === attachment.id)?.route_table_id).toBe(tables[i % tables.length]);
    });
    // Only the first create's token ever got a new association (202) out of the API.
    const acceptedTokens = emulator.requests.filter((r) => r.operation === 'associateRouteTable' && r.status === 202).map((r) => r.clientToken);
    const firsts = new Set(firstTokens.values());
    expect(acceptedTokens.every((t) => t !== undefined && firsts.has(t))).toBe(true);

    const requests = emulator.requests.length;
    const faults = emulator.faults!.counts;
    const faulted = requests > 0 ? Object.entries(faults).filter(([k]) => !k.includes(':') && k !== 'none').reduce((n, [, v]) => n + v, 0) : 0;
    console.log(
      JSON.stringify(
        {
          soak: { attachments: ATTACHMENTS, agents: AGENTS, seconds, calls: tally.calls },
          results: { created: tally.created, already_associated: tally.alreadyAssociated, settled_by_look_up: tally.settledByLookUp, errors: tally.errors },
          http: { requests_reaching_emulator: requests, faulted, fault_share: Number((faulted / (faulted + (faults.none ?? 0))).toFixed(3)), connections: emulator.connections() },
          faults,
        },
        null,
        1,
      ),
    );

    expect(tally.calls).toBeGreaterThanOrEqual(1_000);
    // Every kind of fault happened, the dangerous one (applied, then the connection cut) included.
    for (const kind of ['throttle', 'server-error:500', 'server-error:502', 'server-error:503 empty', 'server-error:504', 'busy', 'reset-before', 'reset-after']) {
      expect(faults[kind] ?? 0, kind).toBeGreaterThan(0);
    }
    expect(Object.values(tally.errors).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  }, SOAK_TIMEOUT_MS);
});
