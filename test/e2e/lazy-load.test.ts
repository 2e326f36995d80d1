// Every IDE window pays for what the server loads before it answers tools/list. The built bundle
// keeps undici, the emulator, doctor, the HTTP server (with its transport and jose) and the tools
// themselves (schemas and handlers; tools/list is answered from a listing computed at build time)
// in chunks loaded by import() when first needed, and over stdio the write gate until the first
// call that needs it; this
// checks which files a real process loads, recorded by a module hook, by the source paths esbuild
// writes above each module it bundles.
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { CLI_PATH, envFor, errorOf, startTestEmulator, structured, tempDir } from '../helpers.js';

const RECORDER = fileURLToPath(new URL('../fixtures/record-loads.mjs', import.meta.url));
/** tools/list as the server computes it from the tools' zod schemas at run time (test/tool-metadata.test.ts keeps this fixture so). */
const TOOLS_LIST = JSON.parse(readFileSync(new URL('../fixtures/tools-list.json', import.meta.url), 'utf8')) as Tool[];

/**
 * The bundled modules of every file the process loaded so far, e.g. "src/mcp-server.ts", "node_modules/zod/v4/…".
 * A git worktree whose node_modules links to another checkout's has "../main/node_modules/…" there: the same modules.
 */
function loadedModules(log: string): string[] {
  const files = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((url) => fileURLToPath(url));
  return [...new Set(files)].flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/^\/\/ (?:\.\.\/[^/\s]+\/)*((?:src|node_modules)\/\S+)$/gm)].map((m) => m[1]!));
}

const UNDICI = /^node_modules\/undici\//;
const EMULATOR = /^src\/emulator\//;
const DOCTOR = /^src\/doctor\.ts$/;
/** The HTTP server and what it brings; its settings are read with the rest of the configuration, at start. */
const HTTP_TRANSPORT = /^(src\/transports\/http\/(http-server|mcp-endpoint|session-transport|sse-stream|oauth)\.ts|node_modules\/jose\/)/;
/** The approval pages: on stdio their listener is loaded when a plan first needs a page. */
const APPROVAL_PAGES = /^src\/approvals\//;
/** The tools' definitions (schemas, handlers) and the schema conversion, which the built listing makes unneeded. */
const TOOL_MODULES = /^src\/tools\/(?!(registry|catalog|definition|built-listing)\.ts$)/;
const SCHEMA_CONVERSION = /^src\/(tools\/describe|toolkit\/portable-schema)\.ts$/;
/** What plans and the policy's invariants compute with: the routing effect and the invariant engine. */
const ROUTING_ENGINE = /^src\/(er\/routing-effect|plans\/(effect-report|verification)|policy\/(invariant-check|invariants|predicted-state|routing-state))\.ts$/;
/** The policy file's reader and the YAML parser: loaded only when --policy is given. */
const POLICY_FILE = /^(src\/policy\/(policy-file|policy-holder|yaml-source|source-tree)\.ts|node_modules\/yaml\/)/;
/** OpenTelemetry and the metrics behind /metrics: loaded only with an OTLP endpoint (or --http). */
const TELEMETRY = /^(node_modules\/@opentelemetry\/|src\/observe\/(otel\/|metrics\/|start-observers\.ts))/;
/** The write gate and its steps: on stdio made by the first call that needs it (src/guardrails/deferred-gate.ts). */
const WRITE_GATE = /^src\/guardrails\/(gate|gate-answers|audit-warning|approvals|approval-step|plan-step|policy-step|settle-checks)\.ts$/;
/** The JSON Schema validator of approval forms (src/first-use-validator.ts): loaded with the first form only. */
const FORM_VALIDATOR = /^node_modules\/(ajv|ajv-formats|fast-uri|json-schema-traverse|fast-deep-equal)\//;
/** What a stdio session never needs before a write: none of it may load with the first answers. */
const notAtStart = (m: string) =>
  UNDICI.test(m) ||
  EMULATOR.test(m) ||
  DOCTOR.test(m) ||
  HTTP_TRANSPORT.test(m) ||
  APPROVAL_PAGES.test(m) ||
  POLICY_FILE.test(m) ||
  TOOL_MODULES.test(m) ||
  ROUTING_ENGINE.test(m) ||
  TELEMETRY.test(m) ||
  WRITE_GATE.test(m) ||
  FORM_VALIDATOR.test(m);
