// `huaweicloud-er-mcp doctor` as a user runs it: the built CLI, a temporary HOME, an emulator on
// loopback. Exit code 0 only when the signed call works; secrets never in the output.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { CANARY, CLI_PATH, expectNoCanary, startTestEmulator } from '../helpers.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function doctor(env: Record<string, string>, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_PATH, 'doctor', ...args], { env, timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const WRONG_SK = 'wrong-secret-key-9f8e7d6c5b4a3f2e1d0c';

describe('doctor against an emulator', () => {
  let emulator: Emulator;
  let home: string;
  const outputs: string[] = [];

  beforeAll(async () => {
    emulator = await startTestEmulator();
    home = mkdtempSync(join(tmpdir(), 'er-mcp-doctor-'));
  });
  afterAll(async () => {
    expectNoCanary(...outputs);
    for (const output of outputs) expect(output).not.toContain(WRONG_SK);
    await emulator.close();
    rmSync(home, { recursive: true, force: true });
  });

  function env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '',
      HOME: home,
      HUAWEICLOUD_SDK_AK: CANARY.ak,
      HUAWEICLOUD_SDK_SK: CANARY.sk,
      HUAWEICLOUD_SDK_SECURITY_TOKEN: CANARY.securityToken,
      HUAWEICLOUD_REGION: emulator.store.topology.region,
      HUAWEICLOUD_ER_ENDPOINT: emulator.url,
      HUAWEICLOUD_SDK_IAM_ENDPOINT: emulator.url,
      ...extra,
    };
  }

  async function run(environment: Record<string, string>, args: string[] = []): Promise<Run> {
    const result = await doctor(environment, args);
    outputs.push(result.stdout, result.stderr);
    return result;
  }

  it('good credentials and a configured project: what is in use, one read-only call, exit 0', async () => {
    const before = emulator.requests.length;
    const { code, stdout } = await run(env({ HUAWEICLOUD_SDK_PROJECT_ID: emulator.store.topology.projectId }));
    expect(code).toBe(0);
    expect(stdout).toContain('environment variables HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK (AK CANA…2M4P, temporary, with security token)');
    expect(stdout).toContain(`${emulator.store.topology.region} (from HUAWEICLOUD_REGION)`);
    expect(stdout).toContain(`${emulator.url} (from HUAWEICLOUD_ER_ENDPOINT)`);
    expect(stdout).toContain(`${emulator.store.topology.projectId} (from HUAWEICLOUD_SDK_PROJECT_ID)`);
    expect(stdout).toMatch(/GET list routers \(limit 1\): OK/);
    expect(stdout).toContain('OK: the server can call Enterprise Router');
    expect(emulator.requests.slice(before)).toEqual([expect.objectContaining({ operation: 'listEnterpriseRouters', status: 200 })]);
  });

  it('no configured project: looks it up through IAM first', async () => {
    const before = emulator.requests.length;
    const { code, stdout } = await run(env());
    expect(code).toBe(0);
    expect(stdout).toContain(`${emulator.store.topology.projectId} (looked up through IAM at ${emulator.url})`);
    expect(emulator.requests.slice(before).map((r) => r.operation)).toEqual(['keystoneListProjects', 'listEnterpriseRouters']);
  });

  it('keys from the SDK credentials file in HOME: the file is named as the source', async () => {
    const fileHome = mkdtempSync(join(tmpdir(), 'er-mcp-doctor-file-'));
    try {
      const path = join(fileHome, '.huaweicloud', 'credentials');
      mkdirSync(join(fileHome, '.huaweicloud'));
      writeFileSync(path, `[basic]\nak = ${CANARY.ak}\nsk = ${CANARY.sk}\nsecurity_token = ${CANARY.securityToken}\niam_endpoint = ${emulator.url}\n`, { mode: 0o600 });
      const { HUAWEICLOUD_SDK_AK: _ak, HUAWEICLOUD_SDK_SK: _sk, HUAWEICLOUD_SDK_SECURITY_TOKEN: _token, HUAWEICLOUD_SDK_IAM_ENDPOINT: _iam, ...rest } = env();
      const { code, stdout } = await run({ ...rest, HOME: fileHome });
      expect(code).toBe(0);
      expect(stdout).toContain(`the credentials file ${path} ([basic]) (AK CANA…2M4P`);
    } finally {
      rmSync(fileHome, { recursive: true, force: true });
    }
  });

  it('a wrong secret key: exit 1 with the gateway code, the authentication hint and where the keys came from', async () => {
    const before = emulator.requests.length;
    const { code, stdout } = await run(env({ HUAWEICLOUD_SDK_SK: WRONG_SK, HUAWEICLOUD_SDK_PROJECT_ID: emulator.store.topology.projectId }));
    expect(code).toBe(1);
    expect(emulator.requests.slice(before)).toHaveLength(1); // a 401 is never retried
    expect(stdout).toContain('FAILED with APIGW.0301 (HTTP 401)');
    expect(stdout).toContain('signature does not match');
    expect(stdout).toContain('Authentication failed: check HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK');
    expect(stdout).toContain('The keys in use came from environment variables HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK');
    expect(stdout).toContain('this machine is in step with the server');
  });

  it('a project id of another region: exit 1 with the permission hint and a note on the project id', async () => {
    const { code, stdout } = await run(env({ HUAWEICLOUD_SDK_PROJECT_ID: 'ffffffffffffffffffffffffffffffff' }));
    expect(code).toBe(1);
    expect(stdout).toContain('(HTTP 403)');
    expect(stdout).toContain('no permission');
    expect(stdout).toContain(`A project id of another region gives this error too: ffffffffffffffffffffffffffffffff (from HUAWEICLOUD_SDK_PROJECT_ID) must be the project of ${emulator.store.topology.region}`);
  });

  it('a region IAM has no project for: exit 1 before any ER call', async () => {
    const before = emulator.requests.length;
    const { code, stdout } = await run(env({ HUAWEICLOUD_REGION: 'cn-north-4' }));
    expect(code).toBe(1);
    expect(stdout).toContain('has no project named "cn-north-4"');
    expect(stdout).toContain('Enterprise Router was not called');
    expect(emulator.requests.slice(before).map((r) => r.operation)).toEqual(['keystoneListProjects']);
  });

  it('no credentials anywhere: exit 1, the problems listed, nothing called', async () => {
    const before = emulator.requests.length;
    const { code, stdout } = await run({ PATH: process.env.PATH ?? '', HOME: home, HUAWEICLOUD_REGION: 'cn-east-3' });
    expect(code).toBe(1);
    expect(stdout).toContain('No credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK');
    expect(emulator.requests.length).toBe(before);
  });
});

