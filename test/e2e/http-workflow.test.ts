// The whole job over Streamable HTTP through the built server, as a chat-ops agent would do it:
// discover → dry run → create (a human approves through elicitation) → wait with progress →
// delete → wait. The audit goes to stdout (--audit-log -) and names the caller on every line.
import { spawn } from 'node:child_process';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { CLI_PATH, envFor, errorOf, expectNoCanary, startTestEmulator, structured, tempDir } from '../helpers.js';
import { connectClient, TOKENS, writeTokensFile } from '../transports/http/harness.js';
import { type SpawnedHttpServer, spawnHttpServer } from './http-process.js';

const WRITE_TOOLS = ['create_route_association', 'delete_route_association', 'create_route_propagation', 'delete_route_propagation', 'create_static_route', 'delete_static_route'];

function auditLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function first(result: unknown, key: string): Record<string, string> {
  const items = structured<Record<string, Array<Record<string, string>>>>(result)[key];
  expect(items?.length).toBeGreaterThan(0);
  return items![0]!;
}

describe('the whole workflow over HTTP, audited to stdout', () => {
  let emulator: Emulator;
  let server: SpawnedHttpServer;
  const outputs: string[] = [];

  beforeAll(async () => {
    emulator = await startTestEmulator();
    server = await spawnHttpServer(envFor(emulator), ['serve', '--http', '--port', '0', '--http-tokens', writeTokensFile(), '--audit-log', '-']);
  });
  afterAll(async () => {
    server.stop();
    await emulator.close();
    expectNoCanary(...outputs, server.stderr(), server.stdout());
    for (const token of Object.values(TOKENS)) expect([...outputs, server.stderr(), server.stdout()].join('\n')).not.toContain(token);
  });

  it('discover → dry run → create with approval → wait with progress → delete → wait', async () => {
    const approvals: string[] = [];
    const { client } = await connectClient(server.url, TOKENS.alice, { capabilities: { elicitation: { form: {} } } });
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      approvals.push(request.params.message);
      return { action: 'accept', content: { approve: true } };
    });
    const call = async (name: string, args: Record<string, unknown>, onProgress?: (message: string) => void) => {
      const result = await client.callTool({ name, arguments: args }, undefined, onProgress ? { onprogress: (p) => onProgress(p.message ?? ''), resetTimeoutOnProgress: true } : undefined);
      outputs.push(JSON.stringify(result));
      return result;
    };

    const router = first(await call('list_enterprise_routers', { name: 'shanghai-core' }), 'routers');
    const table = first(await call('list_route_tables', { er_id: router.id, name: 'prod' }), 'route_tables');
    const attachment = first(await call('list_attachments', { er_id: router.id, name: 'payments' }), 'attachments');
    const ids = { er_id: router.id, route_table_id: table.id, attachment_id: attachment.id };
    expect(ids).toEqual({ er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc });

    const plan = structured<{ plan: { will_change: boolean }; plan_id: string }>(await call('create_route_association', { ...ids, dry_run: true }));
    expect(plan.plan.will_change).toBe(true);
    expect(emulator.requests.filter(isWrite)).toHaveLength(0);

    const created = structured<{ association: { state: string }; client_token: string }>(await call('create_route_association', { ...ids, plan_id: plan.plan_id }));
    expect(created.association.state).toBe('pending');
    expect(approvals).toHaveLength(1);
    expect(approvals[0]).toContain('ASSOCIATE');

    const progress: string[] = [];
    const available = structured<{ state: string; verification: { status: string } }>(await call('get_association_state', { ...ids, wait_for: 'available', timeout_seconds: 30 }, (m) => progress.push(m)));
    expect(available.state).toBe('available');
    expect(available.verification.status).toBe('as_planned');
    expect(progress.length).toBeGreaterThan(0);

    const deleting = structured<{ state: string }>(await call('delete_route_association', ids));
    expect(deleting.state).toBe('deleting');
    expect(approvals).toHaveLength(2);
    const gone = structured<{ state: string }>(await call('get_association_state', { ...ids, wait_for: 'deleted', timeout_seconds: 30 }));
    expect(gone.state).toBe('not_found');
    await client.close();

    expect(emulator.requests.filter(isWrite).map((r) => `${r.operation} ${r.status}`)).toEqual(['associateRouteTable 202', 'disassociateRouteTable 202']);
    // Every audit line on stdout names alice; stdout carries nothing else.
    const audit = auditLines(server.stdout());
    expect(audit.map((r) => `${r.tool} ${r.event} ${r.outcome ?? ''}`.trim())).toEqual([
      'create_route_association outcome dry_run',
      'create_route_association approval_requested',
      'create_route_association approved',
      'create_route_association intent',
      'create_route_association outcome succeeded',
      'create_route_association verification verified',
      'delete_route_association approval_requested',
      'delete_route_association approved',
      'delete_route_association intent',
      'delete_route_association outcome succeeded',
      'delete_route_association verification verified',
    ]);
    expect(new Set(audit.map((r) => r.caller ?? r.requested_by))).toEqual(new Set(['token:alice']));
    expect(audit[3]).toMatchObject({ guardrail: 'approved', plan_id: plan.plan_id, requested_by: 'token:alice', approved_by: 'token:alice', approval_channel: 'form' });
    // The log lines of alice's calls name her too.
    const created_log = server.stderr().split('\n').find((line) => line.includes('association created'));
    expect(created_log).toContain('"caller":"token:alice"');
  });

  it('a read-only token does not see the write tools, is refused by name, and sends no write', async () => {
    const writesBefore = emulator.requests.filter(isWrite).length;
    const auditBefore = auditLines(server.stdout()).length;
    const { client } = await connectClient(server.url, TOKENS.reader, { capabilities: { elicitation: { form: {} } } });
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThan(0);
    expect(tools.filter((t) => WRITE_TOOLS.includes(t.name))).toEqual([]);
    const ids = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.devTable, attachment_id: SANDBOX_IDS.analyticsVpc };
    for (const name of WRITE_TOOLS) {
      const result = await client.callTool({ name, arguments: ids });
      outputs.push(JSON.stringify(result));
      expect(errorOf(result).error_code).toBe('FORBIDDEN_SCOPE');
    }
    // Reading still works.
    expect(structured<{ state: string }>(await client.callTool({ name: 'get_association_state', arguments: ids })).state).toBeDefined();
    await client.close();
    expect(emulator.requests.filter(isWrite).length - writesBefore).toBe(0);
    const refusals = auditLines(server.stdout()).slice(auditBefore);
    expect(refusals.map((r) => [r.tool, r.outcome, r.guardrail, r.caller])).toEqual(WRITE_TOOLS.map((tool) => [tool, 'refused', 'scope', 'token:reader']));
  });
});