/** The files of the built bundle the process loaded (dist/cli.js and its chunks). */
const loadedFiles = (log: string) => new Set(readFileSync(log, 'utf8').split('\n').filter((url) => url.includes('/dist/')));
const beforeAWrite = (m: string) => EMULATOR.test(m) || DOCTOR.test(m) || HTTP_TRANSPORT.test(m) || APPROVAL_PAGES.test(m) || POLICY_FILE.test(m) || TELEMETRY.test(m);

describe('what the built server loads, and when', () => {
  let emulator: Emulator;
  let client: Client;
  const log = join(tempDir('er-mcp-loads'), 'loads.txt');

  beforeAll(async () => {
    emulator = await startTestEmulator();
    const transport = new StdioClientTransport({ command: process.execPath, args: ['--import', RECORDER, CLI_PATH], env: envFor(emulator, { RECORD_LOADS_TO: log }), stderr: 'ignore' });
    client = new Client({ name: 'lazy-load', version: '1.0.0' });
    await client.connect(transport);
  });
  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  it('answers initialize and tools/list without loading undici, the emulator, doctor, the HTTP server, the approval pages, the policy reader, any tool, the routing engine, OpenTelemetry, the write gate or Ajv', async () => {
    // The listing built into the bundle is exactly what the zod schemas give at run time.
    expect((await client.listTools()).tools).toEqual(TOOLS_LIST);
    const loaded = loadedModules(log);
    expect(loaded).toContain('src/mcp-server.ts');
    expect(loaded).toContain('src/tools/registry.ts');
    expect(loaded.filter(notAtStart)).toEqual([]);
    // The audit log is opened at start all the same: a write is refused if it cannot be.
    expect(loaded).toContain('src/guardrails/audit.ts');
    // Of zod's locales, the bundle has English only (scripts/build.mjs, zodInEnglishOnly).
    expect(loaded.filter((m) => m.startsWith('node_modules/zod/v4/locales/'))).toEqual(['node_modules/zod/v4/locales/en.js']);
  });

  it('loads the tools and undici with the first call, and still not the emulator, doctor, the HTTP server, the approval pages, the policy reader, the schema conversion, OpenTelemetry or the write gate (a read needs none of it)', async () => {
    structured(await client.callTool({ name: 'list_enterprise_routers', arguments: {} }));
    const loaded = loadedModules(log);
    expect(loaded.some((m) => UNDICI.test(m))).toBe(true);
    expect(loaded).toEqual(expect.arrayContaining(['src/tools/definitions.ts', 'src/tools/list-enterprise-routers.ts', 'src/tools/create-route-association.ts']));
    expect(loaded.filter(beforeAWrite)).toEqual([]);
    expect(loaded.filter((m) => SCHEMA_CONVERSION.test(m))).toEqual([]);
    expect(loaded.filter((m) => WRITE_GATE.test(m))).toEqual([]);
  });

  it('loads the write gate with the first write, the approval page when a plan first needs one (this client cannot elicit), and never OpenTelemetry or the form validator', async () => {
    const pending = structured<{ status: string }>(
      await client.callTool({ name: 'create_route_association', arguments: { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc } }),
    );
    expect(pending.status).toBe('approval_required');
    const loaded = loadedModules(log);
    // The first write made the gate.
    expect(loaded).toEqual(expect.arrayContaining(['src/guardrails/gate.ts', 'src/guardrails/plan-step.ts', 'src/guardrails/approval-step.ts', 'src/guardrails/settle-checks.ts']));
    expect(loaded).toContain('src/approvals/loopback-server.ts');
    expect(loaded.filter((m) => TELEMETRY.test(m))).toEqual([]);
    // No form was sent: the page is the way to approve here.
    expect(loaded.filter((m) => FORM_VALIDATOR.test(m))).toEqual([]);
  });
});

