// A bare JSON-RPC client over MCP's Streamable HTTP, the counterpart of stdio-rpc.mjs: keep-alive
// connections (one unless told), the session header, a bearer token, and the answer read from the
// response's JSON body or SSE stream. Not the SDK's client, so the numbers measure the server; but
// the same HTTP stack as the SDK's client in Node (undici, which runs fetch), not node:http's
// client, which costs twice the CPU per request on this machine that the client shares with the
// server (see bench/README.md, "Streamable HTTP against stdio").
import { spawn } from 'node:child_process';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { Pool } from 'undici';

export class HttpRpc {
  constructor(url, token, { connections = 1 } = {}) {
    this.url = new URL(url);
    this.token = token;
    // Idle connections are kept as long as the server keeps them (65 s): none is reopened between blocks.
    this.pool = new Pool(this.url.origin, { connections, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });
    /** Connections opened so far (each stays open for the next request). */
    this.connectionsOpened = 0;
    this.pool.on('connect', () => (this.connectionsOpened += 1));
    /** Answers received by the body's type: a JSON body, or an event stream. */
    this.answers = { json: 0, sse: 0 };
    this.nextId = 1;
    this.sessionId = undefined;
  }

  /** Spawns `node ...args` with `env` and waits for the server's "listening" log line. */
  static async spawnServer(args, { env }) {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const url = await new Promise((resolve, reject) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk.toString('utf8');
        const match = /"url":"([^"]+)".*MCP over Streamable HTTP listening/.exec(stderr);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`HTTP server exited (${code}): ${stderr}`)));
    });
    child.stderr.resume();
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    return { child, url, pid: child.pid, exited };
  }

  async post(body) {
    const headers = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${this.token}`,
      ...(this.sessionId ? { 'mcp-session-id': this.sessionId, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION } : {}),
    };
    const response = await this.pool.request({ path: this.url.pathname, method: 'POST', headers, body: JSON.stringify(body) });
    return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
  }

  async request(method, params) {
    const id = this.nextId++;
    const response = await this.post({ jsonrpc: '2.0', id, method, params });
    if (response.status !== 200) throw new Error(`${method}: HTTP ${response.status} ${response.text}`);
    // A JSON body is the answer alone; on an event stream it is one event's data (notifications may precede it).
    const json = response.headers['content-type'] === 'application/json';
    this.answers[json ? 'json' : 'sse'] += 1;
    const datas = json ? [response.text] : response.text.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim());
    for (const data of datas) {
      // The stream's priming event (an event id for resumption) carries empty data.
      if (data === '') continue;
      const message = JSON.parse(data);
      if (message.id !== id) continue;
      if (message.error) throw new Error(`${message.error.code}: ${message.error.message}`);
      return { result: message.result, headers: response.headers };
    }
    throw new Error(`${method}: no answer in the response`);
  }

  async initialize() {
    const { result, headers } = await this.request('initialize', { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } });
    this.sessionId = headers['mcp-session-id'];
    const ack = await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    if (ack.status !== 202) throw new Error(`initialized: HTTP ${ack.status}`);
    return result;
  }

  async callTool(name, args) {
    const { result } = await this.request('tools/call', { name, arguments: args });
    if (result.isError) throw new Error(`${name} failed: ${result.content?.[0]?.text ?? 'isError'}`);
    return result;
  }

  close() {
    return this.pool.destroy();
  }
}
