// The built CLI in a hostile or sloppy local environment: credential files that are devices,
// a mistyped LOG_LEVEL, bad settings, and the emulator's fault plan under --sandbox.
import { execFile } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { CLI_PATH, errorOf, spawnServer, structured, tempDir } from '../helpers.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI with exactly this environment; the timeout only stops a hung process from blocking the suite. */
function cli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_PATH, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

const ref = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };

describe('credential files that are not files', () => {
  it('doctor with HUAWEICLOUD_SDK_CREDENTIALS_FILE linked to /dev/zero: exit 1 and a message naming the file', async () => {
    const home = tempDir('er-mcp-zero');
    const link = join(home, 'credentials');
    symlinkSync('/dev/zero', link);
    const { code, stdout } = await cli(['doctor'], { HOME: home, HUAWEICLOUD_SDK_CREDENTIALS_FILE: link, HUAWEICLOUD_REGION: 'cn-north-4' });
    expect(code).toBe(1);
    expect(stdout).toContain(`problem:     ${link} (a link to /dev/zero) is a character device, not a regular file`);
    expect(stdout).toContain('FAILED: the configuration is incomplete, so nothing was called.');
  });

  it('the server with ~/.huaweicloud/credentials linked to /dev/zero starts, and tools say what is wrong', async () => {
    const home = tempDir('er-mcp-zero-serve');
    mkdirSync(join(home, '.huaweicloud'));
    symlinkSync('/dev/zero', join(home, '.huaweicloud', 'credentials'));
    const server = await spawnServer({ PATH: process.env.PATH ?? '', HOME: home, HUAWEICLOUD_REGION: 'cn-north-4' });
    try {
      const error = errorOf(await server.client.callTool({ name: 'get_association_state', arguments: ref }));
      expect(error.error_code).toBe('CONFIGURATION');
      expect(String(error.error_msg)).toContain(`${join(home, '.huaweicloud', 'credentials')} (a link to /dev/zero) is a character device, not a regular file`);
    } finally {
      await server.close();
    }
  });
});

describe('LOG_LEVEL', () => {
  it('a mistyped level: the server starts, warns once on stderr, and logs at info', async () => {
    const server = await spawnServer({ PATH: process.env.PATH ?? '', HOME: tempDir('er-mcp-loglevel'), LOG_LEVEL: 'verbose' }, ['--sandbox']);
    try {
      const { tools } = await server.client.listTools();
      expect(tools.length).toBeGreaterThan(0);
      // Start-up lines are written once the handshake is over (src/log.ts): wait for the last one.
      await vi.waitFor(() => expect(server.stderr()).toContain('"msg":"guardrails"'), { timeout: 10_000 });
      const lines = server.stderr().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: number; msg: string });
      expect(lines.filter((l) => l.msg === 'LOG_LEVEL "verbose" is not one of trace, debug, info, warn, error, fatal, silent: logging at info.')).toEqual([
        expect.objectContaining({ level: 40 }),
      ]);
      expect(lines.some((l) => l.level === 30)).toBe(true); // info lines are written
      expect(lines.some((l) => l.level < 30)).toBe(false); // nothing below info
    } finally {
      await server.close();
    }
  });

  it('doctor prints the same warning and still runs its check', async () => {
    const { code, stdout } = await cli(['doctor', '--sandbox'], { HOME: '/nonexistent', LOG_LEVEL: 'loud' });
    expect(code).toBe(0);
    expect(stdout).toContain('warning:     LOG_LEVEL "loud" is not one of');
  });
});

describe('HUAWEICLOUD_ER_MCP_MAX_WAIT_SECONDS', () => {
  it('a bad value stops start-up with exit 2 and a message naming the variable', async () => {
    const { code, stderr } = await cli([], { HOME: '/nonexistent', HUAWEICLOUD_ER_MCP_MAX_WAIT_SECONDS: 'fifty' });
    expect(code).toBe(2);
    expect(stderr).toContain('HUAWEICLOUD_ER_MCP_MAX_WAIT_SECONDS must be a number of seconds above 0 and at most 900 (got "fifty")');
  });

  it('--help lists it beside the call deadline, each with what it bounds and its default', async () => {
    const { code, stdout } = await cli(['--help'], {});
    expect(code).toBe(0);
    const text = stdout.replace(/\s+/g, ' ');
    expect(text).toContain('HUAWEICLOUD_ER_MCP_MAX_WAIT_SECONDS=N The longest one get_association_state');
    expect(text).toMatch(/HUAWEICLOUD_ER_MCP_MAX_WAIT_SECONDS=N [^=]*Default: 50\./);
    expect(text).toMatch(/HUAWEICLOUD_ER_MCP_CALL_TIMEOUT_SECONDS=N [^=]*a wait for a state is not counted here/);
  });
});

describe('--sandbox reads the emulator fault plan', () => {
  it('associationListLagMs hides a new association from list_route_associations', async () => {
    const server = await spawnServer(
      { PATH: process.env.PATH ?? '', HOME: tempDir('er-mcp-lag'), HUAWEICLOUD_ER_EMULATOR_FAULTS: '{"associationListLagMs": 600000}' },
      ['--sandbox', '--audit-log', 'off'],
      { approveForms: true },
    );
    try {
      const created = structured<{ association: { state: string } }>(await server.client.callTool({ name: 'create_route_association', arguments: ref }));
      expect(created.association.state).toBe('pending');
      const listed = structured<{ associations: Array<{ attachment_id: string }> }>(
        await server.client.callTool({ name: 'list_route_associations', arguments: { er_id: ref.er_id, route_table_id: ref.route_table_id } }),
      );
      expect(listed.associations.map((a) => a.attachment_id)).not.toContain(ref.attachment_id);
    } finally {
      await server.close();
    }
  });

  it('a malformed fault plan stops start-up as a usage error (exit 2) with a message naming the variable', async () => {
    const { code, stderr } = await cli(['--sandbox'], { HOME: '/nonexistent', HUAWEICLOUD_ER_EMULATOR_FAULTS: '{"associationListLagMs": -1}' });
    expect(code).toBe(2);
    expect(stderr).toContain('HUAWEICLOUD_ER_EMULATOR_FAULTS: fault plan: associationListLagMs must be a whole number of milliseconds, 0 or more');
  });
});
