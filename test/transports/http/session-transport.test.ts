// The session transport on its own: a bare node:http server on 127.0.0.1 hands each request to
// one SessionTransport wired to an SDK Server with two tools, and the tests speak raw HTTP to it.
// What the SDK's transport answered (statuses, JSON-RPC codes, messages, SSE framing, batches,
// the GET stream, DELETE, streams closed and resumed) must not change with ours; a request whose
// answer is the first thing it gets back is answered with one JSON body instead of a stream.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BoundedEventStore } from '../../../src/transports/http/event-store.js';
import { SessionTransport } from '../../../src/transports/http/session-transport.js';
import { KeepAliveTicker } from '../../../src/transports/http/sse-stream.js';

const NEW = '2025-11-25';
const OLD = '2025-06-18';
const ACCEPT = 'application/json, text/event-stream';

interface Setup {
  url: string;
  transport: SessionTransport;
  events: BoundedEventStore;
  /** Lets the `cut` and `slow` tools finish. */
  release: () => void;
  errors: string[];
  /** What the MCP server reported (an answer it could not send). */
  serverErrors: string[];
  /** Requests (by method) whose connection closed. */
  closed: Set<string>;
  /** The socket writes of each answer, in order: "write", "end" or "end+data" (by request method). */
  writes: Map<string, string[]>;
  close(): Promise<void>;
}

