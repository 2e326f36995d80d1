// `--audit-log -`: each record goes out whole through short writes and a full pipe, and a failure
// part-way says so (and cuts a redirected file back) instead of passing for a written line.
import { closeSync, constants, fstatSync, ftruncateSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/guardrails/audit.js';
import { StdoutAuditLog, type StdoutIo } from '../../src/guardrails/stdout-audit.js';
import { tempDir } from '../helpers.js';

const record = (n: number): AuditRecord => ({
  event: 'approval_requested',
  time: new Date(0).toISOString(),
  plan_id: `plan-${n}`,
  plan_sha256: 'f'.repeat(64),
  tool: 'create_route_association',
  arguments: { pad: 'x'.repeat(300) },
  region: 'cn-east-3',
  project_id: null,
  sandbox: false,
  requested_by: 'test',
  person: null,
  channel: null,
});

const lineOf = (n: number) => `${JSON.stringify(record(n))}\n`;

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: write`), { code });
}

/** A pipe that takes what `step` says for each write call: a byte count, or an error. */
function pipe(step: (call: number, length: number) => number | Error) {
  const out: Buffer[] = [];
  let calls = 0;
  const io: StdoutIo = {
    isFile: () => false,
    size: () => 0,
    truncate: () => {
      throw new Error('a pipe cannot be truncated');
    },
    write: (_fd, bytes, offset, length) => {
      const took = step(++calls, length);
      if (took instanceof Error) throw took;
      out.push(Buffer.from(bytes.subarray(offset, offset + took)));
      return took;
    },
  };
  return { io, text: () => Buffer.concat(out).toString('utf8') };
}

describe('the audit on stdout', () => {
  it('finishes short writes and waits out a full pipe: the reader gets whole lines', () => {
    const { io, text } = pipe((call, length) => (call % 3 === 2 ? errno('EAGAIN') : Math.min(length, 50)));
    const log = new StdoutAuditLog(1, io);
    log.append(record(1));
    log.append(record(2));
    expect(text()).toBe(lineOf(1) + lineOf(2));
    expect(log.problem()).toBeNull();
  });

  it('a pipe that fails before taking anything: nothing went out, and later records are refused', () => {
    const { io, text } = pipe(() => errno('EPIPE'));
    const log = new StdoutAuditLog(1, io);
    expect(() => log.append(record(1))).toThrow('writing the audit to stdout failed (EPIPE after 0 of');
    expect(log.problem()).toContain('nothing of the record went out');
    expect(() => log.append(record(2))).toThrow(log.problem()!);
    expect(text()).toBe('');
  });

  it('a pipe that fails part-way: the failure says the reader got a partial line', () => {
    const { io } = pipe((call) => (call === 1 ? 100 : errno('EPIPE')));
    const log = new StdoutAuditLog(1, io);
    expect(() => log.append(record(1))).toThrow(/EPIPE after 100 of \d+ bytes; the reader got a partial line of 100 bytes/);
  });

  it('stdout redirected to a file that fills up part-way: the file is cut back to its last whole line', () => {
    const path = join(tempDir('er-stdout-audit'), 'audit.jsonl');
    writeFileSync(path, lineOf(0));
    const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND);
    let calls = 0;
    const io: StdoutIo = {
      isFile: () => true,
      size: (f) => fstatSync(f).size,
      truncate: (f, length) => ftruncateSync(f, length),
      write: (f, bytes, offset, length) => {
        calls += 1;
        if (calls === 1) return writeSync(f, bytes, offset, Math.min(length, 120));
        throw errno('ENOSPC');
      },
    };
    const log = new StdoutAuditLog(fd, io);
    expect(() => log.append(record(1))).toThrow(/ENOSPC after 120 of \d+ bytes; the 120 bytes written were cut off the file again/);
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe(lineOf(0));
  });
});
