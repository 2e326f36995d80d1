// 1. Cold start: spawn → initialize answered → tools/list answered, for our server (the shipped
// bundle), the SDK baseline as plain modules and bundled with our esbuild settings, and
// `node -e ""`, interleaved run by run after a warm-up.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { BUNDLE_OPTIONS } from '../../scripts/build.mjs';
import { CLI } from '../lib/server-cli.mjs';
import { StdioRpc } from '../lib/stdio-rpc.mjs';
import { interleave, round, summarise } from '../lib/stats.mjs';

const BASELINE = fileURLToPath(new URL('../baseline-server.mjs', import.meta.url));

/** Time until tools/list is answered, and the part of it after initialize was answered; the shutdown afterwards is not timed. */
async function timeToToolsList(args, env) {
  const started = performance.now();
  const rpc = StdioRpc.spawn(args, { env });
  await rpc.initialize();
  const initialized = performance.now();
  const { tools } = await rpc.request('tools/list', {});
  const ended = performance.now();
  await rpc.close();
  if (!Array.isArray(tools) || tools.length === 0) throw new Error('tools/list returned no tools');
  return { total: ended - started, toolsList: ended - initialized };
}

async function timeNodeEmpty(env) {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', ''], { env, stdio: 'ignore' });
  await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  return performance.now() - started;
}

/**
 * The baseline server bundled exactly as `npm run build` bundles ours, into a temporary directory,
 * with the package.json a bundled package has (ours: `"type": "module"`). Without it Node 20.19+
 * first compiles each ES module file as CommonJS, fails, and compiles it again as a module, which
 * cost the baseline about a tenth of its start-up CPU (bench/README.md).
 */
async function bundleBaseline(dir) {
  await esbuild.build({ ...BUNDLE_OPTIONS, entryPoints: [BASELINE], outdir: dir, chunkNames: 'chunks/[name]-[hash]' });
  await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  return path.join(dir, 'baseline-server.js');
}

export async function coldStart({ env, runs, warmup }) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'er-mcp-bench-baseline-'));
  try {
    const bundledBaseline = await bundleBaseline(dir);
    // Shutdown time is excluded, so each contender records its own figure.
    const measured = { server: [], baseline: [], baselineBundled: [], node: [] };
    const listPart = { server: [], baseline: [], baselineBundled: [] };
    const record = async (name, args) => {
      const { total, toolsList } = await timeToToolsList(args, env);
      measured[name].push(total);
      listPart[name].push(toolsList);
    };
    const contenders = [
      { name: 'server', run: () => record('server', [CLI]) },
      { name: 'baseline', run: () => record('baseline', [BASELINE]) },
      { name: 'baselineBundled', run: () => record('baselineBundled', [bundledBaseline]) },
      { name: 'node', run: async () => measured.node.push(await timeNodeEmpty(env)) },
    ];
    await interleave(contenders, { warmup: 0, rounds: warmup + runs });
    const keep = (samples) => samples.slice(warmup);
    const server = summarise(keep(measured.server));
    const baseline = summarise(keep(measured.baseline));
    const baselineBundled = summarise(keep(measured.baselineBundled));
    const node = summarise(keep(measured.node));
    const ratio = round(server.median / baseline.median, 3);
    const ratioBundled = round(server.median / baselineBundled.median, 3);
    return {
      runs,
      warmup,
      unit: 'ms',
      server,
      baseline,
      baseline_bundled: baselineBundled,
      node_e: node,
      // Of the total, the time from the initialize answer to the tools/list answer (schemas → JSON).
      tools_list_part_median_ms: {
        server: summarise(keep(listPart.server)).median,
        baseline: summarise(keep(listPart.baseline)).median,
        baseline_bundled: summarise(keep(listPart.baselineBundled)).median,
      },
      ratio_server_over_baseline: ratio,
      // Against the baseline bundled the same way: what our own code and dependencies add.
      ratio_server_over_baseline_bundled: ratioBundled,
      // What each adds over starting Node at all.
      server_minus_node_ms: round(server.median - node.median, 2),
      baseline_minus_node_ms: round(baseline.median - node.median, 2),
      baseline_bundled_minus_node_ms: round(baselineBundled.median - node.median, 2),
      targets: [
        { name: 'cold start server/baseline (median)', value: ratio, limit: '<= 1.0', pass: ratio <= 1.0 },
        // Issue 23: what our code and dependencies add on top of the SDK, bundling taken out.
        { name: 'cold start server/bundled baseline (median)', value: ratioBundled, limit: '<= 1.0', pass: ratioBundled <= 1.0 },
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
