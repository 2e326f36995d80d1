// Flags, environment variables and (through credentials.ts) credential files → the Config, each
// setting through its row of the table in settings.ts. The environment and the command line
// themselves are read in config.ts, and only there.
// It never throws for missing credentials: the server must start and explain through its tools.
import { type CredentialSource, type Env, findCredentials } from './credentials.js';
import { ID_PATTERN } from './er/ids.js';
import { STDOUT_AUDIT } from './guardrails/stdout-audit.js';
import { type GuardrailInputs, GuardrailSettingsError, type GuardrailSettings, parseGuardrails, UNRESTRICTED } from './guardrails/guardrail-settings.js';
import type { Credentials } from './http/http-client.js';
import { readTelemetry, type TelemetrySettings } from './observe/telemetry-settings.js';
import { type CommandName, flagKinds, type Setting, SETTING_ROWS, SETTINGS } from './settings.js';
import { HttpSettingsError, type HttpSettings, parseHttpSettings } from './transports/http/http-settings.js';

export const ER_REGIONS = [
  'cn-south-1', 'cn-east-3', 'cn-north-4', 'cn-north-2', 'cn-north-9', 'ap-southeast-1', 'ap-southeast-2',
  'ap-southeast-3', 'cn-southwest-2', 'ap-southeast-4', 'sa-brazil-1', 'la-south-2', 'tr-west-1', 'me-east-1',
  'af-south-1', 'la-north-2', 'ae-ad-1', 'af-north-1', 'ap-southeast-5', 'ru-moscow-1', 'cn-east-5', 'cn-east-4',
  'cn-north-12', 'cn-southwest-3', 'cn-north-11', 'my-kualalumpur-1',
] as const;

export type Command = 'serve' | 'doctor' | 'emulator' | 'help' | 'version';

export interface Target {
  region: string;
  endpoint: string;
  credentials: Credentials;
  /** Configured project id; absent when it must be looked up through IAM at `iamEndpoint`. */
  projectId?: string;
  iamEndpoint: string;
  /** Where each setting came from, for the start-up log and `doctor`. Never a secret. */
  sources: { credentials: string; region: string; endpoint: string; projectId: string };
}

export interface Config {
  command: Command;
  sandbox: boolean;
  /** Port for `emulator`; 0 picks a free one. */
  port: number;
  logLevel: string;
  /** Time one API call may take, its retries and their backoff included (not a wait: see maxWaitMs). */
  callDeadlineMs: number;
  /**
   * The longest one tool call may wait for a state (get_association_state), whatever the agent
   * asks: most MCP clients give up on a request after 60 s and do not count progress as life.
   */
  maxWaitMs: number;
  /** How long a shutdown waits for calls in flight (writes above all) before it stops them. */
  shutdownMs: number;
  /** Complete when the environment names everything a real call needs. */
  target?: Target;
  /** What is missing or wrong, each sentence naming the variable to set; empty when `target` is set. */
  problems: string[];
  /** Non-fatal remarks to log at start. */
  warnings: string[];
  /** What the agent may change; set by whoever installs the server, never by a tool argument. */
  guardrails: GuardrailSettings;
  /** `serve --http`: MCP over Streamable HTTP with these settings; absent: stdio. */
  http?: HttpSettings;
  /**
   * `serve --policy FILE` (or HUAWEICLOUD_ER_MCP_POLICY): who may change what, and the routing
   * invariants; read at start (cli.ts), again on SIGHUP. Absent: no policy, the guardrails alone.
   */
  policyPath?: string;
  /** HUAWEICLOUD_ER_EMULATOR_FAULTS as given: the emulator's fault plan (JSON), for `emulator` and `--sandbox`. */
  emulatorFaults?: string;
  /** OpenTelemetry from the standard OTEL_* variables (observe/telemetry-settings.ts); off unless an OTLP endpoint is set. */
  telemetry: TelemetrySettings;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Which flags stand alone and which take a value, from the settings table. */
const FLAG_KINDS = flagKinds();

/** Flags as `--name value` or `--name=value`; the first bare word is the command. */
export function parseArgs(argv: readonly string[]): { command?: string; flags: Map<string, string> } {
  const flags = new Map<string, string>();
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      if (command !== undefined) throw new UsageError(`unexpected argument "${arg}"`);
      command = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const kind = FLAG_KINDS.get(name);
    if (kind === 'switch' || kind === 'boolean') {
      // Only boolean settings take a value (`--read-only=false`): a flag may undo its environment variable.
      if (eq !== -1 && kind === 'switch') throw new UsageError(`--${name} takes no value`);
      flags.set(name, eq === -1 ? 'true' : arg.slice(eq + 1));
    } else if (kind === 'value') {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      throw new UsageError(`unknown flag --${name}`);
    }
  }
  return { command, flags };
}