describe('SIGTERM during a create over HTTP', () => {
  it('the create finishes and is audited, new calls get 503, and the process exits 0', async () => {
    const slow = await startTestEmulator({ faults: { seed: 2, latencyMs: [1_000, 1_000] } });
    const server = await spawnHttpServer(envFor(slow), ['serve', '--http', '--port', '0', '--http-tokens', writeTokensFile(), '--confirm-writes', 'never', '--audit-log', '-']);
    try {
      const { client } = await connectClient(server.url, TOKENS.bob);
      const ids = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.devTable, attachment_id: SANDBOX_IDS.analyticsVpc };
      const creating = client.callTool({ name: 'create_route_association', arguments: ids });
      // The intent is on stdout: the write has begun.
      await vi.waitFor(() => expect(server.stdout()).toContain('"event":"intent"'), { timeout: 15_000 });
      server.child.kill('SIGTERM');
      await vi.waitFor(() => expect(server.stderr()).toContain('draining'), { timeout: 10_000 });
      const late = await connectClient(server.url, TOKENS.alice).catch((e: unknown) => e);
      expect(late).toBeInstanceOf(StreamableHTTPError);
      expect((late as StreamableHTTPError).code).toBe(503);
      const created = structured<{ association: { state: string } }>(await creating);
      expect(created.association.state).toBe('pending');
      expect(await server.exited).toBe(0);
      expect(slow.requests.filter(isWrite).map((r) => `${r.operation} ${r.status}`)).toEqual(['associateRouteTable 202']);
      const audit = auditLines(server.stdout());
      expect(audit.map((r) => [r.event, r.outcome ?? null, r.caller])).toEqual([
        ['intent', null, 'token:bob'],
        ['outcome', 'succeeded', 'token:bob'],
      ]);
    } finally {
      server.stop();
      await slow.close();
    }
  });
});

