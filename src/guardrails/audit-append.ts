// One audit record onto the end of the file, whole or not at all, and on stable storage before the
// caller goes on. write(2) may take only part of a buffer (a nearly full disk takes what fits, then
// says ENOSPC): the rest is written until done, and if it cannot be, the bytes this append added
// are cut off again, so the file never keeps a torn line that the next record would be glued to.
import { fdatasyncSync, fstatSync, ftruncateSync, readSync, writeSync } from 'node:fs';

/** The file calls an append makes: node's, or in tests a layer that fails where a disk would. */
export interface AuditFileIo {
  /** write(2): how many bytes it took, which may be fewer than asked. */
  write(fd: number, bytes: Uint8Array, offset: number, length: number): number;
  /** pread(2) into `into`, from `position`. */
  read(fd: number, into: Uint8Array, position: number): number;
  size(fd: number): number;
  /** fdatasync(2): the data, and the size that reaches it, on stable storage. */
  sync(fd: number): void;
  truncate(fd: number, length: number): void;
}

export const NODE_FILE_IO: AuditFileIo = {
  write: (fd, bytes, offset, length) => writeSync(fd, bytes, offset, length),
  read: (fd, into, position) => readSync(fd, into, 0, into.length, position),
  size: (fd) => fstatSync(fd).size,
  sync: (fd) => fdatasyncSync(fd),
  truncate: (fd, length) => ftruncateSync(fd, length),
};

/** A write that stopped part-way: `written` bytes of the buffer went out before `cause`. */
export class PartialWriteError extends Error {
  constructor(
    readonly written: number,
    readonly total: number,
    override readonly cause: unknown,
  ) {
    super(`${errorCode(cause)} after ${written} of ${total} bytes`);
  }
}

/**
 * Writes all of `bytes`, through short writes. `again` decides whether a failed call is tried
 * once more (stdout's full pipe); otherwise the failure ends it as a PartialWriteError.
 */
export function writeFully(write: AuditFileIo['write'], fd: number, bytes: Uint8Array, again: (error: unknown) => boolean = () => false): void {
  let written = 0;
  while (written < bytes.length) {
    let took: number;
    try {
      took = write(fd, bytes, written, bytes.length - written);
    } catch (error) {
      if (again(error)) continue;
      throw new PartialWriteError(written, bytes.length, error);
    }
    // A write that takes nothing would loop for ever: a disk that takes nothing is full.
    if (!(took > 0)) throw new PartialWriteError(written, bytes.length, Object.assign(new Error('the write took no bytes'), { code: 'ENOSPC' }));
    written += took;
  }
}

/** The append failed; `cutBack` says what became of the bytes it had already added. */
export class AuditAppendError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly cutBack: string,
  ) {
    super(`${cause instanceof PartialWriteError ? cause.message : errorCode(cause)}; ${cutBack}`);
  }
}

const NEWLINE = 0x0a;

/**
 * Appends `line` (one JSON record and its newline) to the file behind `fd`, which was opened
 * O_APPEND and readable, then fdatasyncs it. Returns true when the file did not end with a
 * newline (a process stopped in the middle of a line) and the record was started on a new line,
 * so it is never glued to that fragment.
 *
 * The cut-back truncates to the size the file had before this append. That is only this
 * append's bytes if nothing else was appended meanwhile: one server writes its file, but every
 * stdio server of a user shares the default path, so before cutting the size is checked to be
 * exactly what this append made it; if it is not, another process wrote after these bytes, and
 * cutting would destroy its record, so the torn bytes are left and the error says where.
 */
export function appendWhole(fd: number, line: Buffer, io: AuditFileIo): boolean {
  const before = io.size(fd);
  const unterminated = before > 0 && lastByte(fd, before, io) !== NEWLINE;
  const bytes = unterminated ? Buffer.concat([Buffer.of(NEWLINE), line]) : line;
  try {
    writeFully(io.write, fd, bytes);
    io.sync(fd);
  } catch (error) {
    const written = error instanceof PartialWriteError ? error.written : bytes.length;
    throw new AuditAppendError(error, cutBack(fd, before, written, io));
  }
  return unterminated;
}

function lastByte(fd: number, size: number, io: AuditFileIo): number | undefined {
  const one = Buffer.alloc(1);
  return io.read(fd, one, size - 1) === 1 ? one[0] : undefined;
}

/** Takes the `written` bytes appended at `before` off the file again, if they are still its end. */
function cutBack(fd: number, before: number, written: number, io: AuditFileIo): string {
  if (written === 0) return 'nothing of the record reached the file';
  try {
    const now = io.size(fd);
    if (now !== before + written) {
      return `a partial record of ${written} bytes may remain at byte ${before}: the file grew to ${now} bytes meanwhile, so another process writes to it too and it was not cut`;
    }
    io.truncate(fd, before);
  } catch (error) {
    return `a partial record of ${written} bytes remains at byte ${before}: cutting it off failed (${errorCode(error)})`;
  }
  try {
    // The cut itself should outlast a power loss as the record would have; if it cannot, the
    // next record still starts on a line of its own (see appendWhole).
    io.sync(fd);
  } catch {
    // Already failing: the error that matters is the one being reported.
  }
  return `the ${written} bytes written were cut off again`;
}

export function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code) return code;
  return error instanceof Error ? error.message : String(error);
}
