// Guardrails as an installer sets them: flags (both spellings) and environment variables on the
// built server over stdio, start-up failures, and audit records that survive a kill.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { CLI_PATH, envFor, errorOf, expectNoCanary, spawnServer, startTestEmulator, structured, tempDir } from '../helpers.js';

const ids = SANDBOX_IDS;
const createArgs = { er_id: ids.router, route_table_id: ids.prodTable, attachment_id: ids.paymentsVpc };

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(async () => {
  await emulator.close();
});

function startUp(args: string[], env: Record<string, string>): { code: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [CLI_PATH, ...args], { env: { ...envFor(emulator), ...env }, input: '', encoding: 'utf8', timeout: 10_000 });
  return { code: run.status, stderr: run.stderr };
}

describe('guardrail flags and variables on the built server', () => {
  it.each([
    [['--read-only'], {}],
    [['--read-only=true'], {}],
    [[], { HUAWEICLOUD_ER_MCP_READ_ONLY: 'true' }],
  ])('read-only via %j %j: no write tools, refused by name, zero writes', async (args, env) => {
    const writesBefore = emulator.requests.filter(isWrite).length;
    const server = await spawnServer(envFor(emulator, env), args);
    try {
      const names = (await server.client.listTools()).tools.map((t) => t.name);
      expect(names).not.toContain('create_route_association');
      expect(names).not.toContain('delete_route_association');
      const error = errorOf(await server.client.callTool({ name: 'create_route_association', arguments: createArgs }));
      expect(String(error.error_msg)).toContain('read-only');
      structured(await server.client.callTool({ name: 'list_route_tables', arguments: { er_id: ids.router } }));
    } finally {
      await server.close();
    }
    expect(emulator.requests.filter(isWrite).length).toBe(writesBefore);
  });

  it('a flag wins over its variable', async () => {
    const server = await spawnServer(envFor(emulator, { HUAWEICLOUD_ER_MCP_READ_ONLY: 'true' }), ['--read-only=false']);
    try {
      expect((await server.client.listTools()).tools.map((t) => t.name)).toContain('create_route_association');
    } finally {
      await server.close();
    }
  });

  it.each([
    [['--allow-er-ids', ids.labRouter], {}],
    [[`--allow-er-ids=${ids.labRouter}`], {}],
    [[], { HUAWEICLOUD_ER_MCP_ALLOW_ER_IDS: `${ids.labRouter}, other-router` }],
  ])('allow-list via %j %j refuses an unlisted router', async (args, env) => {
    const before = emulator.requests.length;
    const server = await spawnServer(envFor(emulator, env), args);
    try {
      const error = errorOf(await server.client.callTool({ name: 'create_route_association', arguments: createArgs }));
      expect(error.error_code).toBe('NOT_ALLOWED');
      expect(String(error.error_msg)).toContain('--allow-er-ids');
    } finally {
      await server.close();
    }
    expect(emulator.requests.length).toBe(before);
  });

  it('route-table allow-list by flag and by variable: the listed table is allowed, another refused', async () => {
    const own = await startTestEmulator();
    const args = { er_id: ids.router, route_table_id: ids.devTable, attachment_id: ids.partnerPeering };
    for (const [flags, env] of [
      [['--allow-route-table-ids', ids.devTable], {}],
      [[], { HUAWEICLOUD_ER_MCP_ALLOW_ROUTE_TABLE_IDS: ids.prodTable }],
    ] as const) {
      const server = await spawnServer(envFor(own, env), [...flags]);
      try {
        const result = await server.client.callTool({ name: 'create_route_association', arguments: { ...args, dry_run: true } });
        if (flags.length > 0) structured(result);
        else expect(String(errorOf(result).error_msg)).toContain('--allow-route-table-ids');
      } finally {
        await server.close();
      }
    }
    await own.close();
  });

  it.each([
    [['--allow-er-ids='], {}, 'empty'],
    [['--allow-route-table-ids', ' , '], {}, 'empty'],
    [[], { HUAWEICLOUD_ER_MCP_ALLOW_ER_IDS: 'good-id,../etc' }, 'malformed'],
    [['--confirm-writes', 'sometimes'], {}, 'auto, always or never'],
    [[], { HUAWEICLOUD_ER_MCP_READ_ONLY: 'maybe' }, 'true or false'],
  ])('refuses to start with %j %j (%s)', (args, env, says) => {
    const { code, stderr } = startUp(args, env);
    expect(code).toBe(2);
    expect(stderr).toContain(says);
  });

  it('--confirm-writes=always with a client that cannot elicit sends nothing and answers approval_required', async () => {
    const writesBefore = emulator.requests.filter(isWrite).length;
    const server = await spawnServer(envFor(emulator), ['--confirm-writes=always']);
    try {
      const pending = structured<{ status: string }>(await server.client.callTool({ name: 'delete_route_association', arguments: { ...createArgs, attachment_id: ids.webVpc } }));
      expect(pending.status).toBe('approval_required');
    } finally {
      await server.close();
    }
    expect(emulator.requests.filter(isWrite).length).toBe(writesBefore);
  });

  it('--confirm-writes=never is said loudly at start', async () => {
    const server = await spawnServer(envFor(emulator), ['--confirm-writes=never']);
    await server.close();
    expect(server.stderr()).toContain('NO PERSON IS ASKED before a write');
  });
});