async function setup({ keepAliveMs, holdMs }: { keepAliveMs?: number; holdMs?: number } = {}): Promise<Setup> {
  const mcp = new Server({ name: 't', version: '1' }, { capabilities: { tools: {}, logging: {} } });
  let release = () => {};
  mcp.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [] }));
  mcp.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const token = request.params._meta?.progressToken;
    if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: 1 } });
    if (request.params.name === 'cut') {
      // The stream is closed (the client may resume it); the call goes on and answers later.
      extra.closeSSEStream?.();
      await new Promise<void>((resolve) => (release = resolve));
      if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: 2 } });
    }
    if (request.params.name === 'slow') await new Promise<void>((resolve) => (release = resolve));
    return { content: [{ type: 'text', text: `done ${request.params.name}` }] };
  });
  const errors: string[] = [];
  const serverErrors: string[] = [];
  mcp.onerror = (error) => serverErrors.push(error.message);
  const closed = new Set<string>();
  const keepAlive = new KeepAliveTicker(keepAliveMs);
  const events = new BoundedEventStore();
  const transport = new SessionTransport({ events, retryMs: 1234, keepAlive, ...(holdMs === undefined ? {} : { holdMs }), onsessioninitialized: () => undefined });
  transport.onerror = (error) => errors.push(error.message);
  await mcp.connect(transport);
  const writes = new Map<string, string[]>();
  const server: HttpServer = createServer((req, res) => {
    const seen: string[] = [];
    const { write, end } = res;
    res.write = ((...args: Parameters<typeof write>) => (seen.push('write'), write.apply(res, args))) as typeof write;
    res.end = ((...args: Parameters<typeof end>) => (seen.push(typeof args[0] === 'string' ? 'end+data' : 'end'), end.apply(res, args))) as typeof end;
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      const body = req.method === 'POST' ? JSON.parse(text) : undefined;
      writes.set(body?.method ?? req.method, seen);
      res.once('close', () => closed.add(body?.method ?? req.method));
      void transport.handleRequest(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
  return {
    url,
    transport,
    events,
    release: () => release(),
    errors,
    serverErrors,
    closed,
    writes,
    async close() {
      await mcp.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

interface Event {
  id?: string;
  retry?: string;
  data: string;
}

/** SSE events of a whole (ended) body, comments left out. */
function eventsOf(text: string): Event[] {
  return text
    .split('\n\n')
    .filter((block) => block.split('\n').some((line) => line !== '' && !line.startsWith(':')))
    .map((block) => {
      const event: Event = { data: '' };
      for (const line of block.split('\n')) {
        const at = line.indexOf(':');
        if (at <= 0) continue;
        const [name, value] = [line.slice(0, at), line.slice(at + 1).replace(/^ /, '')];
        if (name === 'id') event.id = value;
        else if (name === 'retry') event.retry = value;
        else if (name === 'data') event.data += value;
      }
      return event;
    });
}

interface Message {
  id?: number;
  method?: string;
  result?: unknown;
  error?: { code: number };
}

const messagesOf = (text: string) => eventsOf(text).filter((e) => e.data !== '').map((e) => JSON.parse(e.data) as Message);

/** The messages of an answer, a JSON body or an event stream, as the client must read either. */
async function answerOf(response: Response): Promise<{ type: string | null; messages: Message[] }> {
  const type = response.headers.get('content-type');
  const text = await response.text();
  return { type, messages: type === 'application/json' ? [JSON.parse(text) as Message] : messagesOf(text) };
}

describe('the Streamable HTTP session transport', () => {
  let s: Setup;
  let session: Record<string, string>;
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  const initialize = (version = NEW) => post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'c', version: '1' } } });
  const refusal = async (response: Response) => ({ status: response.status, body: (await response.json()) as { jsonrpc: string; id: null; error: { code: number; message: string } } });

  beforeEach(async () => {
    s = await setup();
    const opened = await initialize();
    await opened.text();
    session = { 'mcp-session-id': opened.headers.get('mcp-session-id')!, 'mcp-protocol-version': NEW };
  });
  afterEach(async () => {
    await s.close();
  });

  it('answers initialize with one JSON body and the session id (nothing came before the answer); a notification gets 202', async () => {
    await s.close();
    s = await setup();
    const opened = await initialize();
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toBe('application/json');
    const id = opened.headers.get('mcp-session-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(s.transport.sessionId).toBe(id);
    const text = await opened.text();
    expect(opened.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(JSON.parse(text)).toMatchObject({ jsonrpc: '2.0', id: 1, result: { protocolVersion: NEW } });
    // A whole JSON answer has nothing to resume: no event was kept for it.
    expect(s.events.size().events).toBe(0);
    const ack = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': id!, 'mcp-protocol-version': NEW });
    expect(ack.status).toBe(202);
    expect(await ack.text()).toBe('');
  });

  it('a client older than 2025-11-25 gets no priming event on a stream, only the messages', async () => {
    await s.close();
    s = await setup();
    const opened = await initialize(OLD);
    expect(await answerOf(opened)).toMatchObject({ type: 'application/json', messages: [{ id: 1, result: { protocolVersion: OLD } }] });
    const old = { 'mcp-session-id': opened.headers.get('mcp-session-id')!, 'mcp-protocol-version': OLD };
    const streamed = await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'quick', _meta: { progressToken: 'p' } } }, old);
    expect(streamed.headers.get('content-type')).toBe('text/event-stream');
    const events = eventsOf(await streamed.text());
    expect(events.map((e) => JSON.parse(e.data).method ?? JSON.parse(e.data).id)).toEqual(['notifications/progress', 2]);
  });

  it('refuses as the SDK transport did: Accept, session, protocol version, a second initialize, batches, malformed messages', async () => {
    const ping = { jsonrpc: '2.0', id: 7, method: 'ping' };
    const cases: [Promise<Response>, number, number, string][] = [
      [post(ping, { ...session, accept: 'application/json' }), 406, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream'],
      [post(ping, { 'mcp-protocol-version': NEW }), 400, -32000, 'Bad Request: Mcp-Session-Id header is required'],
      [post(ping, { ...session, 'mcp-session-id': 'another' }), 404, -32001, 'Session not found'],
      [post(ping, { ...session, 'mcp-protocol-version': '1999-01-01' }), 400, -32000, 'Bad Request: Unsupported protocol version: 1999-01-01 (supported versions: '],
      [initialize(), 400, -32600, 'Invalid Request: Server already initialized'],
      [post(Array.from({ length: 101 }, (_, i) => ({ ...ping, id: i })), session), 400, -32600, 'Invalid Request: Batch must not exceed 100 messages'],
      [post({ jsonrpc: '1.0', id: 1, method: 'ping' }, session), 400, -32700, 'Parse error: Invalid JSON-RPC message'],
      [fetch(s.url, { headers: { ...session, accept: 'application/json' } }), 406, -32000, 'Not Acceptable: Client must accept text/event-stream'],
      [fetch(s.url, { method: 'PUT', headers: session }), 405, -32000, 'Method not allowed.'],
    ];
    for (const [response, status, code, message] of cases) {
      const { status: got, body } = await refusal(await response);
      expect({ got, code: body.error.code }).toEqual({ got: status, code });
      expect(body.error.message.startsWith(message)).toBe(true);
      expect(body).toMatchObject({ jsonrpc: '2.0', id: null });
    }
    expect(s.errors).toHaveLength(cases.length);
  });

  it('a request whose handling throws is answered 400 "Parse error" with the reason, as JSON, not with an empty stream', async () => {
    const dispatch = s.transport.onmessage;
    s.transport.onmessage = () => {
      throw new Error('boom');
    };
    const response = await post({ jsonrpc: '2.0', id: 8, method: 'ping' }, session);
    s.transport.onmessage = dispatch;
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await refusal(response)).toMatchObject({ status: 400, body: { error: { code: -32700, message: 'Parse error', data: 'Error: boom' } } });
    expect(s.errors).toEqual(['boom']);
    // The session goes on.
    expect((await answerOf(await post({ jsonrpc: '2.0', id: 9, method: 'ping' }, session))).messages).toEqual([{ jsonrpc: '2.0', id: 9, result: {} }]);
  });

  it('a quick answer is one JSON body, its head and body in one write, and keeps no event', async () => {
    const kept = s.events.size().events;
    const response = await post({ jsonrpc: '2.0', id: 10, method: 'ping' }, session);
    expect(response.headers.get('mcp-session-id')).toBe(session['mcp-session-id']);
    expect(await answerOf(response)).toEqual({ type: 'application/json', messages: [{ jsonrpc: '2.0', id: 10, result: {} }] });
    expect(s.writes.get('ping')).toEqual(['end+data']);
    expect(s.events.size().events).toBe(kept);
  });

  it('a call slower than the hold gets its head and priming event first, its answer later', async () => {
    // A short hold: the call below waits for release, so the hold is over first however busy the machine is.
    await s.close();
    s = await setup({ holdMs: 20 });
    const opened = await initialize();
    await opened.text();
    session = { 'mcp-session-id': opened.headers.get('mcp-session-id')!, 'mcp-protocol-version': NEW };
    const response = await post({ jsonrpc: '2.0', id: 11, method: 'tools/call', params: { name: 'slow' } }, session);
    // The head arrived while the call still runs (it waits for release below).
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(eventsOf(first)).toEqual([{ id: expect.any(String), retry: '1234', data: '' }]);
    s.release();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(messagesOf(rest).map((m) => m.id)).toEqual([11]);
    expect(s.writes.get('tools/call')).toEqual(['write', 'end+data']);
  });

  it('a client that leaves before anything reached it gets nothing kept: it has no event id to resume from', async () => {
    const kept = s.events.size().events;
    const leave = new AbortController();
    const call = fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT, ...session }, body: JSON.stringify({ jsonrpc: '2.0', id: 12, method: 'tools/call', params: { name: 'slow' } }), signal: leave.signal }).catch(() => 'left');
    await vi.waitFor(() => expect(s.writes.has('tools/call')).toBe(true), { timeout: 10_000 });
    leave.abort();
    expect(await call).toBe('left');
    await vi.waitFor(() => expect(s.closed.has('tools/call')).toBe(true), { timeout: 10_000 });
    // Released until the call has answered (its handler may not have started when the client left).
    const answered = () => {
      s.release();
      expect(s.serverErrors.join('\n')).toContain('No connection established for request ID: 12');
    };
    await vi.waitFor(answered, { timeout: 10_000 });
    expect(s.events.size().events).toBe(kept);
  });

  it('a batch of requests is answered on one stream that ends after the last answer', async () => {
    const response = await post([{ jsonrpc: '2.0', id: 2, method: 'ping' }, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 99 } }], session);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const messages = messagesOf(await response.text());
    expect(messages.map((m) => m.id).sort()).toEqual([2, 3]);
    expect(messages.find((m) => m.id === 3)?.result).toEqual({ tools: [] });
  });

  it("a call whose progress comes before its answer gets a stream: head, priming event, progress, answer, each event with an id", async () => {
    const response = await post({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'quick', _meta: { progressToken: 'p' } } }, session);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('mcp-session-id')).toBe(session['mcp-session-id']);
    const events = eventsOf(await response.text());
    expect(events[0]).toEqual({ id: expect.any(String), retry: '1234', data: '' });
    expect(events.slice(1).map((e) => JSON.parse(e.data).method ?? JSON.parse(e.data).id)).toEqual(['notifications/progress', 4]);
    expect(events.every((e) => typeof e.id === 'string' && e.id !== '')).toBe(true);
    // The progress was written with the head and priming event, the answer with the end.
    expect(s.writes.get('tools/call')).toEqual(['write', 'end+data']);
  });

  it('the GET stream carries what belongs to no request; a second one is refused with 409; it ends with the session', async () => {
    const stream = await fetch(s.url, { headers: { ...session, accept: 'text/event-stream' }, signal: AbortSignal.timeout(10_000) });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('mcp-session-id')).toBe(session['mcp-session-id']);
    const second = await refusal(await fetch(s.url, { headers: { ...session, accept: 'text/event-stream' } }));
    expect(second).toMatchObject({ status: 409, body: { error: { message: 'Conflict: Only one SSE stream is allowed per session' } } });
    await s.transport.send({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    const ended = await fetch(s.url, { method: 'DELETE', headers: session });
    expect(ended.status).toBe(200);
    const messages = messagesOf(await stream.text());
    expect(messages).toEqual([{ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }]);
    expect((await refusal(await post({ jsonrpc: '2.0', id: 5, method: 'ping' }, session))).status).toBe(404);
  });

  it('a stream the server closes mid-call is resumed with Last-Event-ID: what came after, the answer, then the stream ends', async () => {
    const cut = await post({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'cut', _meta: { progressToken: 'c' } } }, session);
    const before = eventsOf(await cut.text());
    // The priming event and the first progress came before the close.
    expect(before.map((e) => (e.data === '' ? 'priming' : JSON.parse(e.data).method))).toEqual(['priming', 'notifications/progress']);
    s.release();
    const resumed = await fetch(s.url, { headers: { ...session, accept: 'text/event-stream', 'last-event-id': before[1]!.id! }, signal: AbortSignal.timeout(10_000) });
    expect(resumed.status).toBe(200);
    const after = messagesOf(await resumed.text());
    expect(after.map((m) => m.method ?? m.id)).toEqual(['notifications/progress', 6]);
    const unknown = await refusal(await fetch(s.url, { headers: { ...session, accept: 'text/event-stream', 'last-event-id': 'nope_1' } }));
    expect(unknown).toMatchObject({ status: 400, body: { error: { message: 'Invalid event ID format' } } });
  });
});

