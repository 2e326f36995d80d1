// Fault soak of create_static_route: a few hundred static routes (next hops and blackholes, in two
// route tables) created through the server while ~30% of requests fail in every way the fault plan
// knows. Agents follow the hints: a retryable or unknown answer is retried with the client_token
// it hands back. Afterwards each requested destination has exactly one static route, going where
// it was asked to, nothing else exists, only the first create's token ever made a route, and no
// answer claimed what did not happen.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { generatedTopology } from '../../src/emulator/topology.js';
import { connectInMemory, expectNoCanary, type InMemoryHarness, SOAK_TIMEOUT_MS, startTestEmulator, structured, textOf, WITHOUT_APPROVAL } from '../helpers.js';
import { retryableFailure, soakFaults } from '../soak-kit.js';

const PER_TABLE = 170;
const TABLES = 2;
const AGENTS = 40;
/** An agent gives up after this many calls for one step; the soak fails if any does. */
const MAX_TRIES = 12;

const PLAN = soakFaults(20_261_207);

interface Route {
  id: string;
  destination: string;
  is_blackhole?: boolean | null;
  attachments?: Array<{ attachment_id?: string | null }> | null;
  route_table_id?: string | null;
}

interface Created {
  route: Route;
  already_present: boolean;
  made_by_this_call: boolean | null;
  client_token: string;
  note?: string;
}

/** One requested static route: where traffic to `destination` in `route_table_id` goes. */
interface Wanted {
  er_id: string;
  route_table_id: string;
  destination: string;
  attachment_id?: string;
  is_blackhole?: true;
  description?: string;
}

/** A success as the agent read it, to check against the emulator at the end. */
interface Claim {
  key: string;
  step: 'first' | 'again' | 'other';
  body: Created;
}

const keyOf = (tableId: string, destination: string) => `${tableId} ${destination}`;

