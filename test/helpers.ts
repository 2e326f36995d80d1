// Shared test set-up: an emulator with canary credentials, a server wired to it in memory,
// and the built server spawned over real stdio.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { type CallToolResult, type ClientCapabilities, type ElicitRequest, ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { type Emulator, type EmulatorOptions, startEmulator } from '../src/emulator/emulator.js';
import { SANDBOX_IDS, type Topology } from '../src/emulator/topology.js';
import { ConnectionState } from '../src/connection.js';
import { ErClient } from '../src/er/client.js';
import { RequestTrace } from '../src/er/request-trace.js';
import { type AuditSink, NO_AUDIT } from '../src/guardrails/audit.js';
import { type ApprovalPages, createGate, type WriteGate } from '../src/guardrails/gate.js';
import type { Approvals } from '../src/guardrails/approvals.js';
import { type GuardrailSettings, UNRESTRICTED } from '../src/guardrails/guardrail-settings.js';
import { HttpClient, type HttpClientOptions } from '../src/http/http-client.js';
import { systemClock } from '../src/http/clock.js';
import { silentLogger } from '../src/log.js';
import { NO_CALL_OBSERVATION, observers } from '../src/observe/observer.js';
import { MCP_LOG_OBSERVER } from '../src/observe/mcp-log.js';
import { createServer, type ServerOptions } from '../src/mcp-server.js';
import { type ConnectionSource, DEFAULT_MAX_WAIT_MS, NO_SETTLE_CHECKS, type ToolCall, type ToolEnv } from '../src/toolkit/context.js';
import type { ToolDefinition } from '../src/tools/definition.js';
import type { CheckInvariants } from '../src/guardrails/policy-invariants.js';
import type { Policy } from '../src/policy/model.js';

/**
 * How long a soak or load test may take in all: it ends when its last call ends, in a few seconds
 * on an idle machine; this bound only stops a hung one, and leaves room for a machine that is
 * busy with other work.
 */
export const SOAK_TIMEOUT_MS = 180_000;

/** Canary secrets: tests assert these strings never appear in any output. */
export const CANARY = {
  ak: 'CANARYAK7Q3ZK9XW2M4P',
  sk: 'canary-sk-5f1e9c3b7a2d4e6f8a0b1c2d',
  securityToken: 'canary-security-token-8d7c6b5a4f3e2d1c',
} as const;

export const CANARY_VALUES: readonly string[] = Object.values(CANARY);

/**
 * The canary token with a tail that puts `+` or `/` into every few characters of its base64, at
 * every byte alignment: its base64url differs from its base64 along a stretch longer than a
 * piece the scrubber must find (the canaries' own base64 holds neither). For the tests of
 * secrets echoed re-encoded.
 */
export const CANARY_TOKEN_B64 = `${CANARY.securityToken}${'?~'.repeat(12)}`;

export const CLI_PATH = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** The id of the blackhole route that withProdBlackhole seeds. */
export const PROD_BLACKHOLE_ROUTE = 'r1b2c3d4-0000-4000-8000-000000000301';

/**
 * The topology with one more static route, settled from the start: rtb-prod drops 10.30.0.0/16
 * (the analytics VPC's prefix) by a blackhole. The sandbox leaves it out, for the README's worked
 * example to create; the tests of blackholes in rtb-prod start from it.
 */
export function withProdBlackhole(topology: Topology): Topology {
  const blackhole = { id: PROD_BLACKHOLE_ROUTE, route_table_id: SANDBOX_IDS.prodTable, destination: '10.30.0.0/16', is_blackhole: true };
  return { ...topology, staticRoutes: [blackhole, ...(topology.staticRoutes ?? [])] };
}

export async function startTestEmulator(options: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  return startEmulator({ credentials: [CANARY], availableAfterMs: 200, deletedAfterMs: 200, ...options });
}

export interface InMemoryHarness {
  client: Client;
  env: ToolEnv;
  er: ErClient;
  gate: WriteGate;
  /** The approvals desk the pages decide through. */
  desk: Approvals;
  http: HttpClient;
  /** A ToolCall for calling a tool handler directly, as the server would. */
  call(signal?: AbortSignal): ToolCall;
  close(): Promise<void>;
}

