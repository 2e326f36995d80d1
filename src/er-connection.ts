// Connects `serve` to the ER API: the signed HTTP client, and the ER client once the project id is
// known (configured, or looked up through IAM in the background: project.ts). A module of its own
// because the clients, their retries and the API's response schemas are the largest part of
// start-up that tools/list does not need: over stdio, cli.ts loads this once the handshake is
// over, and a call that comes before it is ready waits for the connection (connection.ts).
import type { Target } from './load-config.js';
import type { ConnectionState } from './connection.js';
import { ErClient } from './er/client.js';
import { systemClock } from './http/clock.js';
import { type Credentials, HttpClient } from './http/http-client.js';
import type { Logger } from './log.js';
import { startProjectLookup } from './project.js';

/** An ER endpoint whose project id is known (the sandbox's emulator): ready at once. */
export function connectDirectly(connection: ConnectionState, api: { endpoint: string; credentials: Credentials; projectId: string }): HttpClient {
  const http = new HttpClient({ endpoint: api.endpoint, credentials: api.credentials });
  connection.settle({ ready: true, er: new ErClient(http, api.projectId), projectId: api.projectId });
  return http;
}

/** The configured target: ready at once with a project id, else once IAM has named it. */
export function connectToTarget(connection: ConnectionState, target: Target, lookup: { log: Logger; deadlineMs: number }): HttpClient {
  if (target.projectId) return connectDirectly(connection, { endpoint: target.endpoint, credentials: target.credentials, projectId: target.projectId });
  const http = new HttpClient({ endpoint: target.endpoint, credentials: target.credentials });
  void startProjectLookup({ connection, target, er: http, clock: systemClock, log: lookup.log, deadlineMs: lookup.deadlineMs });
  return http;
}
