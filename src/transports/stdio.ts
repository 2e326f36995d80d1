// MCP over stdio: one session, with the client that started this process. Lines past the size
// limit are dropped before the SDK's transport sees them, and the session ends with stdin, with
// the transport, or with stdout (the client went away).
import type { Readable, Writable } from 'node:stream';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ErrorCode, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../log.js';
import { messageJson } from '../message-json.js';
import { type DroppedLine, LineLimiter, MAX_LINE_BYTES } from './stdio-lines.js';

/** The SDK's stdio transport, but each message written as messageJson gives it (a result whose JSON is known is not serialized again). */
class StdioTransport extends StdioServerTransport {
  constructor(
    input: Readable,
    private readonly output: Writable,
    options: { maxBufferSize: number },
  ) {
    super(input, output, options);
  }

  // As the SDK's own send: one line, and the promise settles once the stream takes more.
  override send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.output.write(`${messageJson(message)}\n`)) resolve();
      else this.output.once('drain', resolve);
    });
  }
}

export interface StdioOptions {
  server: Server;
  log: Logger;
  /** Ends the process once the session is over (the reason goes to the log). */
  stop(reason: string): void;
}

export async function serveStdio({ server, log, stop }: StdioOptions): Promise<void> {
  // Lines past the limit are dropped here, so the transport's own buffer (twice as large) never
  // overflows and closes the session: see stdio-lines.ts.
  const input = process.stdin.pipe(new LineLimiter({ onDropped: (line) => void refuseOversized(line) }));
  const transport = new StdioTransport(input, process.stdout, { maxBufferSize: 2 * MAX_LINE_BYTES });
  const refuseOversized = async ({ bytes, id }: DroppedLine) => {
    log.warn({ bytes, id: id ?? null }, `dropped a ${bytes}-byte message on stdin: one MCP message may have at most ${MAX_LINE_BYTES} bytes; the session goes on`);
    if (id === undefined) return;
    const message = `The request was ${bytes} bytes; this server reads at most ${MAX_LINE_BYTES} bytes in one message, so it was dropped. Send smaller arguments.`;
    await transport.send({ jsonrpc: '2.0', id, error: { code: ErrorCode.InvalidRequest, message } }).catch(() => undefined);
  };
  transport.onerror = (error) => log.warn({ err: error.message }, 'ignored an unreadable message on stdin');
  await server.connect(transport);

  // The SDK's stdio transport ignores EOF: without this the process outlives its client.
  process.stdin.on('end', () => stop('stdin closed'));
  process.stdin.on('close', () => stop('stdin closed'));
  // Should the transport close all the same, the session is over: exit instead of lingering deaf.
  const closed = server.onclose;
  server.onclose = () => {
    closed?.();
    stop('the MCP transport closed');
  };
  // A client that goes away mid-answer makes stdout fail (EPIPE): that too ends the session.
  process.stdout.on('error', () => stop('stdout closed'));
}
