// One Server-Sent Events answer on a Node response: the head, `event: message` frames with their
// ids, comments that keep idle proxies from cutting a long wait, and the end. Written straight to
// the socket: no web streams, no per-frame encoder, and the last frame leaves with the end of the
// response in one write. A single request's answer that comes before anything else leaves
// instead as one JSON body (the transport lets the server choose per POST).
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** How often an open stream gets a keep-alive comment (the SDK transport's default). */
export const SSE_KEEP_ALIVE_MS = 15_000;

const SSE_HEADERS: OutgoingHttpHeaders = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** One message as an SSE event; `json` is the message serialized, when that is done already. */
export function messageFrame(message: JSONRPCMessage, eventId: string | undefined, json = JSON.stringify(message)): string {
  return `event: message\n${eventId === undefined ? '' : `id: ${eventId}\n`}data: ${json}\n\n`;
}

const NOTHING_REPLAYED: ReadonlySet<string> = new Set();

export class SseStream {
  private ended = false;
  /** Whether this answer is an event stream for sure (its opening text is pending or sent). */
  private opened = false;
  /**
   * What waits for the head (the priming event): it leaves with the first message or the end of
   * the answer (a quick answer, a ping, is one write with its head), or when the hold is over.
   * Undefined once the head is out.
   */
  private pending: string | undefined = '';
  private readonly flushing: { cancel(): void };
  /**
   * The response until the answer ends, then let go: a session's maps may still point at an ended
   * stream for a while (a Map's replaced table keeps its pointers until the next full garbage
   * collection), and the response holds the request, its socket state and buffers. Holding them
   * had every answer's objects copied and promoted by the young-generation collector.
   */
  private res: ServerResponse | undefined;
  private readonly sessionId: string | undefined;
  private readonly keepAlive: KeepAliveTicker;
  private readonly opening: (() => string) | undefined;
  private readonly jsonAnswer: boolean;
  /** Ids of the events a resumed stream has replayed already (not written twice). */
  readonly replayed: ReadonlySet<string>;

  constructor(
    res: ServerResponse,
    options: {
      sessionId: string | undefined;
      keepAlive: KeepAliveTicker;
      /** How long the head may wait for the first message; 0: until this turn of the event loop is over. */
      holdMs?: number;
      replayed?: ReadonlySet<string>;
      /**
       * The stream's first event (the priming event), asked for only once the answer is sure to
       * be a stream: an answer that leaves as JSON stores no event for resumption.
       */
      opening?: () => string;
      /** The answer to a single request: it may leave as one JSON body if it is the first message. */
      jsonAnswer?: boolean;
      onGone: () => void;
    },
  ) {
    this.res = res;
    this.replayed = options.replayed ?? NOTHING_REPLAYED;
    this.keepAlive = options.keepAlive;
    this.sessionId = options.sessionId;
    this.opening = options.opening;
    this.jsonAnswer = options.jsonAnswer ?? false;
    // The head too waits for the first write: until then the request can still be refused plainly.
    const holdMs = options.holdMs ?? 0;
    if (holdMs > 0) {
      const timer = setTimeout(() => this.flush(), holdMs);
      this.flushing = { cancel: () => clearTimeout(timer) };
    } else {
      const immediate = setImmediate(() => this.flush());
      this.flushing = { cancel: () => clearImmediate(immediate) };
    }
    // The client went away (or the answer ended): nothing more is written, the owner forgets it.
    res.once('close', () => {
      this.stop();
      options.onGone();
    });
  }

  /** Whether the answer may still leave as a JSON body: nothing was streamed and the head waits. */
  get canAnswerAsJson(): boolean {
    return this.jsonAnswer && !this.opened && !this.ended;
  }

  /**
   * Makes this answer an event stream (no JSON answer any more) and takes its opening event. Call
   * it before storing an event meant for this stream, so that the opening event's id comes first.
   */
  open(): void {
    if (this.opened || this.ended) return;
    this.opened = true;
    const opening = this.opening?.() ?? '';
    if (this.pending !== undefined) this.pending += opening;
  }

  /** Text that goes now, with whatever was held. */
  write(text: string): void {
    if (this.ended) return;
    this.open();
    if (this.pending === undefined) {
      this.res?.write(text);
      return;
    }
    this.pending += text;
    this.flush();
  }

  /** Ends the answer, with a last frame when given. */
  end(text = ''): void {
    const { res } = this;
    if (this.ended || !res) return;
    this.open();
    const rest = (this.pending ?? '') + text;
    const headless = this.pending !== undefined;
    this.stop();
    if (headless) res.writeHead(200, this.head());
    if (rest === '') res.end();
    else res.end(rest);
  }

  /**
   * Ends the answer with `json`, the single response, as an `application/json` body: no event
   * framing, and nothing to resume (the client has it whole or not at all). Only while
   * `canAnswerAsJson`.
   */
  endWithJson(json: string): void {
    const { res } = this;
    this.stop();
    if (!res) return;
    const head: OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) };
    if (this.sessionId !== undefined) head['mcp-session-id'] = this.sessionId;
    res.writeHead(200, head);
    res.end(json);
  }

  /** Gives the response up before anything was sent: the caller answers it otherwise. */
  discard(): void {
    this.stop();
  }

  private head(): OutgoingHttpHeaders {
    return this.sessionId === undefined ? SSE_HEADERS : { ...SSE_HEADERS, 'mcp-session-id': this.sessionId };
  }

  private stop(): void {
    this.ended = true;
    this.res = undefined;
    this.pending = undefined;
    this.flushing.cancel();
    this.keepAlive.delete(this);
  }

  /** Sends the head and what is pending; with nothing yet, the head alone, so the client knows the stream is open. */
  private flush(): void {
    this.flushing.cancel();
    const { res } = this;
    if (this.ended || !res || this.pending === undefined) return;
    this.open();
    const pending = this.pending;
    this.pending = undefined;
    // Only a stream whose head is out needs keep-alive comments: an answer still held has sent nothing.
    this.keepAlive.add(this);
    res.writeHead(200, this.head());
    if (pending === '') res.flushHeaders();
    else res.write(pending);
  }
}

/**
 * One interval for all of a server's open streams instead of a timer per stream: a stream gets
 * its comment between 0 and `intervalMs` after it opens, then every `intervalMs`.
 */
export class KeepAliveTicker {
  private readonly streams = new Set<SseStream>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs: number = SSE_KEEP_ALIVE_MS) {}

  add(stream: SseStream): void {
    this.streams.add(stream);
    if (this.timer) return;
    this.timer = setInterval(() => {
      for (const open of this.streams) open.write(': keepalive\n\n');
    }, this.intervalMs);
    this.timer.unref();
  }

  delete(stream: SseStream): void {
    this.streams.delete(stream);
    if (this.streams.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