/** A setting's variable, if it has one and it is set. */
function fromEnv(env: Env, setting: Setting): string | undefined {
  return setting.env === undefined ? undefined : env[setting.env];
}

/** A setting's flag if given, else its variable: the flag wins. */
function fromFlagOrEnv(flags: Map<string, string>, env: Env, setting: Setting): string | undefined {
  return (setting.flag === undefined ? undefined : flags.get(setting.flag)) ?? fromEnv(env, setting);
}

export function loadConfig(argv: readonly string[], env: Env): Config {
  const { command: word, flags } = parseArgs(argv);
  const command = toCommand(word, flags);
  const { emulatorPort } = SETTINGS;
  const port = Number(fromFlagOrEnv(flags, env, emulatorPort) ?? emulatorPort.default);
  if (!Number.isInteger(port) || port < emulatorPort.value.min || port > emulatorPort.value.max) {
    throw new UsageError(`--${emulatorPort.flag} must be a whole number from ${emulatorPort.value.min} to ${emulatorPort.value.max}`);
  }
  const callDeadlineMs = Number(fromEnv(env, SETTINGS.callTimeoutSeconds) ?? SETTINGS.callTimeoutSeconds.default) * 1000;
  if (!(callDeadlineMs > 0)) throw new UsageError(`${SETTINGS.callTimeoutSeconds.env} must be a positive number`);
  const warnings: string[] = [];

  const config: Config = {
    command,
    sandbox: flags.has(SETTINGS.sandbox.flag),
    port,
    logLevel: readLogLevel(fromEnv(env, SETTINGS.logLevel), warnings),
    callDeadlineMs,
    maxWaitMs: readMaxWait(fromEnv(env, SETTINGS.maxWaitSeconds)),
    shutdownMs: readShutdownSeconds(fromEnv(env, SETTINGS.shutdownSeconds)),
    problems: [],
    warnings,
    // --help, --version and the emulator must work anywhere, even where no audit log could be placed.
    guardrails: command === 'help' || command === 'version' || command === 'emulator' ? UNRESTRICTED : readGuardrails(flags, env),
    http: readHttpSettings(command, flags, env),
    policyPath: readPolicyPath(command, flags, env),
    ...readEmulatorFaults(env),
    telemetry: command === 'serve' ? readTelemetry((setting) => fromEnv(env, setting), warnings) : {},
  };
  // On stdio, stdout carries MCP: audit lines there would corrupt the session.
  if (command === 'serve' && !config.http && config.guardrails.auditLogPath === STDOUT_AUDIT) {
    throw new UsageError('--audit-log - (stdout) needs serve --http: on stdio, stdout carries the MCP messages. Give a file path instead.');
  }
  if (command === 'serve' && config.guardrails.requireSecondPerson) {
    // On stdio there is one person, the local user: no second one could ever approve.
    if (!config.http) throw new UsageError('--require-second-person needs serve --http: on stdio the only person who can approve is the local user.');
    if (config.guardrails.confirmWrites === 'never') throw new UsageError('--require-second-person contradicts --confirm-writes never: nobody would be asked.');
  }
  refuseFlagsForOtherCommands(command, config.http !== undefined, flags);
  if ((command === 'serve' || command === 'doctor') && !config.sandbox) resolveTarget(env, config);
  return config;
}

/**
 * A flag none of whose settings applies to this command is a mistake worth stopping for: the
 * person meant something the command will not do. Checked after the specific refusals above,
 * whose messages say more.
 */