describe('keep-alive comments', () => {
  it('an open stream gets a comment each interval, from the one timer every stream shares', async () => {
    const s = await setup({ keepAliveMs: 20 });
    try {
      const opened = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: NEW, capabilities: {}, clientInfo: { name: 'c', version: '1' } } }) });
      await opened.text();
      const stream = await fetch(s.url, { headers: { 'mcp-session-id': opened.headers.get('mcp-session-id')!, accept: 'text/event-stream' }, signal: AbortSignal.timeout(10_000) });
      const reader = stream.body!.getReader();
      let text = '';
      const sawComment = async () => {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
        expect(text).toContain(': keepalive\n\n');
      };
      await vi.waitFor(sawComment, { timeout: 10_000 });
      await reader.cancel();
    } finally {
      await s.close();
    }
  });

  it('an answer still held gets none: it has sent nothing to keep alive, and it still leaves as one JSON body', async () => {
    // A hold no test outlasts: only the keep-alive timer could open this answer's stream.
    const s = await setup({ keepAliveMs: 20, holdMs: 600_000 });
    try {
      const opened = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: NEW, capabilities: {}, clientInfo: { name: 'c', version: '1' } } }) });
      await opened.text();
      const session = { 'mcp-session-id': opened.headers.get('mcp-session-id')!, 'mcp-protocol-version': NEW };
      // The GET stream shows the timer ticking.
      const stream = await fetch(s.url, { headers: { ...session, accept: 'text/event-stream' }, signal: AbortSignal.timeout(10_000) });
      const reader = stream.body!.getReader();
      const call = fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT, ...session }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'slow' } }) });
      await vi.waitFor(() => expect(s.writes.has('tools/call')).toBe(true), { timeout: 10_000 });
      let comments = 0;
      while (comments < 2) {
        const { value } = await reader.read();
        comments += new TextDecoder().decode(value).split(': keepalive').length - 1;
      }
      s.release();
      const answer = await call;
      expect(answer.headers.get('content-type')).toBe('application/json');
      expect(JSON.parse(await answer.text())).toMatchObject({ id: 2, result: { content: [{ text: 'done slow' }] } });
      expect(s.writes.get('tools/call')).toEqual(['end+data']);
      await reader.cancel();
    } finally {
      await s.close();
    }
  });
});
