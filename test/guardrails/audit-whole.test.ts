// Issue 20: a record that cannot be written whole must not pass for written. An intent that does
// not fit refuses the write (nothing is sent); an outcome that does not fit puts audit_warning in
// the answer and a line on stderr; either way the file keeps only whole JSON lines.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, isWrite } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { type AuditFileIo, NODE_FILE_IO } from '../../src/guardrails/audit-append.js';
import { type AuditRecord, type AuditSink, FileAuditLog, openAuditLog } from '../../src/guardrails/audit.js';
import { connectInMemory, errorOf, type InMemoryHarness, startTestEmulator, tempDir, textOf, WITHOUT_APPROVAL } from '../helpers.js';

const createArgs = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };

let emulator: Emulator | undefined;
let harness: InMemoryHarness | undefined;
let failingLog: FileAuditLog | undefined;

afterEach(async () => {
  await harness?.close();
  await emulator?.close();
  failingLog?.close();
  harness = undefined;
  emulator = undefined;
  failingLog = undefined;
});

/** Every line of the file is a whole JSON record (and the file ends a line). */
function wholeRecords(path: string): AuditRecord[] {
  const text = readFileSync(path, 'utf8');
  if (text !== '') expect(text.endsWith('\n'), 'the audit file ends in a partial line').toBe(true);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord);
}

/** A logger like the server's, into memory: what the server would have said on stderr. */
function capturedLog() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

describe('a nearly full disk (a 64 KiB tmpfs)', () => {
  let mount: string;
  let auditPath: string;
  let mounted = false;
  let audit: AuditSink | undefined;
  /** The whole records the file held before the write. */
  let before: string;

  beforeAll(() => {
    // Fails, not skips: without root this test would prove nothing, and CI runs as root.
    if (process.getuid?.() !== 0) throw new Error('this test mounts a tmpfs (mount -t tmpfs) and must run as root, as CI does; it cannot check a full disk otherwise');
    mount = join(tempDir('er-audit-tmpfs'), 'mnt');
    mkdirSync(mount);
    // mode=0700: the audit refuses a directory others can write to (a fresh tmpfs is 1777).
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mount]);
    mounted = true;
    auditPath = join(mount, 'audit.jsonl');
    // Earlier whole records filling the file's first 4 KiB page but for 100 bytes…
    const size = 4096 - 100;
    let text = '';
    for (let n = 0; text.length < size - 60; n++) text += `${JSON.stringify({ event: 'earlier', n })}\n`;
    text += `${JSON.stringify({ event: 'earlier', pad: '' })}\n`.replace('""', `"${'p'.repeat(size - text.length - 29)}"`);
    expect(text.length).toBe(size);
    writeFileSync(auditPath, text, { mode: 0o600 });
    before = text;
    // …and every other page taken: an intent line (500+ bytes) gets 100 bytes in, then ENOSPC.
    const filler = openSync(join(mount, 'filler'), 'w');
    const page = Buffer.alloc(4096, 0x41);
    try {
      for (;;) writeSync(filler, page);
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(filler);
    }
  });

  afterAll(() => {
    // Its open file would keep the mount busy.
    audit?.close();
    if (mounted) execFileSync('umount', [mount]);
    if (mount) rmdirSync(mount);
  });

  it('refuses the write with AUDIT_UNAVAILABLE, sends nothing, and leaves only whole lines', async () => {
    emulator = await startTestEmulator();
    const { log, lines } = capturedLog();
    audit = openAuditLog(auditPath);
    harness = await connectInMemory(emulator, { settings: WITHOUT_APPROVAL, audit, env: { log } });

    const error = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: createArgs }));
    expect(error.error_code).toBe('AUDIT_UNAVAILABLE');
    expect(String(error.error_msg)).toMatch(/could not be written to the audit log \(.*ENOSPC after 100 of \d+ bytes; the 100 bytes written were cut off again\)+, so it was not sent/);
    expect(emulator.requests.filter(isWrite)).toEqual([]);
    expect(readFileSync(auditPath, 'utf8')).toBe(before);
    expect(statSync(auditPath).size).toBe(before.length);
    expect(wholeRecords(auditPath)).toHaveLength(before.split('\n').length - 1);
    expect(lines).toContainEqual(expect.objectContaining({ level: 50, msg: expect.stringContaining('could not write the audit intent'), err: expect.stringContaining('ENOSPC') }));

    // And the next write is refused before anything, the log still being unusable.
    const again = errorOf(await harness.client.callTool({ name: 'delete_route_association', arguments: { ...createArgs, attachment_id: SANDBOX_IDS.webVpc } }));
    expect(again.error_code).toBe('AUDIT_UNAVAILABLE');
    expect(emulator.requests.filter(isWrite)).toEqual([]);
    expect(readFileSync(auditPath, 'utf8')).toBe(before);
  });
});

