// What the person who installs the server allows the agent to change. Parsed strictly: a list
// that cannot be read stops the server at start-up instead of silently allowing everything.
import { join } from 'node:path';
import { ID_PATTERN } from '../er/ids.js';
import { settingLabel, SETTINGS } from '../settings.js';

export type ConfirmMode = 'auto' | 'always' | 'never';

export interface GuardrailSettings {
  readOnly: boolean;
  /** null: not restricted. */
  allowErIds: ReadonlySet<string> | null;
  allowRouteTableIds: ReadonlySet<string> | null;
  confirmWrites: ConfirmMode;
  /** How long to wait for the human's answer; the write's own deadline starts after it. */
  confirmTimeoutMs: number;
  /** The approver must be another caller than the one who asked for the change (HTTP only). */
  requireSecondPerson: boolean;
  /** How long a plan stays usable (for its write, and for a person to approve it). */
  planTtlMs: number;
  /** null: audit disabled with `--audit-log off`. */
  auditLogPath: string | null;
}

/** Raw values as given by a flag or its environment variable (the flag wins; load-config.ts decides). */
export interface GuardrailInputs {
  readOnly?: string;
  allowErIds?: string;
  allowRouteTableIds?: string;
  confirmWrites?: string;
  confirmTimeoutSeconds?: string;
  requireSecondPerson?: string;
  planTtlSeconds?: string;
  auditLog?: string;
}

export class GuardrailSettingsError extends Error {
  override name = 'GuardrailSettingsError';
}

/** Where the default audit log goes: `XDG_STATE_HOME`, else `HOME`/.local/state (load-config.ts reads them). */
export interface StateDirectories {
  xdgStateHome?: string;
  home?: string;
}

export function parseGuardrails(inputs: GuardrailInputs, directories: StateDirectories): GuardrailSettings {
  return {
    readOnly: parseBoolean(settingLabel(SETTINGS.readOnly), inputs.readOnly),
    allowErIds: parseIdList(settingLabel(SETTINGS.allowErIds), inputs.allowErIds),
    allowRouteTableIds: parseIdList(settingLabel(SETTINGS.allowRouteTableIds), inputs.allowRouteTableIds),
    confirmWrites: parseConfirmMode(inputs.confirmWrites),
    confirmTimeoutMs: parseConfirmTimeout(inputs.confirmTimeoutSeconds),
    requireSecondPerson: parseBoolean(settingLabel(SETTINGS.requireSecondPerson), inputs.requireSecondPerson),
    planTtlMs: parsePlanTtl(inputs.planTtlSeconds),
    auditLogPath: parseAuditPath(inputs.auditLog, directories),
  };
}

function parseBoolean(name: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  throw new GuardrailSettingsError(`${name} must be true or false (got "${value}").`);
}

function parseIdList(name: string, value: string | undefined): ReadonlySet<string> | null {
  if (value === undefined) return null;
  const items = value.split(',').map((s) => s.trim());
  if (items.every((s) => s === '')) {
    throw new GuardrailSettingsError(`${name} is set but empty: list at least one ID, or unset it to allow every ID.`);
  }
  const bad = items.filter((s) => !ID_PATTERN.test(s));
  if (bad.length > 0) {
    throw new GuardrailSettingsError(`${name} has malformed entries (${bad.map((s) => JSON.stringify(s)).join(', ')}): IDs are 1-36 characters of A-Z, a-z, 0-9, "_" or "-", separated by commas.`);
  }
  return new Set(items);
}

function parseConfirmMode(value: string | undefined): ConfirmMode {
  const { confirmWrites } = SETTINGS;
  const v = (value ?? confirmWrites.default).trim().toLowerCase();
  if (v === 'auto' || v === 'always' || v === 'never') return v;
  const { choices } = confirmWrites.value;
  throw new GuardrailSettingsError(`${settingLabel(confirmWrites)} must be ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)} (got "${value}").`);
}

export const DEFAULT_CONFIRM_TIMEOUT_SECONDS = SETTINGS.confirmTimeoutSeconds.default;

function parseConfirmTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_CONFIRM_TIMEOUT_SECONDS * 1000;
  const { above, max } = SETTINGS.confirmTimeoutSeconds.value;
  const seconds = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= above || seconds > max) {
    throw new GuardrailSettingsError(`${settingLabel(SETTINGS.confirmTimeoutSeconds)} must be a number of seconds above ${above} and at most ${max} (got "${value}").`);
  }
  return seconds * 1000;
}

export const DEFAULT_PLAN_TTL_SECONDS = SETTINGS.planTtlSeconds.default;

function parsePlanTtl(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PLAN_TTL_SECONDS * 1000;
  const { min, max } = SETTINGS.planTtlSeconds.value;
  const seconds = Number(value.trim());
  if (value.trim() === '' || !Number.isInteger(seconds) || seconds < min || seconds > max) {
    throw new GuardrailSettingsError(`${settingLabel(SETTINGS.planTtlSeconds)} must be a whole number of seconds from ${min} to ${max} (got "${value}").`);
  }
  return seconds * 1000;
}

/** `$XDG_STATE_HOME/huaweicloud-er-mcp/audit.jsonl`, else `~/.local/state/…`; "off" disables. */
function parseAuditPath(value: string | undefined, directories: StateDirectories): string | null {
  if (value !== undefined) {
    if (value.trim() === '') throw new GuardrailSettingsError(`${settingLabel(SETTINGS.auditLog)} is empty: give a file path, or "off".`);
    return value.trim().toLowerCase() === 'off' ? null : value;
  }
  const stateHome = directories.xdgStateHome || (directories.home ? join(directories.home, '.local', 'state') : undefined);
  if (!stateHome) throw new GuardrailSettingsError('Cannot place the audit log: neither XDG_STATE_HOME nor HOME is set. Use --audit-log PATH (or "off").');
  return join(stateHome, 'huaweicloud-er-mcp', 'audit.jsonl');
}

export const UNRESTRICTED: GuardrailSettings = {
  readOnly: false,
  allowErIds: null,
  allowRouteTableIds: null,
  confirmWrites: 'auto',
  confirmTimeoutMs: DEFAULT_CONFIRM_TIMEOUT_SECONDS * 1000,
  requireSecondPerson: false,
  planTtlMs: DEFAULT_PLAN_TTL_SECONDS * 1000,
  auditLogPath: null,
};
