// Project id lookup through IAM against the emulator's IAM endpoint: exactly one match is used,
// zero or several is a clear error, and a process asks IAM once.
import { afterEach, describe, expect, it } from 'vitest';
import type { Target } from '../../src/load-config.js';
import type { Emulator } from '../../src/emulator/emulator.js';
import { ErApiError } from '../../src/er/errors.js';
import { lookUpProjectId, ProjectLookupError, ProjectResolver } from '../../src/er/iam.js';
import { type Credentials, HttpClient } from '../../src/http/http-client.js';
import { systemClock } from '../../src/http/clock.js';
import { silentLogger } from '../../src/log.js';
import { ConnectionState } from '../../src/connection.js';
import { type ProjectLookup, startProjectLookup } from '../../src/project.js';
import { CANARY, expectNoCanary, startTestEmulator } from '../helpers.js';

const REGION = 'cn-east-3';
const OTHER = 'cn-north-4';

let emulator: Emulator | undefined;
const clients: HttpClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await emulator?.close();
  emulator = undefined;
});

async function iamFor(iamProjects?: Array<{ id: string; name: string }>, credentials: Credentials = CANARY): Promise<{ iam: HttpClient; emulator: Emulator }> {
  emulator = await startTestEmulator(iamProjects ? { iamProjects } : {});
  const iam = new HttpClient({ endpoint: emulator.url, credentials, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
  clients.push(iam);
  return { iam, emulator };
}

function lookups(e: Emulator): number {
  return e.requests.filter((r) => r.operation === 'keystoneListProjects').length;
}

describe('lookUpProjectId', () => {
  it('one project named after the region: its id', async () => {
    const { iam, emulator } = await iamFor();
    await expect(lookUpProjectId(iam, REGION)).resolves.toBe(emulator.store.topology.projectId);
    expect(emulator.requests).toEqual([expect.objectContaining({ method: 'GET', path: '/v3/projects', operation: 'keystoneListProjects', status: 200 })]);
    // The IAM reference marks Content-Type mandatory on this GET, with this value.
    expect(emulator.requests[0]).toMatchObject({ query: { name: [REGION] }, headers: { 'content-type': 'application/json;charset=utf8' } });
    expect(emulator.requests[0]!.json).toBeUndefined();
  });

  it('only an exact name match counts: other regions are ignored', async () => {
    const { iam } = await iamFor([
      { id: 'p0000000000000000000000000000001', name: OTHER },
      { id: 'p0000000000000000000000000000002', name: REGION },
      { id: 'p0000000000000000000000000000003', name: `${REGION}_sub` },
    ]);
    await expect(lookUpProjectId(iam, REGION)).resolves.toBe('p0000000000000000000000000000002');
  });

  it('zero matches: an error naming the region and the variable that skips the lookup', async () => {
    const { iam } = await iamFor([{ id: 'p0000000000000000000000000000001', name: OTHER }]);
    const error = await lookUpProjectId(iam, REGION).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectLookupError);
    expect((error as Error).message).toContain(`has no project named "${REGION}"`);
    expect((error as Error).message).toContain('HUAWEICLOUD_SDK_PROJECT_ID');
  });

  it('two matches: an error listing both ids, never a guess', async () => {
    const { iam } = await iamFor([
      { id: 'p0000000000000000000000000000001', name: REGION },
      { id: 'p0000000000000000000000000000002', name: REGION },
    ]);
    const error = await lookUpProjectId(iam, REGION).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectLookupError);
    expect((error as Error).message).toContain(`has 2 projects named "${REGION}" (p0000000000000000000000000000001, p0000000000000000000000000000002)`);
  });

  it('bad credentials: the API error, sent once (401 is never retried)', async () => {
    const { iam, emulator } = await iamFor(undefined, { ...CANARY, sk: 'not-the-right-secret-key-at-all' });
    const error = await lookUpProjectId(iam, REGION).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErApiError);
    expect((error as ErApiError).errorCode).toBe('APIGW.0301');
    expect(lookups(emulator)).toBe(1);
  });
});

describe('ProjectResolver', () => {
  it('asks IAM once for two lookups, sequential or concurrent', async () => {
    const { iam, emulator } = await iamFor();
    const resolver = new ProjectResolver(iam, REGION);
    const [a, b] = await Promise.all([resolver.resolve(), resolver.resolve()]);
    const c = await resolver.resolve();
    expect([a, b, c]).toEqual([emulator.store.topology.projectId, emulator.store.topology.projectId, emulator.store.topology.projectId]);
    expect(lookups(emulator)).toBe(1);
  });

  it('does not keep a failure: a later lookup asks again', async () => {
    const projects: Array<{ id: string; name: string }> = [];
    const { iam, emulator } = await iamFor(projects);
    const resolver = new ProjectResolver(iam, REGION);
    await expect(resolver.resolve()).rejects.toThrow(ProjectLookupError);
    projects.push({ id: 'p0000000000000000000000000000009', name: REGION });
    await expect(resolver.resolve()).resolves.toBe('p0000000000000000000000000000009');
    await expect(resolver.resolve()).resolves.toBe('p0000000000000000000000000000009');
    expect(lookups(emulator)).toBe(2);
  });
});

describe('startProjectLookup (serve without a configured project id)', () => {
  function setUp(e: Emulator, credentials: Credentials = CANARY): { connection: ConnectionState; lookup: ProjectLookup } {
    const target: Target = {
      region: REGION,
      endpoint: e.url,
      credentials,
      iamEndpoint: e.url,
      sources: { credentials: 'test', region: 'test', endpoint: 'test', projectId: 'IAM' },
    };
    const connection = new ConnectionState({ ready: false, problems: [] }, systemClock);
    const er = new HttpClient({ endpoint: e.url, credentials });
    clients.push(er);
    return { connection, lookup: { connection, target, er, clock: systemClock, log: silentLogger(), deadlineMs: 10_000 } };
  }

  it('says the lookup is running, then plugs in an ER client for the project found', async () => {
    emulator = await startTestEmulator();
    const { connection, lookup } = setUp(emulator);
    const done = startProjectLookup(lookup);
    const before = connection.current();
    expect(before.ready).toBe(false);
    if (!before.ready) expect(before.problems.join(' ')).toContain('still being looked up through IAM');
    await done;
    const after = connection.current();
    if (!after.ready) throw new Error(`not ready: ${after.problems.join(' ')}`);
    expect(after.projectId).toBe(emulator.store.topology.projectId);
    const page = await after.er.listRouters({ limit: 1 });
    expect(page.items).toHaveLength(1);
  });

  it('records a failed lookup as a problem naming HUAWEICLOUD_SDK_PROJECT_ID, with no secret in it', async () => {
    emulator = await startTestEmulator();
    const { connection, lookup } = setUp(emulator, { ...CANARY, sk: `${CANARY.sk}-wrong` });
    await startProjectLookup(lookup);
    const after = connection.current();
    if (after.ready) throw new Error('a lookup with a wrong key must not succeed');
    const problem = after.problems.join(' ');
    expect(problem).toContain('APIGW.0301');
    expect(problem).toContain('HUAWEICLOUD_SDK_PROJECT_ID');
    expectNoCanary(problem);
  });
});
