// 4. Throughput: many get_association_state calls in flight over one stdio session. Counts errors
// and the TCP connections the emulator accepted for the whole session (start-up included), which
// must stay within the HTTP client's keep-alive pool instead of growing with the calls.
import { fileURLToPath } from 'node:url';
import { DEFAULT_CONNECTIONS } from '../../dist/http/http-client.js';
import { StdioRpc } from '../lib/stdio-rpc.mjs';
import { round, summarise } from '../lib/stats.mjs';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/** HttpClient's keep-alive pool per origin; the server does not override it. */
export const POOL_SIZE = DEFAULT_CONNECTIONS;

/** Runs `total` calls of `call(i)` with at most `inFlight` outstanding; returns latencies and errors. */
export async function pump(total, inFlight, call) {
  let issued = 0;
  let errors = 0;
  const latencies = [];
  const firstErrors = [];
  async function lane() {
    while (issued < total) {
      const i = issued++;
      const started = performance.now();
      try {
        await call(i);
        latencies.push(performance.now() - started);
      } catch (error) {
        errors += 1;
        if (firstErrors.length < 3) firstErrors.push(String(error?.message ?? error));
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(inFlight, total) }, lane));
  return { latencies, errors, firstErrors };
}

export async function throughput({ emulator, env, calls, inFlight, warmup }) {
  const before = await emulator.connections();
  const server = StdioRpc.spawn([CLI], { env });
  await server.initialize();
  const args = { er_id: emulator.erId, route_table_id: emulator.routeTables[0], attachment_id: emulator.attachments[0] };
  const call = async () => {
    const result = await server.callTool('get_association_state', args);
    if (result.structuredContent?.state !== 'available') throw new Error('unexpected state');
  };
  const warm = await pump(warmup, inFlight, call);
  const started = performance.now();
  const run = await pump(calls, inFlight, call);
  const seconds = (performance.now() - started) / 1000;
  const connections = (await emulator.connections()) - before;
  await server.close();
  const errors = run.errors + warm.errors;
  const callsPerSecond = round(calls / seconds, 1);
  return {
    calls,
    in_flight: inFlight,
    warmup,
    seconds: round(seconds, 3),
    calls_per_second: callsPerSecond,
    latency_ms: summarise(run.latencies),
    errors,
    first_errors: [...warm.firstErrors, ...run.firstErrors],
    tcp_connections: connections,
    pool_size: POOL_SIZE,
    targets: [
      { name: 'throughput errors', value: errors, limit: '= 0', pass: errors === 0 },
      { name: 'TCP connections for the session', value: connections, limit: `<= pool size ${POOL_SIZE}`, pass: connections <= POOL_SIZE },
    ],
  };
}
