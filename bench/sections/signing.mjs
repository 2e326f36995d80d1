// 3. Signing: our signer against the official AKSKSigner on the same requests, each stamping the
// date as its own pipeline does (ours formats a Date, theirs calls moment when no X-Sdk-Date is set).
// Before timing, both are checked to produce the same Authorization for a fixed date.
import { formatSdkDate, sign } from '../../dist/http/signer.js';
import { AKSKSigner, BasicCredentials } from '../lib/official-sdk.mjs';
import { BENCH_CREDENTIALS } from '../lib/emulator.mjs';
import { interleave, round, summarise } from '../lib/stats.mjs';

const HOST = '127.0.0.1:38211';
const PROJECT = '11112222333344445555666677778888';
const BASE = `/v3/${PROJECT}/enterprise-router/gen-router-0001`;

/** The requests the server sends most: a filtered association list, a create, paged lists. */
function requests() {
  return [
    { method: 'GET', path: `${BASE}/route-tables/gen-rt-000000/associations`, query: { attachment_id: 'gen-att-000000' }, headers: {} },
    {
      method: 'POST',
      path: `${BASE}/route-tables/gen-rt-000001/associate`,
      query: {},
      headers: { 'X-Client-Token': '0b5c3f9e-3c1d-4d6e-9a43-5f0e2b7c1d88' },
      json: { attachment_id: 'gen-att-000042' },
    },
    { method: 'GET', path: `${BASE}/attachments`, query: { limit: '100', marker: 'gen-att-000099', state: 'available' }, headers: {} },
    { method: 'GET', path: `/v3/${PROJECT}/enterprise-router/instances`, query: { limit: '50' }, headers: {} },
  ];
}

function ours(r, date) {
  const headers = { host: HOST, 'content-type': 'application/json', 'x-project-id': PROJECT, 'x-sdk-date': date ?? formatSdkDate(new Date()) };
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
  return sign({ method: r.method, path: r.path, query: r.query, headers, body: r.json === undefined ? '' : JSON.stringify(r.json) }, BENCH_CREDENTIALS).authorization;
}

function theirs(r, credential, date) {
  const headers = { 'content-type': 'application/json', 'X-Project-Id': PROJECT, ...r.headers };
  if (date) headers['X-Sdk-Date'] = date;
  const request = { method: r.method, endpoint: `http://${HOST}${r.path}`, headers, queryParams: r.query, data: r.json };
  return AKSKSigner.sign(request, credential).Authorization;
}

export async function signing({ batch, rounds, warmup }) {
  const reqs = requests();
  const credential = new BasicCredentials().withAk(BENCH_CREDENTIALS.ak).withSk(BENCH_CREDENTIALS.sk);
  // Same output first: otherwise the comparison would be of different work.
  const fixed = '20250101T000000Z';
  for (const r of reqs) {
    const a = ours(r, fixed);
    const b = theirs(r, credential, fixed);
    if (a !== b) throw new Error(`signers disagree on ${r.method} ${r.path}:\n  ours   ${a}\n  theirs ${b}`);
  }
  let sink = 0;
  const contenders = [
    { name: 'ours', run: () => { for (let i = 0; i < batch; i++) sink += ours(reqs[i % reqs.length]).length; } },
    { name: 'official', run: () => { for (let i = 0; i < batch; i++) sink += theirs(reqs[i % reqs.length], credential).length; } },
  ];
  const { time: ms } = await interleave(contenders, { warmup, rounds });
  if (sink === 0) throw new Error('unreachable');
  // Each sample is one batch; report it as signs per second.
  const rate = (samples) => summarise(samples.map((t) => (batch / t) * 1000));
  const oursRate = rate(ms.ours);
  const officialRate = rate(ms.official);
  const speedup = round(oursRate.median / officialRate.median, 2);
  return {
    batch,
    rounds,
    unit: 'signs/s',
    ours: oursRate,
    official: officialRate,
    speedup,
    target: { name: 'signer speed ours/official (median)', value: speedup, limit: '> 1', pass: speedup > 1 },
  };
}
