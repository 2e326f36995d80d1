// /mcp for an authenticated caller: one Streamable HTTP transport (session-transport.ts) and one
// MCP server per session, the session bound to the caller who opened it, the cap on open sessions (and each
// caller's share of it), and what is still accepted while the server drains.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isInitializeRequest, isJSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../log.js';
import { readBody } from './body.js';
import { BoundedEventStore, DEFAULT_EVENT_STORE_BOUNDS, DEFAULT_SERVER_EVENT_BYTES, EventBudget } from './event-store.js';
import type { Identity } from './identity.js';
import { RPC, sendRpcError } from './responses.js';
import { SessionTransport } from './session-transport.js';
import { KeepAliveTicker } from './sse-stream.js';
import type { SessionRecord, SessionTable } from './sessions.js';
import { MAX_BODY_BYTES } from './http-settings.js';

/** What a session needs from an MCP server: the SDK's McpServer and Server both fit. */
export interface SessionServer {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

/** Makes the MCP server of one new session, for the caller who opens it. */
export type SessionServerFactory = (caller: Identity) => SessionServer;

export interface Session {
  transport: SessionTransport;
  server: SessionServer;
  /** The session's SSE events, for a client that reconnects with Last-Event-ID. */
  events: BoundedEventStore;
}

export interface McpEndpointOptions {
  sessions: SessionTable<Session>;
  newServer: SessionServerFactory;
  log: Logger;
  isDraining: () => boolean;
}

/** Clients retry a refused new session after this many seconds. */
const RETRY_NEW_SESSION_SECONDS = 5;

/** The SSE `retry:` a client waits before reconnecting a dropped stream (sent on each stream's first event). */
export const SSE_RETRY_MS = 2000;

export class McpEndpoint {
  /** Bytes of SSE events kept for resumption, over all sessions. */
  private readonly eventBudget = new EventBudget(DEFAULT_SERVER_EVENT_BYTES);
  /** Keep-alive comments for every open stream of every session, from one timer. */
  private readonly keepAlive = new KeepAliveTicker();

  constructor(private readonly options: McpEndpointOptions) {}

  async handle(req: IncomingMessage, res: ServerResponse, identity: Identity, auth: AuthInfo): Promise<void> {
    const request = req as IncomingMessage & { auth?: AuthInfo };
    request.auth = auth;
    const sessionId = header(req, 'mcp-session-id');
    switch (req.method) {
      case 'POST':
        return this.post(request, res, identity, sessionId);
      case 'GET':
      case 'DELETE':
        return this.withSession(request, res, identity, sessionId);
      default:
        sendRpcError(res, 405, RPC.server, 'Method not allowed.', { allow: 'GET, POST, DELETE' });
    }
  }

