// Timing helpers for the benchmarks: warm-up, then repetitions, reported as
// median, min and max of a rate (units per second).

/** Runs `once()` (which returns the number of units it processed) after `warmup` calls, `repetitions` times. */
export async function measureRate(once, { warmup = 1, repetitions = 3 } = {}) {
  for (let i = 0; i < warmup; i++) await once();
  const rates = [];
  for (let i = 0; i < repetitions; i++) {
    const start = process.hrtime.bigint();
    const units = await once();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push(units / seconds);
  }
  return summarise(rates);
}

/** Median, min and max of a list of numbers. */
export function summarise(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], repetitions: values.length };
}
