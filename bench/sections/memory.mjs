// 5. Memory: RSS (from /proc/<pid>/status) and V8 heap used (from bench/heap-probe.mjs, preloaded
// with --import, after a forced GC) of the server after start and after 1,000, 10,000 (and 20,000) calls.
// Calls are nine looks to one create (each create on an attachment not used before), 8 in flight.
import { fileURLToPath } from 'node:url';
import { rssBytes } from '../lib/proc.mjs';
import { StdioRpc } from '../lib/stdio-rpc.mjs';
import { round } from '../lib/stats.mjs';
import { pump } from './throughput.mjs';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const PROBE = fileURLToPath(new URL('../heap-probe.mjs', import.meta.url));

export async function memory({ emulator, env, checkpoints, inFlight, createAttachments, nodeFlags = [] }) {
  let waitingForHeap;
  const server = StdioRpc.spawn([...nodeFlags, '--expose-gc', '--import', PROBE, CLI], {
    env,
    onStderrLine: (line) => {
      if (line.startsWith('BENCH_HEAP ') && waitingForHeap) {
        waitingForHeap(JSON.parse(line.slice('BENCH_HEAP '.length)));
        waitingForHeap = undefined;
      }
    },
  });
  const sample = async (calls) => {
    const heap = await new Promise((resolve, reject) => {
      waitingForHeap = resolve;
      server.child.kill('SIGUSR2');
      setTimeout(() => reject(new Error('heap probe did not answer')), 5_000).unref();
    });
    // Read after the probe's GC, so RSS and heap describe the same moment.
    return { calls, rss_bytes: await rssBytes(server.pid), heap_used_bytes: heap.heapUsed, heap_total_bytes: heap.heapTotal, external_bytes: heap.external, gc_forced: heap.gc };
  };

  await server.initialize();
  await server.request('tools/list', {});
  const look = { er_id: emulator.erId, route_table_id: emulator.routeTables[0], attachment_id: emulator.attachments[0] };
  let creates = 0;
  const call = async (i) => {
    if (i % 10 === 9) {
      const attachment = createAttachments[creates++];
      if (!attachment) throw new Error('ran out of attachments for creates');
      await server.callTool('create_route_association', { er_id: emulator.erId, route_table_id: emulator.routeTables[1], attachment_id: attachment });
    } else {
      await server.callTool('get_association_state', look);
    }
  };

  const samples = [await sample(0)];
  let done = 0;
  let errors = 0;
  for (const target of checkpoints) {
    const run = await pump(target - done, inFlight, (i) => call(done + i));
    errors += run.errors;
    done = target;
    samples.push(await sample(done));
  }
  await server.close();

  // The target compares the first two checkpoints (1,000 and 10,000 calls); a third one, if given,
  // shows whether what grew keeps growing (a leak) or has levelled off (V8 sizing its heap).
  const [, first, last, later] = samples;
  const growth = (key, a, b) => round(((b[key] - a[key]) / a[key]) * 100, 2);
  const rssGrowth = growth('rss_bytes', first, last);
  const heapGrowth = growth('heap_used_bytes', first, last);
  return {
    in_flight: inFlight,
    creates,
    errors,
    samples,
    rss_growth_percent: rssGrowth,
    heap_used_growth_percent: heapGrowth,
    ...(later
      ? { after: { calls: later.calls, rss_growth_percent: growth('rss_bytes', last, later), heap_used_growth_percent: growth('heap_used_bytes', last, later) } }
      : {}),
    targets: [
      { name: `RSS growth ${first.calls} → ${last.calls} calls`, value: rssGrowth, unit: '%', limit: '< 10', pass: rssGrowth < 10 },
      { name: `heap used growth ${first.calls} → ${last.calls} calls`, value: heapGrowth, unit: '%', limit: '< 10', pass: heapGrowth < 10 },
      { name: 'errors during the memory run', value: errors, limit: '= 0', pass: errors === 0 },
    ],
  };
}
