/**
 * GARCH(1,1) (chapter 11; Bollerslev 1986): r_t = σ_t z_t, z_t standard normal, σ²_t = ω + α r²_(t-1) + β σ²_(t-1);
 * fitted by maximum likelihood with Nelder-Mead.
 */
import { Random } from '../util/random';

/** GARCH(1,1) parameters: ω > 0, α ≥ 0, β ≥ 0, α + β < 1. */
export interface GarchParameters {
  omega: number;
  alpha: number;
  beta: number;
}

function checkParameters(p: GarchParameters, what: string): void {
  if (!(p.omega > 0 && p.alpha >= 0 && p.beta >= 0 && p.alpha + p.beta < 1)) {
    throw new Error(`${what}: GARCH parameters need omega > 0, alpha >= 0, beta >= 0 and alpha + beta < 1, got ${JSON.stringify(p)}.`);
  }
}

/**
 * One-step-ahead variances: `variances[t]` uses returns up to t - 1 (a forecast of r_t²), `variances[returns.length]`
 * the day after; starts at `initialVariance` (default the mean squared return).
 */
export function garchVariances(returns: ArrayLike<number>, p: GarchParameters, initialVariance?: number): number[] {
  checkParameters(p, 'garchVariances');
  if (returns.length === 0) throw new Error('garchVariances: the series is empty.');
  let start = initialVariance;
  if (start === undefined) {
    start = 0;
    for (let i = 0; i < returns.length; i++) start += (returns[i] as number) ** 2;
    start /= returns.length;
  }
  const variances = [start];
  for (let t = 1; t <= returns.length; t++) {
    variances.push(p.omega + p.alpha * (returns[t - 1] as number) ** 2 + p.beta * (variances[t - 1] as number));
  }
  return variances;
}

/** The Gaussian negative log-likelihood of a GARCH(1,1), per observation, without the constant. */
export function garchNegativeLogLikelihood(returns: ArrayLike<number>, p: GarchParameters, initialVariance?: number): number {
  const variances = garchVariances(returns, p, initialVariance);
  let total = 0;
  for (let t = 0; t < returns.length; t++) {
    const v = variances[t] as number;
    total += 0.5 * (Math.log(v) + (returns[t] as number) ** 2 / v);
  }
  return total / returns.length;
}

/** Minimises `f` by the Nelder-Mead simplex from `start`, with steps of `step` along each axis. */
export function nelderMead(f: (x: number[]) => number, start: number[], options: { step?: number; maxIterations?: number; tolerance?: number } = {}): { x: number[]; value: number; iterations: number } {
  const n = start.length;
  const step = options.step ?? 0.5;
  let simplex = [start, ...start.map((_, i) => start.map((v, j) => (i === j ? v + step : v)))].map((x) => ({ x, value: f(x) }));
  let iterations = 0;
  for (; iterations < (options.maxIterations ?? 2000); iterations++) {
    simplex.sort((a, b) => a.value - b.value);
    const best = simplex[0] as { x: number[]; value: number };
    const worst = simplex[n] as { x: number[]; value: number };
    if (Math.abs(worst.value - best.value) < (options.tolerance ?? 1e-10)) break;
    const centroid = start.map((_, j) => simplex.slice(0, n).reduce((s, p) => s + (p.x[j] as number), 0) / n);
    const along = (t: number) => centroid.map((c, j) => c + t * (c - (worst.x[j] as number)));
    const reflected = along(1);
    const reflectedValue = f(reflected);
    if (reflectedValue < best.value) {
      const expanded = along(2);
      const expandedValue = f(expanded);
      simplex[n] = expandedValue < reflectedValue ? { x: expanded, value: expandedValue } : { x: reflected, value: reflectedValue };
    } else if (reflectedValue < (simplex[n - 1] as { value: number }).value) {
      simplex[n] = { x: reflected, value: reflectedValue };
    } else {
      const contracted = along(reflectedValue < worst.value ? 0.5 : -0.5);
      const contractedValue = f(contracted);
      if (contractedValue < Math.min(worst.value, reflectedValue)) {
        simplex[n] = { x: contracted, value: contractedValue };
      } else {
        simplex = simplex.map((p, i) => (i === 0 ? p : { x: p.x.map((v, j) => (best.x[j] as number) + 0.5 * (v - (best.x[j] as number))), value: 0 }));
        for (let i = 1; i <= n; i++) (simplex[i] as { value: number }).value = f((simplex[i] as { x: number[] }).x);
      }
    }
  }
  simplex.sort((a, b) => a.value - b.value);
  return { x: (simplex[0] as { x: number[] }).x, value: (simplex[0] as { value: number }).value, iterations };
}

/** Unconstrained coordinates → valid GARCH parameters (ω = e^a, α and β share of a persistence below 1). */
function fromFree(free: number[], scale: number): GarchParameters {
  const logistic = (v: number) => 1 / (1 + Math.exp(-v));
  const persistence = 0.9999 * logistic(free[1] as number);
  const share = logistic(free[2] as number);
  return { omega: scale * Math.exp(free[0] as number), alpha: persistence * share, beta: persistence * (1 - share) };
}

/** Fits a GARCH(1,1) by maximum likelihood (at least 100 returns): parameters, mean NLL, unconditional variance ω / (1 - α - β). */
export function fitGarch(returns: ArrayLike<number>): GarchParameters & { negativeLogLikelihood: number; unconditionalVariance: number } {
  if (returns.length < 100) throw new Error(`fitGarch: ${returns.length} returns are too few to estimate a GARCH(1,1); give at least 100.`);
  let variance = 0;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i] as number;
    if (!Number.isFinite(r)) throw new Error(`fitGarch: return ${i} is ${r}; remove missing values first.`);
    variance += r * r;
  }
  variance /= returns.length;
  if (!(variance > 0)) throw new Error('fitGarch: every return is 0; there is no variance to model.');
  const objective = (free: number[]) => garchNegativeLogLikelihood(returns, fromFree(free, variance), variance);
  // Start at α = 0.08, β = 0.9 (persistence 0.98) with ω matching the sample variance.
  const start = [Math.log(0.02), Math.log(0.98 / 0.02), Math.log(0.08 / 0.9)];
  const fitted = nelderMead(objective, start, { step: 0.5, maxIterations: 3000 });
  const p = fromFree(fitted.x, variance);
  return { ...p, negativeLogLikelihood: fitted.value, unconditionalVariance: p.omega / (1 - p.alpha - p.beta) };
}

/** Simulates `n` returns of a GARCH(1,1) with standard normal shocks. */
export function simulateGarch(p: GarchParameters, n: number, generator: Random): { returns: number[]; variances: number[] } {
  checkParameters(p, 'simulateGarch');
  let variance = p.omega / (1 - p.alpha - p.beta);
  const returns: number[] = [];
  const variances: number[] = [];
  for (let t = 0; t < n; t++) {
    const r = Math.sqrt(variance) * generator.normal();
    returns.push(r);
    variances.push(variance);
    variance = p.omega + p.alpha * r * r + p.beta * variance;
  }
  return { returns, variances };
}