describe('audit log of the built server', () => {
  it('keeps the record of a write when the process is killed right after answering', async () => {
    const auditPath = join(tempDir('er-audit'), 'audit.jsonl');
    const transport = new StdioClientTransport({ command: process.execPath, args: [CLI_PATH, '--audit-log', auditPath, '--confirm-writes', 'never'], env: envFor(emulator), stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const client = new Client({ name: 'audit-kill', version: '1' });
    await client.connect(transport);
    const result = await client.callTool({ name: 'create_route_association', arguments: { ...createArgs, client_token: 'kill-test-token' } });
    process.kill(transport.pid!, 'SIGKILL');
    await client.close();
    const records = readFileSync(auditPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toEqual([
      expect.objectContaining({ event: 'intent', tool: 'create_route_association', client_token: 'kill-test-token' }),
      expect.objectContaining({ event: 'outcome', tool: 'create_route_association', outcome: 'succeeded', client_token: 'kill-test-token', state: 'pending' }),
    ]);
    expect(records[0]!.attempt_id).toBe(records[1]!.attempt_id);
    expectNoCanary(readFileSync(auditPath, 'utf8'), stderr, JSON.stringify(result));
  });

  it('defaults to $XDG_STATE_HOME/huaweicloud-er-mcp/audit.jsonl', async () => {
    const stateHome = tempDir('er-state');
    const server = await spawnServer(envFor(emulator, { XDG_STATE_HOME: stateHome }));
    try {
      structured(await server.client.callTool({ name: 'create_route_association', arguments: { ...createArgs, attachment_id: ids.partnerPeering, dry_run: true } }));
    } finally {
      await server.close();
    }
    const line = JSON.parse(readFileSync(join(stateHome, 'huaweicloud-er-mcp', 'audit.jsonl'), 'utf8').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ outcome: 'dry_run', sandbox: false });
  });

  it('an unwritable audit path refuses writes but the server still answers reads', async () => {
    const server = await spawnServer(envFor(emulator), ['--audit-log', '/proc/version/audit.jsonl']);
    try {
      const error = errorOf(await server.client.callTool({ name: 'create_route_association', arguments: createArgs }));
      expect(error.error_code).toBe('AUDIT_UNAVAILABLE');
      structured(await server.client.callTool({ name: 'list_enterprise_routers', arguments: {} }));
      expect(server.stderr()).toContain('writes will be refused');
    } finally {
      await server.close();
    }
  });
});
