// The audit trail: one JSON line per write attempt, appended to a 0600 file and written through
// to the OS before the tool answers, so it survives the process being killed right after.
import { closeSync, fchmodSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export type AuditOutcome = 'succeeded' | 'failed' | 'refused' | 'declined' | 'dry_run';

export interface AuditRecord {
  time: string;
  tool: string;
  arguments: Record<string, unknown>;
  region: string;
  project_id: string;
  /** True for rehearsals against the built-in emulator. */
  sandbox: boolean;
  outcome: AuditOutcome;
  /** The rule or step that decided: read_only, allow_er_ids, confirmation_accepted, … */
  guardrail: string;
  client_token: string | null;
  request_ids: string[];
  state: string | null;
  error_code: string | null;
}

export interface AuditSink {
  /** Why writes must be refused, or null when records can be written. */
  problem(): string | null;
  append(record: AuditRecord): void;
  close(): void;
}

/** Audit disabled by `--audit-log off`: nothing is recorded, nothing is refused for it. */
export const NO_AUDIT: AuditSink = { problem: () => null, append: () => undefined, close: () => undefined };

export class FileAuditLog implements AuditSink {
  private fd: number | null = null;
  private failure: string | null = null;

  constructor(readonly path: string) {
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      this.fd = openSync(path, 'a', 0o600);
      // The mode above applies only to a new file: tighten one that already existed too.
      fchmodSync(this.fd, 0o600);
    } catch (error) {
      this.failure = `the audit log ${path} cannot be opened for appending (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    }
  }

  problem(): string | null {
    if (this.failure) return this.failure;
    try {
      fstatSync(this.fd!);
      return null;
    } catch {
      return `the audit log ${this.path} is no longer writable`;
    }
  }

  append(record: AuditRecord): void {
    if (this.fd === null) throw new Error(this.failure ?? 'audit log closed');
    try {
      writeSync(this.fd, `${JSON.stringify(record)}\n`);
    } catch (error) {
      this.failure = `writing to the audit log ${this.path} failed (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
      throw error;
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

export function openAuditLog(path: string | null): AuditSink {
  return path === null ? NO_AUDIT : new FileAuditLog(path);
}
