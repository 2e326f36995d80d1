// Redaction is the last line of defence: if a secret-bearing object is ever logged, pino must
// blank it. Logged from a real process so the assertion reads what stderr really carries.
// The logger keeps records until pino is loaded (src/log.ts): what reaches stderr must be the
// same lines, in the same order, with the times they were made.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { CANARY, CANARY_VALUES, tempDir } from './helpers.js';

const LOG_MODULE = fileURLToPath(new URL('../dist/log.js', import.meta.url));
const RECORDER = fileURLToPath(new URL('./fixtures/record-loads.mjs', import.meta.url));

it('blanks keys, secrets, tokens and Authorization headers wherever they sit in a log record', () => {
  const script = `
    const { createLogger } = await import(${JSON.stringify(LOG_MODULE)});
    const log = createLogger('info');
    const c = JSON.parse(process.env.CANARY);
    log.info({ credentials: c }, 'whole credentials');
    log.info({ ak: c.ak, sk: c.sk, securityToken: c.securityToken }, 'loose fields');
    log.info({ request: { headers: { authorization: 'SDK-HMAC-SHA256 Access=' + c.ak, 'x-security-token': c.securityToken } } }, 'nested headers');
    log.info({ headers: { authorization: 'SDK-HMAC-SHA256 Access=' + c.ak } }, 'headers');
    await log.written();
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH ?? '', CANARY: JSON.stringify(CANARY) }, encoding: 'utf8' });
  expect(run.status).toBe(0);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(4);
  for (const secret of CANARY_VALUES) expect(run.stderr).not.toContain(secret);
  expect(run.stderr).toContain('[redacted]');
});

/** Runs `body` (an ES module's text, with `createLogger` in scope) in a fresh process; its stderr lines as JSON. */
function logLines(body: string, { preload, env = {} }: { preload?: string; env?: Record<string, string> } = {}): { lines: Record<string, unknown>[]; stdout: string; status: number | null } {
  const script = `const { createLogger } = await import(${JSON.stringify(LOG_MODULE)});\n${body}`;
  const args = [...(preload ? ['--import', preload] : []), '--input-type=module', '-e', script];
  const run = spawnSync(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return { lines: run.stderr.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>), stdout: run.stdout, status: run.status };
}

it('writes the records kept before pino loaded in order, with the time each was made, its level and its bindings, then later ones straight through', () => {
  const { lines, stdout, status } = logLines(`
    const log = createLogger('debug');
    Date.now = () => 1_000;
    log.info('first');
    const child = log.child({ caller: 'stdio:alice' });
    Date.now = () => 2_000;
    child.warn({ attempt: 2 }, 'second, from the child');
    log.trace('below the level: never written');
    Date.now = () => 3_000;
    log.debug({ n: 3 }, 'third');
    // Nothing is on stderr before this line.
    process.stderr.write(JSON.stringify({ marker: true }) + '\\n');
    Date.now = () => 9_000;
    await log.written();
    Date.now = () => 10_000;
    child.info('fourth, after loading');
  `);
  expect(status).toBe(0);
  expect(stdout).toBe('');
  const [marker, ...records] = lines;
  expect(marker).toEqual({ marker: true });
  expect(records.map((r) => [r.msg, r.time, r.level, r.caller ?? null, r.name])).toEqual([
    ['first', 1_000, 30, null, 'huaweicloud-er-mcp'],
    ['second, from the child', 2_000, 40, 'stdio:alice', 'huaweicloud-er-mcp'],
    ['third', 3_000, 20, null, 'huaweicloud-er-mcp'],
    ['fourth, after loading', 10_000, 30, 'stdio:alice', 'huaweicloud-er-mcp'],
  ]);
  expect(records[1]).toMatchObject({ attempt: 2 });
  expect(records[2]).toMatchObject({ n: 3 });
});

it('writes an error as soon as pino is loaded, without being asked, and the lines kept before it first', () => {
  const { lines, status } = logLines(`
    const log = createLogger('info');
    log.info('kept');
    log.error({ code: 'E' }, 'failed');
    // No written() and no startWriting(): the error alone loads pino; the process waits for it.
  `);
  expect(status).toBe(0);
  expect(lines.map((r) => [r.msg, r.level])).toEqual([['kept', 30], ['failed', 50]]);
});

it('at level silent writes nothing and never loads pino', () => {
  const loads = join(tempDir('er-mcp-log-loads'), 'loads.txt');
  const { lines, status } = logLines(
    `
    const log = createLogger('silent');
    log.fatal('nothing');
    log.startWriting();
    await log.written();
  `,
    { preload: RECORDER, env: { RECORD_LOADS_TO: loads } },
  );
  expect(status).toBe(0);
  expect(lines).toEqual([]);
  const loaded = readFileSync(loads, 'utf8');
  expect(loaded).toContain('/dist/log.js');
  expect(loaded).not.toMatch(/node_modules\/pino\//);
});
