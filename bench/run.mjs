#!/usr/bin/env node
// `npm run bench`: start-up, per-call cost, signing, throughput and memory of the built server,
// each side by side with what a user could use instead, against the ER emulator on 127.0.0.1.
// Prints a table and writes bench/results.json. BENCH_QUICK=1 runs small counts (harness checks).
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverEnv, startEmulatorProcess } from './lib/emulator.mjs';
import { auditFsync } from './sections/audit-fsync.mjs';
import { coldStart } from './sections/cold-start.mjs';
import { httpPerCall } from './sections/http-per-call.mjs';
import { httpThroughput } from './sections/http-throughput.mjs';
import { memory } from './sections/memory.mjs';
import { perCall } from './sections/per-call.mjs';
import { renderRoutingScale, routingScale } from './sections/routing-scale.mjs';
import { signing } from './sections/signing.mjs';
import { renderTextSize, textSize } from './sections/text-size.mjs';
import { throughput } from './sections/throughput.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const ONLY = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const OUT = fileURLToPath(new URL('./results.json', import.meta.url));

const COUNTS = QUICK
  ? { coldRuns: 3, coldWarmup: 1, calls: 100, callWarmup: 20, signBatch: 500, signRounds: 5, signWarmup: 1, tpCalls: 300, tpWarmup: 64, httpTpWarmup: 200, httpTpCalls: 150, httpTpRounds: 2, memCheckpoints: [100, 1_000, 2_000], auditBatch: 20, auditRounds: 5, auditWarmup: 1, scaleSizes: [1_000, 10_000], scaleRounds: 3, scaleWarmup: 1 }
  : { coldRuns: 20, coldWarmup: 3, calls: 2_000, callWarmup: 200, signBatch: 2_000, signRounds: 30, signWarmup: 3, tpCalls: 2_000, tpWarmup: 200, httpTpWarmup: 2_000, httpTpCalls: 1_000, httpTpRounds: 10, memCheckpoints: [1_000, 10_000, 20_000], auditBatch: 100, auditRounds: 20, auditWarmup: 2, scaleSizes: [1_000, 10_000, 100_000], scaleRounds: 10, scaleWarmup: 2 };

/** Attachments 1-16 for create-then-undo per-call samples; the rest each get one create in the memory run. */
const PER_CALL_ATTACHMENTS = 16;
const memCreates = Math.ceil(COUNTS.memCheckpoints.at(-1) / 10) + 10;

function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu_model: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    total_memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}

/** The commit measured (dist/ is built from the working tree, which may differ: hence `dirty`). */
function revision() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return { commit, src_dirty: dirty };
  } catch {
    return { commit: 'unknown' };
  }
}

const want = (name) => !ONLY || ONLY.includes(name);