function refuseFlagsForOtherCommands(command: Command, http: boolean, flags: Map<string, string>): void {
  if (command === 'help' || command === 'version') return;
  const applies = (commands: readonly CommandName[]) =>
    commands.includes(command) || (command === 'serve' && http && commands.includes('serve --http'));
  for (const flag of flags.keys()) {
    const rows = SETTING_ROWS.filter((row) => row.flag === flag);
    if (rows.some((row) => applies(row.commands))) continue;
    const commands = [...new Set(rows.flatMap((row) => row.commands))];
    if (command === 'serve' && commands.includes('serve --http')) throw new UsageError(`--${flag} applies to serve --http only`);
    throw new UsageError(`--${flag} applies to ${commands.join(', ')} only, not ${command}`);
  }
}

/** The emulator's fault plan as given (JSON); cli.ts parses it where the emulator is loaded. */
function readEmulatorFaults(env: Env): { emulatorFaults?: string } {
  const json = fromEnv(env, SETTINGS.emulatorFaults);
  return json ? { emulatorFaults: json } : {};
}

export const LOG_LEVELS = SETTINGS.logLevel.value.choices;

/** A mistyped level is not worth a server that will not start: it becomes `info`, with a warning. */
function readLogLevel(raw: string | undefined, warnings: string[]): string {
  const level = raw?.trim().toLowerCase();
  const fallback = SETTINGS.logLevel.default;
  if (!level) return fallback;
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level;
  warnings.push(`${SETTINGS.logLevel.env} "${raw}" is not one of ${LOG_LEVELS.join(', ')}: logging at ${fallback}.`);
  return fallback;
}

export const DEFAULT_MAX_WAIT_SECONDS = SETTINGS.maxWaitSeconds.default;
/** The tools accept waits up to 900 s; a cap above that would never apply. */
export const MAX_MAX_WAIT_SECONDS = SETTINGS.maxWaitSeconds.value.max;

/** Seconds as given, e.g. "50" or "7.5", as milliseconds; a clear error for anything else. */
function readMaxWait(raw: string | undefined): number {
  const text = raw?.trim();
  if (text === undefined || text === '') return DEFAULT_MAX_WAIT_SECONDS * 1000;
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds > 0 && seconds <= MAX_MAX_WAIT_SECONDS)) {
    throw new UsageError(
      `${SETTINGS.maxWaitSeconds.env} must be a number of seconds above 0 and at most ${MAX_MAX_WAIT_SECONDS} (got "${raw}"); ` +
        `the default, ${DEFAULT_MAX_WAIT_SECONDS}, ends every wait before the 60 s most MCP clients allow a request.`,
    );
  }
  return Math.round(seconds * 1000);
}

export const DEFAULT_SHUTDOWN_SECONDS = SETTINGS.shutdownSeconds.default;
/** Past this, a service manager has long given up waiting (systemd's default is 90 s). */
export const MAX_SHUTDOWN_SECONDS = SETTINGS.shutdownSeconds.value.max;

/** Whole seconds (the audit's note names them), as milliseconds; a clear error for anything else. */
function readShutdownSeconds(raw: string | undefined): number {
  const text = raw?.trim();
  if (text === undefined || text === '') return DEFAULT_SHUTDOWN_SECONDS * 1000;
  const seconds = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds >= SETTINGS.shutdownSeconds.value.min && seconds <= MAX_SHUTDOWN_SECONDS)) {
    throw new UsageError(
      `${SETTINGS.shutdownSeconds.env} must be a whole number of seconds from ${SETTINGS.shutdownSeconds.value.min} to ${MAX_SHUTDOWN_SECONDS} (got "${raw}"): ` +
        `how long a shutdown waits for calls in flight (default ${DEFAULT_SHUTDOWN_SECONDS}).`,
    );
  }
  return seconds * 1000;
}

