// --policy and HUAWEICLOUD_ER_MCP_POLICY as an installer uses them: read into the configuration,
// checked by the built server at start (exit 2 with every complaint), reloaded on SIGHUP.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig, UsageError } from '../../src/load-config.js';
import { CLI_PATH, tempDir } from '../helpers.js';
import { spawnHttpServer, type SpawnedHttpServer } from '../e2e/http-process.js';
import { EXAMPLE_YAML, policyFile } from './policy-files.js';

const load = (argv: string[], env: Record<string, string | undefined> = {}) => loadConfig(argv, { HOME: '/nonexistent', ...env });

describe('the setting', () => {
  it('--policy FILE, --policy=FILE, or the variable; the flag wins', () => {
    expect(load(['--policy', 'a.yaml']).policyPath).toBe('a.yaml');
    expect(load(['serve', '--policy=b.yaml']).policyPath).toBe('b.yaml');
    expect(load([], { HUAWEICLOUD_ER_MCP_POLICY: 'c.yaml' }).policyPath).toBe('c.yaml');
    expect(load(['--policy', 'a.yaml'], { HUAWEICLOUD_ER_MCP_POLICY: 'c.yaml' }).policyPath).toBe('a.yaml');
    expect(load([], { HUAWEICLOUD_ER_MCP_POLICY: ' ' }).policyPath).toBeUndefined();
    expect(load([]).policyPath).toBeUndefined();
  });

  it('an empty flag, or the flag with another command, stops start-up; the variable is ignored there', () => {
    expect(() => load(['--policy='])).toThrow(new UsageError('--policy needs the path of a policy file'));
    expect(() => load(['doctor', '--sandbox', '--policy', 'a.yaml'])).toThrow(new UsageError('--policy applies to serve only, not doctor'));
    expect(load(['emulator'], { HUAWEICLOUD_ER_MCP_POLICY: 'c.yaml' }).policyPath).toBeUndefined();
    expect(load(['--help', '--policy', 'a.yaml']).command).toBe('help');
  });
});

/** The built server's start with this policy setting; it must stop by itself (stdin is empty). */
function start(args: string[], env: Record<string, string> = {}): { code: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [CLI_PATH, '--sandbox', '--audit-log', 'off', ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: tempDir('er-mcp-home'), ...env },
    input: '',
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: run.status, stderr: run.stderr };
}

describe('at start, the built server', () => {
  it('with an invalid policy exits 2, printing every complaint with file:line:column and the rule, and starts nothing', () => {
    const path = policyFile('version: 1\nrules:\n  - name: payments-bot\n    callers: { tokens: [payments-bot] }\n    allow: [assosiate]\n    route_tables: [rtb-*-x]\n', 'policy.yaml');
    const { code, stderr } = start(['--policy', path]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `huaweicloud-er-mcp: the policy file ${path} does not load, so the server did not start:\n` +
        `  ${path}:5:13: rule "payments-bot": allow: "assosiate" is not an action (associate, disassociate, propagate, stop_propagating, create_static_route, delete_static_route, any)\n` +
        `  ${path}:6:20: rule "payments-bot": route_tables: "rtb-*-x": "*" may only end a name (rtb-dev* is every name that starts with rtb-dev)\n`,
    );
  });

  it('so does a policy named by HUAWEICLOUD_ER_MCP_POLICY, and a link, a group-writable file, a missing one', () => {
    const bad = policyFile('version: 3\n', 'policy.yaml');
    expect(start([], { HUAWEICLOUD_ER_MCP_POLICY: bad })).toEqual({ code: 2, stderr: expect.stringContaining(`${bad}:1:10: version: must be 1`) });

    const good = policyFile(EXAMPLE_YAML, 'policy.yaml');
    const link = join(tempDir('er-mcp-policy-link'), 'policy.yaml');
    symlinkSync(good, link);
    expect(start(['--policy', link])).toEqual({ code: 2, stderr: expect.stringContaining(`The policy file ${link} is a symbolic link`) });

    const writable = policyFile(EXAMPLE_YAML, 'policy.yaml');
    chmodSync(writable, 0o620);
    expect(start(['--policy', writable])).toEqual({ code: 2, stderr: expect.stringContaining('is writable by group or others') });

    expect(start(['--policy', join(tempDir('er-mcp-policy'), 'none.yaml')])).toEqual({ code: 2, stderr: expect.stringContaining('does not exist') });
  });

  it('with a valid policy starts, and logs the file and its counts', () => {
    const path = policyFile(EXAMPLE_YAML, 'policy.yaml');
    const { code, stderr } = start(['--policy', path]);
    expect(code).toBe(0);
    expect(logLines(stderr).find((l) => l.msg === 'policy loaded')).toMatchObject({ policy: path, rules: 4, invariants: 3, groups_claim: 'roles' });
  });
});

