// `--audit-log -`: the audit as JSON lines on stdout, for a log pipeline (a container's stdout)
// when stdout does not carry MCP (serve --http). Written synchronously like the file, so a line is
// out of the process before the write it describes goes on. Not fsync'ed: stdout is a pipe or a
// socket, and keeping what it carries is the pipeline's job.
//
// A line is never left torn where that can be helped: each record goes out in one write(2), which
// a pipe takes whole or not at all up to PIPE_BUF (4 KiB: every intent and outcome line); a longer
// one that the pipe takes in parts is finished through short writes and a full pipe. If it still
// fails part-way, a regular file (`-` redirected to one) is cut back to where the record began; on a
// pipe the bytes are gone, so the failure says how much of a line the reader got.
import { fstatSync } from 'node:fs';
import { type AuditFileIo, errorCode, NODE_FILE_IO, PartialWriteError, writeFully } from './audit-append.js';
import type { AuditRecord, AuditSink } from './audit.js';

/** The --audit-log value that means stdout. */
export const STDOUT_AUDIT = '-';

/** A full pipe is waited on this long in all before the audit counts as broken. */
const MAX_BLOCKED_MS = 5_000;
const RETRY_MS = 10;

/** The calls stdout's audit makes; `isFile` tells a redirect to a file from a pipe or a socket. */
export type StdoutIo = Pick<AuditFileIo, 'write' | 'size' | 'truncate'> & { isFile(fd: number): boolean };

const NODE_STDOUT_IO: StdoutIo = { ...NODE_FILE_IO, isFile: (fd) => fstatSync(fd).isFile() };

export class StdoutAuditLog implements AuditSink {
  private failure: string | null = null;

  constructor(
    private readonly fd = 1,
    private readonly io: StdoutIo = NODE_STDOUT_IO,
  ) {}

  problem(): string | null {
    return this.failure;
  }

  append(record: AuditRecord): void {
    if (this.failure) throw new Error(this.failure);
    let before: number | null = null;
    try {
      before = this.io.isFile(this.fd) ? this.io.size(this.fd) : null;
      writeFully(this.io.write, this.fd, Buffer.from(`${JSON.stringify(record)}\n`, 'utf8'), waitWhileFull());
    } catch (error) {
      this.failure = `writing the audit to stdout failed (${describe(error)}${error instanceof PartialWriteError ? `; ${this.cutBack(before, error.written)}` : ''})`;
      throw new Error(this.failure, { cause: error });
    }
  }

  close(): void {
    this.failure ??= 'the audit log is closed';
  }

  private cutBack(before: number | null, written: number): string {
    if (written === 0) return 'nothing of the record went out';
    if (before === null) return `the reader got a partial line of ${written} bytes, which cannot be taken back from a pipe`;
    try {
      const now = this.io.size(this.fd);
      if (now !== before + written) return `a partial line of ${written} bytes may remain at byte ${before} of the file: it grew meanwhile, so it was not cut`;
      this.io.truncate(this.fd, before);
      return `the ${written} bytes written were cut off the file again`;
    } catch (cut) {
      return `a partial line of ${written} bytes remains at byte ${before} of the file: cutting it off failed (${errorCode(cut)})`;
    }
  }
}

function describe(error: unknown): string {
  return error instanceof PartialWriteError ? error.message : errorCode(error);
}

/** Tries a write again while the pipe is full (EAGAIN on a non-blocking stdout), for a bounded time in all. */
function waitWhileFull(): (error: unknown) => boolean {
  let blockedMs = 0;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  return (error) => {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || blockedMs >= MAX_BLOCKED_MS) return false;
    Atomics.wait(pause, 0, 0, RETRY_MS);
    blockedMs += RETRY_MS;
    return true;
  };
}
