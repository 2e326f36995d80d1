// The events of one HTTP session's SSE streams, kept for a while so that a client whose
// connection drops (say during a 50 s wait) can reconnect with Last-Event-ID and get what it
// missed. Bounded: per stream by count, over the whole session by count and bytes, and over all
// the server's sessions by bytes (a budget they share); the oldest events go first. The store
// belongs to one session and goes away with it.
import type { EventId, EventStore, StreamId } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export interface EventStoreBounds {
  /** Events kept per stream. */
  maxEventsPerStream: number;
  /** Events kept over all the session's streams. */
  maxEvents: number;
  /** Bytes of serialized messages kept over all the session's streams. */
  maxBytes: number;
}

/** Bytes of events kept over all of a server's sessions. */
export class EventBudget {
  used = 0;
  constructor(readonly maxBytes: number) {}
  get over(): boolean {
    return this.used > this.maxBytes;
  }
}

/** The server-wide bound on kept events: with 100 sessions, well under their 2 MiB each. */
export const DEFAULT_SERVER_EVENT_BYTES = 32 * 1024 * 1024;

export const DEFAULT_EVENT_STORE_BOUNDS: EventStoreBounds = {
  maxEventsPerStream: 200,
  maxEvents: 1000,
  maxBytes: 2 * 1024 * 1024,
};

interface StoredEvent {
  streamId: StreamId;
  seq: number;
  /**
   * The message as serialized: one string per event instead of the message's whole object graph,
   * which the garbage collector would otherwise walk for as long as the event is kept.
   */
  json: string;
  bytes: number;
  dropped: boolean;
}

/** A priming event's message, serialized. */
export const PRIMING = '{}';

/** `${streamId}_${seq}`: the SDK's stream ids are random UUIDs, the sequence is store-wide and never reused. */
const SEPARATOR = '_';

export class BoundedEventStore implements EventStore {
  private readonly streams = new Map<StreamId, StoredEvent[]>();
  /** Every kept event, oldest first (dropped ones are skipped lazily). */
  private readonly all: StoredEvent[] = [];
  private seq = 0;
  private events = 0;
  private bytes = 0;

  constructor(
    private readonly bounds: EventStoreBounds = DEFAULT_EVENT_STORE_BOUNDS,
    /** Shared with the server's other sessions; when it is spent, this session drops its own oldest events. */
    private readonly budget: EventBudget = new EventBudget(Number.POSITIVE_INFINITY),
  ) {}

  /** `json`, when given, is the message as serialized already: it is not serialized again to be measured. */
  async storeEvent(streamId: StreamId, message: JSONRPCMessage, json: string = JSON.stringify(message)): Promise<EventId> {
    return this.store(streamId, json);
  }

  /** Keeps a serialized message (`{}` for a priming event) and returns its id, at once. */
  store(streamId: StreamId, json: string): EventId {
    this.seq += 1;
    const event: StoredEvent = { streamId, seq: this.seq, json, bytes: Buffer.byteLength(json), dropped: false };
    let stream = this.streams.get(streamId);
    if (!stream) {
      stream = [];
      this.streams.set(streamId, stream);
    }
    stream.push(event);
    this.all.push(event);
    this.events += 1;
    this.bytes += event.bytes;
    this.budget.used += event.bytes;
    while (stream.length > this.bounds.maxEventsPerStream) this.drop(stream[0]!);
    // An event larger than the whole byte budget is not kept at all (nor is anything else).
    while (this.events > this.bounds.maxEvents || this.bytes > this.bounds.maxBytes || (this.budget.over && this.events > 0)) {
      const oldest = this.all.shift();
      if (!oldest) break;
      if (!oldest.dropped) this.drop(oldest);
    }
    // Events dropped by the per-stream bound stay in `all` until compacted here.
    if (this.all.length > 2 * this.events + 64) this.compact();
    return `${streamId}${SEPARATOR}${event.seq}`;
  }

  /** The stream of an id this store issued, while that stream still has events; undefined otherwise. */
  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    const parsed = parse(eventId);
    return parsed && this.streams.has(parsed.streamId) ? parsed.streamId : undefined;
  }

  /**
   * Sends the events of the id's stream that came after it, oldest first. An id that is no
   * longer kept (dropped by the bounds) replays nothing: what came between is unknown.
   */
  async replayEventsAfter(lastEventId: EventId, { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> }): Promise<StreamId> {
    const parsed = parse(lastEventId);
    if (!parsed) return '';
    const stream = this.streams.get(parsed.streamId);
    if (!stream || !stream.some((event) => event.seq === parsed.seq)) return parsed.streamId;
    // A copy: the transport may store new events on this stream while we send.
    for (const event of stream.slice()) {
      if (event.seq <= parsed.seq) continue;
      // Priming events (an empty message, sent as empty data) carry only an id.
      if (event.json === PRIMING) continue;
      await send(`${event.streamId}${SEPARATOR}${event.seq}`, JSON.parse(event.json) as JSONRPCMessage);
    }
    return parsed.streamId;
  }

  /** Frees every event (the session closed). */
  clear(): void {
    this.budget.used -= this.bytes;
    this.streams.clear();
    this.all.length = 0;
    this.events = 0;
    this.bytes = 0;
  }

  /** What is kept now, for tests and logs. */
  size(): { streams: number; events: number; bytes: number } {
    return { streams: this.streams.size, events: this.events, bytes: this.bytes };
  }

  private compact(): void {
    const kept = this.all.filter((event) => !event.dropped);
    this.all.length = 0;
    this.all.push(...kept);
  }

  private drop(event: StoredEvent): void {
    const stream = this.streams.get(event.streamId);
    // Events leave a stream in the order they came: the dropped one is its oldest.
    if (stream && stream[0] === event) stream.shift();
    else if (stream) stream.splice(stream.indexOf(event), 1);
    if (stream && stream.length === 0) this.streams.delete(event.streamId);
    event.dropped = true;
    this.events -= 1;
    this.bytes -= event.bytes;
    this.budget.used -= event.bytes;
  }
}

function parse(eventId: EventId): { streamId: StreamId; seq: number } | undefined {
  const at = eventId.lastIndexOf(SEPARATOR);
  if (at <= 0) return undefined;
  const seq = Number(eventId.slice(at + 1));
  if (!Number.isSafeInteger(seq) || seq <= 0 || String(seq) !== eventId.slice(at + 1)) return undefined;
  return { streamId: eventId.slice(0, at), seq };
}
