// Finds the access key pair where Huawei Cloud users already keep it, in a fixed order:
// the SDK's environment variables, the SDK credentials file, a KooCLI profile, Terraform's variables.
// The first source that is present wins. A source that is present but unusable (AK without SK,
// an unsupported KooCLI mode…) is reported as a problem naming that source: falling through to the
// next one silently would sign calls with keys the user did not mean to use.
// Called only by load-config.ts, which stays the one place that decides configuration.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Credentials } from './http/http-client.js';

export type Env = Record<string, string | undefined>;

export type CredentialSourceKind = 'environment' | 'credentials-file' | 'koocli' | 'terraform';

export interface CredentialSource {
  kind: CredentialSourceKind;
  /** Where the keys came from, for the start-up log and `doctor`. Never contains a secret. */
  description: string;
  credentials: Credentials;
  /** Project id stored next to the keys (credentials file `project_id`, KooCLI `projectId`). */
  projectId?: string;
  /** Region stored next to the keys (KooCLI profile `region`). */
  region?: string;
  /** IAM endpoint stored next to the keys (credentials file `iam_endpoint`). */
  iamEndpoint?: string;
}

export interface CredentialLookup {
  source?: CredentialSource;
  /** Why no usable source was found; empty when `source` is set. */
  problems: string[];
  /** E.g. a credentials file other users can read. */
  warnings: string[];
}

type Found = { source: CredentialSource } | { problem: string } | undefined;
type Finder = (env: Env, warnings: string[]) => Found;

const FINDERS: readonly Finder[] = [fromSdkEnvironment, fromCredentialsFile, fromKooCli, fromTerraform];

export function findCredentials(env: Env): CredentialLookup {
  const warnings: string[] = [];
  for (const find of FINDERS) {
    const found = find(env, warnings);
    if (found === undefined) continue;
    if ('problem' in found) return { problems: [found.problem], warnings };
    const unsendable = unsendableField(found.source);
    if (unsendable) return { problems: [`The ${unsendable} from ${found.source.description} contains spaces or control characters (a stray line break?): it cannot be sent in an HTTP header. Fix it there.`], warnings };
    return { source: found.source, problems: [], warnings };
  }
  return { problems: [noCredentials(env)], warnings };
}

/** Which credential would break the HTTP request (headers allow no control characters), if any. */
function unsendableField(source: CredentialSource): string | undefined {
  const bad = (v: string | undefined) => v !== undefined && /[\s\x00-\x1f\x7f]/.test(v);
  if (bad(source.credentials.ak)) return 'access key';
  if (bad(source.credentials.sk)) return 'secret key';
  if (bad(source.credentials.securityToken)) return 'security token';
  return undefined;
}

/** Home directory from the environment given (not the process's), so tests can point it anywhere. */
export function homeDirectory(env: Env): string | undefined {
  return value(env.HOME) ?? value(env.USERPROFILE);
}

export function credentialsFilePath(env: Env): string | undefined {
  const home = homeDirectory(env);
  return value(env.HUAWEICLOUD_SDK_CREDENTIALS_FILE) ?? (home ? join(home, '.huaweicloud', 'credentials') : undefined);
}

export function kooCliConfigPath(env: Env): string | undefined {
  const home = homeDirectory(env);
  return home ? join(home, '.hcloud', 'config.json') : undefined;
}

function fromSdkEnvironment(env: Env): Found {
  const ak = value(env.HUAWEICLOUD_SDK_AK);
  const sk = value(env.HUAWEICLOUD_SDK_SK);
  const securityToken = value(env.HUAWEICLOUD_SDK_SECURITY_TOKEN);
  if (!ak && !sk && !securityToken) return undefined;
  const problem = missingHalf(ak, sk, 'HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN');
  if (problem) return { problem };
  return {
    source: {
      kind: 'environment',
      description: 'environment variables HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK',
      credentials: { ak: ak!, sk: sk!, securityToken },
    },
  };
}

function fromCredentialsFile(env: Env, warnings: string[]): Found {
  const path = credentialsFilePath(env);
  if (!path) return undefined;
  const read = readSecretFile(path, warnings);
  if (read === 'missing') {
    // Only a path the user named is worth a complaint; the default one is simply not in use.
    return value(env.HUAWEICLOUD_SDK_CREDENTIALS_FILE) ? { problem: `HUAWEICLOUD_SDK_CREDENTIALS_FILE names ${path}, which does not exist.` } : undefined;
  }
  if ('problem' in read) return read;
  const basic = parseIni(read.text).get('basic');
  const where = `the credentials file ${path}`;
  if (!basic) return { problem: `${where} has no [basic] section: put ak and sk under [basic].` };
  const ak = value(basic.get('ak'));
  const sk = value(basic.get('sk'));
  if (!ak && !sk) return { problem: `${where} has no ak and sk under [basic]: add both.` };
  const problem = missingHalf(ak, sk, `ak in ${where}`, `sk in ${where}`);
  if (problem) return { problem };
  return {
    source: {
      kind: 'credentials-file',
      description: `${where} ([basic])`,
      credentials: { ak: ak!, sk: sk!, securityToken: value(basic.get('security_token')) },
      projectId: value(basic.get('project_id')),
      iamEndpoint: value(basic.get('iam_endpoint')),
    },
  };
}