/** Each guardrail from its flag, else its environment variable; malformed values stop start-up. */
function readGuardrails(flags: Map<string, string>, env: Env): GuardrailSettings {
  const read = (setting: Setting) => fromFlagOrEnv(flags, env, setting);
  const inputs: GuardrailInputs = {
    readOnly: read(SETTINGS.readOnly),
    allowErIds: read(SETTINGS.allowErIds),
    allowRouteTableIds: read(SETTINGS.allowRouteTableIds),
    confirmWrites: read(SETTINGS.confirmWrites),
    confirmTimeoutSeconds: read(SETTINGS.confirmTimeoutSeconds),
    requireSecondPerson: read(SETTINGS.requireSecondPerson),
    planTtlSeconds: read(SETTINGS.planTtlSeconds),
    auditLog: read(SETTINGS.auditLog),
  };
  try {
    return parseGuardrails(inputs, { xdgStateHome: fromEnv(env, SETTINGS.xdgStateHome), home: fromEnv(env, SETTINGS.home) });
  } catch (error) {
    if (error instanceof GuardrailSettingsError) throw new UsageError(error.message);
    throw error;
  }
}

/** Settings of `serve --http`; its flags without --http are refused by refuseFlagsForOtherCommands. */
function readHttpSettings(command: Command, flags: Map<string, string>, env: Env): HttpSettings | undefined {
  if (command === 'help' || command === 'version') return undefined;
  // --http given to another command is refused by refuseFlagsForOtherCommands.
  if (!flags.has(SETTINGS.http.flag) || command !== 'serve') return undefined;
  try {
    return parseHttpSettings((flag, variable) => flags.get(flag) ?? env[variable]);
  } catch (error) {
    if (error instanceof HttpSettingsError) throw new UsageError(error.message);
    throw error;
  }
}

/** The policy file of `serve` (the flag given to another command is refused by refuseFlagsForOtherCommands). */
function readPolicyPath(command: Command, flags: Map<string, string>, env: Env): string | undefined {
  if (command !== 'serve') return undefined;
  const flag = flags.get(SETTINGS.policy.flag);
  if (flag !== undefined && flag.trim() === '') throw new UsageError('--policy needs the path of a policy file');
  const path = (flag ?? fromEnv(env, SETTINGS.policy))?.trim();
  return path ? path : undefined;
}

function toCommand(word: string | undefined, flags: Map<string, string>): Command {
  if (flags.has('help')) return 'help';
  if (flags.has('version')) return 'version';
  if (word === undefined || word === 'serve') return 'serve';
  if (word === 'emulator' || word === 'doctor' || word === 'help' || word === 'version') return word;
  throw new UsageError(`unknown command "${word}"`);
}

function resolveTarget(env: Env, config: Config): void {
  const { problems, warnings } = config;
  const lookup = findCredentials(env);
  problems.push(...lookup.problems);
  warnings.push(...lookup.warnings);
  const source = lookup.source;

  const region = pick([
    { value: fromEnv(env, SETTINGS.region), from: SETTINGS.region.env },
    { value: source?.region, from: source?.description ?? '' },
    { value: fromEnv(env, SETTINGS.hwRegion), from: SETTINGS.hwRegion.env },
  ]);
  const endpoint = region ? resolveEndpoint(region, env, config) : undefined;
  if (!region) problems.push('No region: set HUAWEICLOUD_REGION, e.g. cn-north-4 (HW_REGION_NAME and a KooCLI profile\'s region are read too).');

  const project = region ? resolveProjectId(region.value, env, source, config) : undefined;
  if (!project && !source) {
    problems.push('No project: set HUAWEICLOUD_SDK_PROJECT_ID to the project id of the region (with credentials it can also be looked up through IAM).');
  }
  const iamEndpoint = resolveIamEndpoint(region?.value ?? '', env, source, problems);

  if (problems.length === 0 && source && region && endpoint && iamEndpoint) {
    config.target = {
      region: region.value,
      endpoint: endpoint.value,
      credentials: source.credentials,
      projectId: project?.value,
      iamEndpoint,
      sources: {
        credentials: source.description,
        region: region.from,
        endpoint: endpoint.from,
        projectId: project?.from ?? `looked up through IAM (${iamEndpoint})`,
      },
    };
  }
}

interface Picked {
  value: string;
  from: string;
}

/** The first candidate with a non-empty value. */
function pick(candidates: Array<{ value: string | undefined; from: string }>): Picked | undefined {
  for (const { value, from } of candidates) {
    const trimmed = value?.trim();
    if (trimmed) return { value: trimmed, from };
  }
  return undefined;
}

