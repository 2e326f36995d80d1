// The two servers the HTTP sections compare: `serve --http` (a static bearer token, the rate limit
// lifted) and the same CLI over stdio, same environment, both initialized, audit off for both.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HttpRpc } from './http-rpc.mjs';
import { serverArgs } from './server-cli.mjs';
import { StdioRpc } from './stdio-rpc.mjs';

const TOKEN = 'bench-http-token-0123456789abcdef';

/** `connections`: how many keep-alive connections the HTTP client may open (1 for sequential calls). */
export async function startServerPair({ env, home, connections = 1 }) {
  const tokens = path.join(home, 'http-tokens');
  await writeFile(tokens, `bench ${createHash('sha256').update(TOKEN).digest('hex')} er:read\n`, { mode: 0o600 });
  // The rate limit is lifted: the benchmark sends far more than a person's agent would.
  const httpEnv = { ...env, HUAWEICLOUD_ER_MCP_HTTP_RATE_LIMIT: '100000000' };
  const httpServer = await HttpRpc.spawnServer(serverArgs(['serve', '--http', '--port', '0', '--http-tokens', tokens, '--audit-log', 'off']), { env: httpEnv });
  const http = new HttpRpc(httpServer.url, TOKEN, { connections });
  const stdio = StdioRpc.spawn(serverArgs(['--audit-log', 'off']), { env });
  const close = async () => {
    await http.close();
    await stdio.close();
    httpServer.child.kill('SIGTERM');
    await httpServer.exited;
  };
  try {
    await http.initialize();
    await stdio.initialize();
  } catch (error) {
    await close();
    throw error;
  }
  return { http, httpPid: httpServer.pid, stdio, stdioPid: stdio.pid, close };
}