/** The JSON log lines in a process's stderr. */
function logLines(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Waits (for an event, not a time) until the process has logged `count` lines with this message; returns the last. */
async function logged(stderr: () => string, msg: string, count = 1): Promise<Record<string, unknown>> {
  const line = () => {
    const lines = logLines(stderr()).filter((l) => l.msg === msg);
    expect(lines.length).toBeGreaterThanOrEqual(count);
    return lines[count - 1]!;
  };
  return vi.waitFor(line, { timeout: 10_000, interval: 20 });
}

const TWO_RULES = 'version: 1\nrules:\n  - { name: a, callers: { local: true }, allow: [associate] }\n  - { name: b, callers: { anyone: true }, allow: [propagate] }\n';

describe('SIGHUP reloads the policy', () => {
  let server: SpawnedHttpServer | undefined;
  let child: ChildProcess | undefined;
  afterEach(() => {
    server?.stop();
    child?.kill('SIGKILL');
    server = child = undefined;
  });

  it('over HTTP: a good file is in force from then on; a bad one keeps the old policy, and the error line says why', async () => {
    const path = policyFile(EXAMPLE_YAML, 'policy.yaml');
    server = await spawnHttpServer({ PATH: process.env.PATH ?? '', HOME: tempDir('er-mcp-home') }, ['serve', '--http', '--port', '0', '--sandbox', '--audit-log', 'off', '--policy', path]);
    const running = server;
    expect(await logged(running.stderr, 'policy loaded')).toMatchObject({ policy: path, rules: 4, invariants: 3 });

    writeFileSync(path, TWO_RULES);
    running.child.kill('SIGHUP');
    expect(await logged(running.stderr, 'policy reloaded: in force from the next call')).toMatchObject({ level: 30, policy: path, rules: 2, invariants: 0, groups_claim: 'groups' });

    writeFileSync(path, 'version: 1\nrules:\n  - { name: a, callers: { local: true }, allow: [assosiate] }\n');
    running.child.kill('SIGHUP');
    expect(await logged(running.stderr, 'policy reload failed: the previous policy stays in force')).toMatchObject({
      level: 50,
      policy: path,
      errors: [`${path}:3:50: rule "a": allow: "assosiate" is not an action (associate, disassociate, propagate, stop_propagating, create_static_route, delete_static_route, any)`],
      rules_in_force: 2,
      invariants_in_force: 0,
    });

    // Still serving, with the policy it had: the next good file goes in as before.
    writeFileSync(path, EXAMPLE_YAML);
    running.child.kill('SIGHUP');
    expect(await logged(running.stderr, 'policy reloaded: in force from the next call', 2)).toMatchObject({ rules: 4, invariants: 3 });
    const health = await fetch(new URL('/healthz', running.url));
    expect(health.status).toBe(200);
  });

  it('on stdio too', async () => {
    const path = policyFile(EXAMPLE_YAML, 'policy.yaml');
    const spawned = spawn(process.execPath, [CLI_PATH, '--sandbox', '--audit-log', 'off', '--policy', path], {
      env: { PATH: process.env.PATH ?? '', HOME: tempDir('er-mcp-home') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child = spawned;
    let stderr = '';
    spawned.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => spawned.on('exit', (code) => resolve(code)));
    await logged(() => stderr, 'policy loaded');

    writeFileSync(path, TWO_RULES);
    spawned.kill('SIGHUP');
    expect(await logged(() => stderr, 'policy reloaded: in force from the next call')).toMatchObject({ rules: 2 });

    // The session still ends with stdin, as without a policy.
    spawned.stdin.end();
    expect(await exited).toBe(0);
  });
});
