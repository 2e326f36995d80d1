// A local stand-in for the ER v3 API (and the IAM project lookup): real HTTP on loopback,
// real signature checks with the project's signer, documented bodies and error codes. Requests
// are routed by the operation table (src/er/operations.ts); handlers.ts does each operation.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type ErOperation, matchOperation, OPERATIONS, operationSpec } from '../er/operations.js';
import { ApiError } from './api-error.js';
import { type Fault, FaultInjector, type FaultPlan } from './faults.js';
import { handle as handleOperation, type OperationRequest, type Stores } from './handlers.js';
import { apiError, header, notFoundReply, ok, parseQuery, type Query, readBody, type Reply, safeDecode, send } from './http-io.js';
import { RoutingStore } from './propagations.js';
import { type EmulatorCredential, signatureProblem } from './signature-check.js';
import { ROUTE_BUSY_CODE, StaticRoutes } from './static-routes.js';
import { Store } from './store.js';
import { sandboxTopology, type Topology } from './topology.js';
import { UnforeseenRoute } from './unforeseen-route.js';

export type { EmulatorCredential } from './signature-check.js';

export interface EmulatorOptions {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  credentials: EmulatorCredential[];
  topology?: Topology;
  availableAfterMs?: number;
  deletedAfterMs?: number;
  faults?: FaultPlan;
  /** Hides each new association from association lists for this long (else the fault plan's value, else 0). */
  associationListLagMs?: number;
  /** Static routes one route table may hold (ER.04009008 past it); 100 unless set (an assumption, static-routes.ts). */
  staticRouteQuota?: number;
  now?: () => number;
  /** What the IAM project lookup knows; defaults to the topology's one project, named after its region. */
  iamProjects?: Array<{ id: string; name: string }>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The operation's name in src/er/operations.ts, or `unknown` for a path the API does not have. */
  operation: ErOperation | 'unknown';
  status: number;
  clientToken?: string;
  /** The query as sent, decoded; a repeated name has several values. */
  query: Query;
  /** The request headers (lower-case names) but the signature and the security token. */
  headers: Record<string, string>;
  /** The body parsed as JSON; absent when there was none, or it was not JSON. */
  json?: unknown;
}

export interface Emulator {
  url: string;
  port: number;
  store: Store;
  /** Propagations and effective routes. */
  routing: RoutingStore;
  /** Static routes; tests read them with `allStaticRoutes()` and fail the next one with `failStaticRoutesTo()`. */
  staticRoutes: StaticRoutes;
  /** Every request that reached a route, in order (rejected ones too). */
  requests: RecordedRequest[];
  /** TCP connections accepted since start. */
  connections(): number;
  faults?: FaultInjector;
  close(): Promise<void>;
}

/** Sandbox credentials: well known on purpose, they only open the local emulator. */
export const SANDBOX_CREDENTIALS: EmulatorCredential = { ak: 'SANDBOXACCESSKEY0001', sk: 'sandbox-secret-key-not-a-real-one' };

/** Whether a recorded request was one that changes something (tests prove "nothing was sent" with it). */
export function isWrite(request: RecordedRequest): boolean {
  return request.operation !== 'unknown' && OPERATIONS[request.operation].write;
}

