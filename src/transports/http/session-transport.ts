// MCP's Streamable HTTP transport for one session, on Node's own request and response objects.
// It answers as the SDK's StreamableHTTPServerTransport does in the mode this server uses it
// (stateful, with an event store, SSE answers, no DNS-rebinding check of its own: the server
// checks Host and Origin before), same statuses, JSON-RPC codes and messages, but without the
// SDK's detour through web Request, Response and ReadableStream objects (@hono/node-server
// converts every request and pumps every answer), which cost several times the MCP work of a
// small call (see bench/README.md, "Streamable HTTP against stdio"). One difference: a request whose
// answer is the first thing it gets back is answered with one JSON body, not a stream (PRIMING_HOLD_MS).
// The body arrives parsed, Content-Type and the body size are checked before (mcp-endpoint.ts).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  DEFAULT_NEGOTIATED_PROTOCOL_VERSION,
  type InitializeRequest,
  isInitializeRequest,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  type JSONRPCRequest,
  type JSONRPCResponse,
  type MessageExtraInfo,
  type RequestId,
  type RequestInfo,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import { messageJson } from '../../message-json.js';
import { type BoundedEventStore, PRIMING } from './event-store.js';
import { RPC, sendJson, sendRpcError } from './responses.js';
import { type KeepAliveTicker, messageFrame, SseStream } from './sse-stream.js';

/** Messages in one POSTed batch, at most (the SDK transport's bound). */
export const MAX_BATCH_MESSAGES = 100;
/** The stream of messages not related to a request: the GET stream's id in the event store. */
const STANDALONE = '_GET_stream';
/** The first protocol version whose clients resume streams (priming events, closable streams). */
const RESUMABLE_FROM = '2025-11-25';
/**
 * How long a call's answer may wait before it must become an event stream (head and priming
 * event out, so the client can resume a long call if its connection drops). A call answered
 * sooner with nothing streamed before (most are) gets one JSON body in one write: no framing, no
 * event kept, no second write, no timer firing. At 100 ms, a fifth to two fifths of the calls at
 * 64 in flight on the benchmark machine outlasted the hold and paid for a stream (bench/README.md,
 * "Streamable HTTP at 64 in flight"); a connection that drops within the first second costs the
 * answer, as it did within the first 100 ms.
 */
export const PRIMING_HOLD_MS = 1000;

export interface SessionTransportOptions {
  events: BoundedEventStore;
  /** The SSE `retry:` sent with each stream's priming event. */
  retryMs: number;
  keepAlive: KeepAliveTicker;
  /** PRIMING_HOLD_MS unless told (tests of what follows the hold). */
  holdMs?: number;
  /** Called when the initialize request made the session (its id is known then). */
  onsessioninitialized: (sessionId: string) => void;
}

export class SessionTransport implements Transport {
  sessionId?: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;

  private initialized = false;
  private closed = false;
  /** Open streams by stream id (the GET stream under STANDALONE). */
  private readonly streams = new Map<string, SseStream>();
  /** Which stream each request in flight answers on, and the requests of each stream. */
  private readonly streamOf = new Map<RequestId, string>();
  private readonly requestsOf = new Map<string, RequestId[]>();
  /** Requests of a batch already answered, until every request of their stream has its answer. */
  private readonly answered = new Set<RequestId>();
  /** Streams whose events a client may resume from (a priming event or a stored event reached it). */
  private readonly resumable = new Set<string>();

  constructor(private readonly options: SessionTransportOptions) {}

  async start(): Promise<void> {}

  /** Answers one request of this session; `body` is the parsed body of a POST. */
  async handleRequest(req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse, body?: unknown): Promise<void> {
    if (this.closed) return sessionGone(res);
    switch (req.method) {
      case 'POST':
        return this.post(req, res, body);
      case 'GET':
        return this.get(req, res);
      case 'DELETE':
        return this.delete(req, res);
      default:
        this.refuse(res, 405, RPC.server, 'Method not allowed.', { allow: 'GET, POST, DELETE' });
    }
  }

