#!/usr/bin/env node
// Entry point: flags + environment → Config → the MCP server on stdio or HTTP (or the emulator alone).
// Owns the process: signals, stdin EOF and exit codes.
import { userInfo } from 'node:os';
import type { Env } from './credentials.js';
import { type Config, loadConfig, UsageError } from './load-config.js';
import type { FaultPlan } from './emulator/faults.js';
import type { Emulator } from './emulator/emulator.js';
import type { HttpClient } from './http/http-client.js';
import { systemClock } from './http/clock.js';
import { createLogger, type DeferredLogger, type Logger } from './log.js';
import { ConnectionState } from './connection.js';
import { openAuditLog } from './guardrails/audit.js';
import type { Approvals } from './guardrails/approvals.js';
import { type CreateGateOptions, DeferredGate } from './guardrails/deferred-gate.js';
import type { LoopbackApprovalServer } from './approvals/loopback-server.js';
import type { Policy } from './policy/model.js';
import type { PolicyHolder } from './policy/policy-holder.js';
import { NO_OBSERVER, observers } from './observe/observer.js';
import type { RunningObservers } from './observe/start-observers.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { createServer } from './mcp-server.js';
import { DEFAULT_POLL, NO_SETTLE_CHECKS, type ToolEnv } from './toolkit/context.js';
import { serveStdio } from './transports/stdio.js';
import { VERSION } from './version.js';
import { MCP_LOG_OBSERVER } from './observe/mcp-log.js';

/** The program's logger once the configuration is read: its lines are written before the process exits. */
let programLog: DeferredLogger | undefined;

async function main(argv: readonly string[], env: Env): Promise<number | undefined> {
  let config: Config;
  try {
    config = loadConfig(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`huaweicloud-er-mcp: ${error.message}\nRun huaweicloud-er-mcp --help for usage.\n`);
    return 2;
  }
  const log = createLogger(config.logLevel);
  programLog = log;
  // Only a stdio session defers loading pino until its first answers are out (see serve).
  if (config.command !== 'serve' || config.http) log.startWriting();
  switch (config.command) {
    case 'help': {
      // Generated from the settings table, loaded only here: every other command starts without it.
      const { renderHelp } = await import('./settings-text.js');
      process.stdout.write(renderHelp(VERSION));
      return 0;
    }
    case 'version':
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case 'doctor': {
      const { runDoctor } = await import('./doctor.js');
      return runDoctor(config, (text) => process.stdout.write(text));
    }
    case 'emulator':
      await runEmulator(config, log);
      return undefined;
    case 'serve': {
      const policy = config.policyPath === undefined ? undefined : await openPolicy(config.policyPath);
      if (Array.isArray(policy)) {
        process.stderr.write(`huaweicloud-er-mcp: the policy file ${config.policyPath} does not load, so the server did not start:\n${policy.map((e) => `  ${e}\n`).join('')}`);
        return 2;
      }
      await serve(config, log, policy);
      return undefined;
    }
  }
}

/** The policy file's holder, or why the file does not load. Its reader (and YAML) is loaded only here. */
async function openPolicy(path: string): Promise<PolicyHolder | string[]> {
  const { PolicyHolder } = await import('./policy/policy-holder.js');
  const holder = new PolicyHolder(path);
  const first = holder.reload();
  return first.ok ? holder : first.errors;
}

/** What a log line says of a policy: counts, never the rules themselves. */
function policySummary(holder: PolicyHolder, policy: Policy): Record<string, unknown> {
  return { policy: holder.path, rules: policy.rules.length, invariants: policy.invariants.length, groups_claim: policy.groupsClaim };
}

/**
 * SIGHUP reads the policy file again: a file that loads is in force from the next call; one that
 * does not leaves the old policy in force, and the error line says why. On stdio too: there the
 * session ends with stdin, not with a hang-up.
 */
function reloadOnHangUp(holder: PolicyHolder, log: Logger): void {
  process.on('SIGHUP', () => {
    try {
      const result = holder.reload();
      if (result.ok) log.info(policySummary(holder, result.policy), 'policy reloaded: in force from the next call');
      else {
        const kept = holder.current();
        log.error(
          { policy: holder.path, errors: result.errors, rules_in_force: kept?.rules.length ?? 0, invariants_in_force: kept?.invariants.length ?? 0 },
          'policy reload failed: the previous policy stays in force',
        );
      }
    } catch (error) {
      // A listener failed after the new policy was put in force.
      log.error({ policy: holder.path, err: String(error) }, 'policy reloaded, but a part of the server did not take the change');
    }
  });
}

