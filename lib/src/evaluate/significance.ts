/**
 * Significance tests of two models on the same data (chapters 10-12): exact binomial, McNemar, paired bootstrap,
 * Diebold-Mariano; with the t, chi-squared and binomial tails they need.
 */
import { bootstrapReplicates, type BootstrapOptions } from './bootstrap';
import { meanOf } from '../util/statistics';
import { checkPositiveIntegers } from '../util/validate';

// ---------------------------------------------------------------------------
// Distribution functions

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** log Γ(x) for x > 0 (Lanczos, g = 7; relative error about 1e-15). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const TINY = 1e-300;

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) return h;
  }
  throw new Error(`incomplete beta: the continued fraction did not converge for x=${x}, a=${a}, b=${b}.`);
}

/** The regularised incomplete beta function I_x(a, b). */
function regularisedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** The regularised upper incomplete gamma function Q(a, x). */
function upperRegularisedGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const logFront = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n <= 100000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) return 1 - sum * Math.exp(logFront);
    }
    throw new Error(`incomplete gamma: the series did not converge for a=${a}, x=${x}.`);
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= 100000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) return Math.exp(logFront) * h;
  }
  throw new Error(`incomplete gamma: the continued fraction did not converge for a=${a}, x=${x}.`);
}

/** Two-sided P(|T| >= |t|) for Student's t with `degreesOfFreedom`. */
export function studentTTwoSidedPValue(t: number, degreesOfFreedom: number): number {
  if (!(degreesOfFreedom > 0)) throw new Error(`studentTTwoSidedPValue: degrees of freedom must be positive, got ${degreesOfFreedom}.`);
  if (Number.isNaN(t)) throw new Error('studentTTwoSidedPValue: the statistic is NaN.');
  if (!Number.isFinite(t)) return 0;
  return regularisedBeta(degreesOfFreedom / (degreesOfFreedom + t * t), degreesOfFreedom / 2, 0.5);
}

/** P(X >= x) for X chi-squared with one degree of freedom. */
export function chiSquaredOneSurvival(x: number): number {
  if (Number.isNaN(x)) throw new Error('chiSquaredOneSurvival: the statistic is NaN.');
  return upperRegularisedGamma(0.5, x / 2);
}

/** Exact two-sided binomial test: P(an outcome at most as likely as `successes` of `trials` | success probability `p`). */
export function binomialTestPValue(successes: number, trials: number, p = 0.5): number {
  if (!Number.isInteger(trials) || trials < 1 || !Number.isInteger(successes) || successes < 0 || successes > trials) {
    throw new Error(`binomialTestPValue: needs whole numbers with 0 <= successes <= trials and trials >= 1, got ${successes} of ${trials}.`);
  }
  if (!(p > 0 && p < 1)) throw new Error(`binomialTestPValue: p must be in (0, 1), got ${p}.`);
  const logFactorialTrials = logGamma(trials + 1);
  const logProbability = (k: number) =>
    logFactorialTrials - logGamma(k + 1) - logGamma(trials - k + 1) + k * Math.log(p) + (trials - k) * Math.log1p(-p);
  const observed = logProbability(successes);
  let total = 0;
  for (let k = 0; k <= trials; k++) {
    const lp = logProbability(k);
    if (lp <= observed + 1e-9) total += Math.exp(lp);
  }
  return Math.min(1, total);
}

// ---------------------------------------------------------------------------
// McNemar

/** Which form of McNemar's test was used. */
export type McNemarMethod = 'exact' | 'chi-squared';

/** The result of `mcnemarTest`. */
export type McNemarResult = {
  /** Examples that model A gets right and model B wrong. */
  onlyACorrect: number;
  /** Examples that model B gets right and model A wrong. */
  onlyBCorrect: number;
  /** onlyACorrect + onlyBCorrect: the only examples that carry information about the difference. */
  discordant: number;
  /** Exact: min(onlyACorrect, onlyBCorrect). Chi-squared: (|b - c| - 1)² / (b + c), 0 when |b - c| <= 1. */
  statistic: number;
  pValue: number;
  method: McNemarMethod;
  /** Accuracy of A minus accuracy of B, (b - c) / n. */
  accuracyDifference: number;
};

function correctness(values: ArrayLike<boolean | number>, name: string): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === true || v === 1) out[i] = 1;
    else if (v === false || v === 0) out[i] = 0;
    else throw new Error(`mcnemarTest: ${name}[${i}] is ${String(v)}; give booleans or 0/1 (1 = the model got example ${i} right).`);
  }
  return out;
}

/**
 * McNemar's test of two classifiers on the same examples, from the discordant counts b (only A right) and c. With
 * b + c < 25 the exact binomial 2 P(X <= min(b, c)), capped at 1 (statsmodels' `mcnemar(exact=True)`); otherwise
 * (|b − c| − 1)² / (b + c) on one degree of freedom, the corrected difference not below 0. `method` forces one.
 */
