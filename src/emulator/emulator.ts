// A local stand-in for the ER v3 API (and the IAM project lookup): real HTTP on loopback,
// real signature checks with the project's signer, documented bodies and error codes.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseSdkDate, sign } from '../http/signer.js';
import { type Fault, FaultInjector, type FaultPlan } from './faults.js';
import { RoutingStore } from './propagations.js';
import { ApiError } from './api-error.js';
import { Store } from './store.js';
import { sandboxTopology, type Topology } from './topology.js';
import { UnforeseenRoute } from './unforeseen-route.js';

export interface EmulatorCredential {
  ak: string;
  sk: string;
  /** When set, requests must send and sign this `X-Security-Token`. */
  securityToken?: string;
}

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
  now?: () => number;
  /** What the IAM project lookup knows; defaults to the topology's one project, named after its region. */
  iamProjects?: Array<{ id: string; name: string }>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  operation: string;
  status: number;
  clientToken?: string;
}

export interface Emulator {
  url: string;
  port: number;
  store: Store;
  /** Propagations, static routes and effective routes. */
  routing: RoutingStore;
  /** Every request that reached a route, in order (rejected ones too). */
  requests: RecordedRequest[];
  /** TCP connections accepted since start. */
  connections(): number;
  faults?: FaultInjector;
  close(): Promise<void>;
}

/** Sandbox credentials: well known on purpose, they only open the local emulator. */
export const SANDBOX_CREDENTIALS: EmulatorCredential = { ak: 'SANDBOXACCESSKEY0001', sk: 'sandbox-secret-key-not-a-real-one' };

const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_BODY_BYTES = 1024 * 1024;
const WRITE_OPERATIONS = new Set(['associate', 'disassociate', 'enable-propagation', 'disable-propagation']);
const PROPAGATION_OPERATIONS = new Set(['enable-propagation', 'disable-propagation', 'list-propagations']);

export function isWrite(request: RecordedRequest): boolean {
  return WRITE_OPERATIONS.has(request.operation);
}

interface Route {
  method: string;
  pattern: RegExp;
  operation: string;
}