describe('doctor and the clock', () => {
  it('a server clock 30 minutes ahead: exit 1, the skew measured from the response Date', async () => {
    const emulator = await startTestEmulator({ now: () => Date.now() + 30 * 60_000 });
    try {
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: '/nonexistent',
        HUAWEICLOUD_SDK_AK: CANARY.ak,
        HUAWEICLOUD_SDK_SK: CANARY.sk,
        HUAWEICLOUD_REGION: emulator.store.topology.region,
        HUAWEICLOUD_ER_ENDPOINT: emulator.url,
        HUAWEICLOUD_SDK_PROJECT_ID: emulator.store.topology.projectId,
      };
      const { code, stdout, stderr } = await doctor(env);
      expectNoCanary(stdout, stderr);
      expect(code).toBe(1);
      expect(stdout).toContain('APIGW.0301');
      expect(stdout).toMatch(/this machine is 1[78]\d\d s behind the server/);
      expect(stdout).toContain("This machine's clock is 30 minutes behind the server's");
    } finally {
      await emulator.close();
    }
  });
});

describe('doctor --sandbox', () => {
  it('checks against a built-in emulator, project lookup included, exit 0', async () => {
    const { code, stdout } = await doctor({ PATH: process.env.PATH ?? '', HOME: '/nonexistent' }, ['--sandbox']);
    expect(code).toBe(0);
    expect(stdout).toContain('SANDBOX');
    expect(stdout).toMatch(/project id: +0f1e2d3c4b5a69788796a5b4c3d2e1f0 \(looked up through IAM at http:\/\/127\.0\.0\.1:\d+\)/);
    expect(stdout).toContain('OK: the server can call Enterprise Router');
  });
});