export function mcnemarTest(
  aCorrect: ArrayLike<boolean | number>,
  bCorrect: ArrayLike<boolean | number>,
  options: { method?: McNemarMethod | 'auto' } = {},
): McNemarResult {
  if (aCorrect.length !== bCorrect.length) {
    throw new Error(`mcnemarTest: ${aCorrect.length} results for model A but ${bCorrect.length} for model B; score both models on the same examples.`);
  }
  if (aCorrect.length === 0) throw new Error('mcnemarTest: no examples; give each model\'s correctness on the same examples.');
  const a = correctness(aCorrect, 'aCorrect');
  const b = correctness(bCorrect, 'bCorrect');
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 1 && b[i] === 0) onlyA++;
    else if (a[i] === 0 && b[i] === 1) onlyB++;
  }
  const discordant = onlyA + onlyB;
  const requested = options.method ?? 'auto';
  if (requested !== 'auto' && requested !== 'exact' && requested !== 'chi-squared') {
    throw new Error(`mcnemarTest: method must be 'auto', 'exact' or 'chi-squared', got ${String(requested)}.`);
  }
  const method: McNemarMethod = requested === 'auto' ? (discordant < 25 ? 'exact' : 'chi-squared') : requested;
  const accuracyDifference = (onlyA - onlyB) / a.length;
  if (discordant === 0) {
    // The models agree on every example: nothing speaks for a difference.
    return { onlyACorrect: 0, onlyBCorrect: 0, discordant, statistic: 0, pValue: 1, method, accuracyDifference };
  }
  if (method === 'exact') {
    const statistic = Math.min(onlyA, onlyB);
    return { onlyACorrect: onlyA, onlyBCorrect: onlyB, discordant, statistic, pValue: binomialTestPValue(statistic, discordant, 0.5), method, accuracyDifference };
  }
  const statistic = Math.max(0, Math.abs(onlyA - onlyB) - 1) ** 2 / discordant;
  return { onlyACorrect: onlyA, onlyBCorrect: onlyB, discordant, statistic, pValue: chiSquaredOneSurvival(statistic), method, accuracyDifference };
}

// ---------------------------------------------------------------------------
// Paired bootstrap

/** The result of `pairedBootstrap`. */
export type PairedBootstrapResult = {
  /** metric(A) - metric(B) on all examples. */
  difference: number;
  /** The percentile interval of the difference. */
  lower: number;
  upper: number;
  confidence: number;
  /** Standard deviation of the replicated differences. */
  standardError: number;
  /** Two-sided p-value for "no difference": 2 (1 + replicates on the far side of 0) / (resamples + 1), at most 1. */
  pValue: number;
  resamples: number;
};

/**
 * Paired bootstrap of metric(A) − metric(B) on the same n examples: each replicate resamples the examples once for
 * both, so shared difficulty cancels. `metric` gets one model's per-example values and the indices, e.g.
 * `(scores, indices) => areaUnderRoc(pick(labels, indices), pick(scores, indices))`. Percentile interval; p-value
 * twice the share of replicates past zero, counting the observed sample (+1), never 0. Assumes independent
 * examples: for a time series use `dieboldMariano`.
 */
export function pairedBootstrap<T>(
  a: T & { length: number },
  b: T & { length: number },
  metric: (values: T, indices: Int32Array) => number,
  options: BootstrapOptions = {},
): PairedBootstrapResult {
  if (a.length !== b.length) {
    throw new Error(`pairedBootstrap: ${a.length} values for model A but ${b.length} for model B; score both models on the same examples.`);
  }
  if (a.length === 0) throw new Error('pairedBootstrap: no examples; give both models\' values on the same examples.');
  const resamples = options.resamples ?? 2000;
  const { estimate, values, confidence, quantile, standardError } = bootstrapReplicates(
    a.length,
    (indices) => metric(a, indices) - metric(b, indices),
    { ...options, resamples },
    'pairedBootstrap',
  );
  let atOrBelow = 0;
  let atOrAbove = 0;
  for (const v of values) {
    if (v <= 0) atOrBelow++;
    if (v >= 0) atOrAbove++;
  }
  const farSide = estimate > 0 ? atOrBelow : atOrAbove;
  const pValue = estimate === 0 ? 1 : Math.min(1, (2 * (1 + farSide)) / (resamples + 1));
  return {
    difference: estimate,
    lower: quantile((1 - confidence) / 2),
    upper: quantile(1 - (1 - confidence) / 2),
    confidence,
    standardError,
    pValue,
    resamples,
  };
}

// ---------------------------------------------------------------------------
// Diebold-Mariano

