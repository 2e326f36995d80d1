// 1. Cold start: spawn → initialize answered → tools/list answered, for our server, the SDK
// baseline and `node -e ""`, interleaved run by run after a warm-up.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { StdioRpc } from '../lib/stdio-rpc.mjs';
import { interleave, round, summarise } from '../lib/stats.mjs';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
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

export async function coldStart({ env, runs, warmup }) {
  // Shutdown time is excluded, so each contender records its own figure.
  const measured = { server: [], baseline: [], node: [] };
  const listPart = { server: [], baseline: [] };
  const record = async (name, args) => {
    const { total, toolsList } = await timeToToolsList(args, env);
    measured[name].push(total);
    listPart[name].push(toolsList);
  };
  const contenders = [
    { name: 'server', run: () => record('server', [CLI]) },
    { name: 'baseline', run: () => record('baseline', [BASELINE]) },
    { name: 'node', run: async () => measured.node.push(await timeNodeEmpty(env)) },
  ];
  await interleave(contenders, { warmup: 0, rounds: warmup + runs });
  const keep = (samples) => samples.slice(warmup);
  const server = summarise(keep(measured.server));
  const baseline = summarise(keep(measured.baseline));
  const node = summarise(keep(measured.node));
  const ratio = round(server.median / baseline.median, 3);
  return {
    runs,
    warmup,
    unit: 'ms',
    server,
    baseline,
    node_e: node,
    // Of the total, the time from the initialize answer to the tools/list answer (schemas → JSON).
    tools_list_part_median_ms: { server: summarise(keep(listPart.server)).median, baseline: summarise(keep(listPart.baseline)).median },
    ratio_server_over_baseline: ratio,
    // What each adds over starting Node at all.
    server_minus_node_ms: round(server.median - node.median, 2),
    baseline_minus_node_ms: round(baseline.median - node.median, 2),
    target: { name: 'cold start server/baseline (median)', value: ratio, limit: '<= 1.3', pass: ratio <= 1.3 },
  };
}
