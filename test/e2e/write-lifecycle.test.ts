// A write's life in the built server as an operator meets it: killed mid-request, stopped with
// SIGTERM mid-request, and called the moment the server starts while the project id is still
// being looked up through IAM.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import type { AttemptRecord } from '../../src/guardrails/audit.js';
import { CLI_PATH, envFor, errorOf, expectNoCanary, spawnServer, startTestEmulator, structured, tempDir } from '../helpers.js';

const createArgs = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };

let emulator: Emulator;
afterEach(async () => {
  await emulator?.close();
});

/** The built server on raw stdio: JSON-RPC lines in, answers by id out, and its exit code. */
function startRaw(env: Record<string, string>, args: string[]): {
  child: ChildProcessWithoutNullStreams;
  request(id: number, method: string, params: unknown): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  stderr(): string;
} {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const waiting = new Map<number, (message: Record<string, unknown>) => void>();
  let buffered = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
      const message = JSON.parse(buffered.slice(0, end)) as Record<string, unknown>;
      buffered = buffered.slice(end + 1);
      waiting.get(message.id as number)?.(message);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    stderr: () => stderr,
    request(id, method, params) {
      const answer = new Promise<Record<string, unknown>>((resolve) => waiting.set(id, resolve));
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
      return answer;
    },
  };
}

async function initialize(raw: ReturnType<typeof startRaw>): Promise<void> {
  await raw.request(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
  raw.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
}

const readAudit = (path: string): AttemptRecord[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AttemptRecord);

const tryReadAudit = (path: string): AttemptRecord[] => {
  try {
    return readAudit(path);
  } catch {
    return [];
  }
};

describe('a write interrupted in flight', () => {
  it('SIGKILL while the create is at the API leaves its intent, with no outcome for that attempt', async () => {
    emulator = await startTestEmulator({ faults: { seed: 1, latencyMs: [2_000, 2_000] } });
    const auditPath = join(tempDir('er-audit'), 'audit.jsonl');
    const raw = startRaw(envFor(emulator), ['--audit-log', auditPath, '--confirm-writes', 'never']);
    await initialize(raw);
    void raw.request(2, 'tools/call', { name: 'create_route_association', arguments: { ...createArgs, client_token: 'killed-mid-write' } });
    await vi.waitFor(() => expect(tryReadAudit(auditPath)).toHaveLength(1), { timeout: 10_000 });
    raw.child.kill('SIGKILL');
    await raw.exited;
    const records = readAudit(auditPath);
    expect(records).toEqual([expect.objectContaining({ event: 'intent', tool: 'create_route_association', client_token: 'killed-mid-write', guardrail: 'confirmation_disabled' })]);
    expect(records.filter((r) => r.event === 'outcome' && r.attempt_id === records[0]!.attempt_id)).toEqual([]);
    expectNoCanary(readFileSync(auditPath, 'utf8'), raw.stderr());
  });

  it('SIGTERM while the create is at the API lets it finish and answer, records its outcome, and exits 0', async () => {
    emulator = await startTestEmulator({ faults: { seed: 1, latencyMs: [1_500, 1_500] } });
    const auditPath = join(tempDir('er-audit'), 'audit.jsonl');
    const raw = startRaw(envFor(emulator), ['--audit-log', auditPath, '--confirm-writes', 'never']);
    await initialize(raw);
    const answer = raw.request(2, 'tools/call', { name: 'create_route_association', arguments: { ...createArgs, client_token: 'stopped-mid-write' } });
    await vi.waitFor(() => expect(tryReadAudit(auditPath)).toHaveLength(1), { timeout: 10_000 });
    raw.child.kill('SIGTERM');
    const result = (await answer).result as { isError?: boolean; structuredContent: { association: { state: string } } };
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent.association.state).toBe('pending');
    expect(await raw.exited).toBe(0);
    const [intent, outcome] = readAudit(auditPath);
    expect(outcome).toMatchObject({ event: 'outcome', attempt_id: intent!.attempt_id, outcome: 'succeeded', state: 'pending', client_token: 'stopped-mid-write' });
    expect((outcome as { request_ids: string[] }).request_ids).toHaveLength(1);
    expect(emulator.requests.filter((r) => r.operation === 'associateRouteTable')).toHaveLength(1);
  });
});

describe('a write that outlasts the shutdown bound', () => {
  it('SIGTERM: the call is answered SERVER_STOPPED, its outcome is may_have_been_applied with the note, and the process exits 0', async () => {
    // Every API request takes 8 s; the server waits 1 s (HUAWEICLOUD_ER_MCP_SHUTDOWN_SECONDS).
    emulator = await startTestEmulator({ faults: { seed: 1, latencyMs: [8_000, 8_000] } });
    const auditPath = join(tempDir('er-audit'), 'audit.jsonl');
    const raw = startRaw({ ...envFor(emulator), HUAWEICLOUD_ER_MCP_SHUTDOWN_SECONDS: '1' }, ['--audit-log', auditPath, '--confirm-writes', 'never']);
    await initialize(raw);
    let answer: Record<string, unknown> | undefined;
    void raw.request(2, 'tools/call', { name: 'create_route_association', arguments: { ...createArgs, client_token: 'outlasted-on-stdio' } }).then((a) => (answer = a));
    await vi.waitFor(() => expect(tryReadAudit(auditPath)).toHaveLength(1), { timeout: 10_000 });
    raw.child.kill('SIGTERM');
    expect(await raw.exited).toBe(0);
    await vi.waitFor(() => expect(answer).toBeDefined(), { timeout: 10_000 });
    expect(errorOf(answer!.result)).toMatchObject({ error_code: 'SERVER_STOPPED', outcome: 'unknown', client_token: 'outlasted-on-stdio' });
    const [intent, outcome] = readAudit(auditPath);
    expect(outcome).toMatchObject({ event: 'outcome', attempt_id: intent!.attempt_id, outcome: 'may_have_been_applied', client_token: 'outlasted-on-stdio' });
    expect((outcome as { note?: string }).note).toContain('check with get_association_state (same IDs) whether it was applied');
  });
});

describe('the first call right after start', () => {
  it('waits for the IAM project look-up instead of asking to call again', async () => {
    emulator = await startTestEmulator({ faults: { seed: 1, latencyMs: [300, 300] } });
    const env = envFor(emulator, { HUAWEICLOUD_SDK_IAM_ENDPOINT: emulator.url });
    delete (env as Record<string, string | undefined>).HUAWEICLOUD_SDK_PROJECT_ID;
    const server = await spawnServer(env);
    try {
      const result = await server.client.callTool({ name: 'list_enterprise_routers', arguments: {} });
      const body = structured<{ routers: Array<{ id: string }> }>(result);
      expect(body.routers.map((r) => r.id)).toContain(SANDBOX_IDS.router);
      // It did go through IAM first.
      expect(emulator.requests[0]?.operation).toBe('keystoneListProjects');
    } finally {
      await server.close();
    }
  });
});
