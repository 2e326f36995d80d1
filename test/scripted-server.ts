// A tiny HTTP server on 127.0.0.1 that answers every request with what a test scripts: for
// answers the emulator cannot give (a wrong-region gateway, quota errors, a Retry-After date,
// odd bodies). Real HTTP, so the client under test runs exactly as in production.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface ScriptedServer {
  url: string;
  /** Requests received so far, in order. */
  requests: Array<{ method: string; path: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

export async function startScriptedServer(reply: (request: IncomingMessage, index: number) => ScriptedReply): Promise<ScriptedServer> {
  const requests: ScriptedServer['requests'] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const index = requests.length;
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
      const { status, headers = {}, body = '' } = reply(req, index);
      res.writeHead(status, headers);
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** An ER-style JSON error body. */
export function erError(code: string, message: string): string {
  return JSON.stringify({ error_code: code, error_msg: message, request_id: `req-${code}` });
}
