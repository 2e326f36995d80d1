// The API contract, from the reference's fixtures (test/fixtures/contract, one per operation),
// checked on both sides so that neither can drift alone:
//  - the operation table (src/er/operations.ts) has the fixtures' methods and paths, one to one;
//  - the EMULATOR answers each operation with the fixture's status and body: every field the
//    reference lists, with its type, and nothing else, nested objects and array items included;
//  - the CLIENT (ErClient, the IAM lookup, and the tools on top) sends only what the reference
//    lists: method, path, query names and values, headers, JSON body; and reads only fields the
//    reference lists.
// A scenario per operation (scenarios.ts) says what is asked; check.ts says what is wrong, one
// line per problem, naming the operation and the field's path.
import { Agent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { type RecordedRequest, SANDBOX_CREDENTIALS, startEmulator } from '../../src/emulator/emulator.js';
import { SANDBOX_IDS as ids } from '../../src/emulator/topology.js';
import { ErClient } from '../../src/er/client.js';
import { OPERATION_NAMES, OPERATIONS, type OperationSpec } from '../../src/er/operations.js';
import { HttpClient } from '../../src/http/http-client.js';
import { connectInMemory, startTestEmulator, WITHOUT_APPROVAL } from '../helpers.js';
import { answerProblems, bodyProblems, headerProblems, queryProblems, requestProblems, schemaPaths } from './check.js';
import { CLIENT_READS, clientReadProblems } from './client-schemas.js';
import { type Fixture, fillPath, loadFixtures } from './fixtures.js';
import { SCENARIOS } from './scenarios.js';
import { signedCall } from './signed-call.js';

const fixtures = loadFixtures();
const agent = new Agent({ connections: 4 });

afterAll(async () => {
  await agent.close();
});

function fixtureOf(operation: string): Fixture {
  const fixture = fixtures.get(operation);
  if (!fixture) throw new Error(`no fixture for ${operation}`);
  return fixture;
}

/** Every way the requests the emulator received depart from their operations' fixtures. */
function sentProblems(requests: readonly RecordedRequest[], options: { tokenOnlyWhereListed: boolean }): string[] {
  return requests.flatMap((request) => {
    if (request.operation === 'unknown') return [`${request.method} ${request.path}: not an operation of the reference`];
    const fixture = fixtureOf(request.operation);
    const problems = requestProblems(fixture, request);
    if (options.tokenOnlyWhereListed && !fixture.request_headers?.['X-Client-Token'] && 'x-client-token' in request.headers) {
      problems.push(`${request.operation}: request header X-Client-Token: sent, but the operation takes none`);
    }
    return problems;
  });
}

describe('the operation table and the fixtures', () => {
  it('have the same operations: every table entry has a fixture, every fixture a table entry', () => {
    expect([...fixtures.keys()].sort()).toEqual([...OPERATION_NAMES].sort());
  });

  it.each(OPERATION_NAMES)('%s: the same method and path', (operation) => {
    const fixture = fixtureOf(operation);
    expect({ method: OPERATIONS[operation].method, path: OPERATIONS[operation].path }, `${operation} in src/er/operations.ts`).toEqual({ method: fixture.method, path: fixture.path });
  });

  it.each(OPERATION_NAMES)('%s: the answer key, X-Client-Token and write flag agree with the fixture', (operation) => {
    const spec: OperationSpec = OPERATIONS[operation];
    const fixture = fixtureOf(operation);
    const listed = Object.keys(fixture.response_body ?? {});
    if (spec.key === undefined) expect(fixture.response_body, `${operation} has no key in the table: the reference must list no body`).toBeUndefined();
    else expect(listed, `${operation}: the table's key ${spec.key} is in the reference's body`).toContain(spec.key);
    expect(spec.clientToken === true, `${operation}: clientToken in the table ⇔ X-Client-Token in the reference's request headers`).toBe(fixture.request_headers?.['X-Client-Token'] !== undefined);
    expect(spec.clientToken === true, `${operation}: clientToken in the table ⇔ X-Client-Token echoed in the reference's answer headers`).toBe(fixture.response_headers?.['X-Client-Token'] !== undefined);
    expect(spec.write, `${operation}: write ⇔ not a GET`).toBe(fixture.method !== 'GET');
  });

  it('has exactly one scenario per operation', () => {
    expect(SCENARIOS.map((s) => s.operation).sort()).toEqual([...OPERATION_NAMES].sort());
  });
});

describe('the client reads only fields the reference lists', () => {
  it.each(CLIENT_READS.map((read) => [`${read.operation} ${read.at}`, read] as const))('%s', (_, read) => {
    expect(clientReadProblems(read, fixtureOf(read.operation).response_body)).toEqual([]);
  });
});

const BY_OPERATION = SCENARIOS.map((scenario) => [scenario.operation, scenario] as const);

describe('the emulator answers as the reference says', () => {
  it.each(BY_OPERATION)('%s', async (_, scenario) => {
    const fixture = fixtureOf(scenario.operation);
    const emulator = await startEmulator({ credentials: [SANDBOX_CREDENTIALS] });
    try {
      const token = `contract-${scenario.operation}`;
      const answer = await signedCall(emulator.url, agent, {
        method: fixture.method,
        path: fillPath(fixture.path, { project_id: emulator.store.topology.projectId, ...scenario.emulator.params }),
        query: scenario.emulator.query,
        json: scenario.emulator.json,
        // Sent to every operation: those that take one echo it, the others must not.
        headers: { ...scenario.emulator.headers, 'x-client-token': token },
      });
      const seen = new Set<string>();
      const problems = answerProblems(fixture, answer, seen);
      const echoed = answer.headers['x-client-token'];
      if (fixture.response_headers?.['X-Client-Token']) {
        if (echoed !== token) problems.push(`${scenario.operation}: answer header X-Client-Token: ${JSON.stringify(echoed)}, not the token sent`);
      } else if (echoed !== undefined) {
        problems.push(`${scenario.operation}: answer header X-Client-Token: echoed, but the operation takes none`);
      }
      // Every field of the reference's body must have been met, or the check above proved little.
      if (answer.status === fixture.status) {
        for (const path of schemaPaths(fixture.response_body)) if (!seen.has(path)) problems.push(`${scenario.operation}: answer ${path}: never met (the scenario must make the emulator show it)`);
      }
      // The scenario's own request is one the reference allows.
      problems.push(...sentProblems(emulator.requests, { tokenOnlyWhereListed: false }));
      expect(problems).toEqual([]);
    } finally {
      await emulator.close();
    }
  });
});

describe('the client sends what the reference lists', () => {
  it.each(BY_OPERATION)('%s', async (_, scenario) => {
    const emulator = await startEmulator({ credentials: [SANDBOX_CREDENTIALS] });
    const http = new HttpClient({ endpoint: emulator.url, credentials: SANDBOX_CREDENTIALS, retry: { maxAttempts: 1 } });
    try {
      const { projectId, region } = emulator.store.topology;
      const failure = await scenario.client({ er: new ErClient(http, projectId), iam: http, region }).then(
        () => undefined,
        (error: unknown) => error,
      );
      const problems: string[] = [];
      if (failure) problems.push(`${scenario.operation}: the client's call failed: ${failure instanceof Error ? failure.message : String(failure)}`);
      if (!emulator.requests.some((r) => r.operation === scenario.operation)) problems.push(`${scenario.operation}: the client sent no request for it`);
      problems.push(...sentProblems(emulator.requests, { tokenOnlyWhereListed: true }));
      expect(problems).toEqual([]);
    } finally {
      await http.close();
      await emulator.close();
    }
  });
});

describe('the MCP tools send only what the reference lists', () => {
  it('in a session that lists, plans, links, routes, waits and unlinks', async () => {
    const emulator = await startTestEmulator({ availableAfterMs: 50, deletedAfterMs: 50 });
    const harness = await connectInMemory(emulator, { settings: WITHOUT_APPROVAL });
    try {
      const call = async (name: string, args: Record<string, unknown>, expectError = false) => {
        const result = await harness.client.callTool({ name, arguments: args });
        expect(result.isError === true, `${name} ${JSON.stringify(args)}: ${JSON.stringify(result.structuredContent ?? result.content).slice(0, 400)}`).toBe(expectError);
      };
      const table = { er_id: ids.router, route_table_id: ids.prodTable };
      const payments = { ...table, attachment_id: ids.paymentsVpc };
      const web = { ...table, attachment_id: ids.webVpc };
      await call('list_enterprise_routers', { state: 'available', limit: 1 });
      await call('list_route_tables', { er_id: ids.router, state: 'available' });
      await call('list_attachments', { er_id: ids.router, state: 'available', resource_type: 'vpc', limit: 2 });
      await call('list_route_associations', { ...table, state: 'available', resource_type: 'vpc', attachment_id: ids.webVpc });
      await call('list_route_propagations', { ...table, state: 'available', resource_type: 'vpc', attachment_id: ids.webVpc });
      await call('list_effective_routes', { route_table_id: ids.prodTable, destination: '10.20.0.0/16', resource_type: 'vpc' });
      await call('list_effective_routes', { route_table_id: ids.prodTable, attachment_id: ids.webVpc, limit: 1 });
      await call('create_route_association', { ...payments, dry_run: true });
      await call('create_route_association', payments);
      await call('get_association_state', { ...payments, wait_for: 'available', timeout_seconds: 30 });
      // Already associated with rtb-prod: the answer says where, from the attachment's list entry.
      await call('create_route_association', { er_id: ids.router, route_table_id: ids.devTable, attachment_id: ids.webVpc }, true);
      await call('delete_route_association', { ...web, dry_run: true });
      await call('delete_route_association', web);
      await call('create_route_propagation', { ...payments, dry_run: true });
      await call('create_route_propagation', payments);
      await call('get_propagation_state', { ...payments, wait_for: 'available', timeout_seconds: 30 });
      await call('delete_route_propagation', web);
      await call('list_static_routes', { ...table, destination: '10.10.99.0/24' });
      await call('list_static_routes', { ...table, attachment_id: ids.webVpc, limit: 1 });
      const route = { ...table, destination: '10.40.0.0/16' };
      await call('create_static_route', { ...route, attachment_id: ids.paymentsVpc, description: 'contract session', dry_run: true });
      await call('create_static_route', { ...route, attachment_id: ids.paymentsVpc, description: 'contract session' });
      await call('get_static_route_state', { ...route, wait_for: 'available', timeout_seconds: 30 });
      await call('create_static_route', { ...table, destination: '10.50.0.0/16', is_blackhole: true });
      await call('delete_static_route', { ...table, destination: '10.10.99.0/24', dry_run: true });
      await call('delete_static_route', { ...table, destination: '10.10.99.0/24' });
      const operations = new Set(emulator.requests.map((r) => r.operation));
      expect([...operations].sort()).toEqual(
        expect.arrayContaining(['listEnterpriseRouters', 'listRouteTables', 'listAttachments', 'showAttachment', 'listAssociations', 'associateRouteTable', 'disassociateRouteTable', 'listPropagations', 'enablePropagation', 'disablePropagation', 'listEffectiveRoutes', 'listStaticRoutes', 'createStaticRoute', 'deleteStaticRoute']),
      );
      expect(sentProblems(emulator.requests, { tokenOnlyWhereListed: true })).toEqual([]);
    } finally {
      await harness.close();
      await emulator.close();
    }
  });
});

describe('the checker', () => {
  const fixture = fixtureOf('listEnterpriseRouters');
  const router = {
    id: 'r1',
    name: 'er',
    description: '',
    state: 'available',
    tags: [{ key: 'env', value: 'prod' }],
    charge_mode: 'postPaid',
    created_at: '2020-03-11T15:13:31',
    updated_at: '2020-03-11T15:13:31',
    enterprise_project_id: '0',
    project_id: 'p',
    asn: 64512,
    enable_default_propagation: false,
    enable_default_association: false,
    default_propagation_route_table_id: '',
    default_association_route_table_id: '',
    availability_zone_ids: ['cn-east-3a'],
    auto_accept_shared_attachments: false,
  };
  const body = (change: Record<string, unknown> = {}, top: Record<string, unknown> = {}) => ({
    instances: [{ ...router, ...change }],
    page_info: { next_marker: 'r1', current_count: 1 },
    request_id: 'req',
    ...top,
  });
  const problems = (value: unknown) => bodyProblems(fixture.response_body, value, 'response');

  it('passes a body with exactly the reference fields, and meets every field of it', () => {
    const seen = new Set<string>();
    expect(bodyProblems(fixture.response_body, body(), 'response', seen)).toEqual([]);
    expect(schemaPaths(fixture.response_body).filter((p) => !seen.has(p))).toEqual([]);
  });

  it('names a missing field, an extra one, a wrong type, a null and a bad enum by their path', () => {
    const { project_id: _, ...withoutProject } = router;
    expect(bodyProblems(fixture.response_body, { ...body(), instances: [withoutProject] }, 'response')).toEqual(['body instances[0].project_id: missing (the reference lists it)']);
    expect(problems(body({ cidrs: ['10.0.0.0/16'] }))).toEqual(['body instances[0].cidrs: not in the reference (["10.0.0.0/16"])']);
    expect(problems(body({ asn: '64512' }))).toEqual(['body instances[0].asn: expected integer, got string "64512"']);
    expect(problems(body({ asn: 1.5 }))).toEqual(['body instances[0].asn: expected integer, got number 1.5']);
    expect(problems(body({ name: null }))).toEqual(['body instances[0].name: null, but the reference does not allow null here']);
    expect(problems(body({ state: 'sleeping' }))[0]).toMatch(/^body instances\[0\]\.state: "sleeping" is not one of/);
    expect(problems(body({ tags: [{ key: 'env' }] }))).toEqual(['body instances[0].tags[0].value: missing (the reference lists it)']);
    expect(problems(body({ tags: [{ key: '', value: 'v' }] }))).toEqual(['body instances[0].tags[0].key: 0 characters, the reference\'s minimum is 1']);
    expect(problems(body({ availability_zone_ids: [3] }))).toEqual(['body instances[0].availability_zone_ids[0]: expected string, got integer 3']);
    expect(problems(body({}, { page_info: { next_marker: '' } }))).toEqual(['body page_info.current_count: missing (the reference lists it)']);
  });

  it('allows null where the fixture says nullable', () => {
    const iam = fixtureOf('keystoneListProjects');
    expect(bodyProblems(iam.response_body, { links: { self: 's', previous: null, next: null }, projects: [] }, 'response')).toEqual([]);
  });

  it('checks a request: unknown query names, repeats, bounds, body fields, required and bounded headers', () => {
    expect(queryProblems(fixture.query, { limit: ['2001'], state: ['available', 'pending'], owned_by_self: ['yes'], name: ['x'] })).toEqual([
      "query limit: 2001 is above the reference's maximum 2000",
      'query owned_by_self: "yes" is not true or false',
      'query name: not a parameter of this operation in the reference',
    ]);
    expect(queryProblems(fixture.query, { limit: ['10', '20'] })).toEqual(['query limit: sent 2 times, the reference allows it once']);
    const associate = fixtureOf('associateRouteTable');
    expect(headerProblems(associate.request_headers, { 'x-client-token': 't'.repeat(65) }, 'request')).toEqual(["header X-Client-Token: 65 characters, the reference's maximum is 64"]);
    expect(headerProblems(associate.request_headers, { 'x-client-token': '' }, 'request')).toEqual(["header X-Client-Token: 0 characters, the reference's minimum is 1"]);
    expect(headerProblems(fixtureOf('keystoneListProjects').request_headers, {}, 'request')).toEqual(['header Content-Type: missing (the reference lists it as required)']);
    expect(bodyProblems(associate.request_body, { attachment_id: 'a', force: true }, 'request')).toEqual(['body force: not in the reference (true)']);
    expect(bodyProblems(fixtureOf('createStaticRoute').request_body, { route: { attachment_id: 'a' } }, 'request')).toEqual(['body route.destination: missing (the reference lists it as required)']);
    expect(bodyProblems(fixtureOf('disassociateRouteTable').request_body, undefined, 'request')).toEqual(['body: missing (the reference lists one)']);
    expect(bodyProblems(undefined, {}, 'request')).toEqual(['body: the reference lists no body, got {}']);
    const sent = { method: 'GET', path: `/v3/p/enterprise-router/instances/x`, query: {}, headers: {} };
    expect(requestProblems(fixture, sent)).toEqual(['listEnterpriseRouters: request path: /v3/p/enterprise-router/instances/x is not /v3/{project_id}/enterprise-router/instances']);
  });

  it('checks an answer: status, listed headers, and no body where the reference has none', () => {
    const associate = fixtureOf('associateRouteTable');
    expect(answerProblems(associate, { status: 200, headers: {}, text: '{}' })).toEqual([
      'associateRouteTable: answer status: 200, the reference\'s is 202 ({})',
      'associateRouteTable: answer header X-Client-Token: missing (the reference lists it)',
      'associateRouteTable: answer body association: missing (the reference lists it)',
      'associateRouteTable: answer body request_id: missing (the reference lists it)',
    ]);
    expect(answerProblems(fixtureOf('disassociateRouteTable'), { status: 202, headers: {}, text: '{"ok":true}' })).toEqual(['disassociateRouteTable: answer body: the reference lists none, got {"ok":true}']);
  });
});