/**
 * For tests of the write itself (retries, convergence, errors), not of its approval: the
 * operator's explicit opt-out, so no plan is made and nobody is asked before the write.
 */
export const WITHOUT_APPROVAL: Partial<GuardrailSettings> = { confirmWrites: 'never' };

export interface InMemoryOptions {
  env?: Partial<ToolEnv>;
  /** Reloads of the policy (a PolicyHolder), which the server tells its client of as tools/list_changed. */
  policyChanges?: ServerOptions['policy'];
  http?: Partial<HttpClientOptions>;
  client?: ConstructorParameters<typeof Client>[1];
  settings?: Partial<GuardrailSettings>;
  audit?: AuditSink;
  /** Instead of a connection that is ready at once. */
  connection?: ConnectionSource;
  tools?: readonly ToolDefinition[];
  /** Where approval pages are; none by default (a plan needing one then fails closed). */
  pages?: ApprovalPages;
  /** Sees the client's end of the in-memory pair before it connects (to watch or time what it sends). */
  clientTransport?(transport: InMemoryTransport): void;
  /** The policy file's rules and invariants as the gate reads them (tests build Policy objects; no file). */
  policy?: { current(): Policy | null };
  /** A fake invariant engine, for the gate's own tests only. */
  checkInvariants?: CheckInvariants;
  /**
   * Sent with every client message, as the HTTP transport attaches a verified token's AuthInfo
   * (scopes, and the caller in `extra.caller`); absent, as on stdio.
   */
  authInfo?: AuthInfo;
}

/** A server built around an emulator, connected to a client through in-memory transports. */
export async function connectInMemory(emulator: Emulator, options: InMemoryOptions = {}): Promise<InMemoryHarness> {
  const http = new HttpClient({ endpoint: emulator.url, credentials: CANARY, retry: { baseDelayMs: 5, maxDelayMs: 20 }, ...options.http });
  const topology = emulator.store.topology;
  const env: ToolEnv = {
    region: topology.region,
    sandbox: false,
    clock: systemClock,
    log: silentLogger(),
    callDeadlineMs: 30_000,
    poll: { initialMs: 20, maxMs: 50 },
    maxWaitMs: DEFAULT_MAX_WAIT_MS,
    settled: NO_SETTLE_CHECKS,
    // As the real server does: each call's events reach its client as log notifications.
    observer: observers([MCP_LOG_OBSERVER]),
    ...options.env,
  };
  const er = new ErClient(http, topology.projectId);
  const connection = options.connection ?? new ConnectionState({ ready: true, er, projectId: topology.projectId }, env.clock);
  const { gate, desk, checks } = createGate({ settings: { ...UNRESTRICTED, ...options.settings }, audit: options.audit ?? NO_AUDIT, clock: env.clock, log: env.log, region: env.region, sandbox: env.sandbox, pages: options.pages, policy: options.policy, checkInvariants: options.checkInvariants });
  env.settled = checks;
  const server = createServer({ env, connection, gate, tools: options.tools, ...(options.policyChanges ? { policy: options.policyChanges } : {}) });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const { authInfo } = options;
  if (authInfo) {
    // InMemoryTransport hands `authInfo` to the server as the request's extra.authInfo.
    const send = clientTransport.send.bind(clientTransport);
    clientTransport.send = (message, sendOptions) => send(message, { ...sendOptions, authInfo });
  }
  const client = new Client({ name: 'test', version: '1.0.0' }, options.client ?? {});
  options.clientTransport?.(clientTransport);
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  return {
    client,
    env,
    er,
    gate,
    desk,
    http,
    call: (signal = new AbortController().signal) => ({
      env,
      er,
      projectId: topology.projectId,
      signal,
      deadline: env.clock.now() + env.callDeadlineMs,
      caller: 'test',
      trace: new RequestTrace(),
      observe: NO_CALL_OBSERVATION,
      tokenFromCaller: true,
      progress: async () => undefined,
    }),
    async close() {
      await client.close();
      await server.close();
      await http.close();
    },
  };
}

const tempDirs: string[] = [];

