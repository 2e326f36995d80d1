// The package as users get it: `npm pack`, installed from the tarball without dev dependencies
// and without the network (it has no dependencies to fetch: they are bundled), then its bin run
// the way `npx -y huaweicloud-er-mcp` runs it. dist/ must be built first (npm test does).
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { structured, tempDir } from '../helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
/** Every tool the server lists, as recorded in the tools/list fixture. */
const TOOL_NAMES = (JSON.parse(readFileSync(new URL('../fixtures/tools-list.json', import.meta.url), 'utf8')) as Array<{ name: string }>).map((t) => t.name).sort();

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string }>;
}

/** What may ship: the bin, its chunks and source maps, the licences of what is bundled, and the docs. */
const SHIPPED = [/^package\.json$/, /^README\.md$/, /^mcp\.json\.example$/, /^dist\/cli\.js(\.map)?$/, /^dist\/THIRD-PARTY-LICENSES\.txt$/, /^dist\/chunks\/[\w-]+\.js(\.map)?$/];

describe('the packed package, installed without dev dependencies', () => {
  let pack: PackResult;
  let prefix: string;
  let bin: string;
  /** The installed bin finds `node` through PATH (its #! line): make that the Node running the tests. */
  const env = (extra: Record<string, string> = {}) => ({ PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, HOME: tempDir('er-mcp-pkg-home'), ...extra });
  /** npm with a throw-away cache and config, so that nothing of the user's is read or written. */
  const npmEnv = () => env({ npm_config_cache: tempDir('er-mcp-npm-cache'), npm_config_userconfig: join(tempDir('er-mcp-npmrc'), 'npmrc'), npm_config_update_notifier: 'false' });

  beforeAll(async () => {
    const packDir = tempDir('er-mcp-pack');
    // --ignore-scripts: no `prepare` rebuild of dist/ while other test files run the built server.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], { cwd: ROOT, env: npmEnv() });
    pack = (JSON.parse(packed.stdout) as PackResult[])[0]!;
    prefix = tempDir('er-mcp-prefix');
    await run('npm', ['install', '--prefix', prefix, '--omit=dev', '--offline', '--no-audit', '--no-fund', join(packDir, pack.filename)], { cwd: prefix, env: npmEnv() });
    bin = join(prefix, 'node_modules', '.bin', 'huaweicloud-er-mcp');
  }, 120_000);

  it('holds the bin, its chunks and source maps, the bundled licences and the docs, nothing else', () => {
    const paths = pack.files.map((f) => f.path);
    expect(paths).toContain('dist/cli.js');
    expect(paths.some((p) => p.startsWith('dist/chunks/'))).toBe(true);
    expect(paths.filter((p) => !SHIPPED.some((allowed) => allowed.test(p)))).toEqual([]);
  });

  it('installs as one package: no dependency lands beside it', () => {
    expect(existsSync(bin)).toBe(true);
    const installed = readdirSync(join(prefix, 'node_modules')).filter((name) => !name.startsWith('.'));
    expect(installed).toEqual(['huaweicloud-er-mcp']);
  });

  it('doctor --sandbox exits 0', async () => {
    // execFile rejects on any other exit code.
    const { stdout } = await run(bin, ['doctor', '--sandbox'], { env: env() });
    expect(stdout).toContain('OK: the server can call Enterprise Router with these settings.');
  });

  it('serves MCP over stdio: lists the tools and completes a sandbox create, then waits until it is available', async () => {
    const transport = new StdioClientTransport({ command: bin, args: ['--sandbox', '--confirm-writes', 'never'], env: env(), stderr: 'ignore' });
    const client = new Client({ name: 'package-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(TOOL_NAMES);
      const ids = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.devTable, attachment_id: SANDBOX_IDS.partnerPeering };
      const created = structured<{ association: { state: string } }>(await client.callTool({ name: 'create_route_association', arguments: ids }));
      expect(created.association.state).toBe('pending');
      const waited = structured<{ state: string; sandbox: boolean }>(
        await client.callTool({ name: 'get_association_state', arguments: { ...ids, wait_for: 'available', timeout_seconds: 30 } }),
      );
      expect(waited).toMatchObject({ state: 'available', sandbox: true });
    } finally {
      await client.close();
    }
  });

  it('at LOG_LEVEL=debug a start-up error shows its stack through the shipped source maps, naming src/ files; otherwise only the message', async () => {
    const fail = (level: string) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(bin, ['emulator', '--port', '0'], { env: env({ LOG_LEVEL: level, HUAWEICLOUD_ER_EMULATOR_FAULTS: '{not json' }), stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const frames = (stderr: string) => stderr.split('\n').filter((line) => /^\s+at /.test(line));
    const debug = await fail('debug');
    expect(debug.code).toBe(2);
    expect(debug.stderr).toContain('the fault plan is not valid JSON');
    expect(frames(debug.stderr).some((frame) => /\(\/.*\/src\/[\w/-]+\.ts:\d+:\d+\)$/.test(frame))).toBe(true);
    expect(frames(debug.stderr).filter((frame) => frame.includes('dist/'))).toEqual([]);
    const info = await fail('info');
    expect(info.code).toBe(2);
    expect(info.stderr).toContain('the fault plan is not valid JSON');
    expect(frames(info.stderr)).toEqual([]);
  });
});
