// The built server started the way a Huawei Cloud user would: keys in the SDK credentials file of
// a (temporary) HOME, no project id configured. It logs where the keys came from and the file's
// loose permissions at start, looks the project id up through IAM, and then tools work.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { CANARY, expectNoCanary, type SpawnedServer, spawnServer, startTestEmulator, structured } from '../helpers.js';

describe('server with keys from the credentials file and the project looked up through IAM', () => {
  let emulator: Emulator;
  let home: string;
  let path: string;
  let server: SpawnedServer;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    home = mkdtempSync(join(tmpdir(), 'er-mcp-serve-'));
    path = join(home, '.huaweicloud', 'credentials');
    mkdirSync(join(home, '.huaweicloud'));
    writeFileSync(path, `[basic]\nak = ${CANARY.ak}\nsk = ${CANARY.sk}\nsecurity_token = ${CANARY.securityToken}\niam_endpoint = ${emulator.url}\n`);
    chmodSync(path, 0o644);
    server = await spawnServer({
      PATH: process.env.PATH ?? '',
      HOME: home,
      HUAWEICLOUD_REGION: emulator.store.topology.region,
      HUAWEICLOUD_ER_ENDPOINT: emulator.url,
      LOG_LEVEL: 'debug',
    });
  });
  afterAll(async () => {
    await server.close();
    expectNoCanary(server.stderr());
    await emulator.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('logs the source in use and warns about the file mode on stderr at start', async () => {
    await until(() => server.stderr().includes('project id looked up through IAM'));
    const stderr = server.stderr();
    expect(stderr).toContain(`"credential_source":"the credentials file ${path} ([basic])"`);
    expect(stderr).toContain(`${path} holds credentials and is readable by everyone on this machine (mode 644)`);
    expect(stderr).toContain(`"project_id":"${emulator.store.topology.projectId}"`);
  });

  it('tools work with the project id found', async () => {
    await until(() => server.stderr().includes('project id looked up through IAM'));
    const result = await server.client.callTool({
      name: 'get_association_state',
      arguments: { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.webVpc },
    });
    expect(structured<{ state: string }>(result).state).toBe('available');
    expect(emulator.requests.filter((r) => r.operation === 'keystoneListProjects')).toHaveLength(1);
  });
});

/** Polls a condition written by another process (its stderr); fails after 10 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(condition()).toBe(true);
}