  private async post(req: IncomingMessage & { auth?: AuthInfo }, res: ServerResponse, body: unknown): Promise<void> {
    const accept = req.headers.accept;
    if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) {
      return this.refuse(res, 406, RPC.server, 'Not Acceptable: Client must accept both application/json and text/event-stream');
    }
    try {
      if (Array.isArray(body) && body.length > MAX_BATCH_MESSAGES) {
        return this.refuse(res, 400, RPC.invalidRequest, `Invalid Request: Batch must not exceed ${MAX_BATCH_MESSAGES} messages`);
      }
      let messages: JSONRPCMessage[];
      try {
        messages = (Array.isArray(body) ? body : [body]).map((message) => JSONRPCMessageSchema.parse(message));
      } catch {
        return this.refuse(res, 400, RPC.parseError, 'Parse error: Invalid JSON-RPC message');
      }
      if (this.closed) return sessionGone(res);
      // The method first: the full schema check runs only on what could be an initialize request.
      const initialize = messages.find((m) => 'method' in m && m.method === 'initialize' && isInitializeRequest(m)) as InitializeRequest | undefined;
      if (initialize) {
        if (this.initialized) return this.refuse(res, 400, RPC.invalidRequest, 'Invalid Request: Server already initialized');
        if (messages.length > 1) return this.refuse(res, 400, RPC.invalidRequest, 'Invalid Request: Only one initialization request is allowed');
        this.sessionId = randomUUID();
        this.initialized = true;
        this.options.onsessioninitialized(this.sessionId);
      } else if (!this.sessionAndVersionOk(req, res)) {
        return;
      }
      if (this.closed) return sessionGone(res);

      const requestInfo = requestInfoOf(req);
      const authInfo = req.auth;
      const requests = messages.filter(isRequest);
      if (requests.length === 0) {
        for (const message of messages) this.onmessage?.(message, { authInfo, requestInfo });
        res.writeHead(202).end();
        return;
      }

      const streamId = randomUUID();
      const version = initialize ? initialize.params.protocolVersion : (header(req, 'mcp-protocol-version') ?? DEFAULT_NEGOTIATED_PROTOCOL_VERSION);
      const resumable = version >= RESUMABLE_FROM;
      const stream = this.openStream(res, streamId, {
        holdMs: this.options.holdMs ?? PRIMING_HOLD_MS,
        // One request alone (a batch is answered with a batch): its answer may be a JSON body.
        jsonAnswer: !Array.isArray(body),
        ...(resumable ? { opening: () => this.primingEvent(streamId) } : {}),
      });
      this.requestsOf.set(streamId, requests.map((r) => r.id));
      for (const request of requests) this.streamOf.set(request.id, streamId);
      try {
        for (const message of messages) {
          const closers = isRequest(message) && resumable ? { closeSSEStream: () => this.closeSSEStream(message.id), closeStandaloneSSEStream: () => this.closeStandaloneSSEStream() } : {};
          this.onmessage?.(message, { authInfo, requestInfo, ...closers });
        }
      } catch (error) {
        this.forgetStream(streamId);
        // Nothing sent yet (the head waits for the first write): the refusal below answers instead.
        stream.discard();
        throw error;
      }
    } catch (error) {
      this.onerror?.(error as Error);
      if (!res.headersSent) sendJson(res, 400, { jsonrpc: '2.0', error: { code: RPC.parseError, message: 'Parse error', data: String(error) }, id: null });
    }
  }

  private async get(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!req.headers.accept?.includes('text/event-stream')) return this.refuse(res, 406, RPC.server, 'Not Acceptable: Client must accept text/event-stream');
    if (!this.sessionAndVersionOk(req, res)) return;
    const lastEventId = header(req, 'last-event-id');
    if (lastEventId) return this.resume(lastEventId, res);
    if (this.streams.has(STANDALONE)) return this.refuse(res, 409, RPC.server, 'Conflict: Only one SSE stream is allowed per session');
    this.openStream(res, STANDALONE);
  }

  /** A client reconnects to a stream it lost: what it missed, then the stream goes on here. */
  private async resume(lastEventId: string, res: ServerResponse): Promise<void> {
    const { events } = this.options;
    try {
      const streamId = await events.getStreamIdForEventId(lastEventId);
      if (!streamId) return this.refuse(res, 400, RPC.server, 'Invalid event ID format');
      if (this.streams.has(streamId)) return this.refuse(res, 409, RPC.server, 'Conflict: Stream already has an active connection');
      const missed: string[] = [];
      const replayed = new Set<string>();
      await events.replayEventsAfter(lastEventId, {
        send: async (eventId, message) => {
          missed.push(messageFrame(message, eventId));
          replayed.add(eventId);
        },
      });
      if (this.closed || res.destroyed) return sessionGone(res);
      const stream = this.openStream(res, streamId, { replayed });
      if (missed.length > 0) stream.write(missed.join(''));
      this.resumable.add(streamId);
      // An answer that was among the missed events ends its request: nothing more will come.
      if (streamId !== STANDALONE && !this.requestsOf.has(streamId)) stream.end();
    } catch (error) {
      this.onerror?.(error as Error);
      if (!res.headersSent) sendRpcError(res, 500, RPC.server, 'Error replaying events');
    }
  }

  private async delete(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.sessionAndVersionOk(req, res)) return;
    res.writeHead(200).end();
    await this.close();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isAnswer = isResponse(message);
    const requestId = isAnswer ? message.id : options?.relatedRequestId;
    if (requestId === undefined) {
      if (isAnswer) throw new Error('Cannot send a response on a standalone SSE stream unless resuming a previous client request');
      // Serialized once: for the event store's byte count and for the frame.
      const json = messageJson(message);
      const eventId = this.options.events.store(STANDALONE, json);
      const stream = this.streams.get(STANDALONE);
      if (stream && !stream.replayed.has(eventId)) stream.write(messageFrame(message, eventId, json));
      return;
    }
    const streamId = this.streamOf.get(requestId);
    if (streamId === undefined) throw new Error(`No connection established for request ID: ${String(requestId)}`);
    const json = messageJson(message);
    const stream = this.streams.get(streamId);
    const related = isAnswer ? this.noteAnswer(streamId, requestId) : undefined;
    if (related && stream?.canAnswerAsJson) {
      // The answer is the first thing this request's stream says: one JSON body, no event kept.
      this.forgetRequests(streamId, related);
      this.streams.delete(streamId);
      stream.endWithJson(json);
      return;
    }
    if (!stream && !this.resumable.has(streamId)) {
      // The client left before anything reached it: it has no event id to resume from.
      if (!related) return;
      this.forgetRequests(streamId, related);
      if (this.closed) return;
      throw new Error(`No connection established for request ID: ${String(requestId)}`);
    }
    // The stream's priming event is stored before this message, so that its id comes first.
    stream?.open();
    const eventId = this.options.events.store(streamId, json);
    const frame = stream && !stream.replayed.has(eventId) ? messageFrame(message, eventId, json) : undefined;
    if (frame !== undefined) this.resumable.add(streamId);
    if (!related) {
      if (frame !== undefined) stream!.write(frame);
      return;
    }
    this.forgetRequests(streamId, related);
    if (stream) {
      this.streams.delete(streamId);
      // The last answer and the end of the response leave in one write.
      stream.end(frame);
      return;
    }
    // The client is gone; the stream it can resume keeps the answer in the event store.
    this.resumable.delete(streamId);
  }

  /** Notes an answer; the requests of its stream when it was the last one they waited for. */
  private noteAnswer(streamId: string, requestId: RequestId): readonly RequestId[] | undefined {
    const related = this.requestsOf.get(streamId) ?? [requestId];
    // A request alone on its stream (most are) is done with its answer: nothing to note.
    if (related.length === 1) return related;
    this.answered.add(requestId);
    return related.every((id) => this.answered.has(id)) ? related : undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stream of this.streams.values()) stream.end();
    this.streams.clear();
    this.answered.clear();
    this.resumable.clear();
    this.onclose?.();
  }

  /** Ends the stream of a request (the client may resume it); the request goes on. */
  closeSSEStream(requestId: RequestId): void {
    const streamId = this.streamOf.get(requestId);
    if (streamId === undefined) return;
    this.endStream(streamId);
  }

  closeStandaloneSSEStream(): void {
    this.endStream(STANDALONE);
  }

  private openStream(res: ServerResponse, streamId: string, extra: { holdMs?: number; replayed?: ReadonlySet<string>; opening?: () => string; jsonAnswer?: boolean } = {}): SseStream {
    this.streams.get(streamId)?.end();
    const stream: SseStream = new SseStream(res, {
      sessionId: this.sessionId,
      keepAlive: this.options.keepAlive,
      ...extra,
      onGone: () => {
        if (this.streams.get(streamId) === stream) this.streams.delete(streamId);
      },
    });
    this.streams.set(streamId, stream);
    return stream;
  }

  /** The priming event: an id to resume from before anything else is said (clients of 2025-11-25 on). */
  private primingEvent(streamId: string): string {
    const eventId = this.options.events.store(streamId, PRIMING);
    this.resumable.add(streamId);
    return `id: ${eventId}\nretry: ${this.options.retryMs}\ndata: \n\n`;
  }

  private endStream(streamId: string): void {
    const stream = this.streams.get(streamId);
    if (!stream) return;
    this.streams.delete(streamId);
    stream.end();
  }

  private forgetStream(streamId: string): void {
    this.streams.delete(streamId);
    this.resumable.delete(streamId);
    this.forgetRequests(streamId, this.requestsOf.get(streamId) ?? []);
  }

  private forgetRequests(streamId: string, ids: readonly RequestId[]): void {
    for (const id of ids) {
      this.answered.delete(id);
      this.streamOf.delete(id);
    }
    this.requestsOf.delete(streamId);
  }

  /** The session's id and a supported protocol version, or the refusal is sent and false returned. */
  private sessionAndVersionOk(req: IncomingMessage, res: ServerResponse): boolean {
    if (!this.initialized) {
      this.refuse(res, 400, RPC.server, 'Bad Request: Server not initialized');
      return false;
    }
    const sessionId = header(req, 'mcp-session-id');
    if (!sessionId) {
      this.refuse(res, 400, RPC.server, 'Bad Request: Mcp-Session-Id header is required');
      return false;
    }
    if (sessionId !== this.sessionId) {
      this.refuse(res, 404, RPC.sessionNotFound, 'Session not found');
      return false;
    }
    const version = header(req, 'mcp-protocol-version');
    if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      const supported = SUPPORTED_PROTOCOL_VERSIONS.join(', ');
      this.refuse(res, 400, RPC.server, `Bad Request: Unsupported protocol version: ${version} (supported versions: ${supported})`);
      return false;
    }
    return true;
  }

  private refuse(res: ServerResponse, status: number, code: number, message: string, headers: OutgoingHttpHeaders = {}): void {
    this.onerror?.(new Error(message));
    sendRpcError(res, status, code, message, headers);
  }
}