const PROPAGATION_OPERATIONS = new Set<ErOperation>(['enablePropagation', 'disablePropagation', 'listPropagations']);
const STATIC_ROUTE_OPERATIONS = new Set<ErOperation>(['listStaticRoutes', 'showStaticRoute', 'createStaticRoute', 'updateStaticRoute', 'deleteStaticRoute']);

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const now = options.now ?? Date.now;
  const topology = options.topology ?? sandboxTopology();
  const unforeseenRoute = options.faults?.unforeseenRoute && new UnforeseenRoute(options.faults.unforeseenRoute.destination);
  const store = new Store(topology, {
    availableAfterMs: options.availableAfterMs ?? 1_500,
    deletedAfterMs: options.deletedAfterMs ?? 1_500,
    associationListLagMs: options.associationListLagMs ?? options.faults?.associationListLagMs ?? 0,
    unforeseenRoute,
    now,
  });
  const timing = { availableAfterMs: options.availableAfterMs ?? 1_500, deletedAfterMs: options.deletedAfterMs ?? 1_500, now };
  const staticRoutes = new StaticRoutes(store, topology, { ...timing, quotaPerTable: options.staticRouteQuota ?? 100 }, unforeseenRoute);
  const routing = new RoutingStore(store, staticRoutes, topology, timing, unforeseenRoute);
  const faults = options.faults ? new FaultInjector(options.faults) : undefined;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let connectionCount = 0;

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) send(res, { status: 500, body: { error_code: 'ER.05009999', error_msg: 'Emulator internal error.' } });
    });
  });
  server.on('connection', (socket) => {
    connectionCount += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const stores: Stores = { store, routing, staticRoutes };
  /** Set once listening; the IAM answer's links point back here. */
  let emulatorUrl = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The Date header follows the emulator's clock, so clients can measure skew from it.
    res.setHeader('date', new Date(now()).toUTCString());
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://emulator');
    const matched = matchOperation(req.method ?? '', url.pathname);
    const clientToken = header(req, 'x-client-token');
    const query = parseQuery(url.search);
    const record = (status: number) =>
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        operation: matched?.operation ?? 'unknown',
        status,
        clientToken,
        query,
        headers: recordedHeaders(req),
        ...parsedJson(body),
      });

    if (!matched) {
      record(404);
      return send(res, notFoundReply());
    }
    const authProblem = signatureProblem(req, url, body, options.credentials, now());
    if (authProblem) {
      record(401);
      return send(res, apiError(401, 'APIGW.0301', `Incorrect IAM authentication information: ${authProblem}`));
    }

    const targeted = faults?.targets(matched.operation) ? faults : undefined;
    const fault = targeted?.next() ?? { kind: 'none' };
    const latency = targeted?.latency() ?? 0;
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    if (fault.kind === 'reset-before') {
      record(0);
      return void req.socket.destroy();
    }
    const injected = faultReply(fault, matched.operation);
    if (injected) {
      record(injected.status);
      return send(res, injected);
    }

    const params = Object.fromEntries(Object.entries(matched.params).map(([name, value]) => [name, safeDecode(value)]));
    // X-Client-Token means something only to the operations that take one: the others ignore it.
    const token = operationSpec(matched.operation).clientToken ? clientToken : undefined;
    const reply = dispatch(matched.operation, { params, query, body, clientToken: token }, header(req, 'x-project-id'));
    record(reply.status);
    if (fault.kind === 'reset-after') return void req.socket.destroy();
    send(res, reply);
  }

  function dispatch(operation: ErOperation, request: OperationRequest, headerProject: string | undefined): Reply {
    try {
      if (request.clientToken !== undefined) checkClientToken(request.clientToken);
      if (operation === 'keystoneListProjects') return listProjects(request.query);
      const projectId = request.params.project_id;
      if (headerProject !== projectId) {
        return apiError(400, 'ER.04009005', 'The X-Project-Id header must name the project in the request path.');
      }
      if (projectId !== topology.projectId) {
        return apiError(403, 'APIGW.0302', `The project ${projectId} does not belong to this account or region.`);
      }
      return handleOperation(operation, request, stores);
    } catch (error) {
      if (error instanceof ApiError) return apiError(error.status, error.code, error.message);
      throw error;
    }
  }

  /** KeystoneListProjects: every project the lookup knows, filtered by name, in one page. */
  function listProjects(query: Query): Reply {
    const name = query.name?.[0];
    const known = options.iamProjects ?? [{ id: topology.projectId, name: topology.region }];
    const base = `${emulatorUrl}/v3/projects`;
    const projects = known
      .filter((p) => name === undefined || p.name === name)
      .map((p) => ({
        is_domain: false,
        description: '',
        links: { self: `${base}/${p.id}` },
        enabled: true,
        id: p.id,
        // A region's built-in project sits directly under the account.
        parent_id: IAM_DOMAIN_ID,
        domain_id: IAM_DOMAIN_ID,
        name: p.name,
      }));
    return ok({ links: { self: `${base}${name === undefined ? '' : `?name=${encodeURIComponent(name)}`}`, previous: null, next: null }, projects });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  emulatorUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: emulatorUrl,
    port,
    store,
    routing,
    staticRoutes,
    requests,
    connections: () => connectionCount,
    faults,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

/** The account (IAM domain) of the emulator's projects. */
export const IAM_DOMAIN_ID = 'e1d2c3b4a5968778695a4b3c2d1e0f00';

/** The reference allows 1–64 characters; anything else is refused before the request does anything. */
function checkClientToken(token: string): void {
  if (token.length < 1 || token.length > 64) {
    throw new ApiError(400, 'ER.04009005', `X-Client-Token must be 1 to 64 characters (got ${token.length}).`);
  }
}

/** Headers as received, minus what would let a reader of the log replay or sign requests. */
function recordedHeaders(req: IncomingMessage): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of Object.keys(req.headers)) {
    if (name === 'authorization' || name === 'x-security-token') continue;
    kept[name] = header(req, name) ?? '';
  }
  return kept;
}

function parsedJson(body: Buffer): { json?: unknown } {
  if (body.length === 0) return {};
  try {
    return { json: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return {};
  }
}

function faultReply(fault: Fault, operation: ErOperation): Reply | undefined {
  switch (fault.kind) {
    case 'throttle':
      return { ...apiError(429, 'APIGW.0308', 'The throttling threshold has been reached.'), headers: { 'retry-after': String(fault.retryAfterSeconds) } };
    case 'server-error':
      return { status: fault.status, body: fault.body, headers: fault.contentType ? { 'content-type': fault.contentType } : {} };
    case 'busy': {
      // Propagations and static routes are busy with their own code where an association would
      // answer ER.04002003 (a static route's is the route table's, see ROUTE_BUSY_CODE).
      const own = PROPAGATION_OPERATIONS.has(operation) ? 'ER.04003003' : STATIC_ROUTE_OPERATIONS.has(operation) ? ROUTE_BUSY_CODE : undefined;
      const code = fault.code === 'ER.04002003' && own ? own : fault.code;
      return apiError(fault.status, code, 'The resource is being operated. Try again later.');
    }
    default:
      return undefined;
  }
}