describe('with --policy', () => {
  it('loads the policy reader and the YAML parser at start, and still not undici, the emulator, doctor, the HTTP server or the approval pages', async () => {
    const emulator = await startTestEmulator();
    const dir = tempDir('er-mcp-loads-policy');
    const log = join(dir, 'loads.txt');
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'version: 1\nrules: []\n');
    chmodSync(policy, 0o644);
    const transport = new StdioClientTransport({ command: process.execPath, args: ['--import', RECORDER, CLI_PATH, '--policy', policy], env: envFor(emulator, { RECORD_LOADS_TO: log }), stderr: 'ignore' });
    const client = new Client({ name: 'lazy-load-policy', version: '1.0.0' });
    try {
      await client.connect(transport);
      await client.listTools();
      const loaded = loadedModules(log);
      expect(loaded).toContain('src/policy/policy-file.ts');
      expect(loaded.some((m) => /^node_modules\/yaml\//.test(m))).toBe(true);
      expect(loaded.filter((m) => notAtStart(m) && !POLICY_FILE.test(m))).toEqual([]);
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});

describe('with an OTLP endpoint', () => {
  it('loads OpenTelemetry at start, and still not undici, the emulator, doctor, the HTTP server, the approval pages or the policy reader', async () => {
    const emulator = await startTestEmulator();
    const log = join(tempDir('er-mcp-loads-otel'), 'loads.txt');
    // Nothing listens there. Traces only: no span is made by tools/list, so nothing is ever sent
    // (a last metric export at stop would try the dead endpoint for the whole flush bound).
    const env = envFor(emulator, { RECORD_LOADS_TO: log, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_METRICS_EXPORTER: 'none' });
    const transport = new StdioClientTransport({ command: process.execPath, args: ['--import', RECORDER, CLI_PATH], env, stderr: 'ignore' });
    const client = new Client({ name: 'lazy-load-otel', version: '1.0.0' });
    try {
      await client.connect(transport);
      await client.listTools();
      const loaded = loadedModules(log);
      expect(loaded).toContain('src/observe/otel/start.ts');
      expect(loaded.some((m) => /^node_modules\/@opentelemetry\/sdk-trace\//.test(m))).toBe(true);
      expect(loaded.filter((m) => notAtStart(m) && !TELEMETRY.test(m))).toEqual([]);
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});

/** pino and what it brings (src/log-pino.ts): the start-up lines wait for it until the handshake is over. */
const PINO = /^(src\/log-pino\.ts|node_modules\/(pino|sonic-boom|thread-stream|@pinojs\/[^/]+)\/)/;
/** The ER clients, their retries and the API's schemas (src/er-connection.ts): over stdio they load once the handshake is over. */
const ER_CLIENTS = /^src\/(er-connection|project|er\/(client|types|iam)|http\/(http-client|signer|retry|scrub))\.ts$/;

/** A server driven by hand over stdio, its loads recorded: for what happens before and after `notifications/initialized`. */
async function startRecorded(name: string, cli = CLI_PATH) {
  const emulator = await startTestEmulator();
  const log = join(tempDir(name), 'loads.txt');
  const child = spawn(process.execPath, ['--import', RECORDER, cli], { env: envFor(emulator, { RECORD_LOADS_TO: log }), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
  /** Sends a request and waits for its answer (a line of stdout with its id). */
  const request = async (id: number, method: string, params: object = {}) => {
    send({ jsonrpc: '2.0', id, method, params });
    await vi.waitFor(() => expect(stdout).toContain(`"id":${id}`), { timeout: 10_000 });
    return JSON.parse(stdout.split('\n').find((line) => line.includes(`"id":${id}`))!) as { result?: Record<string, unknown> };
  };
  const initialize = () => request(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } });
  return {
    log,
    send,
    request,
    initialize,
    stderr: () => stderr,
    async close() {
      child.kill('SIGKILL');
      await emulator.close();
    },
  };
}

describe('the handshake', () => {
  it('is answered from a few files (the modules the CLI loads share one chunk: scripts/build.mjs, afterTheCli), without the ER clients; they load once the client says it is initialized', async () => {
    const server = await startRecorded('er-mcp-loads-handshake');
    try {
      await server.initialize();
      const { result } = await server.request(2, 'tools/list');
      expect((result!.tools as Tool[]).map((t) => t.name)).toEqual(TOOLS_LIST.map((t) => t.name));
      // dist/cli.js (the bin with config.ts), the runtime helpers, the CLI and the chunk the CLI's
      // modules share. Split by esbuild's own rule (one chunk per set of import()s reaching a
      // module), they were 26.
      expect(loadedFiles(server.log).size).toBeLessThanOrEqual(4);
      expect(loadedModules(server.log).filter((m) => ER_CLIENTS.test(m) || PINO.test(m))).toEqual([]);

      server.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      await vi.waitFor(() => expect(loadedModules(server.log)).toEqual(expect.arrayContaining(['src/er-connection.ts', 'src/er/client.ts', 'src/http/http-client.ts'])), { timeout: 10_000 });
      const { result: called } = await server.request(3, 'tools/call', { name: 'list_enterprise_routers', arguments: {} });
      expect(called!.isError).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('a client that never sends notifications/initialized is connected by its first call, which waits for it', async () => {
    const server = await startRecorded('er-mcp-loads-no-initialized');
    try {
      await server.initialize();
      expect(loadedModules(server.log).filter((m) => ER_CLIENTS.test(m))).toEqual([]);
      const { result } = await server.request(2, 'tools/call', { name: 'list_enterprise_routers', arguments: {} });
      expect(result!.isError).toBeUndefined();
      expect((result!.structuredContent as { routers: unknown[] }).routers.length).toBeGreaterThan(0);
      expect(loadedModules(server.log)).toContain('src/er-connection.ts');
    } finally {
      await server.close();
    }
  });

  it("with the ER clients' chunk missing (a broken install), every call answers what is wrong and sends nothing", async () => {
    const copy = tempDir('er-mcp-broken-install');
    cpSync(dirname(CLI_PATH), copy, { recursive: true });
    writeFileSync(join(copy, 'package.json'), '{ "type": "module" }\n');
    const chunk = readdirSync(join(copy, 'chunks')).find((file) => /^er-connection-\w+\.js$/.test(file))!;
    rmSync(join(copy, 'chunks', chunk));
    const server = await startRecorded('er-mcp-loads-broken', join(copy, 'cli.js'));
    try {
      await server.initialize();
      server.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      const { result } = await server.request(2, 'tools/call', { name: 'list_enterprise_routers', arguments: {} });
      expect(errorOf(result)).toMatchObject({ error_code: 'CONFIGURATION', error_msg: expect.stringContaining('The ER client could not be loaded'), hint: expect.stringMatching(/^Reinstall huaweicloud-er-mcp/) });
      await vi.waitFor(() => expect(server.stderr()).toContain('reinstall huaweicloud-er-mcp'), { timeout: 10_000 });
      expect(loadedModules(server.log).filter((m) => /^node_modules\/undici\//.test(m))).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('the logger', () => {
  it('loads pino only once the session is initialized, and then writes the start-up lines kept until then', async () => {
    const server = await startRecorded('er-mcp-loads-pino');
    try {
      await server.initialize();
      const loaded = loadedModules(server.log);
      expect(loaded).toContain('src/log.ts');
      expect(loaded.filter((m) => PINO.test(m))).toEqual([]);
      expect(server.stderr()).toBe('');
      server.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      await vi.waitFor(() => expect(server.stderr()).toContain('"msg":"guardrails"'), { timeout: 10_000 });
      expect(loadedModules(server.log).some((m) => /^node_modules\/pino\//.test(m))).toBe(true);
      // The first line kept is the first written.
      const first = JSON.parse(server.stderr().split('\n')[0]!) as { msg: string; time: number };
      expect(first.msg).toBe('configured');
    } finally {
      await server.close();
    }
  });
});