describe('SIGTERM while a create over HTTP outlasts the shutdown bound', () => {
  it('the caller is answered that the outcome is unknown, the audit line says may_have_been_applied with its note, and the process exits 0', async () => {
    // Every API request takes 8 s; the server waits 1 s (HUAWEICLOUD_ER_MCP_SHUTDOWN_SECONDS).
    const stuck = await startTestEmulator({ faults: { seed: 3, latencyMs: [8_000, 8_000] } });
    const env = { ...envFor(stuck), HUAWEICLOUD_ER_MCP_SHUTDOWN_SECONDS: '1' };
    const server = await spawnHttpServer(env, ['serve', '--http', '--port', '0', '--http-tokens', writeTokensFile(), '--confirm-writes', 'never', '--audit-log', '-']);
    try {
      const { client } = await connectClient(server.url, TOKENS.bob);
      const ids = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.devTable, attachment_id: SANDBOX_IDS.analyticsVpc };
      const creating = client.callTool({ name: 'create_route_association', arguments: { ...ids, client_token: 'outlasted-the-drain' } });
      await vi.waitFor(() => expect(server.stdout()).toContain('"event":"intent"'), { timeout: 15_000 });
      server.child.kill('SIGTERM');

      // The answer arrives before the session closes: an error saying what is not known and how to find out.
      let answered: Awaited<typeof creating> | undefined;
      void creating.then((result) => (answered = result), () => undefined);
      expect(await server.exited).toBe(0);
      await vi.waitFor(() => expect(answered).toBeDefined(), { timeout: 10_000 });
      const result = answered!;
      expect(result.isError).toBe(true);
      const error = errorOf(result);
      expect(error).toMatchObject({ error_code: 'SERVER_STOPPED', outcome: 'unknown', client_token: 'outlasted-the-drain' });
      expect(String(error.error_msg)).toContain('the outcome is unknown');
      expect(String(error.hint)).toContain('Check with get_association_state (same IDs)');
      expect(String(error.hint)).toContain('client_token outlasted-the-drain');

      const audit = auditLines(server.stdout());
      expect(audit.map((r) => [r.event, r.outcome ?? null, r.caller])).toEqual([
        ['intent', null, 'token:bob'],
        ['outcome', 'may_have_been_applied', 'token:bob'],
      ]);
      expect(audit[1]).toMatchObject({ attempt_id: audit[0]!.attempt_id, client_token: 'outlasted-the-drain' });
      expect(audit[1]!.note).toBe('The server stopped 1 s after being asked to, before this write answered: check with get_association_state (same IDs) whether it was applied.');
    } finally {
      server.stop();
      await stuck.close();
    }
  });
});

describe('--audit-log - on stdio', () => {
  it('is refused at start: stdout carries MCP there', async () => {
    const child = spawn(process.execPath, [CLI_PATH, '--sandbox', '--audit-log', '-'], { env: { PATH: process.env.PATH ?? '', HOME: tempDir('er-home') }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('--audit-log - (stdout) needs serve --http');
    expect(stdout).toBe('');
  });
});