/**
 * Removes the temp dirs made so far. Called after each test file by test/per-file-hooks.ts: a
 * hook registered here would run for the first file only, since files share this module when
 * vitest does not isolate them.
 */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A fresh directory under the OS temp dir, removed after the test file that made it. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** The documented environment variables that point the built server at an emulator. */
export function envFor(emulator: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    // A fresh HOME: no credentials file, KooCLI profile or audit log of the real user is touched.
    HOME: tempDir('er-mcp-home'),
    HUAWEICLOUD_SDK_AK: CANARY.ak,
    HUAWEICLOUD_SDK_SK: CANARY.sk,
    HUAWEICLOUD_SDK_SECURITY_TOKEN: CANARY.securityToken,
    HUAWEICLOUD_SDK_PROJECT_ID: emulator.store.topology.projectId,
    HUAWEICLOUD_REGION: emulator.store.topology.region,
    HUAWEICLOUD_ER_ENDPOINT: emulator.url,
    LOG_LEVEL: 'debug',
    ...extra,
  };
}

export interface SpawnedServer {
  client: Client;
  transport: StdioClientTransport;
  /** The approval messages the person was shown (with `approveForms`). */
  asked: string[];
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  pid(): number | null;
  close(): Promise<void>;
}

export interface SpawnOptions {
  /**
   * The client declares form elicitation and the person approves every change it is asked about
   * (the approval messages are kept in `asked`). Without it, the client cannot elicit at all.
   */
  approveForms?: boolean;
  /** Or: the client declares these elicitation modes and answers with this handler. */
  elicitation?: { modes: NonNullable<ClientCapabilities['elicitation']>; answer(request: ElicitRequest): Promise<ElicitResult> };
}

/** Spawns the built server (dist/cli.js) over real stdio with exactly the given environment. */
export async function spawnServer(env: Record<string, string>, args: string[] = [], options: SpawnOptions = {}): Promise<SpawnedServer> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI_PATH, ...args], env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const asked: string[] = [];
  const elicitation = options.elicitation ?? (options.approveForms ? { modes: { form: {} }, answer: async () => ({ action: 'accept' as const, content: { approve: true } }) } : undefined);
  const client = new Client({ name: 'e2e', version: '1.0.0' }, elicitation ? { capabilities: { elicitation: elicitation.modes } } : {});
  if (elicitation) {
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      asked.push(request.params.message);
      return elicitation.answer(request);
    });
  }
  await client.connect(transport);
  return {
    client,
    transport,
    asked,
    stderr: () => stderr,
    pid: () => transport.pid,
    close: () => client.close(),
  };
}

export function structured<T = Record<string, unknown>>(result: unknown): T {
  const r = result as CallToolResult;
  if (r.isError) throw new Error(`tool returned isError: ${textOf(r)}`);
  return r.structuredContent as T;
}

