// In-process `serve --http` for tests: the real HTTP server on 127.0.0.1 (ephemeral port), its
// sessions' MCP servers built by createServer around an emulator, its log captured as text.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, request } from 'node:http';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { pino } from 'pino';
import { ConnectionState } from '../../../src/connection.js';
import type { Emulator } from '../../../src/emulator/emulator.js';
import { ErClient } from '../../../src/er/client.js';
import { type AuditSink, NO_AUDIT } from '../../../src/guardrails/audit.js';
import { createGate, type WriteGate } from '../../../src/guardrails/gate.js';
import { type GuardrailSettings, UNRESTRICTED } from '../../../src/guardrails/guardrail-settings.js';
import { HttpClient } from '../../../src/http/http-client.js';
import { systemClock } from '../../../src/http/clock.js';
import type { Logger } from '../../../src/log.js';
import { createServer } from '../../../src/mcp-server.js';
import { DEFAULT_MAX_WAIT_MS, NO_SETTLE_CHECKS, type ToolEnv } from '../../../src/toolkit/context.js';
import { type HttpServerOptions, type RunningHttpServer, startHttpServer } from '../../../src/transports/http/http-server.js';
import { parseHttpSettings } from '../../../src/transports/http/http-settings.js';
import type { Policy } from '../../../src/policy/model.js';
import { CANARY, tempDir } from '../../helpers.js';

/** Bearer tokens the tests hand out; the file holds only their hashes. */
export const TOKENS = {
  alice: 'alice-token-4b1d8e0f5a2c47d9b3e6',
  bob: 'bob-token-9c2e7a1f3d5b48e6a0c4',
  reader: 'reader-token-1f7d3c9a5e2b46d8b0a1',
  carol: 'carol-token-6e0b2d4f8a1c43e7b5d9',
  nobody: 'nobody-token-0000000000000000000',
} as const;

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A 0600 tokens file: alice and bob may write and approve, carol may write but not approve, reader may only read. */
export function writeTokensFile(dir = tempDir('er-http-tokens')): string {
  const path = join(dir, 'tokens');
  const lines = [
    '# name  sha256(token)  scopes',
    `alice ${sha256(TOKENS.alice)} er:read,er:write,er:approve`,
    `bob ${sha256(TOKENS.bob)} er:read,er:write,er:approve`,
    `carol ${sha256(TOKENS.carol)} er:read,er:write`,
    `reader ${sha256(TOKENS.reader)} er:read`,
    '',
  ];
  writeFileSync(path, lines.join('\n'), { mode: 0o600 });
  return path;
}

/** A logger whose every line is kept, to check what the server logs (and never logs). */
export function capturingLogger(): { log: Logger; text: () => string } {
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return { log: pino({ level: 'debug', redact: ['authorization', '*.authorization'] }, sink), text: () => text };
}

export interface HttpHarness {
  server: RunningHttpServer;
  gate: WriteGate;
  url: string;
  logs: () => string;
  close(): Promise<void>;
}

export interface HttpHarnessOptions {
  /** Flags as `serve --http` would get them (without the leading --). */
  flags?: Record<string, string>;
  settings?: Partial<GuardrailSettings>;
  audit?: AuditSink;
  now?: () => number;
  env?: Partial<ToolEnv>;
  /** The policy as the gate and the JWT verifier (its groups claim) read it. */
  policy?: { current(): Policy | null };
  /** Serve the approval pages at /approvals (as the CLI does). */
  pages?: boolean;
  /** Told of sessions opened and closed (give the same observer in `env` for the calls). */
  observer?: HttpServerOptions['observer'];
  /** What GET /metrics renders. */
  metrics?: HttpServerOptions['metrics'];
}

export async function startHttpHarness(emulator: Emulator, options: HttpHarnessOptions = {}): Promise<HttpHarness> {
  const http = new HttpClient({ endpoint: emulator.url, credentials: CANARY, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
  const { log, text } = capturingLogger();
  const topology = emulator.store.topology;
  const env: ToolEnv = {
    region: topology.region,
    sandbox: false,
    clock: systemClock,
    log,
    callDeadlineMs: 30_000,
    poll: { initialMs: 20, maxMs: 50 },
    maxWaitMs: DEFAULT_MAX_WAIT_MS,
    settled: NO_SETTLE_CHECKS,
    ...options.env,
  };
  const connection = new ConnectionState({ ready: true, er: new ErClient(http, topology.projectId), projectId: topology.projectId }, env.clock);
  const { policy } = options;
  const { gate, checks, desk } = createGate({ settings: { ...UNRESTRICTED, ...options.settings }, audit: options.audit ?? NO_AUDIT, clock: env.clock, log, region: env.region, sandbox: env.sandbox, policy });
  env.settled = checks;
  const flags: Record<string, string> = { port: '0', ...options.flags };
  const settings = parseHttpSettings((flag) => flags[flag]);
  const server = await startHttpServer({
    settings,
    log,
    newServer: (caller) => createServer({ env: { ...env, log: log.child({ caller: caller.caller }) }, connection, gate }),
    health: () => ({ sandbox: false, credentialsReady: true, projectReady: connection.current().ready }),
    ...(options.now ? { now: options.now } : {}),
    ...(policy ? { groupsClaim: () => policy.current()?.groupsClaim } : {}),
    ...(options.pages ? { approvals: desk } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  if (options.pages) gate.pages = { urlFor: async (planId) => server.approvalUrl(planId) };
  return {
    server,
    gate,
    url: server.url,
    logs: text,
    async close() {
      // As the CLI does: the gate's drain answers the writes still running before sessions close.
      await server.drain(1_000, gate.drain(1_000));
      await http.close();
    },
  };
}

/** An MCP client over Streamable HTTP, sending this bearer token (if any). */
export async function connectClient(url: string, token?: string, clientOptions: ConstructorParameters<typeof Client>[1] = {}): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(url), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {});
  const client = new Client({ name: 'http-test', version: '1.0.0' }, clientOptions);
  await client.connect(transport);
  return { client, transport };
}

export const INITIALIZE = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP request with exactly these headers (Host included, which fetch would not let a test
 * set), for the status codes and headers the SDK client hides.
 */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<RawResponse> {
  const { method = 'POST', headers = {}, body } = options;
  const defaults: Record<string, string> = method === 'POST' ? { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } : {};
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...defaults, ...headers }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body ?? (method === 'POST' ? INITIALIZE : undefined));
  });
}

/** Everything a client could see in a response, as one string, for secret checks. */
export function seen(response: RawResponse): string {
  return `${response.status}\n${JSON.stringify(response.headers)}\n${response.body}`;
}
