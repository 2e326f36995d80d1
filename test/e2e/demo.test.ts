// `npm run demo` is the README's promise: it must run to the end on the built code.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DEMO = fileURLToPath(new URL('../../dist/demo.js', import.meta.url));

describe('npm run demo', () => {
  it('walks discover → plan → approve → create → wait → undo → wait and prints the audit trail', () => {
    const run = spawnSync(process.execPath, [DEMO], { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '' } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = run.stdout;
    for (const step of ['list_enterprise_routers', 'dry_run":true', 'asks the human to approve', 'state pending', 'state available after', 'state deleting', 'state not_found', 'confirmation_accepted', 'intent (about to send)', 'outcome succeeded']) {
      expect(out).toContain(step);
    }
    expect(out.indexOf('state available after')).toBeLessThan(out.indexOf('→ delete_route_association'));
  });
});
