// Section 8: the association plan's routing effect at 1k / 10k / 100k routes. The tool path reads
// at most MAX_ROUTES_PER_TABLE (20,000) routes per table, so 100k cannot be reached through the
// server: this section computes what the plan computes once its reads are done
// (associationRoutingEffect of src/plans/effect-report.ts: the effect of both tables, the
// expectation's route maps, the compact output fitted to its budget) on generated tables, in
// this process. `src/plans/effect-report.ts` is bundled on the fly (it is not an entry of the
// build), so a working tree's version is what is measured.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { interleave, round, summarise } from '../lib/stats.mjs';

const SOURCE = fileURLToPath(new URL('../../src/plans/effect-report.ts', import.meta.url));

/**
 * Two effective-route tables of `size` routes each (the table before and the one after an
 * association), IPv4 with some IPv6, both sides sharing most destinations with a few next hops
 * changed, some added, some removed, a few blackholes: every list of the effect has entries.
 */
export function generatedTables(size) {
  const route = (destination, attachment, extra = {}) => ({
    destination,
    next_hops: [{ attachment_id: attachment, resource_type: 'vpc' }],
    is_blackhole: false,
    route_type: 'propagation',
    ...extra,
  });
  const v4 = (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${(i & 255)}/32`;
  const v6 = (i) => `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64`;
  const dest = (i) => (i % 10 === 9 ? v6(i) : v4(i));
  // A fixed shuffle so the API's order is not already the destination order.
  const order = Array.from({ length: size }, (_, i) => i);
  let seed = 7;
  for (let i = order.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const before = [];
  const after = [];
  for (const i of order) {
    const d = dest(i);
    if (i % 50 !== 1) before.push(route(d, `att-${i % 7}`));
    if (i % 50 === 2) continue; // removed
    if (i % 200 === 3) after.push({ destination: d, next_hops: [], is_blackhole: true, route_type: 'static' });
    else after.push(route(d, i % 20 === 4 ? 'att-other' : `att-${i % 7}`));
  }
  const table = (id, routes) => ({ route_table_id: id, routes, complete: true, static_routes: [] });
  return { before: table('rt-before', before), after: table('rt-after', after) };
}

export async function routingScale({ sizes, rounds, warmup, source = SOURCE }) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'er-mcp-routing-scale-'));
  try {
    const outfile = path.join(dir, 'effect-report.mjs');
    await esbuild.build({ entryPoints: [source], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20.18', logLevel: 'warning' });
    const { associationRoutingEffect } = await import(pathToFileURL(outfile).href);
    const tables = Object.fromEntries(sizes.map((size) => [size, generatedTables(size)]));
    // Each run gets lists of its own, as each plan reads its own: nothing computed on the lists
    // of one run (src/er/cidr.ts keeps canonical destinations per list) serves the next. The
    // copies are made between runs, outside the time measured.
    const fresh = (size) => {
      const { before, after } = tables[size];
      return { before: { ...before, routes: before.routes.slice() }, after: { ...after, routes: after.routes.slice() } };
    };
    const next = Object.fromEntries(sizes.map((size) => [size, fresh(size)]));
    const routesRead = (size) => tables[size].before.routes.length + tables[size].after.routes.length;
    const { time, cpu } = await interleave(
      sizes.map((size) => ({
        name: String(size),
        run: async () => {
          const { before, after } = next[size];
          const result = await associationRoutingEffect(Promise.resolve(before), Promise.resolve(after));
          if (!result.effect) throw new Error('no effect computed');
        },
      })),
      {
        warmup,
        rounds,
        between: (contender) => {
          next[contender.name] = fresh(Number(contender.name));
        },
      },
    );
    const per = {};
    for (const size of sizes) {
      const n = routesRead(size);
      per[size] = {
        routes_read: n,
        wall_ms: summarise(time[size]),
        cpu_us_per_route: summarise(cpu[size].map((us) => us / n)),
      };
    }
    // Slope: how the CPU per route grows from the smallest to the largest size (1.0 = linear).
    const first = sizes[0];
    const last = sizes.at(-1);
    const slope = round(per[last].cpu_us_per_route.median / per[first].cpu_us_per_route.median, 2);
    return { sizes: per, per_route_ratio_largest_to_smallest: slope };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// `node bench/sections/routing-scale.mjs [rounds]`: this section alone, printed as JSON.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rounds = Number(process.argv[2] ?? 10);
  const result = await routingScale({ sizes: [1_000, 10_000, 100_000], rounds, warmup: 2, source: process.env.ROUTING_SCALE_SOURCE ?? SOURCE });
  for (const [size, r] of Object.entries(result.sizes)) {
    process.stdout.write(`${size} routes/table (${r.routes_read} read): ${r.cpu_us_per_route.median} µs CPU/route (p95 ${r.cpu_us_per_route.p95}), ${r.wall_ms.median} ms wall\n`);
  }
  process.stdout.write(`per-route ratio 100k/1k: ${result.per_route_ratio_largest_to_smallest}\n`);
}
