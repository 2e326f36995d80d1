// Waits that fit real clients: one call never waits past the server's cap (set low here so the
// test runs in seconds), and a wait for "available" rides out a list that does not show a new
// association yet. Both through the built server over stdio, with the SDK client's defaults.
import { describe, expect, it } from 'vitest';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { envFor, spawnServer, startTestEmulator, structured, tempDir } from '../helpers.js';

const ref = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };

interface StateResult {
  state: string;
  timed_out?: boolean;
  wait_capped_to_seconds?: number;
  hint?: string;
  polls: number;
}

describe('one call waits at most the cap', () => {
  it('a 120 s wait with the SDK default 60 s request timeout answers timed_out at the cap, and hints stay within it', async () => {
    // The association stays pending far longer than any wait here.
    const emulator = await startTestEmulator({ availableAfterMs: 600_000 });
    const server = await spawnServer(envFor(emulator, { HUAWEICLOUD_ER_MCP_MAX_WAIT_SECONDS: '2' }), ['--confirm-writes', 'never', '--audit-log', 'off']);
    try {
      const created = structured<{ next: { arguments: { timeout_seconds: number } } }>(await server.client.callTool({ name: 'create_route_association', arguments: ref }));
      expect(created.next.arguments.timeout_seconds).toBe(2);
      // No resetTimeoutOnProgress, no own timeout: exactly what most clients do.
      const body = structured<StateResult>(await server.client.callTool({ name: 'get_association_state', arguments: { ...ref, wait_for: 'available', timeout_seconds: 120 } }));
      expect(body).toMatchObject({ state: 'pending', timed_out: true, wait_capped_to_seconds: 2 });
      expect(body.hint).toContain('this server waits at most 2 s per call');
      expect(body.hint).toContain('timeout_seconds up to 2');
    } finally {
      await server.close();
      await emulator.close();
    }
  });
});

describe('eventual consistency', () => {
  it('a create followed by wait_for "available" ends available though lists hide the new association for 3 s', async () => {
    const env = { PATH: process.env.PATH ?? '', HOME: tempDir('er-mcp-home'), HUAWEICLOUD_ER_EMULATOR_FAULTS: '{"seed":1,"associationListLagMs":3000}' };
    const server = await spawnServer(env, ['--sandbox', '--confirm-writes', 'never', '--audit-log', 'off']);
    try {
      structured(await server.client.callTool({ name: 'create_route_association', arguments: ref }));
      const seen: string[] = [];
      const body = structured<StateResult>(
        await server.client.callTool({ name: 'get_association_state', arguments: { ...ref, wait_for: 'available', timeout_seconds: 30 } }, undefined, {
          onprogress: (p) => seen.push(p.message ?? ''),
        }),
      );
      expect(body.state).toBe('available');
      // It did meet the lagging list first, and kept waiting through it.
      expect(seen[0]).toContain('state not_found');
    } finally {
      await server.close();
    }
  });
});
