#!/usr/bin/env node
// Diagnostic for the cold-start figure (section 1), by CPU rather than wall time, which a busy
// machine blurs less: each server given (default dist/cli.js) and the one-tool baseline bundled
// like ours, with and without the package.json a bundled package has, started in turn; for each
// start, the wall time to the tools/list answer and the CPU the process had used by then (/proc).
// `node bench/cold-cpu.mjs [runs] [cli.js …]`; not part of `npm run bench`.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { BUNDLE_OPTIONS } from '../scripts/build.mjs';
import { cpuMs } from './lib/proc.mjs';
import { StdioRpc } from './lib/stdio-rpc.mjs';

const BASELINE = fileURLToPath(new URL('./baseline-server.mjs', import.meta.url));
const WARMUP = 2;
const runs = Number(process.argv[2] ?? 20);
const clis = process.argv.length > 3 ? process.argv.slice(3) : [fileURLToPath(new URL('../dist/cli.js', import.meta.url))];

const dir = await mkdtemp(path.join(os.tmpdir(), 'er-mcp-cold-cpu-'));
try {
  const untyped = path.join(dir, 'untyped');
  const typed = path.join(dir, 'typed');
  await esbuild.build({ ...BUNDLE_OPTIONS, entryPoints: [BASELINE], outdir: untyped, chunkNames: 'chunks/[name]-[hash]' });
  await cp(untyped, typed, { recursive: true });
  await writeFile(path.join(typed, 'package.json'), '{ "type": "module" }\n');
  // The same environment as section 1, pointed at a port nobody listens on: start-up sends no request.
  const env = {
    PATH: process.env.PATH ?? '', HOME: dir, HUAWEICLOUD_ER_MCP_CONFIRM_WRITES: 'never', HUAWEICLOUD_SDK_AK: 'BENCHACCESSKEY000001',
    HUAWEICLOUD_SDK_SK: 'bench-secret-key-only-for-the-emulator', HUAWEICLOUD_SDK_PROJECT_ID: '0123456789abcdef0123456789abcdef',
    HUAWEICLOUD_REGION: 'cn-north-4', HUAWEICLOUD_ER_ENDPOINT: 'http://127.0.0.1:9',
  };
  const contenders = [
    ...clis.map((cli) => ({ name: path.relative(process.cwd(), cli), script: cli })),
    { name: "b′ (bundled baseline, with package.json)", script: path.join(typed, 'baseline-server.js') },
    { name: "b′ without package.json", script: path.join(untyped, 'baseline-server.js') },
  ];
  const wall = contenders.map(() => []);
  const cpu = contenders.map(() => []);
  for (let round = 0; round < WARMUP + runs; round++) {
    // Alternate the order, so no contender always follows the same one.
    const order = contenders.map((_, i) => i);
    if (round % 2) order.reverse();
    for (const i of order) {
      const started = performance.now();
      const rpc = StdioRpc.spawn([contenders[i].script], { env });
      await rpc.initialize();
      const { tools } = await rpc.request('tools/list', {});
      const elapsed = performance.now() - started;
      const used = await cpuMs(rpc.pid);
      await rpc.close();
      if (!Array.isArray(tools) || tools.length === 0) throw new Error(`${contenders[i].name}: tools/list returned no tools`);
      if (round >= WARMUP) {
        wall[i].push(elapsed);
        cpu[i].push(used);
      }
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  const base = contenders.length - 2;
  console.log(`cold start to the tools/list answer, ${runs} runs each after ${WARMUP}, interleaved; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`${'contender'.padEnd(44)} ${'wall median'.padStart(11)}  /b′    ${'CPU mean'.padStart(8)}  /b′`);
  contenders.forEach((c, i) => {
    const w = median(wall[i]);
    const u = mean(cpu[i]);
    console.log(`${c.name.padEnd(44)} ${w.toFixed(1).padStart(8)} ms  ${(w / median(wall[base])).toFixed(2)}  ${u.toFixed(1).padStart(5)} ms  ${(u / mean(cpu[base])).toFixed(2)}`);
  });
} finally {
  await rm(dir, { recursive: true, force: true });
}