// The emulator and doctor are imported only by the commands that use them: every
// module loaded at start-up delays the MCP handshake of every IDE window.
async function runEmulator(config: Config, log: DeferredLogger): Promise<void> {
  const { startEmulator, SANDBOX_CREDENTIALS } = await import('./emulator/emulator.js');
  const { sandboxTopology } = await import('./emulator/topology.js');
  const emulator = await startEmulator({ port: config.port, credentials: [SANDBOX_CREDENTIALS], faults: await emulatorFaults(config) });
  const topology = sandboxTopology();
  process.stdout.write(
    `ER emulator listening on ${emulator.url}\n` +
      `  HUAWEICLOUD_ER_ENDPOINT=${emulator.url}\n  HUAWEICLOUD_REGION=${topology.region}\n  HUAWEICLOUD_SDK_PROJECT_ID=${topology.projectId}\n` +
      // Sandbox keys open only this emulator; printing them lets other tools point at it.
      `  HUAWEICLOUD_SDK_AK=${SANDBOX_CREDENTIALS.ak}\n  HUAWEICLOUD_SDK_SK=${SANDBOX_CREDENTIALS.sk}\n`,
  );
  log.info({ url: emulator.url }, 'emulator started');
  for (const warning of config.warnings) log.warn(warning);
  onShutdown(log, 0, () => emulator.close());
}

/** The fault plan in HUAWEICLOUD_ER_EMULATOR_FAULTS, for the emulator and the sandbox alike. */
async function emulatorFaults(config: Config): Promise<FaultPlan | undefined> {
  const json = config.emulatorFaults;
  if (!json) return undefined;
  const { parseFaultPlan } = await import('./emulator/faults.js');
  try {
    return parseFaultPlan(json);
  } catch (error) {
    throw new UsageError(`HUAWEICLOUD_ER_EMULATOR_FAULTS: ${(error as Error).message}`);
  }
}

