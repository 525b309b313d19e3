/** Scaling laws (chapter 12): fitting L = a · x^(−α) (plus a floor E) to losses, and the published exponents. */
import type { Numbers } from '../util/numbers';
import { meanOf } from '../util/statistics';

/** A fitted power law L(x) = floor + coefficient · x^(−exponent). */
export interface PowerLawFit {
  coefficient: number;
  /** α in x^(−α): how fast the loss falls as x grows. */
  exponent: number;
  /** The irreducible loss E (0 unless `withFloor`). */
  floor: number;
  /** R² of the straight-line fit of log(L − E) against log x. */
  rSquared: number;
  /** L at a given x. */
  predict: (x: number) => number;
}

function lineFit(u: number[], v: number[]): { slope: number; intercept: number; rSquared: number } {
  const n = u.length;
  const mu = meanOf(u);
  const mv = meanOf(v);
  let suv = 0;
  let suu = 0;
  let svv = 0;
  for (let i = 0; i < n; i++) {
    suv += ((u[i] as number) - mu) * ((v[i] as number) - mv);
    suu += ((u[i] as number) - mu) ** 2;
    svv += ((v[i] as number) - mv) ** 2;
  }
  const slope = suv / suu;
  return { slope, intercept: mv - slope * mu, rSquared: svv > 0 ? (suv * suv) / (suu * svv) : 1 };
}

/** Fits L = E + a · x^(−α) on log-log axes; `withFloor` picks E on a grid for the best R² (as Hoffmann et al. 2022). */
export function fitPowerLaw(x: Numbers, loss: Numbers, options: { withFloor?: boolean } = {}): PowerLawFit {
  if (x.length !== loss.length) throw new Error(`fitPowerLaw: ${x.length} x values but ${loss.length} losses; give one loss per x.`);
  if (x.length < 3) throw new Error(`fitPowerLaw: need at least 3 points to fit and judge a power law, got ${x.length}.`);
  for (let i = 0; i < x.length; i++) {
    if (!((x[i] as number) > 0) || !((loss[i] as number) > 0)) {
      throw new Error(`fitPowerLaw: point ${i} is (${x[i]}, ${loss[i]}); x and loss must be positive for log-log axes.`);
    }
  }
  const logX = Array.from(x, Math.log);
  const fitWith = (floor: number) => {
    const line = lineFit(logX, Array.from(loss, (l) => Math.log(l - floor)));
    return { floor, ...line };
  };
  let best = fitWith(0);
  if (options.withFloor) {
    const smallest = Math.min(...Array.from(loss));
    for (let k = 1; k < 200; k++) {
      const candidate = fitWith((smallest * k) / 200);
      if (candidate.rSquared > best.rSquared) best = candidate;
    }
  }
  const coefficient = Math.exp(best.intercept);
  const exponent = -best.slope;
  const floor = best.floor;
  return { coefficient, exponent, floor, rSquared: best.rSquared, predict: (value: number) => floor + coefficient * value ** -exponent };
}

/** The exponents of a power-law fit redone with each point left out in turn (see `powerLawLeaveOneOut`). */
export interface PowerLawLeaveOneOut {
  /** `exponents[i]`: α fitted without point i. */
  exponents: number[];
  /** The smallest and largest of them: if one size alone decides α, they are far apart (or of both signs). */
  low: number;
  high: number;
}

/**
 * Leave-one-out of `fitPowerLaw` (chapters 12-13): the same fit without each point in turn. A scaling family trains
 * one model per size, so there is no error bar on a point; how far α moves when any one size is dropped says how much
 * the exponent rests on a single run. Needs at least 4 points (each fit keeps at least 3).
 */
export function powerLawLeaveOneOut(x: Numbers, loss: Numbers, options: { withFloor?: boolean } = {}): PowerLawLeaveOneOut {
  if (x.length !== loss.length) throw new Error(`powerLawLeaveOneOut: ${x.length} x values but ${loss.length} losses; give one loss per x.`);
  if (x.length < 4) throw new Error(`powerLawLeaveOneOut: need at least 4 points (each fit leaves one out and keeps 3), got ${x.length}.`);
  const xs = Array.from(x);
  const losses = Array.from(loss);
  const exponents = xs.map((_, left) => {
    const keep = (_v: number, i: number) => i !== left;
    return fitPowerLaw(xs.filter(keep), losses.filter(keep), options).exponent;
  });
  return { exponents, low: Math.min(...exponents), high: Math.max(...exponents) };
}

/**
 * Published scaling laws of language models, as stated in the papers.
 * Kaplan et al. 2020 ("Scaling Laws for Neural Language Models"): L(N) = (N_c/N)^α_N
 * with α_N ≈ 0.076 (N non-embedding parameters, N_c ≈ 8.8e13), L(D) with α_D ≈ 0.095,
 * L(C_min) with α_C ≈ 0.050. Hoffmann et al. 2022 ("Chinchilla"), approach 3:
 * L(N, D) = E + A/N^α + B/D^β with E = 1.69, A = 406.4, B = 410.7, α = 0.34, β = 0.28,
 * and compute-optimal training uses about 20 tokens per parameter.
 */
export const PUBLISHED_SCALING_LAWS = {
  kaplan2020: { parameterExponent: 0.076, dataExponent: 0.095, computeExponent: 0.050, criticalParameters: 8.8e13 },
  hoffmann2022: { irreducibleLoss: 1.69, parameterCoefficient: 406.4, dataCoefficient: 410.7, parameterExponent: 0.34, dataExponent: 0.28, tokensPerParameter: 20 },
} as const;

/** Peak FLOP/s: cores × clock × FLOPs per cycle (two 256-bit FMA units: 2 × 8 × 2 = 32 in float32; AVX-512 doubles it). */
export function peakFlopsEstimate(options: { cores: number; gigahertz: number; flopsPerCycle?: number }): number {
  const { cores, gigahertz } = options;
  const flopsPerCycle = options.flopsPerCycle ?? 32;
  for (const [name, value] of [['cores', cores], ['gigahertz', gigahertz], ['flopsPerCycle', flopsPerCycle]] as const) {
    if (!(value > 0 && Number.isFinite(value))) throw new Error(`peakFlopsEstimate: ${name} must be a positive number, got ${value}.`);
  }
  return cores * gigahertz * 1e9 * flopsPerCycle;
}
