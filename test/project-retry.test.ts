// A project lookup that fails for a passing reason is tried again in the background; one that
// got a definite answer (bad keys) is not, so a locked access key is never provoked.
import { afterEach, describe, expect, it } from 'vitest';
import type { Target } from '../src/load-config.js';
import { HttpClient } from '../src/http/http-client.js';
import { systemClock } from '../src/http/clock.js';
import { silentLogger } from '../src/log.js';
import { ConnectionState } from '../src/connection.js';
import { startProjectLookup } from '../src/project.js';
import { CANARY } from './helpers.js';
import { type ScriptedReply, type ScriptedServer, startScriptedServer } from './scripted-server.js';

const REGION = 'cn-east-3';
let iam: ScriptedServer;
let er: HttpClient;

afterEach(async () => {
  await er.close();
  await iam.close();
});

async function setUp(reply: (index: number) => ScriptedReply): Promise<ConnectionState> {
  iam = await startScriptedServer((_req, index) => reply(index));
  er = new HttpClient({ endpoint: iam.url, credentials: CANARY });
  const target: Target = {
    region: REGION,
    endpoint: iam.url,
    credentials: CANARY,
    iamEndpoint: iam.url,
    sources: { credentials: 'test', region: 'test', endpoint: 'test', projectId: 'IAM' },
  };
  const connection = new ConnectionState({ ready: false, problems: [] }, systemClock);
  await startProjectLookup({ connection, target, er, clock: systemClock, log: silentLogger(), deadlineMs: 10_000, retryFirstMs: 50 });
  return connection;
}

const projects = { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ projects: [{ id: 'proj0001', name: REGION }] }) };

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('project lookup retries', () => {
  it('an IAM outage at start-up heals by itself', async () => {
    const connection = await setUp((index) => (index < 4 ? { status: 503, body: '' } : projects));
    const first = connection.current();
    expect(first.ready ? [] : first.problems.join(' ')).toContain('Trying again in');
    await until(() => connection.current().ready);
    const healed = connection.current();
    expect(healed.ready && healed.projectId).toBe('proj0001');
  });

  it('bad keys are not tried again', async () => {
    const connection = await setUp(() => ({ status: 401, headers: { 'content-type': 'application/json' }, body: '{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}' }));
    await new Promise((r) => setTimeout(r, 300));
    expect(iam.requests).toHaveLength(1);
    const after = connection.current();
    expect(after.ready ? 'ready' : after.problems.join(' ')).not.toContain('Trying again');
  });
});