function resolveEndpoint({ value: region, from }: Picked, env: Env, config: Config): Picked | undefined {
  const override = fromEnv(env, SETTINGS.endpoint)?.trim();
  if (override) {
    const endpoint = checkEndpoint(override, config.problems);
    if (endpoint && !isKnownRegion(region)) config.warnings.push(`Region "${region}" is not a known ER region; using HUAWEICLOUD_ER_ENDPOINT as given.`);
    return endpoint ? { value: endpoint, from: SETTINGS.endpoint.env } : undefined;
  }
  if (isKnownRegion(region)) return { value: regionEndpoint(region), from: `the region ${region}` };
  config.problems.push(`Region "${region}" (from ${from}) is not a known ER region: fix it, or set HUAWEICLOUD_ER_ENDPOINT explicitly.`);
  return undefined;
}

/**
 * A configured project id, or undefined when it must be looked up through IAM. A project id
 * stored together with a region (KooCLI profile, HW_PROJECT_ID with HW_REGION_NAME) is only used
 * with that region: project ids are per region, and a mismatch would fail every call.
 */
function resolveProjectId(region: string, env: Env, source: CredentialSource | undefined, config: Config): Picked | undefined {
  const candidates = [
    { value: fromEnv(env, SETTINGS.projectId)?.trim(), from: SETTINGS.projectId.env, region: undefined },
    { value: source?.projectId, from: source?.description ?? '', region: source?.region },
    { value: fromEnv(env, SETTINGS.hwProjectId)?.trim(), from: SETTINGS.hwProjectId.env, region: fromEnv(env, SETTINGS.hwRegion)?.trim() || undefined },
  ];
  for (const candidate of candidates) {
    if (!candidate.value) continue;
    if (candidate.region && candidate.region !== region) {
      config.warnings.push(`Ignoring the project id from ${candidate.from}: it belongs to region ${candidate.region}, but the region in use is ${region}.`);
      continue;
    }
    if (!ID_PATTERN.test(candidate.value)) {
      config.problems.push(`The project id from ${candidate.from} must be 1-36 letters, digits, "_" or "-".`);
      return undefined;
    }
    return { value: candidate.value, from: candidate.from };
  }
  return undefined;
}

/** Where a project id is looked up when none is configured. */
function resolveIamEndpoint(region: string, env: Env, source: CredentialSource | undefined, problems: string[]): string | undefined {
  const configured = fromEnv(env, SETTINGS.iamEndpoint)?.trim();
  if (configured) return checkEndpoint(configured, problems, SETTINGS.iamEndpoint.env);
  if (source?.iamEndpoint) return checkEndpoint(source.iamEndpoint, problems, `iam_endpoint in ${source.description}`);
  // Same site split as the ER endpoint: the eu-west-1xx regions live on myhuaweicloud.eu.
  return region.startsWith('eu-west-1') ? 'https://iam.myhuaweicloud.eu' : 'https://iam.myhuaweicloud.com';
}

export function isKnownRegion(region: string): boolean {
  return (ER_REGIONS as readonly string[]).includes(region) || /^eu-west-1\d*$/.test(region);
}

/** `https://er.{region}.myhuaweicloud.com`, with `.eu` for the eu-west-1xx regions as Terraform does. */
export function regionEndpoint(region: string): string {
  const domain = region.startsWith('eu-west-1') ? 'myhuaweicloud.eu' : 'myhuaweicloud.com';
  return `https://er.${region}.${domain}`;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Returns the endpoint's origin, or records why it cannot be used (plain http off loopback). */
export function checkEndpoint(value: string, problems: string[], name = 'HUAWEICLOUD_ER_ENDPOINT'): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${name} "${value}" is not a URL; use e.g. https://er.cn-north-4.myhuaweicloud.com.`);
    return undefined;
  }
  if (url.pathname !== '/' || url.search || url.username) {
    problems.push(`${name} must be just scheme, host and port (e.g. https://er.cn-north-4.myhuaweicloud.com); "${url.pathname}${url.search}" would be ignored.`);
    return undefined;
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return url.origin;
  if (url.protocol === 'http:') {
    problems.push(`${name} uses plain http:// for a host that is not loopback: credentials-signed calls need https://.`);
  } else {
    problems.push(`${name} must start with https:// (got ${url.protocol}).`);
  }
  return undefined;
}
