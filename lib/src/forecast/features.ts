/** Features for forecasting a time series (chapter 11) from the past only: the input for step t uses values before t. */
import { checkPositiveIntegers } from '../util/validate';

function checkSeries(series: ArrayLike<number>, what: string): void {
  for (let i = 0; i < series.length; i++) {
    if (!Number.isFinite(series[i] as number)) throw new Error(`${what}: value ${i} of the series is ${series[i]}; remove or fill missing values first.`);
  }
}

/** Windows of past values and the value that follows each. */
export interface LaggedWindows {
  /** inputs[k] = series[t - length .. t - 1] for t = targetIndex[k]. */
  inputs: number[][];
  /** targets[k] = series[t]. */
  targets: number[];
  /** The position t in the series of each target. */
  targetIndex: number[];
}

/** Sliding windows: for each t from `length` on, the `length` values before t and the value at t (length < series). */
export function laggedWindows(series: ArrayLike<number>, length: number): LaggedWindows {
  checkPositiveIntegers('laggedWindows', { length });
  if (length >= series.length) {
    throw new Error(`laggedWindows: a window of ${length} values needs a series longer than that, but the series has ${series.length}; use a shorter window or more data.`);
  }
  checkSeries(series, 'laggedWindows');
  const result: LaggedWindows = { inputs: [], targets: [], targetIndex: [] };
  for (let t = length; t < series.length; t++) {
    result.inputs.push(Array.from({ length }, (_, k) => series[t - length + k] as number));
    result.targets.push(series[t] as number);
    result.targetIndex.push(t);
  }
  return result;
}

/** The mean of the `window` values before each t; NaN for the first `window` positions. */
export function trailingMean(series: ArrayLike<number>, window: number): number[] {
  checkPositiveIntegers('trailingMean', { window });
  if (window >= series.length) throw new Error(`trailingMean: a window of ${window} values is not shorter than the series (${series.length} values).`);
  checkSeries(series, 'trailingMean');
  const out = new Array<number>(series.length).fill(Number.NaN);
  let sum = 0;
  for (let t = 0; t < series.length; t++) {
    if (t >= window) out[t] = sum / window;
    sum += series[t] as number;
    if (t >= window) sum -= series[t - window] as number;
  }
  return out;
}

/** Checks that dates increase strictly; throws naming the first one out of order. */
export function checkIncreasingDates(dates: readonly (Date | string)[], what = 'checkIncreasingDates'): void {
  for (let i = 1; i < dates.length; i++) {
    const before = new Date(dates[i - 1] as Date | string).getTime();
    const now = new Date(dates[i] as Date | string).getTime();
    if (!(now > before)) {
      throw new Error(`${what}: the dates are not in increasing order at position ${i} (${String(dates[i - 1])} then ${String(dates[i])}); sort the rows by date and remove duplicates.`);
    }
  }
}
