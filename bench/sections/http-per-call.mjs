// 6. Per call over HTTP: get_association_state (one look) through `serve --http` (a static
// bearer token, a session, the answer on an SSE stream) against the same call over stdio, both
// servers started from dist/cli.js with the same environment, calls interleaved. What HTTP adds
// per call is the difference of the medians.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpRpc } from '../lib/http-rpc.mjs';
import { cpuMs } from '../lib/proc.mjs';
import { StdioRpc } from '../lib/stdio-rpc.mjs';
import { interleave, round, summarise } from '../lib/stats.mjs';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const TOKEN = 'bench-http-token-0123456789abcdef';

function expect(condition, message) {
  if (!condition) throw new Error(`http per-call check failed: ${message}`);
}

export async function httpPerCall({ emulator, env, home, calls, warmup }) {
  const tokens = path.join(home, 'http-tokens');
  await writeFile(tokens, `bench ${createHash('sha256').update(TOKEN).digest('hex')} er:read\n`, { mode: 0o600 });
  // The rate limit is lifted: the benchmark sends far more than a person's agent would.
  const httpEnv = { ...env, HUAWEICLOUD_ER_MCP_HTTP_RATE_LIMIT: '100000000' };
  const httpServer = await HttpRpc.spawnServer([CLI, 'serve', '--http', '--port', '0', '--http-tokens', tokens, '--audit-log', 'off'], { env: httpEnv });
  const http = new HttpRpc(httpServer.url, TOKEN);
  const stdio = StdioRpc.spawn([CLI, '--audit-log', 'off'], { env });
  try {
    await http.initialize();
    await stdio.initialize();
    const args = { er_id: emulator.erId, route_table_id: emulator.routeTables[0], attachment_id: emulator.attachments[0] };
    const contenders = [
      {
        name: 'stdio',
        run: async () => expect((await stdio.callTool('get_association_state', args)).structuredContent?.state === 'available', 'stdio get state'),
      },
      {
        name: 'http',
        run: async () => expect((await http.callTool('get_association_state', args)).structuredContent?.state === 'available', 'http get state'),
      },
      // The transports alone: a ping the SDK answers itself, no tool and no API request.
      { name: 'stdio_ping', run: () => stdio.request('ping', {}) },
      { name: 'http_ping', run: () => http.request('ping', {}) },
    ];
    const cpuBefore = { stdio: await cpuMs(stdio.pid), http: await cpuMs(httpServer.pid) };
    const { time } = await interleave(contenders, { warmup, rounds: calls });
    // Server CPU per round (a call and a ping each, warm-up included): an upper bound per call.
    const cpuPerRoundUs = {
      stdio: round((((await cpuMs(stdio.pid)) - cpuBefore.stdio) * 1000) / (calls + warmup), 1),
      http: round((((await cpuMs(httpServer.pid)) - cpuBefore.http) * 1000) / (calls + warmup), 1),
    };
    const s = Object.fromEntries(Object.entries(time).map(([name, values]) => [name, summarise(values)]));
    return {
      calls,
      warmup,
      unit: 'ms',
      contenders: s,
      server_cpu_us_per_call_and_ping: cpuPerRoundUs,
      http_minus_stdio_median_ms: round(s.http.median - s.stdio.median, 3),
      http_over_stdio_median: round(s.http.median / s.stdio.median, 2),
      http_ping_minus_stdio_ping_median_ms: round(s.http_ping.median - s.stdio_ping.median, 3),
    };
  } finally {
    http.close();
    await stdio.close();
    httpServer.child.kill('SIGTERM');
    await httpServer.exited;
  }
}
