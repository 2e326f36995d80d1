#!/usr/bin/env node
// Diagnostic for the cold-start figure: how long each piece of the server takes to import, in the
// order listed (each step pays only for what earlier steps did not load): the packages, then
// dist/server.js (tools → er → http), then each module dist/cli.js imports, in its order.
// Median of fresh processes: `node bench/import-cost.mjs [runs]`. Not part of `npm run bench`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PACKAGES = ['zod', '@modelcontextprotocol/sdk/server/mcp.js', '@modelcontextprotocol/sdk/server/stdio.js', 'pino', 'undici'];

function steps() {
  // cli.js runs main() when imported, so import what it imports instead of cli.js itself.
  const cli = readFileSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)), 'utf8');
  const local = [...cli.matchAll(/^import .* from '\.\/([^']+)';$/gm)].map((m) => `dist/${m[1]}`);
  return [...PACKAGES, 'dist/server.js', ...local.filter((m) => m !== 'dist/server.js')];
}

const specifier = (step) => (step.startsWith('dist/') ? new URL(`../${step}`, import.meta.url).href : step);

if (process.argv[2] === '--child') {
  const times = {};
  for (const step of steps()) {
    const started = performance.now();
    await import(specifier(step));
    times[step] = performance.now() - started;
  }
  process.stdout.write(JSON.stringify(times));
} else {
  const runs = Number(process.argv[2] ?? 9);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    samples.push(JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child'], { encoding: 'utf8' })));
  }
  console.log(`import cost, median of ${runs} fresh processes (ms; each step excludes what earlier steps loaded)`);
  let total = 0;
  for (const step of steps()) {
    const sorted = samples.map((s) => s[step]).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    total += median;
    console.log(`${step.padEnd(44)} ${median.toFixed(1).padStart(7)}`);
  }
  console.log(`${'sum'.padEnd(44)} ${total.toFixed(1).padStart(7)}`);
}
