/**
 * Scoring forecasts (chapter 11): direction, QLIKE for variance forecasts, a long/flat rule with costs, least squares
 * and Dickey-Fuller (errors and significance tests are in evaluate/).
 */
import { checkPredictionPairs } from '../evaluate/errors';
import { meanOf } from '../util/statistics';

/** Share of days where the forecast has the sign of the actual value; days with an actual value of 0 are skipped. */
export function directionalAccuracy(forecasts: ArrayLike<number>, actual: ArrayLike<number>): { hits: number; days: number; accuracy: number } {
  checkPredictionPairs(forecasts, actual, 'directionalAccuracy');
  let hits = 0;
  let days = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    if (a === 0) continue;
    days++;
    if ((forecasts[i] as number) > 0 === a > 0) hits++;
  }
  return { hits, days, accuracy: hits / days };
}

/**
 * QLIKE loss per day, r/f − log(r/f) − 1 (r realised, f forecast variance): 0 at f = r, a function of r/f only,
 * harsher on too little. Realised zeros are floored at `floor`, which shifts every model alike.
 */
export function qlikeLosses(forecasts: ArrayLike<number>, realised: ArrayLike<number>, floor = 1e-12): number[] {
  checkPredictionPairs(forecasts, realised, 'qlike');
  if (!(floor > 0)) throw new Error(`qlike: the floor must be positive, got ${floor}.`);
  const losses: number[] = [];
  for (let i = 0; i < realised.length; i++) {
    const f = forecasts[i] as number;
    if (!(f > 0)) throw new Error(`qlike: forecast ${i} is ${f}; variance forecasts must be positive.`);
    const r = realised[i] as number;
    if (!(r >= 0)) throw new Error(`qlike: realised value ${i} is ${r}; realised variances must be numbers >= 0.`);
    const ratio = Math.max(r, floor) / f;
    losses.push(ratio - Math.log(ratio) - 1);
  }
  return losses;
}

/** Mean QLIKE; not 0 even for perfect forecasts (about 1.27 when r = σ² z²), so compare models by differences. */
export function qlike(forecasts: ArrayLike<number>, realised: ArrayLike<number>, floor = 1e-12): number {
  return meanOf(qlikeLosses(forecasts, realised, floor));
}

/**
 * A long/flat strategy: on day t hold the index when `long[t]` (decided by t − 1), else cash at 0 %; each change costs
 * `costPerTrade` (0.001 = 0.1 %). Returns the growth of 1 day by day and the number of trades.
 */
export function longFlatStrategy(long: readonly boolean[], simpleReturns: ArrayLike<number>, costPerTrade: number): { wealth: number[]; trades: number; daysLong: number } {
  if (long.length !== simpleReturns.length) throw new Error(`longFlatStrategy: ${long.length} positions but ${simpleReturns.length} returns.`);
  if (!(costPerTrade >= 0 && costPerTrade < 1)) throw new Error(`longFlatStrategy: costPerTrade must be in [0, 1), got ${costPerTrade}.`);
  let wealth = 1;
  let position = false;
  let trades = 0;
  let daysLong = 0;
  const path: number[] = [];
  for (let t = 0; t < long.length; t++) {
    if (long[t] !== position) {
      wealth *= 1 - costPerTrade;
      trades++;
      position = long[t] as boolean;
    }
    if (position) {
      wealth *= 1 + (simpleReturns[t] as number);
      daysLong++;
    }
    path.push(wealth);
  }
  return { wealth: path, trades, daysLong };
}

/** Solves the small linear system A x = b by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] as number]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs((m[r] as number[])[c] as number) > Math.abs((m[pivot] as number[])[c] as number)) pivot = r;
    [m[c], m[pivot]] = [m[pivot] as number[], m[c] as number[]];
    const p = (m[c] as number[])[c] as number;
    if (Math.abs(p) < 1e-12) throw new Error('solve: the normal equations are singular; the inputs are collinear.');
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const factor = ((m[r] as number[])[c] as number) / p;
      for (let k = c; k <= n; k++) (m[r] as number[])[k] = ((m[r] as number[])[k] as number) - factor * ((m[c] as number[])[k] as number);
    }
  }
  return m.map((row, i) => (row[n] as number) / (row[i] as number));
}

/** Ordinary least squares with an intercept: [intercept, b_1, ..., b_p] and their standard errors. */
export function leastSquares(rows: readonly (readonly number[])[], y: ArrayLike<number>): { coefficients: number[]; standardErrors: number[] } {
  if (rows.length !== y.length) throw new Error(`leastSquares: ${rows.length} rows but ${y.length} targets.`);
  const p = (rows[0]?.length ?? 0) + 1;
  if (rows.length <= p) throw new Error(`leastSquares: ${rows.length} rows are too few for ${p} coefficients.`);
  const xtx = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const xty = new Array<number>(p).fill(0);
  rows.forEach((row, i) => {
    const x = [1, ...row];
    for (let a = 0; a < p; a++) {
      xty[a] = (xty[a] as number) + (x[a] as number) * (y[i] as number);
      for (let b = 0; b < p; b++) (xtx[a] as number[])[b] = ((xtx[a] as number[])[b] as number) + (x[a] as number) * (x[b] as number);
    }
  });
  const coefficients = solve(xtx, xty);
  let residual = 0;
  rows.forEach((row, i) => {
    const fitted = coefficients.reduce((s, c, j) => s + c * (j === 0 ? 1 : (row[j - 1] as number)), 0);
    residual += ((y[i] as number) - fitted) ** 2;
  });
  const sigma2 = residual / (rows.length - p);
  const standardErrors = coefficients.map((_, j) => Math.sqrt(sigma2 * (solve(xtx, xtx.map((_, k) => (k === j ? 1 : 0)))[j] as number)));
  return { coefficients, standardErrors };
}

/** Dickey-Fuller: the t-statistic of γ in Δy_t = c + γ y_(t-1) + e_t; below about −2.86 (5 %, with a constant) looks stationary. */
export function dickeyFuller(series: ArrayLike<number>): { statistic: number; gamma: number } {
  if (series.length < 20) throw new Error(`dickeyFuller: ${series.length} values are too few; give at least 20.`);
  const rows: number[][] = [];
  const changes: number[] = [];
  for (let t = 1; t < series.length; t++) {
    rows.push([series[t - 1] as number]);
    changes.push((series[t] as number) - (series[t - 1] as number));
  }
  const fit = leastSquares(rows, changes);
  const gamma = fit.coefficients[1] as number;
  return { gamma, statistic: gamma / (fit.standardErrors[1] as number) };
}
