// A bare JSON-RPC client over a child's stdio, as an MCP host talks to a server: one JSON message
// per line. Deliberately not the SDK's Client, so the numbers measure the server, not a client's
// schema validation; it supports many requests in flight (ids matched to waiting promises).
import { spawn } from 'node:child_process';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

export class StdioRpc {
  /** @param {import('node:child_process').ChildProcess} child */
  constructor(child, { onStderrLine } = {}) {
    this.child = child;
    this.nextId = 1;
    this.pending = new Map();
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.trim()) this.receive(line);
      }
    });
    if (onStderrLine && child.stderr) {
      let errBuffer = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk) => {
        errBuffer += chunk;
        let newline;
        while ((newline = errBuffer.indexOf('\n')) !== -1) {
          onStderrLine(errBuffer.slice(0, newline));
          errBuffer = errBuffer.slice(newline + 1);
        }
      });
    }
    child.once('exit', () => {
      for (const { reject } of this.pending.values()) reject(new Error('server exited'));
      this.pending.clear();
    });
  }

  /** Spawns `node ...args` with exactly `env`; stderr is ignored unless a line handler is given. */
  static spawn(args, { env, onStderrLine } = {}) {
    const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', onStderrLine ? 'pipe' : 'ignore'] });
    return new StdioRpc(child, { onStderrLine });
  }

  get pid() {
    return this.child.pid;
  }

  receive(line) {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return; // not ours to judge here; a server that writes junk fails its own tests
    }
    if (message.id === undefined || !this.pending.has(message.id)) return; // notifications
    const { resolve, reject } = this.pending.get(message.id);
    this.pending.delete(message.id);
    if (message.error) reject(new Error(`${message.error.code}: ${message.error.message}`));
    else resolve(message.result);
  }

  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  notify(method, params) {
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method, ...(params ? { params } : {}) })}\n`);
  }

  async initialize() {
    const result = await this.request('initialize', {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'bench', version: '1.0.0' },
    });
    this.notify('notifications/initialized');
    return result;
  }

  /** tools/call; resolves with the result, rejects on a JSON-RPC error or an isError result. */
  async callTool(name, args) {
    const result = await this.request('tools/call', { name, arguments: args });
    if (result.isError) throw new Error(`${name} failed: ${result.content?.[0]?.text ?? 'isError'}`);
    return result;
  }

  /** Closes stdin (the server's cue to exit) and waits; kills it if it lingers. */
  async close(graceMs = 3_000) {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const status = await this.exited;
    clearTimeout(timer);
    return status;
  }
}
