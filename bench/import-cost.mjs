#!/usr/bin/env node
// Diagnostic for the cold-start figure: how long each layer of the server takes to import, in the
// order the CLI pulls them in (each step pays only for what earlier steps did not load). Median of
// fresh processes: `node bench/import-cost.mjs [runs]`. Not part of `npm run bench`.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const STEPS = [
  ['zod', 'zod'],
  ['MCP SDK McpServer', '@modelcontextprotocol/sdk/server/mcp.js'],
  ['MCP SDK stdio transport', '@modelcontextprotocol/sdk/server/stdio.js'],
  ['pino', 'pino'],
  ['undici', 'undici'],
  ['dist/server.js (tools, er, http)', '../dist/server.js'],
  ['rest of dist/cli.js imports', '../dist/cli-imports-probe'],
];

if (process.argv[2] === '--child') {
  const times = {};
  for (const [name, specifier] of STEPS) {
    const started = performance.now();
    if (specifier === '../dist/cli-imports-probe') {
      // cli.js runs main() on import, so import what it imports instead of cli.js itself.
      const { readFileSync } = await import('node:fs');
      const cli = readFileSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)), 'utf8');
      const local = [...cli.matchAll(/^import .* from '(\.\/[^']+)';$/gm)].map((m) => new URL(`../dist/${m[1].slice(2)}`, import.meta.url).href);
      await Promise.all(local.map((href) => import(href)));
    } else {
      await import(specifier);
    }
    times[name] = performance.now() - started;
  }
  process.stdout.write(JSON.stringify(times));
} else {
  const runs = Number(process.argv[2] ?? 9);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    samples.push(JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child'], { encoding: 'utf8' })));
  }
  console.log(`import cost, median of ${runs} fresh processes (ms)`);
  let total = 0;
  for (const [name] of STEPS) {
    const sorted = samples.map((s) => s[name]).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    total += median;
    console.log(`${name.padEnd(36)} ${median.toFixed(1).padStart(7)}`);
  }
  console.log(`${'sum'.padEnd(36)} ${total.toFixed(1).padStart(7)}`);
}
