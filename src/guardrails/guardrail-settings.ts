// What the person who installs the server allows the agent to change. Parsed strictly: a list
// that cannot be read stops the server at start-up instead of silently allowing everything.
import { join } from 'node:path';
import { ID_PATTERN } from '../er/ids.js';

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

/** Raw values as given by a flag or its environment variable (the flag wins; config.ts decides). */
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

export function parseGuardrails(inputs: GuardrailInputs, env: Record<string, string | undefined>): GuardrailSettings {
  return {
    readOnly: parseBoolean('--read-only / HUAWEICLOUD_ER_MCP_READ_ONLY', inputs.readOnly),
    allowErIds: parseIdList('--allow-er-ids / HUAWEICLOUD_ER_MCP_ALLOW_ER_IDS', inputs.allowErIds),
    allowRouteTableIds: parseIdList('--allow-route-table-ids / HUAWEICLOUD_ER_MCP_ALLOW_ROUTE_TABLE_IDS', inputs.allowRouteTableIds),
    confirmWrites: parseConfirmMode(inputs.confirmWrites),
    confirmTimeoutMs: parseConfirmTimeout(inputs.confirmTimeoutSeconds),
    requireSecondPerson: parseBoolean('--require-second-person / HUAWEICLOUD_ER_MCP_REQUIRE_SECOND_PERSON', inputs.requireSecondPerson),
    planTtlMs: parsePlanTtl(inputs.planTtlSeconds),
    auditLogPath: parseAuditPath(inputs.auditLog, env),
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
  const v = (value ?? 'auto').trim().toLowerCase();
  if (v === 'auto' || v === 'always' || v === 'never') return v;
  throw new GuardrailSettingsError(`--confirm-writes / HUAWEICLOUD_ER_MCP_CONFIRM_WRITES must be auto, always or never (got "${value}").`);
}

export const DEFAULT_CONFIRM_TIMEOUT_SECONDS = 120;

function parseConfirmTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_CONFIRM_TIMEOUT_SECONDS * 1000;
  const seconds = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new GuardrailSettingsError(`--confirm-timeout-seconds / HUAWEICLOUD_ER_MCP_CONFIRM_TIMEOUT_SECONDS must be a number of seconds above 0 and at most 3600 (got "${value}").`);
  }
  return seconds * 1000;
}

export const DEFAULT_PLAN_TTL_SECONDS = 15 * 60;

function parsePlanTtl(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PLAN_TTL_SECONDS * 1000;
  const seconds = Number(value.trim());
  if (value.trim() === '' || !Number.isInteger(seconds) || seconds < 60 || seconds > 86_400) {
    throw new GuardrailSettingsError(`--plan-ttl-seconds / HUAWEICLOUD_ER_MCP_PLAN_TTL_SECONDS must be a whole number of seconds from 60 to 86400 (got "${value}").`);
  }
  return seconds * 1000;
}

/** `$XDG_STATE_HOME/huaweicloud-er-mcp/audit.jsonl`, else `~/.local/state/…`; "off" disables. */
function parseAuditPath(value: string | undefined, env: Record<string, string | undefined>): string | null {
  if (value !== undefined) {
    if (value.trim() === '') throw new GuardrailSettingsError('--audit-log / HUAWEICLOUD_ER_MCP_AUDIT_LOG is empty: give a file path, or "off".');
    return value.trim().toLowerCase() === 'off' ? null : value;
  }
  const stateHome = env.XDG_STATE_HOME || (env.HOME ? join(env.HOME, '.local', 'state') : undefined);
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
