/** Bootstrap confidence intervals (chapters 10-12): the statistic on resamples with replacement, the interval from percentiles. */
import { Random, nextSeed } from '../util/random';
import { quantileOfSorted, standardDeviationOf } from '../util/statistics';
import { checkPositiveIntegers } from '../util/validate';

/** A statistic with its bootstrap interval. */
export type BootstrapInterval = {
  /** The statistic on the full sample. */
  estimate: number;
  lower: number;
  upper: number;
  standardError: number;
  confidence: number;
  resamples: number;
};

/** Options of `bootstrapInterval` and `pairedBootstrap`. */
export type BootstrapOptions = { resamples?: number; confidence?: number; seed?: number; strata?: ArrayLike<number | string> };

/** The statistic on the full sample and on each resample, sorted (shared by `bootstrapInterval` and `pairedBootstrap`). */
export function bootstrapReplicates(
  n: number,
  statistic: (indices: Int32Array) => number,
  options: BootstrapOptions,
  caller: string,
): { estimate: number; values: number[]; confidence: number; resamples: number; standardError: number; quantile: (q: number) => number } {
  const resamples = options.resamples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  checkPositiveIntegers(caller, { n });
  if (!Number.isInteger(resamples) || resamples < 2) throw new Error(`${caller}: resamples must be an integer >= 2, got ${resamples}.`);
  if (!(confidence > 0 && confidence < 1)) throw new Error(`${caller}: confidence must be in (0, 1), got ${confidence}.`);
  if (options.strata && options.strata.length !== n) throw new Error(`${caller}: ${options.strata.length} strata labels for ${n} samples.`);
  const groups: number[][] = [];
  if (options.strata) {
    const byKey = new Map<number | string, number[]>();
    for (let i = 0; i < n; i++) {
      const key = options.strata[i] as number | string;
      const list = byKey.get(key) ?? [];
      list.push(i);
      byKey.set(key, list);
    }
    groups.push(...byKey.values());
  } else {
    groups.push(Array.from({ length: n }, (_, i) => i));
  }
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const estimate = statistic(all);
  if (!Number.isFinite(estimate)) throw new Error(`${caller}: the statistic returned ${estimate} on the full sample; it must be a finite number.`);
  const generator = new Random(options.seed ?? nextSeed());
  const values: number[] = [];
  const indices = new Int32Array(n);
  for (let r = 0; r < resamples; r++) {
    let k = 0;
    for (const group of groups) for (let j = 0; j < group.length; j++) indices[k++] = group[generator.int(group.length)] as number;
    const value = statistic(indices);
    if (!Number.isFinite(value)) throw new Error(`${caller}: the statistic returned ${value} on resample ${r}; pass strata so every resample keeps each class.`);
    values.push(value);
  }
  values.sort((a, b) => a - b);
  const quantile = (q: number) => quantileOfSorted(values, q);
  return { estimate, values, confidence, resamples, standardError: standardDeviationOf(values), quantile };
}

/**
 * Percentile bootstrap; `statistic` gets the indices of one resample. With `strata` (e.g. the 0/1 labels) each
 * stratum is resampled on its own, so AUC stays defined. Statistics bootstrapped with the same `seed` see the same
 * resamples (`pairedBootstrap` compares two that way).
 */
export function bootstrapInterval(
  n: number,
  statistic: (indices: Int32Array) => number,
  options: BootstrapOptions = {},
): BootstrapInterval {
  const { estimate, confidence, resamples, standardError, quantile } = bootstrapReplicates(n, statistic, options, 'bootstrapInterval');
  return { estimate, lower: quantile((1 - confidence) / 2), upper: quantile(1 - (1 - confidence) / 2), standardError, confidence, resamples };
}

/** The entries of `values` at `indices`, for statistics inside `bootstrapInterval`. */
export function pick(values: ArrayLike<number>, indices: ArrayLike<number>): Float64Array {
  const out = new Float64Array(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = values[indices[k] as number] as number;
  return out;
}
