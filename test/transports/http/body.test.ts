// Reading a request body: one already parsed when the handler runs is read at once, one still
// arriving is read as it comes, and either is refused past the limit; the connection stays usable.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type BodyResult, readBody } from '../../../src/transports/http/body.js';

const LIMIT = 64;

interface Seen {
  result: BodyResult;
  /** Whether the whole request was parsed before the body was asked for. */
  completeBefore: boolean;
}

let server: Server | undefined;
async function closeServer(): Promise<void> {
  const open = server;
  server = undefined;
  if (!open) return;
  open.closeAllConnections();
  await new Promise((resolve) => open.close(resolve));
}
afterEach(closeServer);

/** A server that reads each body with readBody (after `before` resolves) and answers with what it read. */
async function bodyServer(before: (req: IncomingMessage) => Promise<void>): Promise<{ port: number; seen: Seen[]; handling: Promise<void>[] }> {
  const seen: Seen[] = [];
  const handling: Promise<void>[] = [];
  let started: () => void = () => undefined;
  handling.push(new Promise((resolve) => (started = resolve)));
  server = createServer((req, res) => {
    started();
    handling.push(new Promise((resolve) => (started = resolve)));
    void (async () => {
      await before(req);
      const completeBefore = req.complete;
      const result = await readBody(req, LIMIT);
      seen.push({ result, completeBefore });
      const text = result.ok ? result.text : result.reason;
      res.writeHead(result.ok ? 200 : 413, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(text) }).end(text);
    })();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { port: (server!.address() as AddressInfo).port, seen, handling };
}

/** The next whole response on the socket (Content-Length bodies only). */
function nextResponse(socket: Socket): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: *(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
      if (text.length < end + 4 + length) return;
      socket.off('data', onData);
      resolve({ status: Number(text.slice(9, 12)), body: Buffer.from(text.slice(end + 4, end + 4 + length), 'latin1').toString('utf8') });
    };
    socket.on('data', onData);
  });
}

function request(body: string, headers = `content-length: ${Buffer.byteLength(body)}\r\n`): string {
  return `POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\n${headers}\r\n${body}`;
}

/** Resolves once the request is wholly parsed (event-driven: each turn of the loop, bounded). */
async function untilComplete(req: IncomingMessage): Promise<void> {
  for (let turns = 0; !req.complete && turns < 100_000; turns++) await new Promise((resolve) => setImmediate(resolve));
}

describe('readBody', () => {
  it('reads a body that is already parsed, then the next request on the same connection', async () => {
    const { port, seen } = await bodyServer(untilComplete);
    const socket = connect(port, '127.0.0.1');
    try {
      socket.write(request('{"jsonrpc":"2.0","id":1}'));
      expect(await nextResponse(socket)).toEqual({ status: 200, body: '{"jsonrpc":"2.0","id":1}' });
      socket.write(request('{"ü":"second"}'));
      expect(await nextResponse(socket)).toEqual({ status: 200, body: '{"ü":"second"}' });
      expect(seen.map((s) => s.completeBefore)).toEqual([true, true]);
    } finally {
      socket.destroy();
    }
  });

  it('reads a body that arrives after the handler asked for it', async () => {
    const { port, seen, handling } = await bodyServer(async () => undefined);
    const socket = connect(port, '127.0.0.1');
    try {
      const body = '{"jsonrpc":"2.0","id":2}';
      socket.write(request('', `content-length: ${body.length}\r\n`));
      await handling[0];
      const answer = nextResponse(socket);
      socket.write(body);
      expect(await answer).toEqual({ status: 200, body });
      expect(seen[0]!.completeBefore).toBe(false);
    } finally {
      socket.destroy();
    }
  });

  it('refuses a body past the limit, parsed already or not, without a Content-Length to tell', async () => {
    const big = 'x'.repeat(LIMIT + 1);
    const chunked = (text: string) => `${text.length.toString(16)}\r\n${text}\r\n0\r\n\r\n`;
    for (const before of [untilComplete, async () => undefined]) {
      const { port, seen } = await bodyServer(before);
      const socket = connect(port, '127.0.0.1');
      try {
        socket.write(request(chunked(big), 'transfer-encoding: chunked\r\n'));
        expect(await nextResponse(socket)).toEqual({ status: 413, body: 'too_large' });
        expect(seen[0]!.result).toEqual({ ok: false, reason: 'too_large' });
      } finally {
        socket.destroy();
        await closeServer();
      }
    }
  });
});
