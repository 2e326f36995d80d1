// `--audit-log -`: the audit as JSON lines on stdout, for a log pipeline (a container's stdout)
// when stdout does not carry MCP (serve --http). Written synchronously like the file, so a line is
// out of the process before the write it describes goes on.
import { writeSync } from 'node:fs';
import type { AuditRecord, AuditSink } from './audit.js';

/** The --audit-log value that means stdout. */
export const STDOUT_AUDIT = '-';

/** A full pipe is waited on this long in all before the audit counts as broken. */
const MAX_BLOCKED_MS = 5_000;
const RETRY_MS = 10;

export class StdoutAuditLog implements AuditSink {
  private failure: string | null = null;

  constructor(private readonly fd = 1) {}

  problem(): string | null {
    return this.failure;
  }

  append(record: AuditRecord): void {
    if (this.failure) throw new Error(this.failure);
    try {
      writeAll(this.fd, Buffer.from(`${JSON.stringify(record)}\n`, 'utf8'));
    } catch (error) {
      this.failure = `writing the audit to stdout failed (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
      throw error;
    }
  }

  close(): void {
    this.failure ??= 'the audit log is closed';
  }
}

/** Every byte, through partial writes and a pipe that is full for a moment (EAGAIN). */
function writeAll(fd: number, bytes: Buffer): void {
  let offset = 0;
  let blockedMs = 0;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || blockedMs >= MAX_BLOCKED_MS) throw error;
      Atomics.wait(pause, 0, 0, RETRY_MS);
      blockedMs += RETRY_MS;
    }
  }
}