  private async post(req: IncomingMessage, res: ServerResponse, identity: Identity, sessionId: string | undefined): Promise<void> {
    if (!isJson(req.headers['content-type'])) {
      sendRpcError(res, 415, RPC.server, 'Unsupported Media Type: Content-Type must be application/json', { connection: 'close' });
      return;
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (!body.ok) {
      if (body.reason === 'too_large') sendRpcError(res, 413, RPC.server, `Request body larger than ${MAX_BODY_BYTES} bytes`, { connection: 'close' });
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(body.text);
    } catch {
      sendRpcError(res, 400, RPC.parseError, 'Parse error: Invalid JSON');
      return;
    }
    const messages = Array.isArray(message) ? message : [message];
    if (sessionId === undefined) {
      if (messages.length === 1 && isInitializeRequest(messages[0])) return this.open(req, res, identity, message);
      sendRpcError(res, 400, RPC.server, 'Bad Request: No valid session ID provided');
      return;
    }
    const record = this.options.sessions.get(sessionId, identity.caller);
    if (!record) return sessionNotFound(res);
    // While draining, answers the client owes (an approval, a cancellation) still get through.
    if (this.options.isDraining() && messages.some(isJSONRPCRequest)) return draining(res);
    await this.serve(record, req, res, message);
  }

  private async withSession(req: IncomingMessage, res: ServerResponse, identity: Identity, sessionId: string | undefined): Promise<void> {
    if (sessionId === undefined) {
      sendRpcError(res, 400, RPC.server, 'Bad Request: Mcp-Session-Id header is required');
      return;
    }
    const record = this.options.sessions.get(sessionId, identity.caller);
    if (!record) return sessionNotFound(res);
    if (req.method === 'GET') {
      if (this.options.isDraining()) return draining(res);
      // The standalone stream lives as long as the client keeps it: it is activity, not a call.
      this.options.sessions.touch(record);
      await record.value.transport.handleRequest(req, res);
      return;
    }
    await this.serve(record, req, res, undefined);
  }

  private async serve(record: SessionRecord<Session>, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const { sessions } = this.options;
    sessions.begin(record);
    // Ends when the answer (a JSON body or the request's SSE stream) is finished or cut.
    res.once('close', () => sessions.end(record));
    await record.value.transport.handleRequest(req, res, body);
  }

  private async open(req: IncomingMessage, res: ServerResponse, identity: Identity, body: unknown): Promise<void> {
    const { sessions, log } = this.options;
    if (this.options.isDraining()) return draining(res);
    const place = sessions.reserve(identity.caller);
    if (!place.ok) return tooManySessions(res, place.reason, identity, sessions, log);
    const server = this.options.newServer(identity);
    let record: SessionRecord<Session> | undefined;
    const events = new BoundedEventStore(DEFAULT_EVENT_STORE_BOUNDS, this.eventBudget);
    const transport: SessionTransport = new SessionTransport({
      events,
      retryMs: SSE_RETRY_MS,
      keepAlive: this.keepAlive,
      onsessioninitialized: (id) => {
        record = place.add(id, { transport, server, events });
        log.info({ caller: identity.caller, session: id }, 'MCP session opened');
      },
    });
    transport.onclose = () => {
      if (record) void this.close(record, 'closed');
    };
    transport.onerror = (error) => log.debug({ caller: identity.caller, err: error.message }, 'MCP transport refused a request');
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
    } finally {
      // The initialize request was refused (bad protocol version, bad headers): no session came of it.
      if (!record) {
        place.release();
        events.clear();
        await server.close().catch(() => undefined);
      }
    }
  }

  /** Closes one session and its MCP server; safe to call twice. */
  async close(record: SessionRecord<Session>, reason: string): Promise<void> {
    if (!this.options.sessions.remove(record.id)) return;
    // At shutdown every session closes at once: one summary line is logged by the server instead.
    const level = reason === 'shutdown' ? 'debug' : 'info';
    this.options.log[level]({ caller: record.owner, session: record.id, reason }, 'MCP session closed');
    await record.value.server.close().catch(() => undefined);
    record.value.events.clear();
  }
}

/** The media type, parameters aside (`application/json; charset=utf-8` is JSON). */
function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The spec's answer to an unknown or expired session: the client starts a new one. */
function sessionNotFound(res: ServerResponse): void {
  sendRpcError(res, 404, RPC.sessionNotFound, 'Session not found');
}

/** 503 for a new session: the caller's own share is used up, or the whole table is full. */
function tooManySessions(res: ServerResponse, reason: 'cap' | 'share', identity: Identity, sessions: SessionTable<Session>, log: Logger): void {
  const headers = { 'retry-after': String(RETRY_NEW_SESSION_SECONDS) };
  if (reason === 'share') {
    const share = sessions.maxPerOwner;
    log.warn({ caller: identity.caller, sessions: sessions.heldBy(identity.caller), max_per_caller: share }, 'refused a new MCP session: the caller holds its whole share of sessions');
    const message =
      `Too many open sessions for this caller: ${share} at most (--http-max-sessions-per-caller). ` +
      'Close sessions you no longer use (DELETE /mcp with their Mcp-Session-Id), or wait until idle ones expire.';
    sendRpcError(res, 503, RPC.server, message, headers);
    return;
  }
  log.warn({ caller: identity.caller }, 'refused a new MCP session: the cap on open sessions is reached');
  sendRpcError(res, 503, RPC.server, 'Too many open sessions on this server (--http-max-sessions): try again later', headers);
}

function draining(res: ServerResponse): void {
  sendRpcError(res, 503, RPC.server, 'The server is shutting down: no new sessions or calls', { 'retry-after': String(RETRY_NEW_SESSION_SECONDS), connection: 'close' });
}