/** Node's file calls, except that the `failing`-th record (counted from 1) gets `partial` bytes in, then ENOSPC. */
function diskFullAt(failing: number, partial: number): AuditFileIo {
  let records = 0;
  let written = 0;
  return {
    ...NODE_FILE_IO,
    write: (fd, bytes, offset, length) => {
      // A record's first write starts at its first byte.
      if (offset === 0) records += 1;
      if (records !== failing) return NODE_FILE_IO.write(fd, bytes, offset, length);
      if (written >= partial) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      const took = NODE_FILE_IO.write(fd, bytes, offset, Math.min(length, partial - written));
      written += took;
      return took;
    },
  };
}

async function setUpFailing(failing: number, partial: number) {
  emulator = await startTestEmulator();
  const auditPath = join(tempDir('er-audit-whole'), 'audit.jsonl');
  const { log, lines } = capturedLog();
  failingLog = new FileAuditLog(auditPath, { io: diskFullAt(failing, partial) });
  harness = await connectInMemory(emulator, { settings: WITHOUT_APPROVAL, audit: failingLog, env: { log } });
  return { auditPath, lines, emulator, harness };
}

describe('a record that fails part-way through its write', () => {
  it('the intent: nothing is sent, the answer says why, and the file is cut back', async () => {
    const { auditPath, lines, emulator, harness } = await setUpFailing(1, 262);
    const error = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: createArgs }));
    expect(error).toMatchObject({ error_code: 'AUDIT_UNAVAILABLE', retryable: false });
    expect(String(error.error_msg)).toContain('ENOSPC after 262 of');
    expect(String(error.error_msg)).toContain('so it was not sent');
    expect(emulator.requests.filter(isWrite)).toEqual([]);
    expect(readFileSync(auditPath, 'utf8')).toBe('');
    expect(lines).toContainEqual(expect.objectContaining({ msg: expect.stringContaining('could not write the audit intent'), tool: 'create_route_association' }));
  });

  it('the outcome of a write that succeeded: the answer is ok and carries audit_warning; stderr says so; the intent stays whole', async () => {
    const { auditPath, lines, emulator, harness } = await setUpFailing(2, 262);
    // The SDK's client checks structuredContent against the tool's output schema: audit_warning is in it.
    const result = (await harness.client.callTool({ name: 'create_route_association', arguments: createArgs })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    const answer = result.structuredContent as Record<string, unknown>;
    expect(answer).toMatchObject({ dry_run: false, made_by_this_call: true, association: expect.objectContaining({ state: 'pending' }) });
    expect(answer.audit_warning).toMatch(/^WARNING: the outcome of this call \(succeeded\) could not be written to the audit log: .*ENOSPC after 262 of \d+ bytes; the 262 bytes written were cut off again/);
    expect(JSON.parse(textOf(result))).toEqual(answer);
    expect(emulator.requests.filter(isWrite)).toHaveLength(1);
    const records = wholeRecords(auditPath);
    expect(records).toEqual([expect.objectContaining({ event: 'intent', tool: 'create_route_association' })]);
    const intent = records[0] as { attempt_id: string };
    expect(lines).toContainEqual(expect.objectContaining({ level: 50, msg: expect.stringContaining('could not write the audit record'), event: 'outcome', outcome: 'succeeded', attempt_id: intent.attempt_id }));
  });

  it('the outcome of a write that failed: the isError JSON carries audit_warning too', async () => {
    const { auditPath, emulator, harness } = await setUpFailing(2, 10);
    const error = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: { ...createArgs, route_table_id: 'no-such-table' } }));
    expect(error.error_code).toBe('ER.04045001');
    expect(error.audit_warning).toMatch(/^WARNING: the outcome of this call \(failed\) could not be written to the audit log/);
    expect(emulator.requests.filter(isWrite)).toHaveLength(1);
    expect(wholeRecords(auditPath).map((r) => r.event)).toEqual(['intent']);
  });

  it('the outcome of a refusal, the only line such a call has: the refusal carries audit_warning', async () => {
    const { auditPath, emulator, harness } = await setUpFailing(1, 50);
    const error = errorOf(await harness.client.callTool({ name: 'create_route_association', arguments: { ...createArgs, dry_run: true, plan_id: `plan-${'a'.repeat(32)}` } }));
    expect(error.error_code).toBe('INVALID_ARGUMENTS');
    expect(error.audit_warning).toMatch(/\(refused\) could not be written/);
    expect(emulator.requests).toEqual([]);
    expect(readFileSync(auditPath, 'utf8')).toBe('');
  });
});