interface KooCliProfile {
  name?: unknown;
  mode?: unknown;
  accessKeyId?: unknown;
  secretAccessKey?: unknown;
  securityToken?: unknown;
  region?: unknown;
  projectId?: unknown;
}

/** Real access keys and secret keys are letters and digits only; anything else was transformed (encrypted, encoded). */
const PLAIN_KEY = /^[A-Za-z0-9]{1,128}$/;

function fromKooCli(env: Env, warnings: string[]): Found {
  const path = kooCliConfigPath(env);
  const wanted = value(env.HUAWEICLOUD_PROFILE);
  if (!path) return undefined;
  const read = readSecretFile(path, warnings);
  if (read === 'missing') {
    return wanted ? { problem: `HUAWEICLOUD_PROFILE is "${wanted}" but there is no KooCLI configuration at ${path}.` } : undefined;
  }
  if ('problem' in read) return read;
  let parsed: { current?: unknown; profiles?: unknown };
  try {
    parsed = JSON.parse(read.text) as typeof parsed;
  } catch {
    return { problem: `The KooCLI configuration ${path} is not valid JSON: fix it with hcloud configure, or set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK.` };
  }
  const profiles: KooCliProfile[] = Array.isArray(parsed?.profiles) ? (parsed.profiles as KooCliProfile[]).filter((p) => p && typeof p === 'object') : [];
  // A KooCLI installation with no profile holds no keys: not a source.
  if (profiles.length === 0 && !wanted) return undefined;
  const names = profiles.map((p) => String(p.name)).join(', ') || 'none';
  const name = wanted ?? text(parsed.current);
  if (!name) return { problem: `The KooCLI configuration ${path} names no current profile: set HUAWEICLOUD_PROFILE to one of: ${names}.` };
  const profile = profiles.find((p) => p.name === name);
  const from = wanted ? ' (from HUAWEICLOUD_PROFILE)' : '';
  if (!profile) return { problem: `The KooCLI configuration ${path} has no profile "${name}"${from}; it has: ${names}.` };

  const where = `KooCLI profile "${name}" in ${path}`;
  const mode = text(profile.mode) ?? '(none)';
  if (mode !== 'AKSK') {
    return { problem: `${where} uses mode ${mode}; only AKSK profiles can be used here: switch to an AKSK profile (HUAWEICLOUD_PROFILE) or set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK.` };
  }
  const ak = text(profile.accessKeyId);
  const sk = text(profile.secretAccessKey);
  if (!ak && !sk) return { problem: `${where} has no accessKeyId and secretAccessKey: add both with hcloud configure.` };
  const problem = missingHalf(ak, sk, `accessKeyId in ${where}`, `secretAccessKey in ${where}`);
  if (problem) return { problem };
  if (!PLAIN_KEY.test(ak!) || !PLAIN_KEY.test(sk!)) {
    return {
      problem: `${where}: the access key or secret key is not plain text (KooCLI may store it encrypted), so it cannot be used for signing: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK instead.`,
    };
  }
  return {
    source: {
      kind: 'koocli',
      description: where,
      credentials: { ak: ak!, sk: sk!, securityToken: text(profile.securityToken) },
      projectId: text(profile.projectId),
      region: text(profile.region),
    },
  };
}

function fromTerraform(env: Env): Found {
  const ak = value(env.HW_ACCESS_KEY);
  const sk = value(env.HW_SECRET_KEY);
  const securityToken = value(env.HW_SECURITY_TOKEN);
  if (!ak && !sk && !securityToken) return undefined;
  const problem = missingHalf(ak, sk, 'HW_ACCESS_KEY', 'HW_SECRET_KEY', 'HW_SECURITY_TOKEN');
  if (problem) return { problem };
  return {
    source: { kind: 'terraform', description: "Terraform's environment variables HW_ACCESS_KEY / HW_SECRET_KEY", credentials: { ak: ak!, sk: sk!, securityToken } },
  };
}

/** A sentence when exactly one half of the key pair is there (or only the token), else undefined. */
function missingHalf(ak: string | undefined, sk: string | undefined, akName: string, skName: string, tokenName?: string): string | undefined {
  if (ak && sk) return undefined;
  if (ak) return `${akName} is set but ${skName} is not: set both.`;
  if (sk) return `${skName} is set but ${akName} is not: set both.`;
  return `${tokenName} is set but ${akName} and ${skName} are not: temporary credentials need all three.`;
}

