// The built server as `serve --http`, configured only through documented flags and variables,
// driven by the SDK's Streamable HTTP client over real HTTP on 127.0.0.1.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { CANARY_VALUES, CLI_PATH, envFor, expectNoCanary, startTestEmulator, structured, tempDir } from '../helpers.js';
import { connectClient, rawRequest, seen, TOKENS, writeTokensFile } from '../transports/http/harness.js';
import { type SpawnedHttpServer, spawnHttpServer } from './http-process.js';

const ref = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };

describe('built server over Streamable HTTP with static tokens', () => {
  let emulator: Emulator;
  let server: SpawnedHttpServer;
  let auditPath: string;
  const outputs: string[] = [];

  beforeAll(async () => {
    emulator = await startTestEmulator();
    auditPath = join(tempDir('er-http-audit'), 'audit.jsonl');
    server = await spawnHttpServer(envFor(emulator, { HUAWEICLOUD_ER_MCP_HTTP_TOKENS: writeTokensFile() }), ['serve', '--http', '--port', '0', '--audit-log', auditPath]);
  });
  afterAll(async () => {
    server.stop();
    await emulator.close();
  });

  it('answers tools over HTTP with a token, and 401 without one', async () => {
    const { client } = await connectClient(server.url, TOKENS.alice);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('create_route_association');
    const result = await client.callTool({ name: 'list_route_tables', arguments: { er_id: ref.er_id } });
    outputs.push(JSON.stringify(result));
    expect(structured<{ route_tables: unknown[] }>(result).route_tables.length).toBeGreaterThan(0);
    await client.close();
    const refused = await rawRequest(server.url);
    outputs.push(seen(refused));
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toContain('Bearer');
  });

  it('healthz says the credentials and the project are ready, and nothing secret', async () => {
    const response = await rawRequest(new URL('/healthz', server.url).href, { method: 'GET' });
    outputs.push(seen(response));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ status: 'ok', credentials_ready: true, project_ready: true, sandbox: false });
  });

  it('no canary secret or bearer token in any response, header, log line or the audit', async () => {
    const { client } = await connectClient(server.url, TOKENS.bob);
    const created = await client.callTool({ name: 'create_route_association', arguments: { ...ref, dry_run: true } });
    outputs.push(JSON.stringify(created));
    await client.close();
    const audit = readFileSync(auditPath, 'utf8');
    expectNoCanary(...outputs, server.stderr(), server.stdout(), audit);
    for (const token of Object.values(TOKENS)) {
      expect([...outputs, server.stderr(), server.stdout(), audit].join('\n')).not.toContain(token);
    }
    expect(CANARY_VALUES.length).toBeGreaterThan(0);
  });
});

describe('process lifetime over HTTP', () => {
  it('refuses at start to listen beyond loopback without authentication (exit 2, says why)', async () => {
    const child = spawn(process.execPath, [CLI_PATH, 'serve', '--http', '--host', '0.0.0.0', '--http-allowed-hosts', 'er-mcp.internal'], { env: { PATH: process.env.PATH ?? '', HOME: tempDir('er-home') }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('Refusing to listen on 0.0.0.0 without authentication');
  });

  it('without credentials it starts, and healthz says they are missing', async () => {
    const server = await spawnHttpServer({ PATH: process.env.PATH ?? '', HOME: tempDir('er-home') }, ['serve', '--http', '--port', '0', '--audit-log', 'off']);
    try {
      const response = await rawRequest(new URL('/healthz', server.url).href, { method: 'GET' });
      expect(JSON.parse(response.body)).toMatchObject({ status: 'ok', credentials_ready: false, project_ready: false });
    } finally {
      server.stop();
    }
  });
});
