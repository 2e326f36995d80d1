// The failure side of the soak: with no retries to absorb faults, hundreds of creates fail, and
// each failure must still hand the agent a retryable error with the very token the API saw.
import { afterAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { generatedTopology } from '../../src/emulator/topology.js';
import { connectInMemory, errorOf, type InMemoryHarness, startTestEmulator, structured, WITHOUT_APPROVAL, SOAK_TIMEOUT_MS } from '../helpers.js';

const ATTACHMENTS = 300;
let emulator: Emulator;
let harness: InMemoryHarness;

afterAll(async () => {
  await harness.close();
  await emulator.close();
});

describe('failed creates under faults, one attempt each', () => {
  it('every failure is retryable and carries the X-Client-Token that reached the API', async () => {
    const topology = generatedTopology({ attachments: ATTACHMENTS, routeTables: 1 });
    emulator = await startTestEmulator({
      topology,
      faults: { seed: 7, throttle: 0.1, serverError: 0.1, busy: 0.1, resetBeforeApply: 0.1, resetAfterApply: 0.1, retryAfterSeconds: 0 },
    });
    harness = await connectInMemory(emulator, { http: { retry: { maxAttempts: 1 } }, settings: WITHOUT_APPROVAL });
    const erId = topology.routers[0]!.id;
    const tableId = topology.routeTables[0]!.id;

    const results = [];
    for (let start = 0; start < ATTACHMENTS; start += 25) {
      const batch = topology.attachments.slice(start, start + 25).map(async (a) => ({
        attachment: a.id,
        result: await harness.client.callTool({ name: 'create_route_association', arguments: { er_id: erId, route_table_id: tableId, attachment_id: a.id } }),
      }));
      results.push(...(await Promise.all(batch)));
    }

    const sentTokens = new Set(emulator.requests.filter((r) => r.operation === 'associateRouteTable').map((r) => r.clientToken));
    const failures = results.filter((r) => r.result.isError);
    expect(failures.length).toBeGreaterThan(ATTACHMENTS / 5);
    for (const { result } of failures) {
      const error = errorOf(result);
      expect(error.retryable).toBe(true);
      expect(sentTokens.has(error.client_token as string)).toBe(true);
    }
    // What succeeded exists; what failed as "not_created" does not.
    const existing = new Set(emulator.store.allAssociations().map((a) => a.attachment_id));
    for (const { attachment, result } of results) {
      if (!result.isError) expect(existing.has(structured<{ association: { attachment_id: string } }>(result).association.attachment_id)).toBe(true);
      else if (errorOf(result).outcome === 'not_created') expect(existing.has(attachment)).toBe(false);
    }
    console.log(JSON.stringify({ calls: results.length, failures: failures.length, outcomes: countBy(failures.map((f) => String(errorOf(f.result).outcome))) }));
  }, SOAK_TIMEOUT_MS);
});

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
