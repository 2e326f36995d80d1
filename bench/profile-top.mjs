#!/usr/bin/env node
// Prints the top frames of a V8 .cpuprofile (from `node --cpu-prof`) by self time, and by
// total time for frames under a given path: `node bench/profile-top.mjs FILE [N] [PATH_FILTER]`.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const [file, countText = '25', filter] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/profile-top.mjs FILE.cpuprofile [N] [PATH_FILTER]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Sample counts weighted by the time deltas between samples.
const selfTime = new Map();
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfTime.values()].reduce((a, b) => a + b, 0);

// dist/ is a bundle: frames in it are named by the source they came from (src/… or
// node_modules/…), through the .map esbuild writes beside each file.
const maps = new Map();
function sourceMapOf(url) {
  if (!maps.has(url)) {
    let map = null;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8')));
    } catch {
      // no map: keep the generated position
    }
    maps.set(url, map);
  }
  return maps.get(url);
}
function originalPosition(cf) {
  if (!cf.url.startsWith('file:')) return undefined;
  const entry = sourceMapOf(cf.url)?.findEntry(cf.lineNumber, cf.columnNumber);
  return entry?.originalSource ? `${entry.originalSource.replace(/^(\.\.\/)+/, '')}:${entry.originalLine + 1}` : undefined;
}

const key = (n) => {
  const cf = n.callFrame;
  const where = cf.url ? (originalPosition(cf) ?? `${cf.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '')}:${cf.lineNumber + 1}`) : '';
  return `${cf.functionName || '(anonymous)'} ${where}`.trim();
};

const selfByFrame = new Map();
const totalByFrame = new Map();
for (const [id, t] of selfTime) {
  const node = byId.get(id);
  selfByFrame.set(key(node), (selfByFrame.get(key(node)) ?? 0) + t);
  // Total time: every distinct frame on the stack once.
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = key(byId.get(cur));
    if (!seen.has(k)) totalByFrame.set(k, (totalByFrame.get(k) ?? 0) + t);
    seen.add(k);
  }
}

// Self time by where the code lives: a package, our src/ (or dist/ without maps), Node internals, or native work.
const group = (k) => {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(k)?.[1];
  if (pkg) return pkg;
  if (/(^|[ /])src\//.test(k)) return 'src/ (this project)';
  if (/(^|[ /])dist\//.test(k)) return 'dist/ (this project, unmapped)';
  if (k.includes('node:')) return 'node: internals (JS)';
  if (k.startsWith('(')) return k;
  return 'native (syscalls, crypto, JSON…)';
};
const byGroup = new Map();
for (const [k, t] of selfByFrame) byGroup.set(group(k), (byGroup.get(group(k)) ?? 0) + t);

const n = Number(countText);
const pct = (t) => `${((t / total) * 100).toFixed(1).padStart(5)} %`;
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled\n\nTop ${n} by self time`);
for (const [k, t] of [...selfByFrame].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(t)}  ${k}`);
console.log('\nSelf time by origin');
for (const [k, t] of [...byGroup].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(t)}  ${k}`);
console.log(`\nTop ${n} by total time${filter ? ` (frames matching "${filter}")` : ''}`);
for (const [k, t] of [...totalByFrame].filter(([k]) => !filter || k.includes(filter)).sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${pct(t)}  ${k}`);
