// The audit trail: JSON lines appended to a 0600 file. A write is recorded twice: its intent
// before the first request leaves, its outcome after. Every record is whole and fdatasync'ed before
// append returns (audit-append.ts), or append throws and the file is as it was: the intent is then
// on stable storage before the request it announces leaves. The file is opened without following
// links and checked again (device, inode) before every record, so a rotated or deleted log is
// reopened instead of written into the void, and a link planted in its place is refused.
import { closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, type Stats, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { type AuditFileIo, AuditAppendError, appendWhole, NODE_FILE_IO } from './audit-append.js';
import { STDOUT_AUDIT, StdoutAuditLog } from './stdout-audit.js';

/**
 * succeeded: this call changed something. no_change: what was asked already held. failed: nothing
 * was applied. may_have_been_applied: the request may have reached the API and no answer settled it.
 */
export type AuditOutcome = 'succeeded' | 'no_change' | 'failed' | 'may_have_been_applied' | 'refused' | 'declined' | 'confirmation_failed' | 'approval_required' | 'dry_run';

/** What both lines of one attempt carry. */
export interface AuditSubject {
  /** Ties an intent to its outcome. */
  attempt_id: string;
  tool: string;
  arguments: Record<string, unknown>;
  client_token: string | null;
  region: string;
  project_id: string | null;
  /** Who called: the stdio user, or the HTTP caller's token name or subject. */
  caller: string;
  /** True for rehearsals against the built-in emulator. */
  sandbox: boolean;
  /** The rule or step that decided: read_only, allow_er_ids, approved, plan_stale, approval_required, policy_denied, … */
  guardrail: string;
  /** With a policy: the permission rule that allowed the write, or the closest one that did not (null: no rule names the caller). */
  policy_rule?: string | null;
  /** With a policy: the invariants the planned change would break (a refusal, or a dry run that shows them). */
  policy_violations?: string[];
}

/** What a policy adds to the audit lines of a write. */
export type PolicyAudit = Pick<AuditSubject, 'policy_rule' | 'policy_violations'>;

/** The plan a write was made from, and who let it through. */
export interface PlanApproval {
  /** null when no plan was made: the operator chose --confirm-writes never and the agent gave no plan_id. */
  plan_id: string | null;
  /** SHA-256 of the plan text the person saw (the approval form's message, the page's text). */
  plan_sha256: string | null;
  requested_by: string;
  /** null when nobody was asked (approval_channel "none"). */
  approved_by: string | null;
  approval_channel: 'form' | 'url' | 'page' | 'none';
}

/** Written before the first request of a write: if no outcome follows, it may have been applied. */
export interface IntentRecord extends AuditSubject, PlanApproval {
  event: 'intent';
  time: string;
}

/** A person was asked to decide on a plan, decided, or the plan expired undecided. */
export interface ApprovalRecord {
  event: 'approval_requested' | 'approved' | 'rejected' | 'approval_expired';
  time: string;
  plan_id: string;
  plan_sha256: string;
  tool: string;
  arguments: Record<string, unknown>;
  region: string;
  project_id: string | null;
  sandbox: boolean;
  /** Who asked for the change. */
  requested_by: string;
  /** Who decided (approved, rejected); null for a request or an expiry. */
  person: string | null;
  /** Through what: the client's form, a URL elicitation's page, the page, or null while undecided. */
  channel: 'form' | 'url' | 'page' | null;
  /** With a policy: the rule that allowed the change, and whether it asks for a second person. */
  policy_rule?: string;
  second_person_required?: boolean;
}

/** The check after a change settled, on the same attempt_id as its intent and outcome. */
export interface VerificationRecord extends AuditSubject {
  event: 'verification';
  time: string;
  plan_id: string;
  outcome: 'verified' | 'verification_differs' | 'not_verified';
  differences: unknown[];
  differences_count: number;
  note?: string;
  /** With a policy that has invariants: how many apply on the router, and those not holding on the routes after the change. */
  invariants_checked?: number;
  invariants_broken?: Array<{ name: string; line: number; kind: string; message: string; unknown?: boolean }>;
  /** "POLICY VIOLATION after the change: …" when an invariant is broken. */
  policy_violation?: string;
  /** Why the invariants could not be checked. */
  invariants_note?: string;
}

export interface OutcomeRecord extends AuditSubject, Partial<PlanApproval> {
  event: 'outcome';
  time: string;
  outcome: AuditOutcome;
  /** Every request id the API gave during the call, look-ups included. */
  request_ids: string[];
  state: string | null;
  error_code: string | null;
  note?: string;
}

export type AuditRecord = IntentRecord | OutcomeRecord | ApprovalRecord | VerificationRecord;

/** The two lines of one write attempt. */
export type AttemptRecord = IntentRecord | OutcomeRecord;

export interface AuditSink {
  /** Why writes must be refused, or null when records can be written. */
  problem(): string | null;
  /**
   * Returns once the record is written whole (and, for a file, on stable storage). Throws when it
   * could not be, having left no part of it behind where that can be done; later writes are then refused.
   */
  append(record: AuditRecord): void;
  close(): void;
}

/** Audit disabled by `--audit-log off`: nothing is recorded, nothing is refused for it. */
export const NO_AUDIT: AuditSink = { problem: () => null, append: () => undefined, close: () => undefined };

// O_NONBLOCK: a FIFO planted at the path must fail or be refused, not hang start-up waiting for a
// reader; on a regular file it changes nothing. O_RDWR, not O_WRONLY: an append reads the last
// byte to see whether the file ends a line. O_APPEND: every write lands at the end, whoever else
// appends (every stdio server of a user shares the default path).
const OPEN_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export interface FileAuditOptions {
  /** Told when the file was rotated or deleted and is reopened, or ended in a torn line (stderr in the server). */
  notice?: (message: string) => void;
  /** The file calls appends make: node's, unless a test puts a failing disk in their place. */
  io?: AuditFileIo;
}

export class FileAuditLog implements AuditSink {
  private fd: number | null = null;
  private opened?: Stats;
  private failure: string | null = null;
  private readonly notice: (message: string) => void;
  private readonly io: AuditFileIo;

  constructor(
    readonly path: string,
    options: FileAuditOptions = {},
  ) {
    this.notice = options.notice ?? (() => undefined);
    this.io = options.io ?? NODE_FILE_IO;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      this.open();
    } catch (error) {
      this.failure = `the audit log ${path} cannot be used (${reason(error)})`;
    }
  }

  problem(): string | null {
    if (this.failure) return this.failure;
    try {
      this.ensureCurrent();
      return null;
    } catch (error) {
      this.failure = `the audit log ${this.path} is no longer usable (${reason(error)})`;
      return this.failure;
    }
  }

  append(record: AuditRecord): void {
    if (this.failure) throw new Error(this.failure);
    try {
      this.ensureCurrent();
      if (appendWhole(this.fd!, Buffer.from(`${JSON.stringify(record)}\n`, 'utf8'), this.io)) {
        this.notice(`the audit log ${this.path} ended in a partial line (a process stopped while writing it?): the next record was started on a new line`);
      }
    } catch (error) {
      this.failure = `writing to the audit log ${this.path} failed (${reason(error)})`;
      throw error;
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.failure ??= 'the audit log is closed';
  }

  private open(): void {
    checkDirectory(dirname(this.path));
    // O_NOFOLLOW: a symlink at the path (dangling or not) fails with ELOOP instead of being followed.
    const fd = openSync(this.path, OPEN_FLAGS, 0o600);
    try {
      const stats = fstatSync(fd);
      if (!stats.isFile()) throw new AuditPathError('it is not a regular file');
      // The mode above applies only to a new file: tighten one that already existed too.
      fchmodSync(fd, 0o600);
      if (this.fd !== null) closeSync(this.fd);
      this.fd = fd;
      this.opened = stats;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** Reopens the path when it no longer leads to the open file (rotated, deleted). */
  private ensureCurrent(): void {
    let now: Stats | undefined;
    try {
      now = lstatSync(this.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (now && this.opened && now.dev === this.opened.dev && now.ino === this.opened.ino) return;
    if (now?.isSymbolicLink()) throw new AuditPathError('the path is now a symbolic link');
    this.open();
    this.notice(`the audit log ${this.path} was ${now ? 'replaced (rotated?)' : 'deleted'}: reopened it${now ? '' : ' as a new file'}`);
  }
}

/** A directory others can write to lets them swap the log for something else. */
function checkDirectory(dir: string): void {
  const stats = statSync(dir);
  if (!stats.isDirectory()) throw new AuditPathError(`${dir} is not a directory`);
  if ((stats.mode & 0o022) !== 0) throw new AuditPathError(`its directory ${dir} is writable by group or others (chmod go-w it)`);
}

class AuditPathError extends Error {}

function reason(error: unknown): string {
  if (error instanceof AuditPathError || error instanceof AuditAppendError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return 'it is a symbolic link, which is not followed';
  return code ?? String(error);
}

export function openAuditLog(path: string | null, notice?: (message: string) => void): AuditSink {
  if (path === STDOUT_AUDIT) return new StdoutAuditLog();
  return path === null ? NO_AUDIT : new FileAuditLog(path, { notice });
}
