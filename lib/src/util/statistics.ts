/**
 * Summary statistics of plain numbers for every room (chapters 1, 9, 10): mean, sample standard deviation, median,
 * quantiles (numpy's linear interpolation), and precision with scikit-learn's rule when nothing is predicted positive.
 */
import type { Numbers } from './numbers';

/** The mean of the values; NaN when there are none. Summed in order, left to right. */
export function meanOf(values: Numbers): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

/** The sample standard deviation (n − 1), around `mean` when the caller has it; NaN for fewer than two values. */
export function standardDeviationOf(values: Numbers, mean = meanOf(values)): number {
  if (values.length < 2) return Number.NaN;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += ((values[i] as number) - mean) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

/** The median: the middle value, or the mean of the two middle ones; NaN when there are none. */
export function medianOf(values: Numbers): number {
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The `q` quantile (0 ≤ q ≤ 1) of values sorted ascending, linear between the nearest ranks (numpy's default). */
export function quantileOfSorted(sorted: Numbers, q: number): number {
  if (sorted.length === 0) throw new Error('quantileOfSorted: no values; give at least one.');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantileOfSorted: q must be in [0, 1], got ${q}.`);
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (position - low);
}

/** Precision, tp / (tp + fp); when nothing is predicted positive, 0 and a warning, as scikit-learn's `zero_division='warn'`. */
export function precisionOf(truePositives: number, falsePositives: number, caller: string): number {
  const flagged = truePositives + falsePositives;
  if (flagged > 0) return truePositives / flagged;
  console.warn(`${caller}: precision is undefined when nothing is predicted positive; it is taken as 0, as scikit-learn does.`);
  return 0;
}