async function main() {
  const started = performance.now();
  const meta = { date: new Date().toISOString(), quick: QUICK, ...revision(), ...machine(), loadavg_start: os.loadavg().map((l) => Math.round(l * 100) / 100) };
  if (meta.loadavg_start[0] > 0.5) process.stderr.write(`warning: load average ${meta.loadavg_start[0]}: figures will be noisy\n`);
  const home = await mkdtemp(path.join(os.tmpdir(), 'er-mcp-bench-'));
  const emulator = await startEmulatorProcess({ attachments: 1 + PER_CALL_ATTACHMENTS + memCreates });
  const env = serverEnv(emulator, home);
  const createAttachments = emulator.attachments.slice(1, 1 + PER_CALL_ATTACHMENTS);
  const memAttachments = emulator.attachments.slice(1 + PER_CALL_ATTACHMENTS);
  const results = { meta };
  const step = (name) => process.stderr.write(`bench: ${name}…\n`);
  try {
    if (want('cold')) {
      step('cold start');
      results.cold_start = await coldStart({ env, runs: COUNTS.coldRuns, warmup: COUNTS.coldWarmup });
    }
    if (want('calls')) {
      step('per-call cost');
      results.per_call = await perCall({ emulator, env, calls: COUNTS.calls, warmup: COUNTS.callWarmup, createAttachments });
    }
    if (want('sign')) {
      step('signing');
      results.signing = await signing({ batch: COUNTS.signBatch, rounds: COUNTS.signRounds, warmup: COUNTS.signWarmup });
    }
    if (want('throughput')) {
      step('throughput');
      results.throughput = await throughput({ emulator, env, calls: COUNTS.tpCalls, inFlight: 64, warmup: COUNTS.tpWarmup });
    }
    if (want('memory')) {
      step('memory');
      results.memory = await memory({ emulator, env, checkpoints: COUNTS.memCheckpoints, inFlight: 8, createAttachments: memAttachments });
    }
    if (want('http')) {
      step('per-call cost over HTTP');
      results.http_per_call = await httpPerCall({ emulator, env, home, calls: COUNTS.calls, warmup: COUNTS.callWarmup });
    }
    if (want('httptp')) {
      step('throughput over HTTP');
      results.http_throughput = await httpThroughput({ emulator, env, home, calls: COUNTS.httpTpCalls, inFlight: 64, warmup: COUNTS.httpTpWarmup, rounds: COUNTS.httpTpRounds });
    }
    if (want('audit')) {
      step('audit fsync');
      results.audit_fsync = await auditFsync({ batch: COUNTS.auditBatch, rounds: COUNTS.auditRounds, warmup: COUNTS.auditWarmup });
    }
    if (want('text')) {
      step('text size');
      results.text_size = await textSize();
    }
    if (want('scale')) {
      step('routing effect at scale');
      results.routing_scale = await routingScale({ sizes: COUNTS.scaleSizes, rounds: COUNTS.scaleRounds, warmup: COUNTS.scaleWarmup });
    }
  } finally {
    await emulator.close();
    await rm(home, { recursive: true, force: true });
  }
  meta.loadavg_end = os.loadavg().map((l) => Math.round(l * 100) / 100);
  meta.duration_seconds = Math.round((performance.now() - started) / 100) / 10;
  results.targets = collectTargets(results);
  await writeFile(OUT, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(render(results));
  process.stdout.write(`\nwrote ${path.relative(process.cwd(), OUT)}\n`);
}

function collectTargets(results) {
  const targets = [];
  if (results.cold_start) targets.push(...results.cold_start.targets);
  if (results.per_call) {
    for (const [op, r] of Object.entries(results.per_call)) targets.push(...r.targets.map((t) => ({ ...t, name: `${op}: ${t.name}` })));
  }
  if (results.signing) targets.push(results.signing.target);
  if (results.throughput) targets.push(...results.throughput.targets);
  if (results.memory) targets.push(...results.memory.targets);
  if (results.http_per_call) targets.push(...results.http_per_call.targets);
  if (results.http_throughput) targets.push(...results.http_throughput.targets);
  return targets;
}

// ---------- table ----------

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

const f = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : String(n));
const mb = (bytes) => (bytes / 2 ** 20).toFixed(1);

