// Summaries of raw samples: what results.json keeps and the table prints.

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** n, median, p95, p99, min, max and mean of the samples (same unit in as out). */
export function summarise(samples) {
  const sorted = Float64Array.from(samples).sort();
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    median: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    min: round(sorted[0] ?? NaN),
    max: round(sorted[sorted.length - 1] ?? NaN),
    mean: round(sorted.length ? sum / sorted.length : NaN),
  };
}

export function round(value, digits = 4) {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Runs each contender once per round, rotating who goes first, after `warmup` unrecorded rounds.
 * Returns, per contender, wall time (ms) and this process's CPU time (µs, user + system) per run.
 * `before(contender, round)`, when given, runs ahead of each run, outside the timed window.
 */
export async function interleave(contenders, { warmup, rounds, before, between }) {
  const time = Object.fromEntries(contenders.map((c) => [c.name, []]));
  const cpu = Object.fromEntries(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < warmup + rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(round + k) % contenders.length];
      if (before) await before(contender, round);
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      await contender.run(round);
      const elapsed = performance.now() - started;
      const used = process.cpuUsage(cpuBefore);
      if (round >= warmup) {
        time[contender.name].push(elapsed);
        cpu[contender.name].push(used.user + used.system);
      }
      if (between) await between(contender, round);
    }
  }
  return { time, cpu };
}
