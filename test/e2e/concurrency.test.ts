// 200 concurrent tool calls over one stdio session: every answer belongs to its own call, every
// create lands once, and the server's HTTP pool never opens more connections than it may.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { generatedTopology } from '../../src/emulator/topology.js';
import { DEFAULT_CONNECTIONS } from '../../src/http/http-client.js';
import { envFor, expectNoCanary, type SpawnedServer, spawnServer, startTestEmulator, structured, textOf, SOAK_TIMEOUT_MS } from '../helpers.js';

const CALLS = 200;

describe('200 concurrent calls over one stdio session', () => {
  const topology = generatedTopology({ attachments: CALLS, routeTables: 2 });
  const erId = topology.routers[0]!.id;
  const tables = topology.routeTables.map((t) => t.id);
  const stateDir = mkdtempSync(join(tmpdir(), 'er-mcp-concurrency-'));
  let emulator: Emulator;
  let server: SpawnedServer;
  const outputs: string[] = [];

  beforeAll(async () => {
    // A little latency keeps requests in flight together, so an unbounded pool would show.
    emulator = await startTestEmulator({ topology, faults: { seed: 5, latencyMs: [5, 25] } });
    server = await spawnServer(envFor(emulator, { HUAWEICLOUD_ER_MCP_AUDIT_LOG: join(stateDir, 'audit.jsonl'), LOG_LEVEL: 'info', HUAWEICLOUD_ER_MCP_CONFIRM_WRITES: 'never' }));
  });
  afterAll(async () => {
    await server.close();
    outputs.push(server.stderr());
    expectNoCanary(...outputs);
    await emulator.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('all complete correctly, over at most the pool size of TCP connections', async () => {
    const calls = topology.attachments.map((attachment, i) => {
      const args = { er_id: erId, route_table_id: tables[i % 2]!, attachment_id: attachment.id, client_token: `concurrent-${i}` };
      return server.client.callTool({ name: 'create_route_association', arguments: args }).then((result) => ({ args, result }));
    });
    const answers = await Promise.all(calls);

    for (const { args, result } of answers) {
      outputs.push(textOf(result));
      const body = structured<{ association: { attachment_id: string; route_table_id: string; state: string }; client_token: string; already_associated: boolean }>(result);
      expect(body.association).toMatchObject({ attachment_id: args.attachment_id, route_table_id: args.route_table_id, state: 'pending' });
      expect(body.client_token).toBe(args.client_token);
      expect(body.already_associated).toBe(false);
    }
    const associations = emulator.store.allAssociations();
    expect(associations).toHaveLength(CALLS);
    expect(new Set(associations.map((a) => a.attachment_id)).size).toBe(CALLS);
    expect(emulator.requests.filter((r) => r.operation === 'associateRouteTable')).toHaveLength(CALLS);
    expect(emulator.connections()).toBeLessThanOrEqual(DEFAULT_CONNECTIONS);
    console.log(JSON.stringify({ concurrent_calls: CALLS, http_requests: emulator.requests.length, tcp_connections: emulator.connections(), pool_size: DEFAULT_CONNECTIONS }));
  }, SOAK_TIMEOUT_MS);
});