describe('fault soak of create_static_route', () => {
  let emulator: Emulator;
  let harness: InMemoryHarness;
  const logs: string[] = [];
  const outputs: string[] = [];

  afterAll(async () => {
    await harness?.close();
    await emulator?.close();
    expectNoCanary(...outputs, logs.join(''));
  });

  it(`${PER_TABLE * TABLES} static routes, three steps each, ~30% faults: one route per destination, no duplicate, no false claim`, async () => {
    const topology = generatedTopology({ attachments: 8, routeTables: TABLES });
    const erId = topology.routers[0]!.id;
    const attachments = topology.attachments.map((a) => a.id);
    emulator = await startTestEmulator({ topology, faults: PLAN, staticRouteQuota: 1_000 });
    const log = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) }));
    // Three attempts a call: enough calls then fail outright that the agents' own retries (with the
    // token handed back) are exercised in every run.
    harness = await connectInMemory(emulator, { env: { log }, http: { retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 } }, settings: WITHOUT_APPROVAL });

    // Every fourth route is a blackhole; the others go to the attachments in turn, some with a description.
    const wanted: Wanted[] = topology.routeTables.flatMap((table, t) =>
      Array.from({ length: PER_TABLE }, (_, i): Wanted => {
        const destination = `10.${100 + t}.${i}.0/24`;
        const base = { er_id: erId, route_table_id: table.id, destination, ...(i % 3 === 0 ? { description: `soak route ${i}` } : {}) };
        return i % 4 === 0 ? { ...base, is_blackhole: true } : { ...base, attachment_id: attachments[i % attachments.length]! };
      }),
    );
    const tally = { calls: 0, created: 0, alreadyPresent: 0, madeUnknown: 0, settledByLookUp: 0, errors: {} as Record<string, number> };
    /** Every client token an agent used or was handed, and the destination it was for. */
    const tokenKey = new Map<string, string>();
    const firstTokens = new Map<string, string>();
    const claims: Claim[] = [];

    const remember = (token: string, key: string) => {
      const known = tokenKey.get(token);
      // A token is never used for two destinations (the server makes a fresh one for each call without one).
      expect(known === undefined || known === key, `token ${token} for ${known} and ${key}`).toBe(true);
      tokenKey.set(token, key);
    };

    /** One agent step: call until it succeeds, retrying a retryable answer with the token it hands back. */
    async function step(args: Wanted, kind: Claim['step'], token?: string): Promise<Created> {
      const key = keyOf(args.route_table_id, args.destination);
      for (let i = 0; i < MAX_TRIES; i++) {
        const result = await harness.client.callTool({ name: 'create_static_route', arguments: token ? { ...args, client_token: token } : { ...args } });
        tally.calls += 1;
        outputs.push(textOf(result));
        if (!result.isError) {
          const body = structured<Created>(result);
          if (token) expect(body.client_token).toBe(token);
          remember(body.client_token, key);
          if (body.already_present) tally.alreadyPresent += 1;
          else tally.created += 1;
          if (body.made_by_this_call === null) tally.madeUnknown += 1;
          if (body.note) tally.settledByLookUp += 1;
          claims.push({ key, step: kind, body });
          return body;
        }
        token = retryableFailure(result, tally.errors, token);
        remember(token, key);
      }
      throw new Error(`an agent gave up after ${MAX_TRIES} calls for ${JSON.stringify(args)}`);
    }

    async function agentFor(args: Wanted): Promise<void> {
      const key = keyOf(args.route_table_id, args.destination);
      // 1. The first create, without a token: the server makes one, the agent reuses it on errors.
      //    Nothing existed before, so it must never say already_present: it would if any retry (by
      //    the HTTP layer or by the agent) went out with a new token after a lost answer.
      const first = await step(args, 'first');
      expect(first.already_present, `first create of ${key}`).toBe(false);
      firstTokens.set(key, first.client_token);
      // 2. The same create again with the same token (an agent unsure whether it went through).
      const again = await step(args, 'again', first.client_token);
      expect(again.route.id).toBe(first.route.id);
      expect(again.already_present).toBe(false);
      // 3. Another agent asks for the same route with a fresh token: it converges on the same one,
      //    and never says it made it.
      const other = await step(args, 'other');
      expect(other.route.id).toBe(first.route.id);
      expect(other.already_present || other.note !== undefined).toBe(true);
      expect(other.made_by_this_call).not.toBe(true);
    }

    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: AGENTS }, async () => {
        while (next < wanted.length) await agentFor(wanted[next++]!);
      }),
    );
    const seconds = (Date.now() - started) / 1000;

    // Exactly one static route per requested destination, going where it was asked to; no other route.
    const all = emulator.staticRoutes.allStaticRoutes() as unknown as Route[];
    const byKey = new Map<string, Route[]>();
    for (const route of all) {
      const key = keyOf(String(route.route_table_id), route.destination);
      byKey.set(key, [...(byKey.get(key) ?? []), route]);
    }
    expect(all).toHaveLength(wanted.length);
    expect([...byKey.entries()].filter(([, routes]) => routes.length !== 1).map(([key]) => key)).toEqual([]);
    for (const w of wanted) {
      const route = byKey.get(keyOf(w.route_table_id, w.destination))?.[0];
      expect(route, `${w.destination} in ${w.route_table_id}`).toBeDefined();
      const goes = route!.is_blackhole ? 'blackhole' : (route!.attachments ?? []).map((a) => a.attachment_id).join(',');
      expect(goes, `${w.destination} in ${w.route_table_id}`).toBe(w.is_blackhole ? 'blackhole' : w.attachment_id);
    }

    // Only the first create's token ever had a route accepted (202; a replay of that token is 202 too),
    // one token per destination, and every accepted token is one the agents sent for that destination.
    const accepted = emulator.requests.filter((r) => r.operation === 'createStaticRoute' && r.status === 202).map((r) => r.clientToken);
    expect(accepted.every((t) => t !== undefined && tokenKey.has(t))).toBe(true);
    const acceptedFor = new Map<string, Set<string>>();
    for (const token of accepted as string[]) {
      const key = tokenKey.get(token)!;
      acceptedFor.set(key, (acceptedFor.get(key) ?? new Set()).add(token));
    }
    expect(acceptedFor.size).toBe(wanted.length);
    for (const [key, tokens] of acceptedFor) expect([...tokens], key).toEqual([firstTokens.get(key)]);

    // No false claim: every success names the route that exists, going where asked; made_by_this_call
    // true only for the token that made it, false only for another; already_present only when
    // another token made it.
    for (const { key, step: kind, body } of claims) {
      const route = byKey.get(key)![0]!;
      const maker = [...acceptedFor.get(key)!][0];
      expect(body.route.id, `${kind} ${key}`).toBe(route.id);
      expect(keyOf(String(body.route.route_table_id), body.route.destination)).toBe(key);
      expect(Boolean(body.route.is_blackhole)).toBe(Boolean(route.is_blackhole));
      if (body.made_by_this_call === true) expect(body.client_token, `${kind} ${key} says it made the route`).toBe(maker);
      if (body.made_by_this_call === false) expect(body.client_token, `${kind} ${key} says another request made it`).not.toBe(maker);
      if (body.already_present) expect(body.client_token, `${kind} ${key} says the route was already there`).not.toBe(maker);
    }

    const faults = emulator.faults!.counts;
    const faulted = Object.entries(faults).filter(([k]) => !k.includes(':') && k !== 'none').reduce((n, [, v]) => n + v, 0);
    console.log(
      JSON.stringify(
        {
          soak: { static_routes: wanted.length, blackholes: wanted.filter((w) => w.is_blackhole).length, agents: AGENTS, seconds, calls: tally.calls },
          results: { created: tally.created, already_present: tally.alreadyPresent, made_by_this_call_unknown: tally.madeUnknown, settled_by_look_up: tally.settledByLookUp, errors: tally.errors },
          http: { requests_reaching_emulator: emulator.requests.length, faulted, fault_share: Number((faulted / (faulted + (faults.none ?? 0))).toFixed(3)) },
          faults,
        },
        null,
        1,
      ),
    );

    expect(tally.calls).toBeGreaterThanOrEqual(1_000);
    // Every kind of fault happened, the dangerous one (applied, then the connection cut) included.
    for (const kind of ['throttle', 'server-error', 'busy', 'reset-before', 'reset-after']) expect(faults[kind] ?? 0, kind).toBeGreaterThan(0);
    expect(Object.values(tally.errors).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // The creates themselves met busy answers (400), which the emulator gives static routes with the
    // route table's code: the association's never reached an agent.
    expect(emulator.requests.some((r) => r.operation === 'createStaticRoute' && r.status === 400)).toBe(true);
    expect(outputs.some((o) => o.includes('ER.04002003'))).toBe(false);
  }, SOAK_TIMEOUT_MS);
});
