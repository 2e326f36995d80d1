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

/**
 * CPU per route read of one association effect at each size, interleaved across sizes (and
 * across `sources` when more than one is given: e.g. `{ before: OLD_TREE/src/plans/effect-report.ts }`
 * beside the working tree's, so a before/after comparison shares the machine's moods).
 */
export async function routingScale({ sizes, rounds, warmup, sources = { current: SOURCE } }) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'er-mcp-routing-scale-'));
  try {
    const compute = {};
    for (const [name, source] of Object.entries(sources)) {
      const outfile = path.join(dir, `${name}.mjs`);
      await esbuild.build({ entryPoints: [source], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20.18', logLevel: 'warning' });
      compute[name] = (await import(pathToFileURL(outfile).href)).associationRoutingEffect;
    }
    const tables = Object.fromEntries(sizes.map((size) => [size, generatedTables(size)]));
    // Each run gets lists of its own, as each plan reads its own: nothing computed on the lists
    // of one run (src/er/cidr.ts keeps canonical destinations per list) serves the next. The
    // copies are made between runs, outside the time measured.
    const fresh = (size) => {
      const { before, after } = tables[size];
      return { before: { ...before, routes: before.routes.slice() }, after: { ...after, routes: after.routes.slice() } };
    };
    const contenders = Object.keys(sources).flatMap((name) => sizes.map((size) => ({ name: `${name}:${size}`, source: name, size })));
    const next = Object.fromEntries(contenders.map((c) => [c.name, fresh(c.size)]));
    const byName = Object.fromEntries(contenders.map((c) => [c.name, c]));
    const { time, cpu } = await interleave(
      contenders.map((c) => ({
        name: c.name,
        run: async () => {
          const { before, after } = next[c.name];
          const result = await compute[c.source](Promise.resolve(before), Promise.resolve(after));
          if (!result.effect) throw new Error('no effect computed');
        },
      })),
      {
        warmup,
        rounds,
        between: (contender) => {
          next[contender.name] = fresh(byName[contender.name].size);
        },
      },
    );
    const routesRead = (size) => tables[size].before.routes.length + tables[size].after.routes.length;
    const out = {};
    for (const name of Object.keys(sources)) {
      const per = {};
      for (const size of sizes) {
        const n = routesRead(size);
        per[size] = { routes_read: n, wall_ms: summarise(time[`${name}:${size}`]), cpu_us_per_route: summarise(cpu[`${name}:${size}`].map((us) => us / n)) };
      }
      // How the CPU per route grows from one size to the next (1.0: linear).
      const growth = {};
      for (let i = 1; i < sizes.length; i++) growth[`${sizes[i]}/${sizes[i - 1]}`] = round(per[sizes[i]].cpu_us_per_route.median / per[sizes[i - 1]].cpu_us_per_route.median, 2);
      out[name] = { sizes: per, per_route_growth: growth };
    }
    return { rounds, warmup, sources: out };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// `node bench/sections/routing-scale.mjs [rounds]`: this section alone. ROUTING_SCALE_BEFORE=path
// of another tree's src/plans/effect-report.ts adds it as "before", interleaved with this tree's.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rounds = Number(process.argv[2] ?? 10);
  const sources = process.env.ROUTING_SCALE_BEFORE ? { before: process.env.ROUTING_SCALE_BEFORE, after: SOURCE } : { current: SOURCE };
  const result = await routingScale({ sizes: [1_000, 10_000, 100_000], rounds, warmup: 2, sources });
  process.stdout.write(renderRoutingScale(result));
}

export function renderRoutingScale(result) {
  let out = '';
  for (const [name, r] of Object.entries(result.sources)) {
    for (const [size, x] of Object.entries(r.sizes)) {
      out += `${name.padEnd(8)} ${String(size).padStart(7)} routes/table (${x.routes_read} read): CPU µs/route median ${x.cpu_us_per_route.median.toFixed(2)}, p95 ${x.cpu_us_per_route.p95.toFixed(2)}; wall ${x.wall_ms.median.toFixed(1)} ms\n`;
    }
    out += `${name.padEnd(8)} per-route growth: ${Object.entries(r.per_route_growth).map(([k, v]) => `${k} ${v}×`).join(', ')} (1.0 = linear)\n`;
  }
  return out;
}
