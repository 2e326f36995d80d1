// Preloaded into the server only for the memory run (`node --expose-gc --import ./bench/heap-probe.mjs
// dist/cli.js`), so src/ needs no hook: on SIGUSR2 it collects garbage and writes one line with
// process.memoryUsage() to stderr, where the benchmark reads it. It adds no other behaviour.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  const usage = process.memoryUsage();
  process.stderr.write(`BENCH_HEAP ${JSON.stringify({ gc: typeof globalThis.gc === 'function', ...usage })}\n`);
});