function render(r) {
  const m = r.meta;
  let out = `\nhuaweicloud-er-mcp benchmark${m.quick ? ' (QUICK: small counts, not for publishing)' : ''}\n`;
  out += `${m.date}  Node ${m.node}  ${m.cpu_model} × ${m.cpus}  load ${m.loadavg_start.join(' ')} → ${m.loadavg_end.join(' ')}  ${m.duration_seconds} s\n`;
  if (r.cold_start) {
    const c = r.cold_start;
    out += `\n1. Cold start: spawn → initialize → tools/list (ms, ${c.runs} runs each, interleaved)\n`;
    out += table(
      ['contender', 'median', 'p95', 'p99', 'min', 'max'],
      [
        ['a. this server (dist/cli.js, bundled)', c.server],
        ['b. SDK baseline, one tool', c.baseline],
        ["b'. SDK baseline, bundled the same way", c.baseline_bundled],
        ['c. node -e ""', c.node_e],
      ].map(([n, s]) => [n, f(s.median, 1), f(s.p95, 1), f(s.p99, 1), f(s.min, 1), f(s.max, 1)]),
    );
    out += `a/b = ${f(c.ratio_server_over_baseline)} (target <= 1.0); a/b' = ${f(c.ratio_server_over_baseline_bundled)} (target <= 1.0); of which tools/list alone: server ${f(c.tools_list_part_median_ms.server, 1)} ms, baseline ${f(c.tools_list_part_median_ms.baseline, 1)} ms, bundled baseline ${f(c.tools_list_part_median_ms.baseline_bundled, 1)} ms\n`;
  }
  if (r.per_call) {
    const names = { ping: 'MCP ping only (stdio round trip)', mcp: 'MCP tool over stdio (dist/cli.js)', er: 'ErClient (dist/er/client.js)', http: 'HttpClient, the floor (dist/http)', sdk: 'official SDK HcClient (axios)' };
    for (const [op, label] of [['get', 'get_association_state (one look)'], ['create', 'create_route_association']]) {
      const p = r.per_call[op];
      out += `\n2. Per call, ${label}: ms, ${p.calls} sequential calls each, interleaved\n`;
      out += table(
        ['path', 'median', 'p95', 'p99', 'min', 'max', 'CPU µs/call'],
        Object.entries(p.contenders).map(([k, s]) => [names[k], f(s.median, 3), f(s.p95, 3), f(s.p99, 3), f(s.min, 3), f(s.max, 3), p.cpu_us_per_call_mean[k] == null ? '' : f(p.cpu_us_per_call_mean[k], 0)]),
      );
      out += `(CPU: mean per call of the process doing the work; for MCP, the server process's. The emulator spent ${f(p.emulator_cpu_us_per_request, 0)} µs CPU per request.)\n`;
      const ping = p.contenders.ping ? `, a bare stdio ping takes ${f(p.contenders.ping.median, 3)} ms` : '';
      out += `MCP − floor = ${f(p.mcp_minus_http_median_ms, 3)} ms (target <= 1; MCP − ErClient = ${f(p.mcp_minus_er_median_ms, 3)} ms${ping}); SDK / HttpClient = ${f(p.sdk_over_http_median)}× (target >= 2; in client CPU per call ${f(p.sdk_over_http_cpu)}×)\n`;
    }
  }
  if (r.signing) {
    const s = r.signing;
    out += `\n3. Signing: signs/s, ${s.rounds} batches of ${s.batch} each, interleaved\n`;
    out += table(
      ['signer', 'median', 'p95', 'min', 'max'],
      [
        ['src/http/signer.ts sign()', s.ours],
        ['official AKSKSigner.sign', s.official],
      ].map(([n, x]) => [n, f(x.median, 0), f(x.p95, 0), f(x.min, 0), f(x.max, 0)]),
    );
    out += `ours / official = ${f(s.speedup)}× (target > 1)\n`;
  }
  if (r.throughput) {
    const t = r.throughput;
    out += `\n4. Throughput: ${t.calls} get_association_state calls, ${t.in_flight} in flight, one stdio session\n`;
    out += `${f(t.calls_per_second, 0)} calls/s; latency median ${f(t.latency_ms.median)} ms, p99 ${f(t.latency_ms.p99)} ms; errors ${t.errors}; TCP connections ${t.tcp_connections} (pool ${t.pool_size})\n`;
  }
  if (r.memory) {
    const mem = r.memory;
    out += `\n5. Memory of the server process (after a forced GC), calls ${mem.in_flight} in flight, 1 in 10 a create\n`;
    out += table(
      ['after calls', 'RSS MB', 'heap used MB', 'heap total MB'],
      mem.samples.map((s) => [String(s.calls), mb(s.rss_bytes), mb(s.heap_used_bytes), mb(s.heap_total_bytes)]),
    );
    out += `growth ${mem.samples[1].calls} → ${mem.samples[2].calls}: RSS ${f(mem.rss_growth_percent)} %, heap used ${f(mem.heap_used_growth_percent)} % (target < 10 %); errors ${mem.errors}\n`;
    if (mem.after) out += `then ${mem.samples[2].calls} → ${mem.after.calls}: RSS ${f(mem.after.rss_growth_percent)} %, heap used ${f(mem.after.heap_used_growth_percent)} % (levelling off, or not)\n`;
  }
  if (r.http_per_call) {
    const h = r.http_per_call;
    const names = { stdio: 'get_association_state over stdio', http: 'get_association_state over HTTP (token, session, SSE)', stdio_ping: 'ping over stdio', http_ping: 'ping over HTTP' };
    out += `\n6. Per call over Streamable HTTP against stdio: ms, ${h.calls} sequential calls each, interleaved\n`;
    out += table(
      ['path', 'median', 'p95', 'p99', 'min', 'max'],
      Object.entries(h.contenders).map(([k, s]) => [names[k], f(s.median, 3), f(s.p95, 3), f(s.p99, 3), f(s.min, 3), f(s.max, 3)]),
    );
    out += `HTTP − stdio = ${f(h.http_minus_stdio_median_ms, 3)} ms per call (${f(h.http_over_stdio_median)}×); for a bare ping ${f(h.http_ping_minus_stdio_ping_median_ms, 3)} ms.\n`;
    const c = h.server_cpu_us_per_call;
    out += `Server CPU per call: stdio ${f(c.stdio, 0)} µs, HTTP ${f(c.http, 0)} µs, HTTP/stdio ${f(h.http_over_stdio_server_cpu_per_call)}× (target ≤ 1.5); per ping: stdio ${f(c.stdio_ping, 0)} µs, HTTP ${f(c.http_ping, 0)} µs (${f(h.http_over_stdio_server_cpu_per_ping)}×)\n`;
  }
  if (r.http_throughput) {
    const t = r.http_throughput;
    out += `\n6b. Throughput over Streamable HTTP against stdio: ${t.rounds} blocks of ${t.calls} get_association_state calls each after ${t.warmup} warm-up calls, ${t.in_flight} in flight, one session each, interleaved\n`;
    out += table(
      ['path', 'calls/s (median)', 'by block', 'latency median ms', 'p99 ms', 'server CPU µs/call', 'client CPU µs/call', 'errors'],
      Object.entries(t.contenders).map(([k, c]) => [k, f(c.calls_per_second, 0), c.calls_per_second_by_round.map((v) => f(v, 0)).join(' '), f(c.latency_ms.median), f(c.latency_ms.p99), f(c.server_cpu_us_per_call, 0), f(c.client_cpu_us_per_call, 0), String(c.errors)]),
    );
    out += `HTTP/stdio throughput ${f(t.http_over_stdio_throughput)}× (target ≥ 0.6; by block ${t.http_over_stdio_throughput_by_round.map((v) => f(v)).join(' ')}), server CPU per call ${f(t.http_over_stdio_server_cpu_per_call)}× (target ≤ 1.5); HTTP connections ${t.http_connections}\n`;
    if (t.http_answers) out += `HTTP answers (initialize and warm-up included): ${t.http_answers.json} as a JSON body, ${t.http_answers.sse} as an event stream\n`;
  }
  if (r.audit_fsync) {
    const a = r.audit_fsync;
    out += `\n7. Audit: one intent line appended by FileAuditLog, µs, ${a.lines} lines each, batches of ${a.batch} interleaved, on ${a.file_system}\n`;
    out += table(
      ['append', 'median', 'p95', 'p99', 'min', 'max'],
      [
        ['as shipped: whole, then fdatasync', a.fsync],
        ['the same without fdatasync', a.no_fsync],
      ].map(([n, s]) => [n, f(s.median, 1), f(s.p95, 1), f(s.p99, 1), f(s.min, 1), f(s.max, 1)]),
    );
    out += `fdatasync adds ${f(a.fsync_cost_median_us, 1)} µs per line (median)\n`;
  }
  if (r.text_size) {
    out += `\n8. Text size: characters of text content per call of one sandbox workflow (as sent, and stringified once more)\n`;
    out += renderTextSize(r.text_size);
  }
  if (r.routing_scale) {
    out += `\n9. Routing effect of an association, computed in-process on two generated tables (the tool path reads at most 20,000 routes per table): ${r.routing_scale.rounds} runs per size, interleaved\n`;
    out += renderRoutingScale(r.routing_scale);
  }
  out += `\nTargets\n`;
  out += table(
    ['target', 'value', 'limit', 'result'],
    r.targets.map((t) => [t.name, `${t.value}${t.unit ? ` ${t.unit}` : ''}`, t.limit, t.pass ? 'met' : 'MISSED']),
  );
  return out;
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