const ID = '([^/]+)';
const ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/v3\/projects$/, operation: 'iam-list-projects' },
  { method: 'GET', pattern: new RegExp(`^/v3/${ID}/enterprise-router/instances$`), operation: 'list-routers' },
  { method: 'GET', pattern: new RegExp(`^/v3/${ID}/enterprise-router/instances/${ID}$`), operation: 'show-router' },
  { method: 'GET', pattern: new RegExp(`^/v3/${ID}/enterprise-router/${ID}/route-tables$`), operation: 'list-route-tables' },
  { method: 'GET', pattern: new RegExp(`^/v3/${ID}/enterprise-router/${ID}/route-tables/${ID}$`), operation: 'show-route-table' },
  { method: 'GET', pattern: new RegExp(`^/v3/${ID}/enterprise-router/${ID}/attachments$`), operation: 'list-attachments' },
  { method: 'GET', pattern: new RegExp(`^/v3/${ID}/enterprise-router/${ID}/attachments/${ID}$`), operation: 'show-attachment' },
  { method: 'GET', pattern: new RegExp(`^/v3/${ID}/enterprise-router/${ID}/route-tables/${ID}/associations$`), operation: 'list-associations' },
  { method: 'POST', pattern: new RegExp(`^/v3/${ID}/enterprise-router/${ID}/route-tables/${ID}/associate$`), operation: 'associate' },
  { method: 'POST', pattern: new RegExp(`^/v3/${ID}/enterprise-router/${ID}/route-tables/${ID}/disassociate$`), operation: 'disassociate' },
  { method: 'GET', pattern: new RegExp(`^/v3/${ID}/enterprise-router/${ID}/route-tables/${ID}/propagations$`), operation: 'list-propagations' },
  { method: 'POST', pattern: new RegExp(`^/v3/${ID}/enterprise-router/${ID}/route-tables/${ID}/enable-propagations$`), operation: 'enable-propagation' },
  { method: 'POST', pattern: new RegExp(`^/v3/${ID}/enterprise-router/${ID}/route-tables/${ID}/disable-propagations$`), operation: 'disable-propagation' },
  // Effective routes: the route table alone names the path, no router id.
  { method: 'GET', pattern: new RegExp(`^/v3/${ID}/enterprise-router/route-tables/${ID}/routes$`), operation: 'list-effective-routes' },
];

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

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
  const routing = new RoutingStore(
    store,
    topology,
    {
      availableAfterMs: options.availableAfterMs ?? 1_500,
      deletedAfterMs: options.deletedAfterMs ?? 1_500,
      now,
    },
    unforeseenRoute,
  );
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

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The Date header follows the emulator's clock, so clients can measure skew from it.
    res.setHeader('date', new Date(now()).toUTCString());
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://emulator');
    const route = ROUTES.find((r) => r.method === req.method && r.pattern.test(url.pathname));
    const operation = route?.operation ?? 'unknown';
    const clientToken = header(req, 'x-client-token');
    const record = (status: number) => requests.push({ method: req.method ?? '', path: url.pathname, operation, status, clientToken });

    if (!route) {
      record(404);
      return send(res, apiError(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment.'));
    }
    const authProblem = verifySignature(req, url, body, options.credentials, now());
    if (authProblem) {
      record(401);
      return send(res, apiError(401, 'APIGW.0301', `Incorrect IAM authentication information: ${authProblem}`));
    }

    const fault = faults?.next() ?? { kind: 'none' };
    const latency = faults?.latency() ?? 0;
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    if (fault.kind === 'reset-before') {
      record(0);
      return void req.socket.destroy();
    }
    const injected = faultReply(fault, operation);
    if (injected) {
      record(injected.status);
      return send(res, injected);
    }

    const params = route.pattern.exec(url.pathname)!.slice(1).map(safeDecode);
    const reply = dispatch(operation, params, req, url, body);
    record(reply.status);
    if (fault.kind === 'reset-after') return void req.socket.destroy();
    send(res, reply);
  }

  function dispatch(operation: string, params: string[], req: IncomingMessage, url: URL, body: Buffer): Reply {
    try {
      if (operation === 'iam-list-projects') return listProjects(url);
      const [projectId, ...ids] = params as [string, ...string[]];
      const headerProject = header(req, 'x-project-id');
      if (headerProject !== projectId) {
        return apiError(400, 'ER.04009005', 'The X-Project-Id header must name the project in the request path.');
      }
      if (projectId !== topology.projectId) {
        return apiError(403, 'APIGW.0302', `The project ${projectId} does not belong to this account or region.`);
      }
      return operate(operation, ids, url, body, header(req, 'x-client-token'));
    } catch (error) {
      if (error instanceof ApiError) return apiError(error.status, error.code, error.message);
      throw error;
    }
  }

  function operate(operation: string, ids: string[], url: URL, body: Buffer, clientToken: string | undefined): Reply {
    const [erId = '', second = ''] = ids;
    const query = parseQuery(url.search);
    switch (operation) {
      case 'list-routers':
        return page(query, 'instances', filter(store.listRouters(), query, ['id', 'state']));
      case 'show-router':
        return ok({ instance: store.router(erId) });
      case 'list-route-tables':
        return page(query, 'route_tables', filter(store.listTables(erId), query, ['state']));
      case 'show-route-table':
        return ok({ route_table: store.table(erId, second) });
      case 'list-attachments':
        return page(query, 'attachments', filter(store.listAttachments(erId).map((a) => store.viewAttachment(a)), query, ['state', 'resource_type', 'resource_id']));
      case 'show-attachment':
        return ok({ attachment: store.viewAttachment(store.attachment(erId, second)) });
      case 'list-associations':
        return page(query, 'associations', filter(store.listAssociations(erId, second), query, ['attachment_id', 'state', 'resource_type']));
      case 'associate': {
        const attachmentId = attachmentIdFrom(body);
        const association = store.associate(erId, second, attachmentId, clientToken);
        return { status: 202, body: { association, request_id: randomUUID() }, headers: clientToken ? { 'x-client-token': clientToken } : {} };
      }
      case 'disassociate':
        store.disassociate(erId, second, attachmentIdFrom(body));
        return { status: 202 };
      case 'list-propagations':
        return page(query, 'propagations', filter(routing.list(erId, second), query, ['attachment_id', 'state', 'resource_type']));
      case 'enable-propagation': {
        const propagation = routing.enable(erId, second, attachmentIdFrom(body), clientToken);
        return { status: 202, body: { propagation, request_id: randomUUID() }, headers: clientToken ? { 'x-client-token': clientToken } : {} };
      }
      case 'disable-propagation':
        routing.disable(erId, second, attachmentIdFrom(body));
        return { status: 202 };
      case 'list-effective-routes': {
        // Only path id here is the route table's (erId holds it); filters match any next hop.
        const routes = routing.effectiveRoutes(erId).filter(
          (r) =>
            (!query.destination || query.destination.includes(r.destination)) &&
            (!query.resource_type || r.next_hops.some((h) => query.resource_type!.includes(h.resource_type))),
        );
        return page(query, 'routes', routes, 'route_id');
      }
      default:
        return apiError(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment.');
    }
  }

  function listProjects(url: URL): Reply {
    const name = parseQuery(url.search).name?.[0];
    const known = options.iamProjects ?? [{ id: topology.projectId, name: topology.region }];
    const projects = known.map((p) => ({ ...p, enabled: true, domain_id: 'emulator-domain' }));
    return ok({ projects: projects.filter((p) => name === undefined || p.name === name) });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    store,
    routing,
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

function verifySignature(req: IncomingMessage, url: URL, body: Buffer, credentials: EmulatorCredential[], nowMs: number): string | undefined {
  const authorization = header(req, 'authorization') ?? '';
  const match = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!match) return 'missing or malformed Authorization header';
  const [, ak, signedHeaderList, signature] = match as unknown as [string, string, string, string];
  const credential = credentials.find((c) => c.ak === ak);
  if (!credential) return 'unknown access key';
  const names = signedHeaderList.split(';');
  if (!names.includes('x-sdk-date') || !names.includes('host')) return 'host and x-sdk-date must be signed';
  const date = parseSdkDate(header(req, 'x-sdk-date') ?? '');
  if (!date) return 'missing or malformed X-Sdk-Date';
  if (Math.abs(nowMs - date.getTime()) > MAX_SKEW_MS) return 'X-Sdk-Date is more than 15 minutes away from server time';
  if (credential.securityToken !== undefined) {
    if (!names.includes('x-security-token') || header(req, 'x-security-token') !== credential.securityToken) return 'invalid security token';
  }
  const headers: Record<string, string> = {};
  for (const name of names) headers[name] = header(req, name) ?? '';
  const expected = sign({ method: req.method ?? 'GET', path: url.pathname, query: parseQuery(url.search), headers, body }, credential);
  return expected.signature === signature ? undefined : 'signature does not match';
}

/** Repeated keys become arrays; values are percent-decoded (never `+` as space, as signing requires). */
function parseQuery(search: string): Record<string, string[]> {
  const query: Record<string, string[]> = {};
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = safeDecode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : safeDecode(pair.slice(eq + 1));
    (query[key] ??= []).push(value);
  }
  return query;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function filter<T extends object>(items: T[], query: Record<string, string[]>, keys: string[]): T[] {
  return items.filter((item) =>
    keys.every((key) => {
      const wanted = query[key];
      return !wanted || wanted.includes(String((item as Record<string, unknown>)[key] ?? ''));
    }),
  );
}

/** `limit` + `marker` paging; like the real API, the last page may still carry a marker. */
function page(query: Record<string, string[]>, key: string, items: Array<object>, idKey = 'id'): Reply {
  const limitText = query.limit?.[0] ?? '2000';
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 2000) return apiError(400, 'ER.04009005', 'limit must be from 1 to 2000.');
  const marker = query.marker?.[0];
  let start = 0;
  if (marker !== undefined) {
    const ids = items.map((item) => String((item as Record<string, unknown>)[idKey] ?? ''));
    const index = ids.indexOf(marker);
    // The marker's item may be gone by the next page (an association finished deleting): carry on
    // after where it would have been. Lists here come in ascending id order (seeded ids are
    // ordered, new association ids grow), so that is the first id that sorts after the marker.
    start = index !== -1 ? index + 1 : ids.findIndex((id) => id > marker);
    if (start === -1) start = items.length;
  }
  const slice = items.slice(start, start + limit);
  const last = slice[slice.length - 1] as Record<string, unknown> | undefined;
  return ok({ [key]: slice, page_info: { next_marker: String(last?.[idKey] ?? ''), current_count: slice.length }, request_id: randomUUID() });
}

function attachmentIdFrom(body: Buffer): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'ER.04009005', 'The request body is not valid JSON.');
  }
  const id = (parsed as { attachment_id?: unknown } | null)?.attachment_id;
  if (typeof id !== 'string' || id === '') throw new ApiError(400, 'ER.04009005', 'attachment_id is required.');
  return id;
}

