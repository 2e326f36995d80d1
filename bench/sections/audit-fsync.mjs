// 7. The audit's fsync: what putting each line on stable storage before the server goes on costs.
// The real FileAuditLog (dist/guardrails/audit.js) appends intent lines to a file on the disk the
// benchmark runs on, once as shipped (fdatasync after every record) and once with the same file
// calls but fdatasync left out; batches interleaved, each append timed on its own.
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileAuditLog } from '../../dist/guardrails/audit.js';
import { NODE_FILE_IO } from '../../dist/guardrails/audit-append.js';
import { interleave, round, summarise } from '../lib/stats.mjs';

/** statfs(2) f_type of the file systems one is likely to meet. */
const FILE_SYSTEMS = { 0xef53: 'ext4', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x01021994: 'tmpfs', 0x794c7630: 'overlayfs', 0x2fc12fc1: 'zfs', 0x6969: 'nfs' };

/** An intent line as the gate writes it: about 600 bytes. */
function intent(n) {
  return {
    event: 'intent',
    time: new Date().toISOString(),
    attempt_id: `9c1f7a52-3b8e-4d0a-8f6e-${String(n).padStart(12, '0')}`,
    tool: 'create_route_association',
    arguments: { er_id: 'gen-router-0001', route_table_id: 'gen-rt-000001', attachment_id: `gen-att-${String(n % 1000).padStart(6, '0')}`, client_token: '0b5c3f9e-3c1d-4d6e-9a43-5f0e2b7c1d88' },
    client_token: '0b5c3f9e-3c1d-4d6e-9a43-5f0e2b7c1d88',
    region: 'cn-north-4',
    project_id: '11112222333344445555666677778888',
    caller: 'stdio:bench',
    sandbox: false,
    guardrail: 'approved',
    plan_id: 'plan-AbCdEfGhIjKlMnOpQrStUvWxYz012345',
    plan_sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    requested_by: 'stdio:bench',
    approved_by: 'stdio:bench',
    approval_channel: 'form',
  };
}

export async function auditFsync({ batch, rounds, warmup }) {
  // Not the OS temp dir by default: it is a tmpfs on many systems, where fsync costs nothing.
  const parent = process.env.BENCH_AUDIT_DIR ?? path.dirname(new URL(import.meta.url).pathname);
  const dir = mkdtempSync(path.join(parent, '.audit-bench-'));
  const type = statfsSync(dir).type;
  const fileSystem = FILE_SYSTEMS[type] ?? `0x${type.toString(16)}`;
  if (fileSystem === 'tmpfs') process.stderr.write(`warning: ${dir} is on a tmpfs, where fsync is free: set BENCH_AUDIT_DIR to a directory on a disk\n`);
  const logs = {
    fsync: new FileAuditLog(path.join(dir, 'with-fsync.jsonl')),
    no_fsync: new FileAuditLog(path.join(dir, 'without-fsync.jsonl'), { io: { ...NODE_FILE_IO, sync: () => undefined } }),
  };
  const samples = { fsync: [], no_fsync: [] };
  let n = 0;
  try {
    const contenders = Object.entries(logs).map(([name, log]) => ({
      name,
      run: (roundIndex) => {
        for (let i = 0; i < batch; i++) {
          const record = intent(n++);
          const started = performance.now();
          log.append(record);
          if (roundIndex >= warmup) samples[name].push((performance.now() - started) * 1000);
        }
      },
    }));
    await interleave(contenders, { warmup, rounds });
  } finally {
    for (const log of Object.values(logs)) log.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const fsync = summarise(samples.fsync);
  const noFsync = summarise(samples.no_fsync);
  return {
    unit: 'µs per intent line',
    lines: samples.fsync.length,
    batch,
    file_system: fileSystem,
    fsync,
    no_fsync: noFsync,
    fsync_cost_median_us: round(fsync.median - noFsync.median, 1),
  };
}
