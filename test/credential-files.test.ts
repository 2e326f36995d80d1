// Credential files that are not what they claim to be: a link to a device, a pipe, a directory, a
// huge file. Each is refused with a problem naming the file, without hanging or reading it whole.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/load-config.js';
import { MAX_CREDENTIAL_FILE_BYTES } from '../src/credentials.js';
import { tempDir } from './helpers.js';

const AK = 'FILEAKBBBBBBBBBBBBB2';
const SK = 'filesecretfilesecretfilesecretfilesec002';
const GOOD_INI = `[basic]\nak = ${AK}\nsk = ${SK}\n`;
const GOOD_KOOCLI = JSON.stringify({ current: 'default', profiles: [{ name: 'default', mode: 'AKSK', accessKeyId: AK, secretAccessKey: SK, region: 'cn-north-4' }] });

/** A HOME with `.huaweicloud/` and `.hcloud/` made; the caller puts what it wants in them. */
function home(): { home: string; credentials: string; koocli: string } {
  const dir = tempDir('er-mcp-credfiles');
  mkdirSync(join(dir, '.huaweicloud'));
  mkdirSync(join(dir, '.hcloud'));
  return { home: dir, credentials: join(dir, '.huaweicloud', 'credentials'), koocli: join(dir, '.hcloud', 'config.json') };
}

function problemsWith(env: Record<string, string>): string[] {
  const config = loadConfig([], { HUAWEICLOUD_REGION: 'cn-north-4', HUAWEICLOUD_SDK_PROJECT_ID: 'p1', ...env });
  expect(config.target).toBeUndefined();
  return config.problems;
}

describe('the SDK credentials file', () => {
  it('a link to /dev/zero is refused at once, naming the link and where it points', () => {
    const h = home();
    symlinkSync('/dev/zero', h.credentials);
    const problems = problemsWith({ HOME: h.home });
    expect(problems).toEqual([`${h.credentials} (a link to /dev/zero) is a character device, not a regular file: point it at the credentials file itself, or remove it.`]);
  });

  it('HUAWEICLOUD_SDK_CREDENTIALS_FILE naming a FIFO is refused without waiting for a writer', () => {
    const h = home();
    const fifo = join(h.home, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const problems = problemsWith({ HOME: h.home, HUAWEICLOUD_SDK_CREDENTIALS_FILE: fifo });
    expect(problems).toEqual([`${fifo} is a named pipe (FIFO), not a regular file: point it at the credentials file itself, or remove it.`]);
  });

  it('a directory in its place is refused', () => {
    const h = home();
    mkdirSync(h.credentials);
    expect(problemsWith({ HOME: h.home })[0]).toContain(`${h.credentials} is a directory, not a regular file`);
  });

  it('a file over 1 MiB is refused with its size', () => {
    const h = home();
    writeFileSync(h.credentials, GOOD_INI, { mode: 0o600 });
    truncateSync(h.credentials, MAX_CREDENTIAL_FILE_BYTES + 1);
    expect(problemsWith({ HOME: h.home })).toEqual([`${h.credentials} is 1.0 MiB; a credentials file is a few lines (at most 1 MiB is read): is it the right file?`]);
  });

  it('exactly 1 MiB is still read', () => {
    const h = home();
    // A comment line pads the file to the limit exactly.
    writeFileSync(h.credentials, `${GOOD_INI}#${'x'.repeat(MAX_CREDENTIAL_FILE_BYTES - GOOD_INI.length - 1)}`, { mode: 0o600 });
    const config = loadConfig([], { HOME: h.home, HUAWEICLOUD_REGION: 'cn-north-4', HUAWEICLOUD_SDK_PROJECT_ID: 'p1' });
    expect(config.problems).toEqual([]);
    expect(config.target?.credentials).toEqual({ ak: AK, sk: SK, securityToken: undefined });
  });

  it('a link to a regular file is followed, and the permission warning is about the file', () => {
    const h = home();
    const real = join(h.home, 'real-credentials');
    writeFileSync(real, GOOD_INI);
    chmodSync(real, 0o640);
    symlinkSync(real, h.credentials);
    const config = loadConfig([], { HOME: h.home, HUAWEICLOUD_REGION: 'cn-north-4', HUAWEICLOUD_SDK_PROJECT_ID: 'p1' });
    expect(config.problems).toEqual([]);
    expect(config.target?.credentials.ak).toBe(AK);
    expect(config.warnings).toEqual([`${h.credentials} holds credentials and is readable by its group (mode 640): run chmod 600 ${h.credentials}.`]);
  });
});

describe('the KooCLI configuration', () => {
  it('a link to /dev/zero is refused, naming the file', () => {
    const h = home();
    symlinkSync('/dev/zero', h.koocli);
    expect(problemsWith({ HOME: h.home })).toEqual([`${h.koocli} (a link to /dev/zero) is a character device, not a regular file: point it at the credentials file itself, or remove it.`]);
  });

  it('a file over 1 MiB is refused', () => {
    const h = home();
    writeFileSync(h.koocli, GOOD_KOOCLI, { mode: 0o600 });
    truncateSync(h.koocli, 6 * 1024 * 1024);
    expect(problemsWith({ HOME: h.home })).toEqual([`${h.koocli} is 6.0 MiB; a credentials file is a few lines (at most 1 MiB is read): is it the right file?`]);
  });

  it('a regular file still works', () => {
    const h = home();
    writeFileSync(h.koocli, GOOD_KOOCLI, { mode: 0o600 });
    const config = loadConfig([], { HOME: h.home });
    expect(config.problems).toEqual([]);
    expect(config.target?.credentials.ak).toBe(AK);
  });
});
