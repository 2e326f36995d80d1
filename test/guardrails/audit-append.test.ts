// One audit record onto the file: whole through short writes, fdatasync'ed, and cut off again when
// it cannot be finished, so no torn line is left for the next record to be glued to.
import { closeSync, constants, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditAppendError, type AuditFileIo, appendWhole, NODE_FILE_IO } from '../../src/guardrails/audit-append.js';
import { type AttemptRecord, FileAuditLog } from '../../src/guardrails/audit.js';
import { tempDir } from '../helpers.js';
import { intentRecord } from './audit-records.js';

const EARLIER = '{"event":"earlier","n":1}\n{"event":"earlier","n":2}\n';

function enospc(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

/** An audit file that already holds two whole records, opened as the log opens it. */
function openWithEarlier(): { path: string; fd: number } {
  const path = join(tempDir('er-append'), 'audit.jsonl');
  writeFileSync(path, EARLIER, { mode: 0o600 });
  return { path, fd: openSync(path, constants.O_RDWR | constants.O_APPEND) };
}

/** Node's file calls, with writes that take at most `max` bytes, and a count of each call. */
function shortWrites(max: number, fail?: { afterBytes: number; error: () => Error }) {
  const calls = { write: 0, sync: 0, truncate: 0 };
  let taken = 0;
  const io: AuditFileIo = {
    ...NODE_FILE_IO,
    write: (fd, bytes, offset, length) => {
      calls.write += 1;
      if (fail && taken >= fail.afterBytes) throw fail.error();
      const took = writeSync(fd, bytes, offset, Math.min(length, max, fail ? fail.afterBytes - taken : Infinity));
      taken += took;
      return took;
    },
    sync: (fd) => {
      calls.sync += 1;
      NODE_FILE_IO.sync(fd);
    },
    truncate: (fd, length) => {
      calls.truncate += 1;
      NODE_FILE_IO.truncate(fd, length);
    },
  };
  return { io, calls };
}

const line = (n: number) => Buffer.from(`${JSON.stringify({ event: 'intent', attempt_id: `attempt-${n}`, pad: 'x'.repeat(500) })}\n`);

describe('a record is written whole', () => {
  it('finishes short writes: a writer taking 7 bytes at a time still leaves the whole line, then syncs once', () => {
    const { path, fd } = openWithEarlier();
    const { io, calls } = shortWrites(7);
    appendWhole(fd, line(1), io);
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe(EARLIER + line(1).toString());
    expect(calls.write).toBe(Math.ceil(line(1).length / 7));
    expect(calls.sync).toBe(1);
  });

  it('a short write then ENOSPC: the error says how far it got, and the file is cut back to its last whole record', () => {
    const { path, fd } = openWithEarlier();
    const { io, calls } = shortWrites(Infinity, { afterBytes: 262, error: enospc });
    const thrown = (() => {
      try {
        appendWhole(fd, line(1), io);
      } catch (error) {
        return error;
      }
    })();
    closeSync(fd);
    expect(thrown).toBeInstanceOf(AuditAppendError);
    expect((thrown as Error).message).toBe(`ENOSPC after 262 of ${line(1).length} bytes; the 262 bytes written were cut off again`);
    expect(readFileSync(path, 'utf8')).toBe(EARLIER);
    expect(calls.truncate).toBe(1);
  });

  it('a write that takes nothing fails instead of looping for ever, and leaves the file as it was', () => {
    const { path, fd } = openWithEarlier();
    const io: AuditFileIo = { ...NODE_FILE_IO, write: () => 0 };
    expect(() => appendWhole(fd, line(1), io)).toThrow(/^ENOSPC after 0 of \d+ bytes; nothing of the record reached the file$/);
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe(EARLIER);
  });

  it('a record written whole that cannot be synced is cut off again: it is not known to be on disk', () => {
    const { path, fd } = openWithEarlier();
    const io: AuditFileIo = {
      ...NODE_FILE_IO,
      sync: () => {
        throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      },
    };
    expect(() => appendWhole(fd, line(1), io)).toThrow(`EIO; the ${line(1).length} bytes written were cut off again`);
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe(EARLIER);
  });

  it('does not cut when another process appended after the torn bytes: its record stays, the error says where the torn one is', () => {
    const { path, fd } = openWithEarlier();
    const other = openSync(path, constants.O_WRONLY | constants.O_APPEND);
    let calls = 0;
    const io: AuditFileIo = {
      ...NODE_FILE_IO,
      write: (f, bytes, offset) => {
        calls += 1;
        if (calls === 1) return writeSync(f, bytes, offset, 100);
        // Another server on the same file appends a whole record between this one's two writes.
        writeSync(other, '{"event":"other"}\n');
        throw enospc();
      },
    };
    expect(() => appendWhole(fd, line(1), io)).toThrow(`ENOSPC after 100 of ${line(1).length} bytes; a partial record of 100 bytes may remain at byte ${EARLIER.length}`);
    closeSync(fd);
    closeSync(other);
    expect(readFileSync(path, 'utf8')).toBe(`${EARLIER}${line(1).subarray(0, 100).toString()}{"event":"other"}\n`);
  });

  it('a file that ends in a partial line (a process stopped mid-line) gets the record on a line of its own', () => {
    const { path, fd } = openWithEarlier();
    writeSync(fd, '{"event":"torn","pa');
    expect(appendWhole(fd, line(1), NODE_FILE_IO)).toBe(true);
    expect(appendWhole(fd, line(2), NODE_FILE_IO)).toBe(false);
    closeSync(fd);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.slice(2)).toEqual(['{"event":"torn","pa', line(1).toString().trimEnd(), line(2).toString().trimEnd(), '']);
  });
});


describe('the audit file log', () => {
  it('syncs every record before append returns', () => {
    const path = join(tempDir('er-append'), 'audit.jsonl');
    const { io, calls } = shortWrites(Infinity);
    const log = new FileAuditLog(path, { io });
    for (let n = 1; n <= 3; n++) log.append(intentRecord(n));
    log.close();
    expect(calls.sync).toBe(3);
    expect(readFileSync(path, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as AttemptRecord).attempt_id)).toEqual(['attempt-1', 'attempt-2', 'attempt-3']);
  });

  it('after a record it could not write, says why and refuses every later one; the file keeps only whole records', () => {
    const path = join(tempDir('er-append'), 'audit.jsonl');
    const first = Buffer.byteLength(`${JSON.stringify(intentRecord(1))}\n`);
    const { io } = shortWrites(Infinity, { afterBytes: first + 40, error: enospc });
    const log = new FileAuditLog(path, { io });
    log.append(intentRecord(1));
    expect(() => log.append(intentRecord(2))).toThrow(/ENOSPC after 40 of \d+ bytes/);
    expect(log.problem()).toMatch(/^writing to the audit log .*audit\.jsonl failed \(ENOSPC after 40 of \d+ bytes; the 40 bytes written were cut off again\)$/);
    expect(() => log.append(intentRecord(3))).toThrow(log.problem()!);
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(intentRecord(1))}\n`);
    log.close();
  });

  it('tells when it finds the file ending in a partial line', () => {
    const path = join(tempDir('er-append'), 'audit.jsonl');
    writeFileSync(path, '{"event":"torn"', { mode: 0o600 });
    const told: string[] = [];
    const log = new FileAuditLog(path, { notice: (m) => told.push(m) });
    log.append(intentRecord(1));
    log.close();
    expect(told.join(' ')).toContain('ended in a partial line');
    expect(readFileSync(path, 'utf8')).toBe(`{"event":"torn"\n${JSON.stringify(intentRecord(1))}\n`);
  });
});
