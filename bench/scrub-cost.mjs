#!/usr/bin/env node
// Diagnostic for the response scrubbing (src/http/scrub.ts), which runs on every response body:
// what it costs on a 1 MiB body, with keys, an STS-sized token and a request signature to look
// for. Each scrub.ts given is bundled on the fly, so a copy of an older version can be compared
// with the current one in the same run:
//   git show main:src/http/scrub.ts > /tmp/scrub-main.ts
//   node bench/scrub-cost.mjs [runs] src/http/scrub.ts /tmp/scrub-main.ts
// Prints, per version and body, the median and p95 of one `.with([signature]).scrub(body)` in
// ms; the time to build the scrubber for the keys (once per client); and what one small response
// costs (the signature's forms, a 1 KiB body, four headers). Not part of `npm run bench`.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { interleave, round, summarise } from './lib/stats.mjs';

const args = process.argv.slice(2);
const runs = /^\d+$/.test(args[0] ?? '') ? Number(args.shift()) : 30;
const sources = args.length > 0 ? args : ['src/http/scrub.ts'];
const MIB = 1024 * 1024;

const ak = 'HPUAK7Q3ZK9XW2M4PLMN';
const sk = randomBytes(30).toString('base64');
// Huawei STS tokens are kilobytes of base64-like text.
const token = `gQpjbi1ub3J0aC00${randomBytes(1200).toString('base64')}`;
const signature = randomBytes(32).toString('hex');

/** `unit` repeated up to 1 MiB, as one JSON array so the body stays well formed. */
function mebibyte(unit) {
  const items = [];
  let size = 0;
  while (size < MIB) {
    const item = unit(items.length);
    items.push(item);
    size += item.length + 1;
  }
  return `{"items":[${items.join(',')}]}`;
}

const uuid = (i) => `${(0x1000_0000 + i).toString(16)}-4b5a-4978-8796-a5b4c3d2e1f0`;
const bodies = {
  // What Enterprise Router lists look like: ids, names, states, timestamps; nothing to decode.
  'er-list': mebibyte(
    (i) =>
      `{"id":"${uuid(i)}","name":"vpc-attachment-${i}","resource_id":"${uuid(i + 7)}","resource_type":"vpc","state":"available","route_table_id":"${uuid(3)}","created_at":"2024-05-01T08:00:00Z","tags":[{"key":"team","value":"payments"}]}`,
  ),
  // The same with JSON escapes in messages: the scrubber decodes before it looks.
  'er-list-escaped': mebibyte((i) => `{"id":"${uuid(i)}","description":"route \\"${i}\\" to 10.0.0.0\\/8 (caf\\u00e9)","state":"available"}`),
  // A hostile echo: every secret in every encoding the scrubber knows, again and again.
  'echo-every-form': mebibyte((i) => {
    const forms = [ak, sk, token, signature].flatMap((s) => [
      s,
      s.toLowerCase(),
      [...s].reverse().join(''),
      Buffer.from(s).toString('hex').toUpperCase(),
      Buffer.from(`x${s}`).toString('base64'),
      Buffer.from(`xy${s}`).toString('base64url'),
      encodeURIComponent(s),
    ]);
    return JSON.stringify({ n: i, echo: forms[i % forms.length] });
  }),
};

const small = bodies['er-list'].slice(0, 1024);
const signatures = Array.from({ length: 100 }, () => randomBytes(32).toString('hex'));
const headers = { 'content-type': 'application/json', 'x-request-id': '9a2f0c1d5e6b4a3f8c7d6e5f4a3b2c1d', date: new Date(0).toUTCString(), 'content-length': '1024' };

const work = mkdtempSync(path.join(tmpdir(), 'scrub-cost-'));
try {
  const versions = [];
  for (const [n, source] of sources.entries()) {
    const outfile = path.join(work, `scrub-${n}.mjs`);
    await build({ entryPoints: [source], bundle: true, format: 'esm', platform: 'node', outfile, logLevel: 'error' });
    versions.push({ name: source, module: await import(pathToFileURL(outfile).href) });
  }
  const contenders = [];
  for (const { name, module } of versions) {
    const scrubber = new module.SecretScrubber([ak, sk, token]);
    for (const [body, text] of Object.entries(bodies)) {
      contenders.push({ name: `${name} ${body}`, run: () => void scrubber.with([signature]).scrub(text) });
    }
    contenders.push({ name: `${name} build-for-keys`, run: () => void new module.SecretScrubber([ak, sk, token]) });
    // What every response pays whatever its size: the signature's forms, then a small body and its
    // headers. A hundred responses per run (each with a signature of its own); the figure is per response.
    contenders.push({
      name: `${name} per-response-1KiB`,
      run: () => {
        for (const each of signatures) {
          const scrub = scrubber.with([each]);
          scrub.scrub(small);
          scrub.scrubHeaders(headers);
        }
      },
      per: signatures.length,
    });
  }
  const { time } = await interleave(contenders, { warmup: 5, rounds: runs });
  console.log(`node ${process.version}, ${runs} runs after 5 warm-up, token ${token.length} characters, bodies ${Object.values(bodies).map((b) => `${(b.length / MIB).toFixed(2)} MiB`).join(' / ')}`);
  for (const [name, samples] of Object.entries(time)) {
    const per = contenders.find((c) => c.name === name)?.per ?? 1;
    const s = summarise(samples.map((ms) => ms / per));
    console.log(`${name.padEnd(48)} median ${String(round(s.median, 3)).padStart(8)} ms   p95 ${String(round(s.p95, 3)).padStart(8)} ms`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
