// Redaction is the last line of defence: if a secret-bearing object is ever logged, pino must
// blank it. Logged from a real process so the assertion reads what stderr really carries.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { CANARY, CANARY_VALUES } from './helpers.js';

const LOG_MODULE = fileURLToPath(new URL('../dist/log.js', import.meta.url));

it('blanks keys, secrets, tokens and Authorization headers wherever they sit in a log record', () => {
  const script = `
    const { createLogger } = await import(${JSON.stringify(LOG_MODULE)});
    const log = createLogger('info');
    const c = JSON.parse(process.env.CANARY);
    log.info({ credentials: c }, 'whole credentials');
    log.info({ ak: c.ak, sk: c.sk, securityToken: c.securityToken }, 'loose fields');
    log.info({ request: { headers: { authorization: 'SDK-HMAC-SHA256 Access=' + c.ak, 'x-security-token': c.securityToken } } }, 'nested headers');
    log.info({ headers: { authorization: 'SDK-HMAC-SHA256 Access=' + c.ak } }, 'headers');
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH ?? '', CANARY: JSON.stringify(CANARY) }, encoding: 'utf8' });
  expect(run.status).toBe(0);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(4);
  for (const secret of CANARY_VALUES) expect(run.stderr).not.toContain(secret);
  expect(run.stderr).toContain('[redacted]');
});
