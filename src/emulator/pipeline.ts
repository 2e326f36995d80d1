// One request through the emulator, in the order the real gateway and service would take it:
// route by the operation table → signature → the fault plan (latency, resets, error answers) →
// the project → the operation's handler; every request is logged with its status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ErOperation, matchOperation, operationSpec } from '../er/operations.js';
import { ApiError } from './api-error.js';
import { faultReply } from './fault-replies.js';
import type { FaultInjector } from './faults.js';
import { handle as handleOperation, type OperationRequest, type Stores } from './handlers.js';
import { apiError, header, notFoundReply, parseQuery, readBody, type Reply, safeDecode, send } from './http-io.js';
import { type KnownProject, listProjects } from './iam-projects.js';
import { type RecordedRequest, recordOf } from './request-log.js';
import { type EmulatorCredential, signatureProblem } from './signature-check.js';

export interface PipelineOptions {
  credentials: readonly EmulatorCredential[];
  /** The one project the ER operations serve. */
  projectId: string;
  iamProjects: readonly KnownProject[];
  stores: Stores;
  faults?: FaultInjector;
  requests: RecordedRequest[];
  now: () => number;
  /** The emulator's own URL, once it listens (the IAM answer links to it). */
  url: () => string;
}

export async function handleRequest(req: IncomingMessage, res: ServerResponse, options: PipelineOptions): Promise<void> {
  const { faults, now } = options;
  // The Date header follows the emulator's clock, so clients can measure skew from it.
  res.setHeader('date', new Date(now()).toUTCString());
  const body = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://emulator');
  const matched = matchOperation(req.method ?? '', url.pathname);
  const query = parseQuery(url.search);
  const record = (status: number) => options.requests.push(recordOf(req, { path: url.pathname, operation: matched?.operation ?? 'unknown', query, body }, status));

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
  const clientToken = operationSpec(matched.operation).clientToken ? header(req, 'x-client-token') : undefined;
  const reply = dispatch(matched.operation, { params, query, body, clientToken }, header(req, 'x-project-id'), options);
  record(reply.status);
  if (fault.kind === 'reset-after') return void req.socket.destroy();
  send(res, reply);
}

function dispatch(operation: ErOperation, request: OperationRequest, headerProject: string | undefined, options: PipelineOptions): Reply {
  try {
    if (request.clientToken !== undefined) checkClientToken(request.clientToken);
    if (operation === 'keystoneListProjects') return listProjects(request.query, options.iamProjects, options.url());
    const projectId = request.params.project_id;
    if (headerProject !== projectId) return apiError(400, 'ER.04009005', 'The X-Project-Id header must name the project in the request path.');
    if (projectId !== options.projectId) return apiError(403, 'APIGW.0302', `The project ${projectId} does not belong to this account or region.`);
    return handleOperation(operation, request, options.stores);
  } catch (error) {
    if (error instanceof ApiError) return apiError(error.status, error.code, error.message);
    throw error;
  }
}

/** The reference allows 1–64 characters; anything else is refused before the request does anything. */
function checkClientToken(token: string): void {
  if (token.length < 1 || token.length > 64) {
    throw new ApiError(400, 'ER.04009005', `X-Client-Token must be 1 to 64 characters (got ${token.length}).`);
  }
}