async function serve(config: Config, log: DeferredLogger, policy: PolicyHolder | undefined): Promise<void> {
  let emulator: Emulator | undefined;
  // The ER clients are not part of start-up (er-connection.ts): `connect` loads them and makes the
  // connection, at once or (stdio) once the handshake is over. Until then a call waits for it.
  let http: Promise<HttpClient | undefined> = Promise.resolve(undefined);
  let connect = () => {};
  const env: ToolEnv = {
    clock: systemClock,
    log,
    region: '',
    sandbox: false,
    callDeadlineMs: config.callDeadlineMs,
    poll: DEFAULT_POLL,
    maxWaitMs: config.maxWaitMs,
    settled: NO_SETTLE_CHECKS,
    // Who hears what each call does: the client of its session (notifications/message).
    observer: observers([MCP_LOG_OBSERVER]),
    // check_routing_policy and the check after a change read the invariants in force.
    ...(policy ? { policy } : {}),
  };
  const connection = new ConnectionState({ ready: false, problems: config.problems }, systemClock);

  if (config.sandbox) {
    const { startEmulator, SANDBOX_CREDENTIALS } = await import('./emulator/emulator.js');
    emulator = await startEmulator({ credentials: [SANDBOX_CREDENTIALS], faults: await emulatorFaults(config) });
    const topology = emulator.store.topology;
    const { connectDirectly } = await import('./er-connection.js');
    http = Promise.resolve(connectDirectly(connection, { endpoint: emulator.url, credentials: SANDBOX_CREDENTIALS, projectId: topology.projectId }));
    // The emulator settles in about a second: poll it faster than the real API.
    Object.assign(env, { region: topology.region, sandbox: true, poll: { initialMs: 500, maxMs: 2_000 } });
    log.warn({ emulator: emulator.url }, 'SANDBOX MODE: talking to the built-in ER emulator, not Huawei Cloud');
  } else if (config.target) {
    const { target } = config;
    env.region = target.region;
    // Without a configured project id, it is looked up through IAM in the background (see project.ts).
    connect = once(() => {
      http = import('./er-connection.js').then(
        ({ connectToTarget }) => connectToTarget(connection, target, { log, deadlineMs: config.callDeadlineMs }),
        (error: Error) => {
          const problem = `The ER client could not be loaded (${error.message}): the installation is incomplete; reinstall huaweicloud-er-mcp.`;
          const hint = 'Reinstall huaweicloud-er-mcp (or clear the npx cache) and restart the server: a file of the package is missing, so no call can reach the API.';
          connection.settle({ ready: false, problems: [problem], hint });
          log.error({ problem }, 'not connected: every tool will say so');
          return undefined;
        },
      );
    });
    // A call that comes first (a client that skips notifications/initialized) connects, and waits.
    connection.setPending([`The server is still connecting to the ER API (${target.endpoint}): call again in a moment.`], connect);
    const { sources } = target;
    log.info(
      { region: target.region, endpoint: target.endpoint, project_id: target.projectId ?? null, temporary_credentials: Boolean(target.credentials.securityToken),
        credential_source: sources.credentials, region_source: sources.region, project_source: sources.projectId },
      'configured',
    );
  } else {
    log.warn({ problems: config.problems }, 'configuration incomplete: every tool will say what to set');
  }
  for (const warning of config.warnings) log.warn(warning);

  const { guardrails } = config;
  const audit = openAuditLog(guardrails.auditLogPath, (message) => log.warn(message));
  const auditProblem = audit.problem();
  if (auditProblem) log.error(`${auditProblem}: writes will be refused until it is fixed`);
  log.info(
    {
      read_only: guardrails.readOnly,
      allow_er_ids: guardrails.allowErIds ? [...guardrails.allowErIds] : 'any',
      allow_route_table_ids: guardrails.allowRouteTableIds ? [...guardrails.allowRouteTableIds] : 'any',
      confirm_writes: guardrails.confirmWrites,
      confirm_timeout_seconds: guardrails.confirmTimeoutMs / 1000,
      audit_log: guardrails.auditLogPath ?? 'off',
    },
    'guardrails',
  );

  if (guardrails.confirmWrites === 'never') {
    log.warn('--confirm-writes never: NO PERSON IS ASKED before a write. Every change the agent asks for is made as soon as the other guardrails allow it.');
  }
  const loaded = policy?.current();
  if (policy && loaded) {
    reloadOnHangUp(policy, log);
    log.info(policySummary(policy, loaded), 'policy loaded');
  }
  // The policy reaches the gate (each write's permissions and invariants) and every MCP server (the tools a caller is shown).
  const gateOptions: CreateGateOptions = { settings: guardrails, audit, clock: systemClock, log, region: env.region, sandbox: env.sandbox, policy };
  const watching = await startWatching(config, log);
  if (watching) env.observer = observers([env.observer ?? NO_OBSERVER, watching.observer]);
  if (config.http) {
    connect();
    // Every HTTP session and the approval pages share the one gate, made at start.
    const { createGate } = await import('./guardrails/gate.js');
    const { gate, desk, checks } = createGate(gateOptions);
    env.settled = checks;
    const { startHttpServer } = await import('./transports/http/http-server.js');
    const running = await startHttpServer({
      settings: config.http,
      log,
      // One MCP server per session, which belongs to one caller: its log lines all name that caller
      // (the audit gets it from each request's authInfo).
      newServer: (caller) => createServer({ env: { ...env, log: log.child({ caller: caller.caller }) }, connection, gate, policy }),
      health: () => ({ sandbox: env.sandbox, credentialsReady: env.sandbox || config.target !== undefined, projectReady: connection.current().ready }),
      approvals: desk,
      ...(env.observer ? { observer: env.observer } : {}),
      ...(watching?.store ? { metrics: watching.store } : {}),
      // JWT groups are read with the claim the policy in force names (a reload applies at once).
      ...(policy ? { groupsClaim: () => policy.current()?.groupsClaim } : {}),
    });
    gate.pages = { urlFor: async (planId) => running.approvalUrl(planId) };
    onShutdown(log, config.shutdownMs, async () => {
      // New sessions and calls are refused at once; calls in flight (writes above all) finish first.
      // A write still running at the bound is recorded and answered by the gate's drain, and the
      // sessions close only once that answer is on its way.
      await running.drain(config.shutdownMs, gate.drain(config.shutdownMs));
      await watching?.shutdown(TELEMETRY_FLUSH_MS);
      await (await http)?.close();
      await emulator?.close();
      audit.close();
    });
    return;
  }

  const caller = localCaller();
  // The approval page's listener, loaded and started only when a plan first needs a page.
  let pages: Promise<LoopbackApprovalServer> | undefined;
  const loopbackPages = (desk: Approvals) =>
    (pages ??= import('./approvals/loopback-server.js').then(({ LoopbackApprovalServer }) => new LoopbackApprovalServer({ desk, approver: { caller, scopes: null }, log })));
  // The gate and its steps load with the first call that needs them, not before tools/list.
  const gate = new DeferredGate({
    gate: gateOptions,
    pages: (desk) => ({ urlFor: async (planId) => (await loopbackPages(desk)).urlFor(planId) }),
    onCreated: ({ checks }) => {
      env.settled = checks;
    },
  });
  const server = createServer({ env, connection, gate, defaultCaller: caller, policy });
  const stop = onShutdown(log, config.shutdownMs, async () => {
    // Writes in flight finish and answer first (or, still running at the bound, answer that their
    // outcome is unknown); then the session closes.
    await gate.drain(config.shutdownMs);
    await (await pages)?.close();
    // Let the SDK send the answers of the writes that just finished before the transport closes.
    await new Promise((resolve) => setImmediate(resolve));
    await server.close();
    env.observer?.sessionClosed();
    await watching?.shutdown(TELEMETRY_FLUSH_MS);
    await (await http)?.close();
    await emulator?.close();
    audit.close();
  });
  await serveStdio({ server, log, stop });
  env.observer?.sessionOpened();
  afterHandshake(server, () => {
    log.startWriting();
    connect();
  });
}

