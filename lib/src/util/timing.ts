import { watchInterrupts } from '../notebook/interrupt';
import { medianOf } from './statistics';
import { checkPositiveIntegers } from './validate';

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
  return { median: medianOf(values), min: values.reduce((a, b) => Math.min(a, b)), max: values.reduce((a, b) => Math.max(a, b)), repetitions: values.length };
}

/**
 * Units per second of `once()` (it returns the units it processed: samples, steps, FLOPs), after `warmup` untimed
 * calls, and the `seconds` of the timed calls together. The stop button between two runs throws: a partial
 * measurement would mislead.
 */
export async function measureRate(
  once: () => number | Promise<number>,
  options: { warmup?: number; repetitions?: number } = {},
): Promise<RateSummary & { seconds: number }> {
  const warmup = options.warmup ?? 1;
  const repetitions = options.repetitions ?? 3;
  checkPositiveIntegers('measureRate', { repetitions });
  const interrupts = watchInterrupts();
  const stopIfInterrupted = async (done: number): Promise<void> => {
    if (await interrupts.shouldStop()) throw new Error(`measureRate: interrupted after ${done} of ${warmup + repetitions} runs; run it again to measure.`);
  };
  for (let i = 0; i < warmup; i++) {
    await stopIfInterrupted(i);
    await once();
  }
  const rates: number[] = [];
  let seconds = 0;
  for (let i = 0; i < repetitions; i++) {
    await stopIfInterrupted(warmup + i);
    const start = performance.now();
    const units = await once();
    const elapsed = (performance.now() - start) / 1000;
    seconds += elapsed;
    rates.push(units / elapsed);
  }
  return { ...summarise(rates), seconds };
}
