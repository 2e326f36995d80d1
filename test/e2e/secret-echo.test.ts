// An endpoint that echoes every request header back (as JSON, HTML, URL-encoded, \u-escaped, cut
// short, in response headers, as names of listed things; and re-encoded: base64, base64url, hex,
// case-changed, reversed, inside larger base64 blobs) must not get a secret into anything the
// server produces: tool results and log notifications (at debug) over stdio, stderr logs, the
// audit file, or `doctor` output. The IAM project look-up path included. Checked against the
// canary keys and every signature the endpoint was actually sent, in each of those encodings, and
// every Authorization value sent.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SANDBOX_IDS } from '../../src/emulator/topology.js';
import { type EchoMode, type EchoServer, startEchoServer } from '../echo-server.js';
import { CANARY, CANARY_TOKEN_B64, CLI_PATH, expectNoEncoded, expectNoEncodedCanary, spawnServer, type SpawnedServer, tempDir, textOf } from '../helpers.js';

const REGION = 'cn-north-4';
const PROJECT = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const ref = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };
const ER_MODES: EchoMode[] = ['json-401', 'encoded-403', 'html-502', 'names-200', 'transformed-403', 'transformed-200'];

let echo: EchoServer;
const outputs: string[] = [];

beforeAll(async () => {
  echo = await startEchoServer();
});
afterAll(async () => {
  await echo.close();
});

/**
 * Nothing anyone saw holds a canary or a signature sent, in any encoded form, or an Authorization
 * value sent. Outputs checked before are not checked again: no output can hold a signature made
 * after it, and the canaries were checked the first time.
 */
let checked = 0;
function expectNothingEchoed(): void {
  expect(echo.authorizations.length).toBeGreaterThan(0);
  const fresh = outputs.slice(checked);
  expectNoEncodedCanary(...fresh);
  expectNoEncoded([CANARY_TOKEN_B64, ...new Set(echo.signatures())], ...fresh);
  const sent = [...new Set(echo.authorizations)];
  for (const output of fresh) {
    for (const authorization of sent) expect(output).not.toContain(authorization);
  }
  checked = outputs.length;
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: tempDir('er-mcp-echo-home'),
    HUAWEICLOUD_SDK_AK: CANARY.ak,
    HUAWEICLOUD_SDK_SK: CANARY.sk,
    // The canary token and a tail that makes its base64url differ from its base64.
    HUAWEICLOUD_SDK_SECURITY_TOKEN: CANARY_TOKEN_B64,
    HUAWEICLOUD_REGION: REGION,
    HUAWEICLOUD_ER_ENDPOINT: echo.url,
    HUAWEICLOUD_SDK_IAM_ENDPOINT: echo.url,
    HUAWEICLOUD_ER_MCP_CALL_TIMEOUT_SECONDS: '5',
    LOG_LEVEL: 'trace',
    ...extra,
  };
}

describe('tool results, logs and audit over stdio', () => {
  for (const iamMode of ER_MODES) {
    it(`the IAM project look-up echoing headers (${iamMode}): tools say it failed, nothing secret in results or logs`, async () => {
      echo.iamMode = iamMode;
      const server = await spawnServer(env());
      try {
        await vi.waitFor(() => expect(server.stderr()).toContain('project id lookup failed'), { timeout: 20_000, interval: 50 });
        const result = await server.client.callTool({ name: 'get_association_state', arguments: ref });
        outputs.push(JSON.stringify(result));
        expect(result.isError).toBe(true);
        expect(textOf(result)).toContain('CONFIGURATION');
      } finally {
        await server.close();
        outputs.push(server.stderr());
      }
      expectNothingEchoed();
    });
  }

  describe('with the project known and every ER call echoed', () => {
    let server: SpawnedServer;
    let auditPath: string;
    let notifications = 0;
    beforeAll(async () => {
      echo.iamMode = { projectId: PROJECT, region: REGION };
      auditPath = join(tempDir('er-mcp-echo-audit'), 'audit.jsonl');
      server = await spawnServer(env(), ['--audit-log', auditPath]);
      // Every log notification the server sends, at its most talkative: retries, attempts, the gate's decisions.
      server.client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
        notifications += 1;
        outputs.push(JSON.stringify(notification.params));
      });
      await server.client.setLoggingLevel('debug');
      await vi.waitFor(() => expect(server.stderr()).toContain('project id looked up through IAM'), { timeout: 20_000, interval: 50 });
    });
    afterAll(async () => {
      await server.close();
      outputs.push(server.stderr(), readFileSync(auditPath, 'utf8'));
      expectNothingEchoed();
    });

    for (const mode of ER_MODES) {
      it(`${mode}: reads, a create and a delete answer (and log) without a secret`, async () => {
        echo.erMode = mode;
        const notifiedBefore = notifications;
        const calls = [
          { name: 'list_enterprise_routers', arguments: {} },
          { name: 'list_route_tables', arguments: { er_id: ref.er_id } },
          { name: 'list_attachments', arguments: { er_id: ref.er_id } },
          { name: 'list_route_associations', arguments: { er_id: ref.er_id, route_table_id: ref.route_table_id } },
          { name: 'get_association_state', arguments: ref },
          { name: 'create_route_association', arguments: { ...ref, client_token: `echo-${mode}` } },
          { name: 'delete_route_association', arguments: ref },
        ];
        for (const call of calls) {
          const result = await server.client.callTool(call);
          outputs.push(JSON.stringify(result));
        }
        // The endpoint did echo: what it sent back must have been blanked, not never received.
        expect(outputs.some((o) => o.includes('[redacted]'))).toBe(true);
        expect(notifications).toBeGreaterThan(notifiedBefore);
        expectNothingEchoed();
      });
    }

    it('the audit file recorded the writes, and holds no secret', () => {
      const audit = readFileSync(auditPath, 'utf8');
      expect(audit.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(ER_MODES.length);
      outputs.push(audit);
      expectNothingEchoed();
    });
  });
});

describe('doctor', () => {
  function doctor(environment: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [CLI_PATH, 'doctor'], { env: environment, timeout: 30_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      });
    });
  }

  for (const mode of ER_MODES) {
    it(`IAM look-up echoing (${mode}): exit 1, the failure shown, no secret`, async () => {
      echo.iamMode = mode;
      const run = await doctor(env());
      outputs.push(run.stdout, run.stderr);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('project id:  FAILED');
      expectNothingEchoed();
    });

    it(`ER call echoing (${mode}): the check's message and request id shown, no secret`, async () => {
      echo.erMode = mode;
      const run = await doctor(env({ HUAWEICLOUD_SDK_PROJECT_ID: PROJECT }));
      outputs.push(run.stdout, run.stderr);
      if (mode.endsWith('-200')) {
        expect(run.code).toBe(0);
      } else {
        expect(run.code).toBe(1);
        expect(run.stdout).toContain('message:');
        expect(run.stdout).toContain('[redacted]');
      }
      expectNothingEchoed();
    });
  }
});
