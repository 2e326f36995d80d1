// The answers this layer gives itself (before the SDK transport sees a request): JSON bodies with
// the status and headers asked for, closing the connection when the request body was not read.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

/** A JSON-RPC error with no id, as the Streamable HTTP transport answers requests it refuses. */
export function sendRpcError(res: ServerResponse, status: number, code: number, message: string, headers: OutgoingHttpHeaders = {}): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null }, headers);
}

/** JSON-RPC codes used at the HTTP layer. */
export const RPC = { parseError: -32700, invalidRequest: -32600, server: -32000, sessionNotFound: -32001 } as const;
