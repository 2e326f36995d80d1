// A request that cannot be built (a credential with a line break) is neither retried nor
// reported as "may have reached the API"; configuration catches such keys before start-up.
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/load-config.js';
import type { Emulator } from '../../src/emulator/emulator.js';
import { HttpClient, HttpFailure } from '../../src/http/http-client.js';
import { CANARY, startTestEmulator } from '../helpers.js';

let emulator: Emulator;
afterEach(async () => {
  await emulator.close();
});

describe('requests that cannot be built', () => {
  it('fail at once, unretried, marked as never delivered', async () => {
    emulator = await startTestEmulator();
    const http = new HttpClient({ endpoint: emulator.url, credentials: { ...CANARY, securityToken: 'line\nbreak' } });
    try {
      const error = await http.request({ method: 'GET', path: '/v3/p/enterprise-router/instances' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpFailure);
      expect(error).toMatchObject({ kind: 'invalid_request', attempts: 1, possiblyDelivered: false });
      expect(emulator.requests).toEqual([]);
    } finally {
      await http.close();
    }
  });

  it('keys with whitespace or control characters are a configuration problem naming the source', () => {
    const config = loadConfig([], { HOME: '/nonexistent', HUAWEICLOUD_SDK_AK: 'AK123', HUAWEICLOUD_SDK_SK: 'sec\nret', HUAWEICLOUD_REGION: 'cn-north-4', HUAWEICLOUD_SDK_PROJECT_ID: 'p1' });
    expect(config.target).toBeUndefined();
    expect(config.problems.join(' ')).toContain('secret key from environment variables HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK');
    expect(config.problems.join(' ')).not.toContain('sec\nret');
  });
});