function noCredentials(env: Env): string {
  const file = credentialsFilePath(env) ?? '~/.huaweicloud/credentials';
  const koocli = kooCliConfigPath(env) ?? '~/.hcloud/config.json';
  return (
    'No credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (the access key pair), ' +
    `or put ak and sk under [basic] in ${file}, or add a KooCLI AKSK profile to ${koocli}, or set HW_ACCESS_KEY and HW_SECRET_KEY.`
  );
}

/** Credential files are a few hundred bytes; anything near this is not one. */
export const MAX_CREDENTIAL_FILE_BYTES = 1024 * 1024;

/**
 * Reads a file that holds secrets. Warns when group or others may read it: the keys in it open
 * the whole account. 'missing' when it does not exist. Refuses, naming the file, anything that is
 * not a regular file once links are followed (a link to /dev/zero, a FIFO, a directory) or is
 * larger than 1 MiB: it is checked before reading, opened without blocking, and read with a cap,
 * so a hostile path can neither hang start-up nor fill memory.
 */
function readSecretFile(path: string, warnings: string[]): { text: string } | { problem: string } | 'missing' {
  let fd: number | undefined;
  try {
    const refusal = refuseUnlessSmallRegularFile(path, statSync(path));
    if (refusal) return { problem: refusal };
    // O_NONBLOCK: should the path turn into a FIFO after the check, opening it must not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const stats = fstatSync(fd);
    const changed = refuseUnlessSmallRegularFile(path, stats);
    if (changed) return { problem: changed };
    // POSIX permission bits mean nothing on Windows.
    if (process.platform !== 'win32' && (stats.mode & 0o044) !== 0) {
      const who = stats.mode & 0o004 ? 'everyone on this machine' : 'its group';
      warnings.push(`${path} holds credentials and is readable by ${who} (mode ${(stats.mode & 0o777).toString(8).padStart(3, '0')}): run chmod 600 ${path}.`);
    }
    const text = readCapped(fd, MAX_CREDENTIAL_FILE_BYTES);
    if (text === undefined) return { problem: tooLarge(path) };
    return { text };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    return { problem: `Cannot read ${path} (${typeof code === 'string' ? code : 'unreadable'}): fix its permissions or remove it.` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function refuseUnlessSmallRegularFile(path: string, stats: Stats): string | undefined {
  if (!stats.isFile()) {
    const target = linkTarget(path);
    return `${path}${target ? ` (a link to ${target})` : ''} is ${kindOf(stats)}, not a regular file: point it at the credentials file itself, or remove it.`;
  }
  return stats.size > MAX_CREDENTIAL_FILE_BYTES ? tooLarge(path, stats.size) : undefined;
}

function tooLarge(path: string, size?: number): string {
  const actual = size === undefined ? 'more than 1 MiB' : `${(size / 1024 / 1024).toFixed(1)} MiB`;
  return `${path} is ${actual}; a credentials file is a few lines (at most 1 MiB is read): is it the right file?`;
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  return 'not a file';
}

/** Where a symbolic link finally points, for the message; undefined when `path` is no link. */
function linkTarget(path: string): string | undefined {
  try {
    return lstatSync(path).isSymbolicLink() ? realpathSync(path) : undefined;
  } catch {
    return undefined;
  }
}

/** At most `limit` bytes as UTF-8; undefined when the file holds more (it may have grown since the check). */
function readCapped(fd: number, limit: number): string | undefined {
  const buffer = Buffer.alloc(limit + 1);
  let length = 0;
  for (;;) {
    const read = readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) break;
    length += read;
    if (length > limit) return undefined;
  }
  return buffer.toString('utf8', 0, length);
}

/** Minimal INI: `[section]` headers, `key = value` lines, `#` and `;` comments. Section and key names are case-insensitive. */
export function parseIni(content: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of content.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      const name = header[1]!.trim().toLowerCase();
      current = sections.get(name) ?? new Map<string, string>();
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq === -1 || !current) continue;
    current.set(line.slice(0, eq).trim().toLowerCase(), unquote(line.slice(eq + 1).trim()));
  }
  return sections;
}

function unquote(raw: string): string {
  return /^(["']).*\1$/.test(raw) && raw.length >= 2 ? raw.slice(1, -1) : raw;
}

/** Empty strings count as unset, as in the SDKs. */
function value(raw: string | undefined): string | undefined {
  const trimmed = raw?.trim();
  return trimmed ? trimmed : undefined;
}

function text(raw: unknown): string | undefined {
  return typeof raw === 'string' ? value(raw) : undefined;
}
