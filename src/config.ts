// The one place that reads environment variables and command-line flags.
// It never throws for missing credentials: the server must start and explain through its tools.
import type { Credentials } from './http/client.js';

export const ER_REGIONS = [
  'cn-south-1', 'cn-east-3', 'cn-north-4', 'cn-north-2', 'cn-north-9', 'ap-southeast-1', 'ap-southeast-2',
  'ap-southeast-3', 'cn-southwest-2', 'ap-southeast-4', 'sa-brazil-1', 'la-south-2', 'tr-west-1', 'me-east-1',
  'af-south-1', 'la-north-2', 'ae-ad-1', 'af-north-1', 'ap-southeast-5', 'ru-moscow-1', 'cn-east-5', 'cn-east-4',
  'cn-north-12', 'cn-southwest-3', 'cn-north-11', 'my-kualalumpur-1',
] as const;

export type Command = 'serve' | 'emulator' | 'help' | 'version';

export interface Target {
  region: string;
  endpoint: string;
  projectId: string;
  credentials: Credentials;
}

export interface Config {
  command: Command;
  sandbox: boolean;
  /** Port for `emulator`; 0 picks a free one. */
  port: number;
  logLevel: string;
  /** Total time one tool call may take, every retry and wait included. */
  callDeadlineMs: number;
  /** Complete when the environment names everything a real call needs. */
  target?: Target;
  /** What is missing or wrong, each sentence naming the variable to set; empty when `target` is set. */
  problems: string[];
  /** Non-fatal remarks to log at start. */
  warnings: string[];
}

export class UsageError extends Error {
  override name = 'UsageError';
}

type Env = Record<string, string | undefined>;

const BOOLEAN_FLAGS = new Set(['sandbox', 'help', 'version']);
const VALUE_FLAGS = new Set(['port']);

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
    if (BOOLEAN_FLAGS.has(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags.set(name, 'true');
    } else if (VALUE_FLAGS.has(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      throw new UsageError(`unknown flag --${name}`);
    }
  }
  return { command, flags };
}

export function loadConfig(argv: readonly string[], env: Env): Config {
  const { command: word, flags } = parseArgs(argv);
  const command = toCommand(word, flags);
  const port = Number(flags.get('port') ?? env.HUAWEICLOUD_ER_EMULATOR_PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError('--port must be a whole number from 0 to 65535');
  const callDeadlineMs = Number(env.HUAWEICLOUD_ER_MCP_CALL_TIMEOUT_SECONDS ?? 30) * 1000;
  if (!(callDeadlineMs > 0)) throw new UsageError('HUAWEICLOUD_ER_MCP_CALL_TIMEOUT_SECONDS must be a positive number');

  const config: Config = {
    command,
    sandbox: flags.has('sandbox'),
    port,
    logLevel: env.LOG_LEVEL || 'info',
    callDeadlineMs,
    problems: [],
    warnings: [],
  };
  if (command === 'serve' && !config.sandbox) resolveTarget(env, config);
  return config;
}

function toCommand(word: string | undefined, flags: Map<string, string>): Command {
  if (flags.has('help')) return 'help';
  if (flags.has('version')) return 'version';
  if (word === undefined || word === 'serve') return 'serve';
  if (word === 'emulator' || word === 'help' || word === 'version') return word;
  throw new UsageError(`unknown command "${word}"`);
}

function resolveTarget(env: Env, config: Config): void {
  const problems = config.problems;
  const ak = env.HUAWEICLOUD_SDK_AK;
  const sk = env.HUAWEICLOUD_SDK_SK;
  if (!ak && !sk) problems.push('No credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (the access key pair).');
  else if (!ak) problems.push('HUAWEICLOUD_SDK_SK is set but HUAWEICLOUD_SDK_AK is not: set both.');
  else if (!sk) problems.push('HUAWEICLOUD_SDK_AK is set but HUAWEICLOUD_SDK_SK is not: set both.');

  const projectId = env.HUAWEICLOUD_SDK_PROJECT_ID;
  if (!projectId) problems.push('No project: set HUAWEICLOUD_SDK_PROJECT_ID to the project id of the region.');
  else if (!/^[A-Za-z0-9_-]{1,64}$/.test(projectId)) problems.push('HUAWEICLOUD_SDK_PROJECT_ID must be letters, digits, "_" or "-".');

  const region = env.HUAWEICLOUD_REGION;
  const endpointOverride = env.HUAWEICLOUD_ER_ENDPOINT;
  let endpoint: string | undefined;
  if (!region) {
    problems.push('No region: set HUAWEICLOUD_REGION, e.g. cn-north-4.');
  } else if (endpointOverride) {
    endpoint = checkEndpoint(endpointOverride, problems);
    if (endpoint && !isKnownRegion(region)) config.warnings.push(`Region "${region}" is not a known ER region; using HUAWEICLOUD_ER_ENDPOINT as given.`);
  } else if (isKnownRegion(region)) {
    endpoint = regionEndpoint(region);
  } else {
    problems.push(`Region "${region}" is not a known ER region: fix HUAWEICLOUD_REGION, or set HUAWEICLOUD_ER_ENDPOINT explicitly.`);
  }

  if (problems.length === 0 && ak && sk && projectId && region && endpoint) {
    const securityToken = env.HUAWEICLOUD_SDK_SECURITY_TOKEN || undefined;
    config.target = { region, endpoint, projectId, credentials: { ak, sk, securityToken } };
  }
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
export function checkEndpoint(value: string, problems: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(`HUAWEICLOUD_ER_ENDPOINT "${value}" is not a URL; use e.g. https://er.cn-north-4.myhuaweicloud.com.`);
    return undefined;
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return url.origin;
  if (url.protocol === 'http:') {
    problems.push('HUAWEICLOUD_ER_ENDPOINT uses plain http:// for a host that is not loopback: credentials-signed calls need https://.');
  } else {
    problems.push(`HUAWEICLOUD_ER_ENDPOINT must start with https:// (got ${url.protocol}).`);
  }
  return undefined;
}
