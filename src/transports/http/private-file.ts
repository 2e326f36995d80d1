// A file that holds something only this server should read (token hashes, a client secret): read
// only when it is a regular file that no one but its owner can read or write, and not too large.
// Files that others may read but only their owner may change (the policy) use the same checks with
// a looser mode rule.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';

export class PrivateFileError extends Error {
  override name = 'PrivateFileError';
}

/** Permission bits a file must not have, and what the refusal says about them. */
export interface ModeRule {
  forbidden: number;
  /** E.g. "readable or writable by group or others". */
  problem: string;
  /** E.g. "run chmod 600 on it". */
  fix: string;
}

/** Secrets: neither group nor others may read or write. */
export const OWNER_ONLY: ModeRule = { forbidden: 0o077, problem: 'readable or writable by group or others', fix: 'run chmod 600 on it' };

/**
 * The file's text. `what` names it in every refusal (the path and the setting it came from); no
 * refusal quotes the content, which may be a secret.
 */
export function readPrivateFile(path: string, what: string, maxBytes: number, modes: ModeRule = OWNER_ONLY): string {
  let link: Stats;
  try {
    link = lstatSync(path);
  } catch (error) {
    throw new PrivateFileError(`${what} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  }
  // A symlink could be pointed elsewhere by whoever owns the directory it lives in.
  if (link.isSymbolicLink()) throw new PrivateFileError(`${what} is a symbolic link: give the real file's path.`);
  // Before opening: opening a named pipe waits for a writer (start-up would hang), a device such
  // as /dev/zero never ends, and a file far over the limit is the wrong file.
  refuseUnlessSmallRegularFile(link, what, maxBytes);
  let fd: number | undefined;
  try {
    // O_NOFOLLOW and fstat on the opened file: the checks hold for what is actually read.
    // O_NONBLOCK: should the path become a named pipe after the check, opening it does not wait.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    refuseUnlessSmallRegularFile(stat, what, maxBytes);
    if ((stat.mode & modes.forbidden) !== 0) {
      throw new PrivateFileError(`${what} is ${modes.problem} (mode ${(stat.mode & 0o777).toString(8)}): ${modes.fix}.`);
    }
    return readAtMost(fd, maxBytes, what);
  } catch (error) {
    if (error instanceof PrivateFileError) throw error;
    throw new PrivateFileError(`${what} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function refuseUnlessSmallRegularFile(stat: Stats, what: string, maxBytes: number): void {
  if (!stat.isFile()) throw new PrivateFileError(`${what} is ${kindOf(stat)}, not a regular file: give the file itself.`);
  if (stat.size > maxBytes) throw new PrivateFileError(`${what} is larger than ${maxBytes} bytes (${stat.size}): is it the right file?`);
}

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'something other than a file';
}

/** Reads up to one byte past the limit, so a file that grew after fstat is refused as well. */
function readAtMost(fd: number, maxBytes: number, what: string): string {
  const buffer = Buffer.alloc(maxBytes + 1);
  let length = 0;
  while (length < buffer.length) {
    const read = readSync(fd, buffer, length, buffer.length - length, null);
    if (read === 0) break;
    length += read;
  }
  if (length > maxBytes) throw new PrivateFileError(`${what} is larger than ${maxBytes} bytes.`);
  return buffer.toString('utf8', 0, length);
}
