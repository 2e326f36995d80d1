// Resuming an SSE stream over real HTTP: a client whose connection drops during a wait
// reconnects with Last-Event-ID and gets the progress it missed and the final answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/emulator.js';
import { SANDBOX_IDS } from '../../../src/emulator/topology.js';
import { SSE_RETRY_MS } from '../../../src/transports/http/mcp-endpoint.js';
import { expectNoCanary, startTestEmulator, structured } from '../../helpers.js';
import { connectClient, type HttpHarness, startHttpHarness, TOKENS, writeTokensFile } from './harness.js';

const ids = { er_id: SANDBOX_IDS.router, route_table_id: SANDBOX_IDS.prodTable, attachment_id: SANDBOX_IDS.paymentsVpc };
const PROTOCOL = '2025-11-25';

interface SseEvent {
  id?: string;
  retry?: string;
  data: string;
}

/** Reads SSE events off a response body, one at a time. */
function sseReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    async next(): Promise<SseEvent | undefined> {
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = { data: '' };
          let fields = 0;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue; // keep-alive comment
            const at = line.indexOf(':');
            const name = at < 0 ? line : line.slice(0, at);
            const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
            fields += 1;
            if (name === 'id') event.id = value;
            else if (name === 'retry') event.retry = value;
            else if (name === 'data') event.data += value;
          }
          if (fields > 0) return event;
          continue;
        }
        const { done, value } = await reader.read();
        if (done) return undefined;
        buffer += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel().catch(() => undefined),
  };
}

type Message = { id?: number; method?: string; params?: { progress?: number }; result?: unknown };
const parse = (event: SseEvent): Message | undefined => (event.data.trim() === '' ? undefined : (JSON.parse(event.data) as Message));
const isProgress = (m: Message | undefined) => m?.method === 'notifications/progress';

describe('resuming an SSE stream with Last-Event-ID', () => {
  let emulator: Emulator;
  let h: HttpHarness;
  beforeAll(async () => {
    // Long enough that the wait is surely still running when the stream is cut and resumed.
    emulator = await startTestEmulator({ availableAfterMs: 4_000 });
    h = await startHttpHarness(emulator, { flags: { 'http-tokens': writeTokensFile() }, settings: { confirmWrites: 'never' } });
  });
  afterAll(async () => {
    await h.close();
    await emulator.close();
    expectNoCanary(h.logs());
  });

  it('a stream cut during a wait is resumed: the missed progress and the final result arrive, every event with an id', { timeout: 30_000 }, async () => {
    const { client } = await connectClient(h.url, TOKENS.alice);
    expect(structured<{ association: { state: string } }>(await client.callTool({ name: 'create_route_association', arguments: ids })).association.state).toBe('pending');
    await client.close();

    const auth = { authorization: `Bearer ${TOKENS.alice}` };
    const post = (body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
      fetch(h.url, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(body), signal: signal ?? AbortSignal.timeout(20_000) });
    const opened = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: PROTOCOL, capabilities: {}, clientInfo: { name: 'resume', version: '1' } } });
    expect(opened.status).toBe(200);
    const session = opened.headers.get('mcp-session-id')!;
    expect(session).toBeTruthy();
    await opened.text();
    const inSession = { 'mcp-session-id': session, 'mcp-protocol-version': PROTOCOL };
    expect((await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, inSession)).status).toBe(202);

    // The wait, cut as soon as the first progress notification (with its id) has arrived.
    const cut = new AbortController();
    const waiting = await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_association_state', arguments: { ...ids, wait_for: 'available', timeout_seconds: 30 }, _meta: { progressToken: 'resume-me' } } }, inSession, AbortSignal.any([cut.signal, AbortSignal.timeout(20_000)]));
    expect(waiting.status).toBe(200);
    expect(waiting.headers.get('content-type')).toContain('text/event-stream');
    const before = sseReader(waiting.body!);
    const priming = await before.next();
    // The stream's first event primes it: an id to resume from and how soon to retry.
    expect(priming).toMatchObject({ data: '', retry: String(SSE_RETRY_MS) });
    expect(priming?.id).toBeTruthy();
    let last: SseEvent | undefined;
    for (let n = 0; n < 1000 && !isProgress(last && parse(last)); n += 1) last = await before.next();
    expect(isProgress(parse(last!))).toBe(true);
    expect(last!.id).toBeTruthy();
    const progressBeforeCut = parse(last!)!.params!.progress!;
    cut.abort();
    await before.cancel();

    // Reconnect as a client would: GET with the session and the last id seen. Until the server
    // has noticed the cut, it answers 409 (the stream is still live): the client tries again.
    let resumed: Response | undefined;
    for (let attempt = 0; attempt < 100; attempt += 1) {
      resumed = await fetch(h.url, { method: 'GET', headers: { ...auth, ...inSession, accept: 'text/event-stream', 'last-event-id': last!.id! }, signal: AbortSignal.timeout(20_000) });
      if (resumed.status !== 409) break;
      await resumed.text();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(resumed!.status).toBe(200);
    const after = sseReader(resumed!.body!);
    const events: SseEvent[] = [];
    let final: Message | undefined;
    while (!final && events.length < 2000) {
      const event = await after.next();
      if (!event) break;
      events.push(event);
      const message = parse(event);
      if (message?.id === 2) final = message;
    }
    await after.cancel();

    // The answer to the cut call arrived on the resumed stream, after progress the client missed.
    expect(final?.result).toBeDefined();
    expect(structured<{ state: string }>(final!.result).state).toBe('available');
    const missed = events.map(parse).filter(isProgress);
    expect(missed.length).toBeGreaterThan(0);
    expect(missed[0]!.params!.progress!).toBeGreaterThan(progressBeforeCut);
    const progress = missed.map((m) => m!.params!.progress!);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // Every message carries an id, none repeated, none the one resumed from.
    const seenIds = events.map((event) => event.id);
    expect(seenIds.every((id) => typeof id === 'string' && id !== '')).toBe(true);
    expect(new Set(seenIds).size).toBe(seenIds.length);
    expect(seenIds).not.toContain(last!.id);

    // An id the server never issued replays nothing: it is refused, the session lives on.
    const unknown = await fetch(h.url, { method: 'GET', headers: { ...auth, ...inSession, accept: 'text/event-stream', 'last-event-id': 'no-such-event_1' }, signal: AbortSignal.timeout(20_000) });
    expect(unknown.status).toBe(400);
    await unknown.text();
    expect((await fetch(h.url, { method: 'DELETE', headers: { ...auth, ...inSession } })).status).toBe(200);
  });
});