/** The result of `dieboldMariano`. */
export type DieboldMarianoResult = {
  /** Mean of d_t = lossA_t - lossB_t: negative when A's losses are smaller. */
  meanDifference: number;
  /** The Harvey-Leybourne-Newbold corrected statistic, compared with Student's t on n - 1 degrees of freedom. */
  statistic: number;
  /** The original Diebold-Mariano statistic, mean(d) / sqrt(long-run variance / n). */
  uncorrectedStatistic: number;
  /** Two-sided p-value of the corrected statistic from Student's t with n - 1 degrees of freedom. */
  pValue: number;
  /** The long-run variance of d_t (the variance of the mean is this over n). */
  longRunVariance: number;
  degreesOfFreedom: number;
  days: number;
  horizon: number;
  /** Autocovariance lags in the long-run variance (horizon - 1 unless `lags` was given). */
  lags: number;
};

/**
 * The Diebold-Mariano test with the Harvey-Leybourne-Newbold correction: equal expected loss of two forecasts?
 * d_t = lossA_t − lossB_t; statistic mean(d) / sqrt(V / n), V the autocovariance at lag 0 plus twice lags 1 .. h − 1
 * (1/n each, Diebold and Mariano 1995; rectangular by default, `weights: 'bartlett'` for Newey-West's 1 − k/(lags + 1)).
 * HLN (1997) multiply by sqrt((n + 1 − 2h + h(h − 1)/n) / n), p from Student's t on n − 1 df. `lags` (default h − 1)
 * covers non-optimal forecasts whose differences are autocorrelated even at h = 1. Negative: A's losses smaller.
 */
export function dieboldMariano(
  lossA: ArrayLike<number>,
  lossB: ArrayLike<number>,
  options: { horizon?: number; lags?: number; weights?: 'rectangular' | 'bartlett' } = {},
): DieboldMarianoResult {
  const horizon = options.horizon ?? 1;
  const lags = options.lags ?? horizon - 1;
  const weights = options.weights ?? 'rectangular';
  if (lossA.length !== lossB.length) {
    throw new Error(`dieboldMariano: ${lossA.length} losses for model A but ${lossB.length} for model B; give both models' losses on the same days.`);
  }
  const n = lossA.length;
  if (n < 3) throw new Error(`dieboldMariano: ${n} days are too few; give at least 3 paired losses (in practice many more).`);
  checkPositiveIntegers('dieboldMariano', { horizon });
  if (weights !== 'rectangular' && weights !== 'bartlett') throw new Error(`dieboldMariano: weights must be 'rectangular' or 'bartlett', got ${String(weights)}.`);
  const correctionSquared = (n + 1 - 2 * horizon + (horizon * (horizon - 1)) / n) / n;
  if (2 * horizon > n || !(correctionSquared > 0)) throw new Error(`dieboldMariano: horizon ${horizon} is too long for ${n} days; the horizon can be at most half the number of days.`);
  if (!Number.isInteger(lags) || lags < 0 || 2 * lags >= n) {
    throw new Error(`dieboldMariano: lags must be a whole number from 0 to below half the ${n} days, got ${lags}.`);
  }
  const d = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const x = lossA[t] as number;
    const y = lossB[t] as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw new Error(`dieboldMariano: day ${t} has losses ${x} and ${y}; every loss must be a finite number (drop or fill missing days first).`);
    }
    d[t] = x - y;
  }
  const mean = meanOf(d);
  const autocovariance = (lag: number) => {
    let s = 0;
    for (let t = lag; t < n; t++) s += ((d[t] as number) - mean) * ((d[t - lag] as number) - mean);
    return s / n;
  };
  const gamma0 = autocovariance(0);
  if (!(gamma0 > 1e-300) || gamma0 <= 1e-24 * mean * mean) {
    throw new Error('dieboldMariano: the loss differences do not vary (the two losses differ by the same amount every day), so the test is undefined.');
  }
  let longRunVariance = gamma0;
  for (let k = 1; k <= lags; k++) longRunVariance += 2 * (weights === 'bartlett' ? 1 - k / (lags + 1) : 1) * autocovariance(k);
  if (!(longRunVariance > 0)) {
    throw new Error(`dieboldMariano: the estimated long-run variance is ${longRunVariance} (negative autocovariances); pass weights: 'bartlett', which keeps it positive.`);
  }
  const uncorrectedStatistic = mean / Math.sqrt(longRunVariance / n);
  const statistic = uncorrectedStatistic * Math.sqrt(correctionSquared);
  const degreesOfFreedom = n - 1;
  return {
    meanDifference: mean,
    statistic,
    uncorrectedStatistic,
    pValue: studentTTwoSidedPValue(statistic, degreesOfFreedom),
    longRunVariance,
    degreesOfFreedom,
    days: n,
    horizon,
    lags,
  };
}
