/** Descriptive statistics for chapter 1: a sample's moments and the normal density, to see the fat tails of returns. */
import type { Numbers } from '../util/numbers';
import { meanOf, standardDeviationOf } from '../util/statistics';

/** Mean, spread and shape of a sample. */
export type SummaryStatistics = {
  /** Values used (finite ones). */
  count: number;
  /** Values skipped because they were NaN (missing). */
  missing: number;
  mean: number;
  /** Sample standard deviation (divides by n − 1). */
  std: number;
  min: number;
  max: number;
  /** m3 / m2^(3/2): 0 for a symmetric distribution, negative when the left tail is longer. */
  skewness: number;
  /** m4 / m2² − 3: 0 for a normal distribution, positive for fat tails. */
  excessKurtosis: number;
};

/** Count, mean, std, extremes, skewness, excess kurtosis by plain moments (as scipy.stats); NaN missing, ∞ an error. */
export function summaryStatistics(values: Numbers): SummaryStatistics {
  const present: number[] = [];
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) {
      missing++;
      continue;
    }
    if (!Number.isFinite(v)) throw new Error(`summaryStatistics: value ${i} is ${v}; remove infinite values first (a division by zero upstream?).`);
    present.push(v);
  }
  const n = present.length;
  if (n < 2) throw new Error(`summaryStatistics: needs at least 2 values that are not NaN, got ${n}.`);
  const mean = meanOf(present);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of present) {
    const d = v - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return {
    count: n,
    missing,
    mean,
    std: standardDeviationOf(present, mean),
    min,
    max,
    skewness: m2 === 0 ? 0 : m3 / m2 ** 1.5,
    excessKurtosis: m2 === 0 ? 0 : m4 / (m2 * m2) - 3,
  };
}

/** The normal density with mean `mean` and standard deviation `std` at `x`. */
export function normalPdf(x: number, mean = 0, std = 1): number {
  if (!(std > 0)) throw new Error(`normalPdf: std must be positive, got ${std}.`);
  const z = (x - mean) / std;
  return Math.exp(-0.5 * z * z) / (std * Math.sqrt(2 * Math.PI));
}

/** Points of a normal density from `from` to `to`, to lay over `histogram(r, { density: true, overlay: [...] })`. */
export function normalCurve(
  mean: number,
  std: number,
  options: { from?: number; to?: number; points?: number; name?: string } = {},
): { name: string; x: number[]; y: number[] } {
  const from = options.from ?? mean - 4 * std;
  const to = options.to ?? mean + 4 * std;
  const points = options.points ?? 200;
  if (!(to > from) || !Number.isInteger(points) || points < 2) {
    throw new Error(`normalCurve: need from < to and at least 2 points, got from=${from}, to=${to}, points=${points}.`);
  }
  const x = Array.from({ length: points }, (_, i) => from + ((to - from) * i) / (points - 1));
  return { name: options.name ?? `normal (mean ${mean.toPrecision(3)}, std ${std.toPrecision(3)})`, x, y: x.map((v) => normalPdf(v, mean, std)) };
}

/** The sample autocorrelation at `lag` (the usual ACF estimator: the whole series' mean and variance). */
export function autocorrelation(values: Numbers, lag: number): number {
  const n = values.length;
  if (!Number.isInteger(lag) || lag < 1 || lag >= n) {
    throw new Error(`autocorrelation: lag must be an integer from 1 to ${n - 1} (one less than the series length), got ${lag}.`);
  }
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) throw new Error(`autocorrelation: value ${i} is ${v}; remove missing or infinite values first.`);
    mean += v;
  }
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += ((values[i] as number) - mean) ** 2;
  if (variance === 0) throw new Error('autocorrelation: the series is constant, so its autocorrelation is undefined.');
  let covariance = 0;
  for (let i = 0; i + lag < n; i++) covariance += ((values[i] as number) - mean) * ((values[i + lag] as number) - mean);
  return covariance / variance;
}
