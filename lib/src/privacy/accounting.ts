/**
 * DP-SGD's privacy accounting (chapter 12): the RDP accountant of the subsampled Gaussian mechanism (Mironov 2017;
 * Mironov, Talwar and Zhang 2019) at integer orders, converted to (ε, δ). Plain numbers.
 */

/** The orders α at which the accountant evaluates RDP by default: integers 2-256. */
export const DEFAULT_RDP_ORDERS: readonly number[] = [
  ...Array.from({ length: 63 }, (_, i) => i + 2), 72, 80, 96, 128, 160, 192, 256,
];

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const high = Math.max(a, b);
  return high + Math.log1p(Math.exp(Math.min(a, b) - high));
}

function logBinomial(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log(n - k + i) - Math.log(i);
  return sum;
}

/**
 * RDP of one sampled Gaussian step at integer order α ≥ 2 (sampling rate q, noise N(0, (σC)²)), in log space:
 *   ε(α) = 1/(α−1) · log Σ_{k=0}^{α} C(α,k) (1−q)^{α−k} q^k exp((k²−k) / (2σ²))
 * (Mironov, Talwar and Zhang 2019, 3.3); q = 1 gives the Gaussian mechanism's α / (2σ²).
 */
export function sampledGaussianRdp(samplingRate: number, noiseMultiplier: number, order: number): number {
  if (!(samplingRate >= 0 && samplingRate <= 1)) throw new Error(`sampledGaussianRdp: samplingRate must be in [0, 1] (batch size / dataset size), got ${samplingRate}.`);
  if (!(noiseMultiplier > 0 && Number.isFinite(noiseMultiplier))) throw new Error(`sampledGaussianRdp: noiseMultiplier must be positive; with no noise there is no privacy guarantee (got ${noiseMultiplier}).`);
  if (!(Number.isInteger(order) && order >= 2)) throw new Error(`sampledGaussianRdp: order must be an integer >= 2, got ${order}.`);
  if (samplingRate === 0) return 0;
  if (samplingRate === 1) return order / (2 * noiseMultiplier ** 2);
  let logSum = -Infinity;
  for (let k = 0; k <= order; k++) {
    const term = logBinomial(order, k) + (order - k) * Math.log1p(-samplingRate) + k * Math.log(samplingRate) + (k * k - k) / (2 * noiseMultiplier ** 2);
    logSum = logAdd(logSum, term);
  }
  return logSum / (order - 1);
}

/** The (ε, δ) guarantee of a DP-SGD run and how it was found. */
export interface PrivacyGuarantee {
  epsilon: number;
  delta: number;
  /** The Rényi order that gave the smallest ε. */
  order: number;
  steps: number;
  samplingRate: number;
  noiseMultiplier: number;
  method: string;
}

/**
 * ε for δ after `steps` Poisson-sampled DP-SGD steps (rate q, noise σ): RDP adds over steps, and (α, ε_RDP) implies
 * (ε_RDP + log(1/δ)/(α−1), δ)-DP (Mironov 2017, prop. 3); the smallest over the orders.
 */
export function dpSgdEpsilon(options: { samplingRate: number; noiseMultiplier: number; steps: number; delta: number; orders?: readonly number[] }): PrivacyGuarantee {
  const { samplingRate, noiseMultiplier, steps, delta } = options;
  if (!(Number.isInteger(steps) && steps >= 0)) throw new Error(`dpSgdEpsilon: steps must be a non-negative integer, got ${steps}.`);
  if (!(delta > 0 && delta < 1)) throw new Error(`dpSgdEpsilon: delta must be in (0, 1), typically below 1 / dataset size; got ${delta}.`);
  const orders = options.orders ?? DEFAULT_RDP_ORDERS;
  if (orders.length === 0) throw new Error('dpSgdEpsilon: give at least one order.');
  let best = { epsilon: Infinity, order: orders[0] as number };
  for (const order of orders) {
    const epsilon = steps * sampledGaussianRdp(samplingRate, noiseMultiplier, order) + Math.log(1 / delta) / (order - 1);
    if (epsilon < best.epsilon) best = { epsilon, order };
  }
  return {
    ...best, delta, steps, samplingRate, noiseMultiplier,
    method: 'RDP accountant of the subsampled Gaussian mechanism (Mironov, Talwar & Zhang 2019), integer orders, converted by ε = ε_RDP + log(1/δ)/(α−1)',
  };
}