/** How long a stopping server gives OpenTelemetry to export what it still holds. */
const TELEMETRY_FLUSH_MS = 2_000;

/**
 * The metrics behind GET /metrics (with --http) and OpenTelemetry (with an OTLP endpoint), loaded
 * only when one of them is wanted: a stdio server without telemetry starts as fast as before.
 */
async function startWatching(config: Config, log: Logger): Promise<RunningObservers | undefined> {
  const { otlp } = config.telemetry;
  if (!otlp && !config.http) return undefined;
  const { startObservers } = await import('./observe/start-observers.js');
  return startObservers({ transport: config.http ? 'http' : 'stdio', ...(otlp ? { otlp } : {}), log });
}

/** How long a client that has sent nothing yet waits for the start-up lines (some read stderr before they speak). */
const QUIET_CLIENT_MS = 100;

/**
 * How long after `notifications/initialized` the deferred loads wait. A client sends its first
 * requests (tools/list, prompts/list…) right after that notification, not always in the same
 * write: started on the next turn, the loads (about 15 ms of CPU) could run before they are read.
 */
const AFTER_INITIALIZED_MS = 50;

/**
 * Runs `run` (once) when the handshake is over: shortly after the client's
 * `notifications/initialized`, by when the requests that follow it (tools/list above all) are
 * answered. What waits for it: pino for the start-up lines, and the ER clients (a call that comes
 * sooner loads them itself). A client that has sent nothing shortly after start gets it at once.
 */
function afterHandshake(server: Server, run: () => void): void {
  const start = once(run);
  const initialized = server.oninitialized;
  server.oninitialized = () => {
    initialized?.();
    setTimeout(start, AFTER_INITIALIZED_MS);
  };
  const quiet = setTimeout(start, QUIET_CLIENT_MS);
  process.stdin.once('data', () => clearTimeout(quiet));
}

/** The audit's caller for a stdio session: the local account that started the server. */
function localCaller(): string {
  try {
    return `stdio:${userInfo().username}`;
  } catch {
    return 'stdio';
  }
}

/** Runs `cleanup` once on SIGINT/SIGTERM (or when the returned function is called), then exits 0. */
function onShutdown(log: DeferredLogger, boundMs: number, cleanup: () => Promise<void>): (reason: string) => void {
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, 'shutting down');
    // Cleanup waits at most `boundMs` for writes (and a second for their answers to go out); this
    // catches anything else that hangs.
    const force = setTimeout(() => process.exit(0), boundMs + 3_000);
    force.unref();
    cleanup()
      .catch((error: unknown) => log.error({ err: String(error) }, 'error while shutting down'))
      // Every line logged, the start-up ones included, is on stderr before the process ends.
      .finally(() => log.written().finally(() => process.exit(0)));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return stop;
}

/** Runs the program with the command line and environment bin.ts read (config.ts), and ends the process as it says. */
export function runCli(argv: readonly string[], env: Env): void {
  main(argv, env).then(
    (code) => {
      if (code !== undefined) process.exitCode = code;
    },
    async (error: unknown) => {
      // The lines logged before the failure come first.
      await programLog?.written().catch(() => undefined);
      // Source maps are on at LOG_LEVEL=debug (bin.ts): the stack then names src/ files.
      const detail = error instanceof Error ? ((process.sourceMapsEnabled && error.stack) || error.message) : String(error);
      process.stderr.write(`huaweicloud-er-mcp: ${detail}\n`);
      // A setting found unusable after start-up (the emulator's fault plan) is still a usage error.
      if (error instanceof UsageError) {
        process.stderr.write('Run huaweicloud-er-mcp --help for usage.\n');
        process.exit(2);
      }
      process.exit(1);
    },
  );
}

/** `run`, made to do its work the first time only. */
function once(run: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    run();
  };
}