function faultReply(fault: Fault, operation: string): Reply | undefined {
  switch (fault.kind) {
    case 'throttle':
      return { ...apiError(429, 'APIGW.0308', 'The throttling threshold has been reached.'), headers: { 'retry-after': String(fault.retryAfterSeconds) } };
    case 'server-error':
      return { status: fault.status, body: fault.body, headers: fault.contentType ? { 'content-type': fault.contentType } : {} };
    case 'busy': {
      // A propagation is busy with its own code, where an association would answer ER.04002003.
      const code = fault.code === 'ER.04002003' && PROPAGATION_OPERATIONS.has(operation) ? 'ER.04003003' : fault.code;
      return apiError(fault.status, code, 'The resource is being operated. Try again later.');
    }
    default:
      return undefined;
  }
}

function ok(body: object): Reply {
  return { status: 200, body };
}

function apiError(status: number, code: string, message: string): Reply {
  return { status, body: { error_code: code, error_msg: message, request_id: randomUUID() } };
}

function send(res: ServerResponse, reply: Reply): void {
  const requestId = randomUUID();
  const isRaw = typeof reply.body === 'string';
  const payload = reply.body === undefined ? '' : isRaw ? (reply.body as string) : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'x-request-id': (reply.body as { request_id?: string } | undefined)?.request_id ?? requestId,
    ...(payload && !isRaw ? { 'content-type': 'application/json' } : {}),
    ...reply.headers,
  });
  res.end(payload);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
