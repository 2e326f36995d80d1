// The session's SSE event store: ids ordered within a stream, replay of one stream only, bounds
// that drop the oldest events first, and ids it cannot vouch for replaying nothing.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { BoundedEventStore, EventBudget } from '../../../src/transports/http/event-store.js';

const note = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 't', progress: n } });

async function replay(store: BoundedEventStore, lastEventId: string): Promise<{ stream: string; sent: Array<[string, JSONRPCMessage]> }> {
  const sent: Array<[string, JSONRPCMessage]> = [];
  const stream = await store.replayEventsAfter(lastEventId, { send: async (id, message) => void sent.push([id, message]) });
  return { stream, sent };
}

const BIG = { maxEventsPerStream: 1000, maxEvents: 1000, maxBytes: 1_000_000 };

describe('BoundedEventStore', () => {
  it('replays the events of the same stream after the given id, in order', async () => {
    const store = new BoundedEventStore(BIG);
    const a1 = await store.storeEvent('a', note(1));
    const b1 = await store.storeEvent('b', note(10));
    const a2 = await store.storeEvent('a', note(2));
    const a3 = await store.storeEvent('a', note(3));
    await store.storeEvent('b', note(11));
    expect(new Set([a1, b1, a2, a3]).size).toBe(4);
    expect(a1.startsWith('a_')).toBe(true);
    const { stream, sent } = await replay(store, a1);
    expect(stream).toBe('a');
    expect(sent).toEqual([
      [a2, note(2)],
      [a3, note(3)],
    ]);
    expect((await replay(store, a3)).sent).toEqual([]);
    expect((await replay(store, b1)).sent.map(([, m]) => m)).toEqual([note(11)]);
    expect(await store.getStreamIdForEventId(a2)).toBe('a');
    expect(await store.getStreamIdForEventId(b1)).toBe('b');
  });

  it('stream ids may hold the separator (the standalone stream is _GET_stream)', async () => {
    const store = new BoundedEventStore(BIG);
    const first = await store.storeEvent('_GET_stream', note(1));
    const second = await store.storeEvent('_GET_stream', note(2));
    expect(await store.getStreamIdForEventId(first)).toBe('_GET_stream');
    expect(await replay(store, first)).toEqual({ stream: '_GET_stream', sent: [[second, note(2)]] });
  });

  it('does not replay the SDK priming event (an empty message), only the messages after it', async () => {
    const store = new BoundedEventStore(BIG);
    const priming = await store.storeEvent('s', {} as JSONRPCMessage);
    const one = await store.storeEvent('s', note(1));
    expect((await replay(store, priming)).sent).toEqual([[one, note(1)]]);
  });

  it('unknown, malformed and foreign ids replay nothing', async () => {
    const store = new BoundedEventStore(BIG);
    const id = await store.storeEvent('s', note(1));
    await store.storeEvent('s', note(2));
    for (const bad of ['', 'nonsense', 's_', 's_x', 's_-1', 's_01', '_1', 'other_1']) {
      expect(await store.getStreamIdForEventId(bad)).toBeUndefined();
      expect((await replay(store, bad)).sent).toEqual([]);
    }
    // An id of a kept stream that this store never issued.
    expect((await replay(store, 's_999')).sent).toEqual([]);
    expect((await replay(store, id)).sent).toHaveLength(1);
  });

  it('keeps at most maxEventsPerStream per stream, dropping the oldest; a dropped id replays nothing', async () => {
    const store = new BoundedEventStore({ maxEventsPerStream: 3, maxEvents: 100, maxBytes: 1_000_000 });
    const ids: string[] = [];
    for (let n = 1; n <= 5; n += 1) ids.push(await store.storeEvent('s', note(n)));
    const other = await store.storeEvent('t', note(100));
    expect(store.size()).toMatchObject({ streams: 2, events: 4 });
    expect((await replay(store, ids[0]!)).sent).toEqual([]);
    expect((await replay(store, ids[1]!)).sent).toEqual([]);
    expect((await replay(store, ids[2]!)).sent.map(([, m]) => m)).toEqual([note(4), note(5)]);
    expect(await store.getStreamIdForEventId(other)).toBe('t');
  });

  it('keeps at most maxEvents over all streams, the oldest of any stream going first', async () => {
    const store = new BoundedEventStore({ maxEventsPerStream: 100, maxEvents: 3, maxBytes: 1_000_000 });
    const a1 = await store.storeEvent('a', note(1));
    const b1 = await store.storeEvent('b', note(2));
    const a2 = await store.storeEvent('a', note(3));
    await store.storeEvent('c', note(4));
    expect(store.size()).toMatchObject({ streams: 3, events: 3 });
    expect((await replay(store, a1)).sent).toEqual([]);
    expect((await replay(store, b1)).sent).toEqual([]);
    await store.storeEvent('c', note(5));
    // b's only event is gone: its stream is no longer known.
    expect(await store.getStreamIdForEventId(b1)).toBeUndefined();
    expect(await store.getStreamIdForEventId(a2)).toBe('a');
  });

  it('keeps at most maxBytes of messages over all streams', async () => {
    const size = Buffer.byteLength(JSON.stringify(note(1)));
    const store = new BoundedEventStore({ maxEventsPerStream: 100, maxEvents: 100, maxBytes: size * 2 + 1 });
    const first = await store.storeEvent('a', note(1));
    const second = await store.storeEvent('b', note(2));
    const third = await store.storeEvent('a', note(3));
    expect(store.size()).toEqual({ streams: 2, events: 2, bytes: size * 2 });
    expect((await replay(store, first)).sent).toEqual([]);
    expect(await store.getStreamIdForEventId(second)).toBe('b');
    // A message larger than the whole budget is not kept, and pushes everything else out.
    await store.storeEvent('a', { jsonrpc: '2.0', method: 'x', params: { pad: 'x'.repeat(size * 3) } });
    expect(store.size()).toEqual({ streams: 0, events: 0, bytes: 0 });
    expect(await store.getStreamIdForEventId(third)).toBeUndefined();
  });

  it('stays bounded over many events and ids never repeat, even after a stream empties', async () => {
    const store = new BoundedEventStore({ maxEventsPerStream: 5, maxEvents: 20, maxBytes: 1_000_000 });
    const ids = new Set<string>();
    for (let n = 0; n < 5000; n += 1) ids.add(await store.storeEvent(`s${n % 7}`, note(n)));
    expect(ids.size).toBe(5000);
    expect(store.size().events).toBeLessThanOrEqual(20);
    store.clear();
    expect(store.size()).toEqual({ streams: 0, events: 0, bytes: 0 });
    expect(ids.has(await store.storeEvent('s0', note(1)))).toBe(false);
  });
});

describe('EventBudget, shared by the sessions of one server', () => {
  it('bounds the bytes of all stores together: the store that stores drops its own oldest; a clear gives its bytes back', async () => {
    const size = Buffer.byteLength(JSON.stringify(note(1)));
    const budget = new EventBudget(size * 3);
    const one = new BoundedEventStore(BIG, budget);
    const two = new BoundedEventStore(BIG, budget);
    await one.storeEvent('a', note(1));
    await one.storeEvent('a', note(2));
    const kept = await two.storeEvent('b', note(3));
    expect(budget.used).toBe(size * 3);
    await two.storeEvent('b', note(4));
    // two had to make room from its own events: one's are untouched.
    expect(one.size().events).toBe(2);
    expect(two.size().events).toBe(1);
    expect((await replay(two, kept)).sent).toEqual([]);
    expect(budget.used).toBe(size * 3);
    one.clear();
    expect(budget.used).toBe(size);
    // A store with nothing of its own to drop does not keep an event past the budget.
    const full = new EventBudget(size / 2);
    const three = new BoundedEventStore(BIG, full);
    await three.storeEvent('c', note(5));
    expect(three.size().events).toBe(0);
    expect(full.used).toBe(0);
  });
});
