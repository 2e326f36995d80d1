// A local stand-in for the ER v3 API (and the IAM project lookup): real HTTP on loopback,
// real signature checks with the project's signer, documented bodies and error codes. This file
// builds the state and the server; pipeline.ts takes each request through, routed by the
// operation table (src/er/operations.ts), and handlers.ts does each operation.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultInjector, type FaultPlan } from './faults.js';
import { send } from './http-io.js';
import { handleRequest, type PipelineOptions } from './pipeline.js';
import { RoutingStore } from './propagations.js';
import type { RecordedRequest } from './request-log.js';
import type { EmulatorCredential } from './signature-check.js';
import { StaticRoutes } from './static-routes.js';
import { Store } from './store.js';
import { sandboxTopology, type Topology } from './topology.js';
import { UnforeseenRoute } from './unforeseen-route.js';

export type { EmulatorCredential } from './signature-check.js';
export { isWrite, type RecordedRequest } from './request-log.js';

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
  /** Set once listening; the IAM answer's links point back here. */
  let emulatorUrl = '';
  const pipeline: PipelineOptions = {
    credentials: options.credentials,
    projectId: topology.projectId,
    iamProjects: options.iamProjects ?? [{ id: topology.projectId, name: topology.region }],
    stores: { store, routing, staticRoutes },
    faults,
    requests,
    now,
    url: () => emulatorUrl,
  };

  const server: Server = createServer((req, res) => {
    void handleRequest(req, res, pipeline).catch(() => {
      if (!res.headersSent) send(res, { status: 500, body: { error_code: 'ER.05009999', error_msg: 'Emulator internal error.' } });
    });
  });
  server.on('connection', (socket) => {
    connectionCount += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

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
