// 6. Per call over HTTP: get_association_state (one look) through `serve --http` (a static
// bearer token, a session, the answer on an SSE stream) against the same call over stdio, both
// servers started from dist/cli.js with the same environment, calls interleaved. What HTTP adds
// per call is the difference of the medians; what it costs the server, the ratio of server CPU
// per call (each server's CPU put down to the contender that ran on it, see server-cpu.mjs).
import { startServerPair } from '../lib/server-pair.mjs';
import { ServerCpu } from '../lib/server-cpu.mjs';
import { interleave, round, summarise } from '../lib/stats.mjs';

function expect(condition, message) {
  if (!condition) throw new Error(`http per-call check failed: ${message}`);
}

export async function httpPerCall({ emulator, env, home, calls, warmup }) {
  const { http, httpPid, stdio, stdioPid, close } = await startServerPair({ env, home });
  try {
    const args = { er_id: emulator.erId, route_table_id: emulator.routeTables[0], attachment_id: emulator.attachments[0] };
    const contenders = [
      {
        name: 'stdio',
        pid: stdioPid,
        run: async () => expect((await stdio.callTool('get_association_state', args)).structuredContent?.state === 'available', 'stdio get state'),
      },
      {
        name: 'http',
        pid: httpPid,
        run: async () => expect((await http.callTool('get_association_state', args)).structuredContent?.state === 'available', 'http get state'),
      },
      // The transports alone: a ping the SDK answers itself, no tool and no API request.
      { name: 'stdio_ping', pid: stdioPid, run: () => stdio.request('ping', {}) },
      { name: 'http_ping', pid: httpPid, run: () => http.request('ping', {}) },
    ];
    const serverCpu = new ServerCpu();
    const { time } = await interleave(contenders, {
      warmup,
      rounds: calls,
      before: (contender, i) => (i >= warmup ? serverCpu.before(contender.name, contender.pid) : undefined),
    });
    const cpuTotals = await serverCpu.finish();
    const cpuPerCallUs = Object.fromEntries(contenders.map(({ name }) => [name, round(((cpuTotals[name] ?? 0) * 1000) / calls, 1)]));
    const cpuRatio = round(cpuPerCallUs.http / cpuPerCallUs.stdio, 2);
    const s = Object.fromEntries(Object.entries(time).map(([name, values]) => [name, summarise(values)]));
    return {
      calls,
      warmup,
      unit: 'ms',
      contenders: s,
      server_cpu_us_per_call: cpuPerCallUs,
      http_over_stdio_server_cpu_per_call: cpuRatio,
      http_over_stdio_server_cpu_per_ping: round(cpuPerCallUs.http_ping / cpuPerCallUs.stdio_ping, 2),
      http_minus_stdio_median_ms: round(s.http.median - s.stdio.median, 3),
      http_over_stdio_median: round(s.http.median / s.stdio.median, 2),
      http_ping_minus_stdio_ping_median_ms: round(s.http_ping.median - s.stdio_ping.median, 3),
      targets: [{ name: 'HTTP/stdio server CPU per call (sequential)', value: cpuRatio, limit: '<= 1.5', pass: cpuRatio <= 1.5 }],
    };
  } finally {
    await close();
  }
}
