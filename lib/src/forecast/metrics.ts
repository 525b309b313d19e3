/**
 * Scoring forecasts (chapter 11): direction (errors are `rootMeanSquaredError`,
 * the binomial test against a coin toss and the Diebold-Mariano test are in
 * evaluate/), QLIKE for variance forecasts, and a long/flat trading rule
 * with transaction costs.
 */
import { checkPredictionPairs } from '../evaluate/errors';

/** Share of days where the forecast has the sign of the actual value (chapter 11); days with an actual value of 0 are skipped. */
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
 * QLIKE loss of variance forecasts, day by day (chapter 11):
 * r/f - log(r/f) - 1 with r the realised and f the forecast variance. It is 0
 * when f = r and depends only on the ratio r/f, so a storm's days count no
 * more than calm ones; forecasting too little costs more than too much.
 * Realised values of 0 would give an infinite loss and are floored at
 * `floor`: that day's loss is then about -log(floor) + log(f) - 1 for every
 * model, so the floor shifts every model's level by the same amount and
 * leaves differences between models (what `dieboldMariano` tests) almost
 * unchanged.
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

/**
 * QLIKE of variance forecasts (chapter 11): the mean of `qlikeLosses`. Even
 * perfect forecasts do not score 0, since r is a noisy measure of the
 * variance (about 1.27 when r = σ² z² with z standard normal), so compare
 * models by the difference of their QLIKE, not its ratio.
 */
export function qlike(forecasts: ArrayLike<number>, realised: ArrayLike<number>, floor = 1e-12): number {
  const losses = qlikeLosses(forecasts, realised, floor);
  return losses.reduce((s, v) => s + v, 0) / losses.length;
}

/**
 * A long/flat strategy (chapter 11): on day t hold the index when `long[t]`
 * (decided with information up to t - 1), otherwise cash at 0 %. Each change
 * of position costs `costPerTrade` (0.001 = 0.1 %). Returns the growth of 1
 * invested, day by day, and the number of trades; `simpleReturns` are the
 * index's simple daily returns of the same days.
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

/**
 * Ordinary least squares with an intercept (chapter 11): the coefficients
 * [intercept, b_1, ..., b_p] minimising the squared error of y ≈ intercept + Σ b_j x_j,
 * and the standard error of each.
 */
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

/**
 * The Dickey-Fuller statistic (chapter 11): the t-statistic of γ in
 * Δy_t = c + γ y_(t-1) + e_t. A random walk (γ = 0) gives values around -1.5;
 * below about -2.86 (the 5 % critical value with a constant) the series
 * looks stationary.
 */
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