export function textOf(result: unknown): string {
  const content = (result as CallToolResult).content ?? [];
  return content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

/** The JSON inside an isError result's text. */
export function errorOf(result: unknown): Record<string, unknown> {
  const r = result as CallToolResult;
  if (!r.isError) throw new Error(`expected isError, got: ${textOf(r)}`);
  return JSON.parse(textOf(r)) as Record<string, unknown>;
}

export function expectNoCanary(...outputs: string[]): void {
  for (const output of outputs) {
    for (const secret of CANARY_VALUES) {
      if (output.includes(secret)) throw new Error(`a canary secret leaked into output: ...${output.slice(Math.max(0, output.indexOf(secret) - 80), output.indexOf(secret) + 40)}...`);
    }
  }
}

/**
 * Every way the echo tests write a secret back: as it is, reversed, hex, and base64 and base64url
 * at each of the three byte alignments a secret can have inside a larger blob (expectNoEncoded
 * looks for them in any letter case, so hex in upper case and a secret with its case changed are
 * covered too). For
 * base64 that is the part the secret alone decides, found here the slow way, independently of the
 * scrubber's arithmetic: the characters that come out the same whether the bytes around the secret
 * are all zeros or all ones. A whole encoding (padded or not) holds one of them.
 */
export function encodedForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = [secret, [...secret].reverse().join(''), bytes.toString('hex')];
  for (const align of [0, 1, 2]) {
    // Filled up to a whole last group of 3 bytes of filler, so that no padding (the same either way) ends the blob.
    const after = 3 + ((3 - ((align + bytes.length) % 3)) % 3);
    const [zeros, ones] = [0x00, 0xff].map((fill) => Buffer.concat([Buffer.alloc(align, fill), bytes, Buffer.alloc(after, fill)]).toString('base64'));
    let from = 0;
    while (zeros![from] !== ones![from]) from += 1;
    let to = zeros!.length;
    while (zeros![to - 1] !== ones![to - 1]) to -= 1;
    const stable = zeros!.slice(from, to);
    forms.push(stable, stable.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...new Set(forms)];
}

/** What the scrubber promises to find of a form: the whole, or any piece this long. */
const PIECE = 16;

/**
 * No output holds any of the secrets in any of its encoded forms (see encodedForms), in any letter
 * case: not whole, and no piece of 16 characters of one either (what the scrubbing promises).
 */
export function expectNoEncoded(secrets: Iterable<string>, ...outputs: string[]): void {
  const pieces = new Map<string, string>();
  const short: string[] = [];
  for (const secret of secrets) {
    for (const form of encodedForms(secret).map((f) => f.toLowerCase())) {
      if (form.length < PIECE) short.push(form);
      for (let at = 0; at + PIECE <= form.length; at += 1) pieces.set(form.slice(at, at + PIECE), form);
    }
  }
  const leak = (output: string, at: number, form: string) =>
    new Error(`a secret leaked into output, encoded as ${JSON.stringify(form)}: ...${output.slice(Math.max(0, at - 80), at + PIECE + 40)}...`);
  for (const output of outputs) {
    const lowered = output.toLowerCase();
    for (const form of short) if (lowered.includes(form)) throw leak(output, lowered.indexOf(form), form);
    for (let at = 0; at + PIECE <= lowered.length; at += 1) {
      const form = pieces.get(lowered.slice(at, at + PIECE));
      if (form !== undefined) throw leak(output, at, form);
    }
  }
}

/** expectNoCanary, and no canary in any encoded form either. */
export function expectNoEncodedCanary(...outputs: string[]): void {
  expectNoCanary(...outputs);
  expectNoEncoded(CANARY_VALUES, ...outputs);
}

export interface StdioSession {
  emulator: Emulator;
  server: SpawnedServer;
  /** Everything the test saw: checked for canary secrets, with the server's stderr, at the end. */
  outputs: string[];
}

/**
 * One built server over stdio against one emulator for a whole describe block: started in
 * beforeAll (configured only by the documented variables, with a client that approves through
 * the form), closed in afterAll, after checking
 * that no canary secret appeared in anything the tests recorded or the server logged.
 */
export function useStdioSession(emulatorOptions: Partial<EmulatorOptions> = {}, args: string[] = []): StdioSession {
  const session = { outputs: [] as string[] } as StdioSession;
  beforeAll(async () => {
    session.emulator = await startTestEmulator(emulatorOptions);
    // A client as in an IDE: it shows the approval form, and the person approves.
    session.server = await spawnServer(envFor(session.emulator), args, { approveForms: true });
  });
  afterAll(async () => {
    await session.server.close();
    expectNoEncodedCanary(...session.outputs, session.server.stderr());
    await session.emulator.close();
  });
  return session;
}

export interface InMemorySession {
  emulator: Emulator;
  harness: InMemoryHarness;
  /** Everything the test saw: checked for canary secrets at the end. */
  outputs: string[];
}

/** The in-memory counterpart of useStdioSession: one emulator and one server for a describe block. */
export function useInMemorySession(emulatorOptions: Partial<EmulatorOptions> = {}): InMemorySession {
  const session = { outputs: [] as string[] } as InMemorySession;
  beforeAll(async () => {
    session.emulator = await startTestEmulator(emulatorOptions);
    session.harness = await connectInMemory(session.emulator);
  });
  afterAll(async () => {
    await session.harness.close();
    await session.emulator.close();
    expectNoEncodedCanary(...session.outputs);
  });
  return session;
}
