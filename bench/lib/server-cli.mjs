// The command line of a server the benchmark starts (section 1 and the HTTP sections).
// BENCH_CLI measures another build (say, one made from the commit before a change) with this
// harness; for the HTTP sections, BENCH_PROFILE_DIR starts each
// server under `node --cpu-prof`, its profile written there when it exits (bench/profile-top.mjs
// reads it).
import { fileURLToPath } from 'node:url';

export const CLI = process.env.BENCH_CLI ?? fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Arguments for `node`: profiling flags when asked, the CLI, then `args`. */
export function serverArgs(args) {
  const dir = process.env.BENCH_PROFILE_DIR;
  return [...(dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []), CLI, ...args];
}
