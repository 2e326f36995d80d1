// The audit file itself: never through a link, never in a directory others can write, and
// followed to its new self when rotated or deleted.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AttemptRecord, FileAuditLog } from '../../src/guardrails/audit.js';
import { tempDir } from '../helpers.js';
import { intentRecord } from './audit-records.js';


const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as AttemptRecord).attempt_id);

describe('where the audit log may live', () => {
  it('refuses a symbolic link to a regular file', () => {
    const dir = tempDir('er-audit');
    writeFileSync(join(dir, 'elsewhere.jsonl'), '');
    symlinkSync(join(dir, 'elsewhere.jsonl'), join(dir, 'audit.jsonl'));
    const log = new FileAuditLog(join(dir, 'audit.jsonl'));
    expect(log.problem()).toContain('symbolic link');
    expect(() => log.append(intentRecord(1))).toThrow();
    expect(readFileSync(join(dir, 'elsewhere.jsonl'), 'utf8')).toBe('');
  });

  it('refuses a dangling symbolic link and does not create its target', () => {
    const dir = tempDir('er-audit');
    symlinkSync(join(dir, 'planted.jsonl'), join(dir, 'audit.jsonl'));
    const log = new FileAuditLog(join(dir, 'audit.jsonl'));
    expect(log.problem()).toContain('symbolic link');
    expect(() => statSync(join(dir, 'planted.jsonl'))).toThrow();
  });

  it('refuses something that is not a regular file', () => {
    const dir = tempDir('er-audit');
    mkdirSync(join(dir, 'audit.jsonl'));
    expect(new FileAuditLog(join(dir, 'audit.jsonl')).problem()).toMatch(/audit\.jsonl cannot be used/);
  });

  it('refuses a named pipe without blocking on it', () => {
    const dir = tempDir('er-audit');
    execFileSync('mkfifo', [join(dir, 'audit.jsonl')]);
    expect(new FileAuditLog(join(dir, 'audit.jsonl')).problem()).toMatch(/audit\.jsonl cannot be used/);
  });

  it('refuses a directory that group or others can write to', () => {
    const dir = tempDir('er-audit');
    chmodSync(dir, 0o777);
    const log = new FileAuditLog(join(dir, 'audit.jsonl'));
    expect(log.problem()).toContain('writable by group or others');
  });

  it('creates the file 0600 in a new 0700 directory', () => {
    const path = join(tempDir('er-audit'), 'state', 'audit.jsonl');
    const log = new FileAuditLog(path);
    log.append(intentRecord(1));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    log.close();
  });
});

describe('a log that changes under the server', () => {
  it('after rotation, the next record goes to the new file, and the reopening is told', () => {
    const path = join(tempDir('er-audit'), 'audit.jsonl');
    const told: string[] = [];
    const log = new FileAuditLog(path, { notice: (m) => told.push(m) });
    log.append(intentRecord(1));
    renameSync(path, `${path}.1`);
    writeFileSync(path, '', { mode: 0o600 });
    log.append(intentRecord(2));
    expect(lines(`${path}.1`)).toEqual(['attempt-1']);
    expect(lines(path)).toEqual(['attempt-2']);
    expect(told.join(' ')).toContain('replaced');
    log.close();
  });

  it('after deletion, the file is made again (0600) and written to', () => {
    const path = join(tempDir('er-audit'), 'audit.jsonl');
    const told: string[] = [];
    const log = new FileAuditLog(path, { notice: (m) => told.push(m) });
    log.append(intentRecord(1));
    rmSync(path);
    expect(log.problem()).toBeNull();
    log.append(intentRecord(2));
    expect(lines(path)).toEqual(['attempt-2']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(told.join(' ')).toContain('deleted');
    log.close();
  });

  it('a link put in place of the file stops the writes instead of following it', () => {
    const dir = tempDir('er-audit');
    const path = join(dir, 'audit.jsonl');
    const log = new FileAuditLog(path);
    log.append(intentRecord(1));
    rmSync(path);
    writeFileSync(join(dir, 'target'), '');
    symlinkSync(join(dir, 'target'), path);
    expect(() => log.append(intentRecord(2))).toThrow();
    expect(log.problem()).toContain('symbolic link');
    expect(readFileSync(join(dir, 'target'), 'utf8')).toBe('');
  });
});
