// Handle on the emulator process: where it listens, the IDs in it, and a few questions over IPC.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BENCH_CREDENTIALS = { ak: 'BENCHACCESSKEY000001', sk: 'bench-secret-key-only-for-the-emulator' };

export async function startEmulatorProcess({ attachments }) {
  const child = fork(fileURLToPath(new URL('./emulator-process.mjs', import.meta.url)), [JSON.stringify({ attachments, credentials: [BENCH_CREDENTIALS] })], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    // Flags given to the benchmark (--cpu-prof…) are not for the emulator.
    execArgv: [],
  });
  const info = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    child.once('message', resolve);
  });
  child.removeAllListeners('exit');
  let nextId = 1;
  const waiting = new Map();
  child.on('message', (m) => {
    waiting.get(m.id)?.(m.value);
    waiting.delete(m.id);
  });
  const ask = (op) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.send({ id, op });
    });
  return {
    ...info,
    pid: child.pid,
    connections: () => ask('connections'),
    requests: () => ask('requests'),
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await ask('close');
      await exited;
    },
  };
}

/**
 * The documented environment that points the built server at the emulator. The benchmark measures
 * the write path itself, so nobody is asked before a write (the operator's opt-out): with approval
 * on, a bench client that cannot elicit would only ever get approval_required.
 */
export function serverEnv(emulator, home) {
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    HUAWEICLOUD_ER_MCP_CONFIRM_WRITES: 'never',
    HUAWEICLOUD_SDK_AK: BENCH_CREDENTIALS.ak,
    HUAWEICLOUD_SDK_SK: BENCH_CREDENTIALS.sk,
    HUAWEICLOUD_SDK_PROJECT_ID: emulator.projectId,
    HUAWEICLOUD_REGION: emulator.region,
    HUAWEICLOUD_ER_ENDPOINT: emulator.url,
  };
}
