// Keeps one oversized message on stdin from ending the MCP session. The SDK's stdio transport
// gives up for good when a line outgrows its 10 MiB buffer: it clears the buffer, reports an
// error and closes. Its constructor takes the stream to read (public API), so stdin reaches it
// through this filter instead: lines up to the limit pass unchanged, a longer one is dropped
// whole (never more than the limit is held) and reported, and the session goes on.
import { Transform, type TransformCallback } from 'node:stream';

/** The SDK transport's own default; a message this large is a mistake, not a request. */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

/** Enough of a dropped line's start and end to find its JSON-RPC id. */
const KEPT_BYTES = 512;
const NEWLINE = 0x0a;

export interface DroppedLine {
  bytes: number;
  /** The JSON-RPC id of the request, when the kept start or end of the line shows it for certain. */
  id?: string | number;
}

export interface LineLimitOptions {
  maxLineBytes?: number;
  onDropped: (line: DroppedLine) => void;
}

export class LineLimiter extends Transform {
  private readonly maxLineBytes: number;
  /** The current line so far, while it is within the limit. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Set once the current line is over the limit: its bytes are counted and dropped. */
  private dropped?: { bytes: number; head: Buffer; tail: Buffer };

  constructor(private readonly options: LineLimitOptions) {
    super();
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out: Buffer[] = [];
    for (let start = 0; start < chunk.length; ) {
      const newline = chunk.indexOf(NEWLINE, start);
      this.addToLine(chunk.subarray(start, newline === -1 ? chunk.length : newline));
      if (newline === -1) break;
      this.endLine(out);
      start = newline + 1;
    }
    if (out.length > 0) this.push(Buffer.concat(out));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    // A last line without its newline is passed on as it is: the transport waits for the rest.
    if (!this.dropped && this.pendingBytes > 0) this.push(Buffer.concat(this.pending));
    callback();
  }

  private addToLine(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.dropped) {
      this.dropped.bytes += piece.length;
      this.dropped.tail = lastBytes(Buffer.concat([this.dropped.tail, piece.subarray(-KEPT_BYTES)]));
      return;
    }
    if (this.pendingBytes + piece.length <= this.maxLineBytes) {
      this.pending.push(piece);
      this.pendingBytes += piece.length;
      return;
    }
    this.dropped = { bytes: this.pendingBytes + piece.length, head: firstBytes([...this.pending, piece]), tail: lastBytesOf([...this.pending, piece]) };
    this.pending = [];
    this.pendingBytes = 0;
  }

  private endLine(out: Buffer[]): void {
    if (this.dropped) {
      const { bytes, head, tail } = this.dropped;
      this.dropped = undefined;
      this.options.onDropped({ bytes, id: requestId(head.toString('utf8'), tail.toString('utf8')) });
      return;
    }
    out.push(...this.pending, Buffer.from('\n'));
    this.pending = [];
    this.pendingBytes = 0;
  }
}

function firstBytes(pieces: Buffer[]): Buffer {
  const kept: Buffer[] = [];
  let size = 0;
  for (const piece of pieces) {
    if (size >= KEPT_BYTES) break;
    kept.push(piece.subarray(0, KEPT_BYTES - size));
    size += kept[kept.length - 1]!.length;
  }
  return Buffer.concat(kept);
}

function lastBytesOf(pieces: Buffer[]): Buffer {
  const kept: Buffer[] = [];
  let size = 0;
  for (let i = pieces.length - 1; i >= 0 && size < KEPT_BYTES; i--) {
    kept.unshift(pieces[i]!.subarray(Math.max(0, pieces[i]!.length - (KEPT_BYTES - size))));
    size += kept[0]!.length;
  }
  return Buffer.concat(kept);
}

function lastBytes(buffer: Buffer): Buffer {
  return buffer.length > KEPT_BYTES ? Buffer.from(buffer.subarray(-KEPT_BYTES)) : buffer;
}

const ID = String.raw`(-?\d{1,16}|"(?:[^"\\]|\\.){0,200}")`;
/** `{"jsonrpc":"2.0","id":…,"method":…` (Python and most hand-written clients). */
const ID_FIRST = new RegExp(String.raw`^\s*\{\s*"jsonrpc"\s*:\s*"2\.0"\s*,\s*"id"\s*:\s*${ID}\s*,\s*"method"\s*:`);
/** `{"method":…,"params":…,"jsonrpc":"2.0","id":…}` (the TypeScript SDK's client). */
const METHOD_FIRST = /^\s*\{\s*"method"\s*:/;
const ID_LAST = new RegExp(String.raw`,\s*"jsonrpc"\s*:\s*"2\.0"\s*,\s*"id"\s*:\s*${ID}\s*\}\s*$`);

/**
 * The id of a request whose line was dropped, read only where it is certain to be the top-level
 * id: first keys of the object, or its last key right before the closing brace. A request id is
 * what the client waits on; anything else (a notification, a response, an unknown layout) gets none.
 */
export function requestId(head: string, tail: string): string | number | undefined {
  const match = ID_FIRST.exec(head) ?? (METHOD_FIRST.test(head) ? ID_LAST.exec(tail) : null);
  if (!match) return undefined;
  try {
    const id = JSON.parse(match[1]!) as unknown;
    return typeof id === 'string' || (typeof id === 'number' && Number.isSafeInteger(id)) ? id : undefined;
  } catch {
    return undefined;
  }
}
