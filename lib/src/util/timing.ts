import { watchInterrupts } from '../notebook/interrupt';

/** Timing for benchmarks (chapter 0): warm-up runs, then timed repetitions, as median, min and max. */

/** Median, min and max of repeated measurements. */
export interface RateSummary {
  median: number;
  min: number;
  max: number;
  repetitions: number;
}

/** Summarises a non-empty list of measurements. */
export function summarise(values: number[]): RateSummary {
  if (values.length === 0) throw new Error('summarise: no measurements were given.');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, repetitions: values.length };
}

/**
 * Units per second of `once()` (it returns the units it processed: samples, steps, FLOPs), after
 * `warmup` untimed calls. The stop button between two runs throws: a partial measurement would mislead.
 */
export async function measureRate(
  once: () => number | Promise<number>,
  options: { warmup?: number; repetitions?: number } = {},
): Promise<RateSummary> {
  const warmup = options.warmup ?? 1;
  const repetitions = options.repetitions ?? 3;
  if (!Number.isInteger(repetitions) || repetitions < 1) throw new Error(`measureRate: repetitions must be a positive integer, got ${repetitions}.`);
  const interrupts = watchInterrupts();
  const stopIfInterrupted = async (done: number): Promise<void> => {
    if (await interrupts.shouldStop()) throw new Error(`measureRate: interrupted after ${done} of ${warmup + repetitions} runs; run it again to measure.`);
  };
  for (let i = 0; i < warmup; i++) {
    await stopIfInterrupted(i);
    await once();
  }
  const rates: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    await stopIfInterrupted(warmup + i);
    const start = performance.now();
    const units = await once();
    rates.push(units / ((performance.now() - start) / 1000));
  }
  return summarise(rates);
}
