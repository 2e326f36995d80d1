// 6b. Throughput over HTTP: get_association_state with many calls in flight over one Streamable
// HTTP session (keep-alive connections, up to one per call in flight, as a client with a
// connection pool opens them) against the same over one stdio session, same emulator. Blocks of
// calls take turns (stdio then HTTP, then HTTP then stdio, …) after a warm-up of each, so load
// from elsewhere hits both alike; each block is timed on its own, and each server's CPU is read
// from /proc around the blocks. The warm-up is long (2,000 calls each): after 200, both servers
// were still compiling, their blocks ran 2-3 times faster from first to last, and the CPU per call
// measured mostly the start of a run, not a server at work.
import { ServerCpu } from '../lib/server-cpu.mjs';
import { startServerPair } from '../lib/server-pair.mjs';
import { round, summarise } from '../lib/stats.mjs';
import { pump } from './throughput.mjs';

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export async function httpThroughput({ emulator, env, home, calls, inFlight, warmup, rounds }) {
  const { http, httpPid, stdio, stdioPid, close } = await startServerPair({ env, home, connections: inFlight });
  try {
    const args = { er_id: emulator.erId, route_table_id: emulator.routeTables[0], attachment_id: emulator.attachments[0] };
    const checked = (what) => (result) => {
      if (result.structuredContent?.state !== 'available') throw new Error(`${what}: unexpected state`);
    };
    const contenders = [
      { name: 'stdio', pid: stdioPid, call: () => stdio.callTool('get_association_state', args).then(checked('stdio')) },
      { name: 'http', pid: httpPid, call: () => http.callTool('get_association_state', args).then(checked('http')) },
    ];
    const runs = Object.fromEntries(contenders.map(({ name }) => [name, { perSecond: [], latencies: [], errors: 0, firstErrors: [], clientCpuUs: 0 }]));
    const record = (name, run) => {
      runs[name].errors += run.errors;
      runs[name].firstErrors.push(...run.firstErrors.slice(0, 3 - runs[name].firstErrors.length));
    };
    for (const { name, call } of contenders) record(name, await pump(warmup, inFlight, call));
    const serverCpu = new ServerCpu();
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < contenders.length; k++) {
        const { name, pid, call } = contenders[(r + k) % contenders.length];
        await serverCpu.before(name, pid);
        const started = performance.now();
        const cpuBefore = process.cpuUsage();
        const run = await pump(calls, inFlight, call);
        const seconds = (performance.now() - started) / 1000;
        const clientCpu = process.cpuUsage(cpuBefore);
        runs[name].clientCpuUs += clientCpu.user + clientCpu.system;
        record(name, run);
        runs[name].perSecond.push(calls / seconds);
        runs[name].latencies.push(...run.latencies);
      }
    }
    const cpu = await serverCpu.finish();
    const summary = Object.fromEntries(
      contenders.map(({ name }) => {
        const r = runs[name];
        return [
          name,
          {
            calls_per_second: round(median(r.perSecond), 1),
            calls_per_second_by_round: r.perSecond.map((v) => round(v, 1)),
            latency_ms: summarise(r.latencies),
            server_cpu_us_per_call: round(((cpu[name] ?? 0) * 1000) / (calls * rounds), 1),
            // The bench process is the client: on this one machine it competes with the server for the CPU.
            client_cpu_us_per_call: round(r.clientCpuUs / (calls * rounds), 1),
            errors: r.errors,
            first_errors: r.firstErrors,
          },
        ];
      }),
    );
    const ratios = runs.http.perSecond.map((perSecond, i) => perSecond / runs.stdio.perSecond[i]);
    const throughputRatio = round(median(ratios), 2);
    const cpuRatio = round(summary.http.server_cpu_us_per_call / summary.stdio.server_cpu_us_per_call, 2);
    const errors = summary.http.errors + summary.stdio.errors;
    return {
      calls,
      in_flight: inFlight,
      warmup,
      rounds,
      contenders: summary,
      http_connections: http.connectionsOpened,
      http_answers: { ...http.answers },
      http_over_stdio_throughput: throughputRatio,
      http_over_stdio_throughput_by_round: ratios.map((v) => round(v, 2)),
      http_over_stdio_server_cpu_per_call: cpuRatio,
      targets: [
        { name: 'HTTP/stdio throughput at 64 in flight', value: throughputRatio, limit: '>= 0.6', pass: throughputRatio >= 0.6 },
        { name: 'HTTP/stdio server CPU per call (64 in flight)', value: cpuRatio, limit: '<= 1.5', pass: cpuRatio <= 1.5 },
        { name: 'HTTP throughput errors', value: errors, limit: '= 0', pass: errors === 0 },
      ],
    };
  } finally {
    await close();
  }
}
