#!/usr/bin/env node
// Diagnostic for the cold-start figure: how long each chunk of the shipped bundle takes to import
// in a fresh process, dependencies first (so each step pays for its own file only), with its size
// and what is in it (the source paths esbuild writes above each bundled module). The CLI chunk
// itself is left out: importing it starts the server.
// Median of fresh processes: `node bench/import-cost.mjs [runs]`. Not part of `npm run bench`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/** The chunk dist/cli.js imports: the CLI with everything it loads statically. */
function cliChunk() {
  const chunk = /import\("\.\/(chunks\/cli-[\w-]+\.js)"\)/.exec(readFileSync(path.join(DIST, 'cli.js'), 'utf8'))?.[1];
  if (!chunk) throw new Error('dist/cli.js does not import a chunks/cli-*.js: run npm run build');
  return chunk;
}

/** The chunks a chunk imports statically, in its order. */
function staticImports(file) {
  const source = readFileSync(path.join(DIST, file), 'utf8');
  return [...source.matchAll(/^(?:import|\}) ?.*from "\.\/([\w-]+\.js)";$|^import "\.\/([\w-]+\.js)";$/gm)].map((m) => `chunks/${m[1] ?? m[2]}`);
}

/** Every chunk the CLI chunk loads statically, dependencies first, so that each step times only its own file. */
function steps() {
  const order = [];
  const visit = (file) => {
    if (order.includes(file)) return;
    for (const dependency of staticImports(file)) visit(dependency);
    order.push(file);
  };
  for (const chunk of staticImports(cliChunk())) visit(chunk);
  return order;
}

/** Bytes per package (or src/) inside one chunk, largest first. */
function contents(file) {
  const text = readFileSync(path.join(DIST, file), 'utf8');
  const bytes = new Map();
  let owner = '(esbuild runtime)';
  for (const line of text.split('\n')) {
    // In a git worktree whose node_modules links to another checkout's, esbuild writes "../main/node_modules/…".
    const source = /^\/\/ (?:\.\.\/[^/\s]+\/)*((?:src|node_modules)\/\S+)$/.exec(line)?.[1];
    if (source) owner = source.startsWith('src/') ? 'src/' : /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)[1];
    bytes.set(owner, (bytes.get(owner) ?? 0) + line.length + 1);
  }
  return { size: text.length, parts: [...bytes].sort((a, b) => b[1] - a[1]) };
}

if (process.argv[2] === '--child') {
  // Importing the CLI's modules runs nothing: only the bin (dist/cli.js, not imported here) starts it.
  const times = {};
  for (const step of steps()) {
    const started = performance.now();
    await import(pathToFileURL(path.join(DIST, step)).href);
    times[step] = performance.now() - started;
  }
  process.stdout.write(`\n${JSON.stringify(times)}\n`);
} else {
  const runs = Number(process.argv[2] ?? 9);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const output = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child'], { encoding: 'utf8' });
    samples.push(JSON.parse(output.trim().split('\n').at(-1)));
  }
  console.log(`import cost of the chunks dist/chunks/cli-*.js loads, dependencies first, median of ${runs} fresh processes (ms; each step excludes what earlier steps loaded)`);
  let total = 0;
  for (const step of steps()) {
    const sorted = samples.map((s) => s[step]).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    total += median;
    const { size, parts } = contents(step);
    const top = parts.slice(0, 4).map(([name, b]) => `${name} ${(b / 1024).toFixed(0)}k`).join(', ');
    console.log(`${step.padEnd(28)} ${median.toFixed(1).padStart(7)}  ${(size / 1024).toFixed(0).padStart(5)} KiB  ${top}`);
  }
  console.log(`${'sum'.padEnd(28)} ${total.toFixed(1).padStart(7)}`);
  const cli = cliChunk();
  const { size, parts } = contents(cli);
  console.log(`(not imported here: ${cli}, ${(size / 1024).toFixed(0)} KiB: ${parts.slice(0, 6).map(([name, b]) => `${name} ${(b / 1024).toFixed(0)}k`).join(', ')})`);
}