function sessionGone(res: ServerResponse): void {
  sendRpcError(res, 404, RPC.sessionNotFound, 'Session not found');
}

// The schemas of JSON-RPC messages are strict: a message that passed JSONRPCMessageSchema (or one
// the SDK sends) is told apart by its keys, without a second schema check per message.
function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message;
}

function isResponse(message: JSONRPCMessage): message is JSONRPCResponse {
  return 'result' in message || 'error' in message;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** What handlers see of the HTTP request: its headers, and its URL (parsed only when asked for). */
function requestInfoOf(req: IncomingMessage): RequestInfo {
  return new LazyRequestInfo(req);
}

// A class, not an object literal with a getter: V8 builds each such literal's accessor anew. It
// keeps the request's headers and path, not the request: what a call keeps hold of must not keep
// the request, its socket state and buffers alive (they were copied by the garbage collector).
class LazyRequestInfo implements RequestInfo {
  readonly headers: IncomingMessage['headers'];
  readonly #path: string;
  #url: URL | undefined;

  constructor(req: IncomingMessage) {
    this.headers = req.headers;
    this.#path = req.url ?? '/';
  }

  get url(): URL {
    this.#url ??= new URL(this.#path, `http://${this.headers.host ?? 'localhost'}`);
    return this.#url;
  }
}
