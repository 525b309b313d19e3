/**
 * DP-SGD from scratch (chapter 12; Abadi et al. 2016): per-example gradients clipped to L2 norm `clipNorm`, summed,
 * plus Gaussian noise of standard deviation `noiseMultiplier * clipNorm`; batches by Poisson sampling, as the accountant assumes.
 */
import { tf } from '../backend/tf';
import { meanOf } from '../util/statistics';
import type { NamedTensorMap, Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import { clipByGlobalNorm } from '../train/gradient-clip';
import { nextSeed, rng, type Random } from '../util/random';

/** The loss of one example, `x` of shape [1, ...] and `y` of shape [1, ...]. */
export type ExampleLoss = (x: Tensor, y: Tensor) => Scalar;

export interface DpSgdOptions {
  learningRate: number;
  /** Largest L2 norm an example's gradient (all variables together) may keep; Infinity turns clipping off. */
  clipNorm: number;
  /** Noise standard deviation as a multiple of `clipNorm` (σ); 0 adds no noise. */
  noiseMultiplier: number;
  /**
   * The expected batch size q·n: the noisy sum is divided by it rather than the actual size (Abadi et al.; Opacus'
   * `expected_batch_size`), so an empty batch is a step of noise alone. Without it an empty batch is refused.
   */
  expectedBatchSize?: number;
}

export interface DpSgdStepResult {
  /** The gradient norm of each example before clipping. */
  gradientNorms: number[];
  /** How many examples were clipped. */
  clipped: number;
  /** The mean loss of the batch before the update (NaN for an empty batch). */
  loss: number;
  batchSize: number;
}

function checkOptions(options: DpSgdOptions): void {
  if (!(options.learningRate > 0 && Number.isFinite(options.learningRate))) {
    throw new Error(`dpSgdStep: learningRate must be a positive number, got ${options.learningRate}.`);
  }
  if (!(options.clipNorm > 0)) throw new Error(`dpSgdStep: clipNorm must be positive (Infinity turns clipping off), got ${options.clipNorm}.`);
  if (!(options.noiseMultiplier >= 0 && Number.isFinite(options.noiseMultiplier))) {
    throw new Error(`dpSgdStep: noiseMultiplier must be a non-negative number, got ${options.noiseMultiplier}.`);
  }
  if (options.noiseMultiplier > 0 && !Number.isFinite(options.clipNorm)) {
    throw new Error('dpSgdStep: noise needs a finite clipNorm (the noise scale is noiseMultiplier * clipNorm); set clipNorm or noiseMultiplier 0.');
  }
  const expected = options.expectedBatchSize;
  if (expected !== undefined && !(expected > 0 && Number.isFinite(expected))) {
    throw new Error(`dpSgdStep: expectedBatchSize must be a positive number (sampling rate × dataset size), got ${expected}.`);
  }
}

/**
 * Poisson sampling of a batch: each example joins with probability q (size Binomial(count, q), maybe 0), as the RDP
 * accountant assumes (shuffled fixed batches can leak more, Chua et al. 2024). Sorted indices, from `generator`.
 */
export function poissonSample(count: number, samplingRate: number, generator: Random = rng()): Int32Array {
  if (!(Number.isInteger(count) && count >= 0)) throw new Error(`poissonSample: count must be a non-negative integer (the dataset size), got ${count}.`);
  if (!(samplingRate >= 0 && samplingRate <= 1)) {
    throw new Error(`poissonSample: samplingRate must be in [0, 1] (expected batch size / dataset size), got ${samplingRate}.`);
  }
  const chosen: number[] = [];
  for (let i = 0; i < count; i++) if (generator.next() < samplingRate) chosen.push(i);
  return Int32Array.from(chosen);
}

/** Each example's gradients by variable, clipped to `clipNorm` (null: not), and its norm before; caller disposes. */
export function perExampleGradients(loss: ExampleLoss, variables: Variable[], x: Tensor, y: Tensor, clipNorm: number | null = null): { gradients: NamedTensorMap[]; norms: number[]; losses: number[] } {
  const n = x.shape[0] as number;
  if (y.shape[0] !== n) throw new Error(`perExampleGradients: x has ${n} examples but y has ${y.shape[0]}; give one label per example.`);
  if (variables.length === 0) throw new Error("perExampleGradients: no variables to differentiate; pass the model's trainable variables.");
  const gradients: NamedTensorMap[] = [];
  const norms: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i < n; i++) {
    const { value, clipped, norm } = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => loss(x.slice(i, 1), y.slice(i, 1)), variables);
      const result = clipByGlobalNorm(grads, clipNorm);
      return { value, clipped: result.gradients, norm: result.globalNorm };
    });
    losses.push(value.dataSync()[0] as number);
    norms.push(norm.dataSync()[0] as number);
    tf.dispose([value, norm]);
    gradients.push(clipped);
  }
  return { gradients, norms, losses };
}

/**
 * One DP-SGD step: clipped per-example gradients summed, plus N(0, (σ·C)²) per coordinate, divided by the batch size
 * (or `expectedBatchSize`), v ← v − η · noisy mean. Noise from the seeded generator: a deployment needs a secure source.
 */
export function dpSgdStep(loss: ExampleLoss, variables: Variable[], x: Tensor, y: Tensor, options: DpSgdOptions): DpSgdStepResult {
  checkOptions(options);
  const n = x.shape[0] as number;
  if (!(n > 0) && options.expectedBatchSize === undefined) {
    throw new Error('dpSgdStep: the batch is empty; with Poisson sampling (poissonSample) pass expectedBatchSize, and an empty batch is a noise-only step.');
  }
  const denominator = options.expectedBatchSize ?? n;
  const clipNorm = Number.isFinite(options.clipNorm) ? options.clipNorm : null;
  const { gradients, norms: gradientNorms, losses } = perExampleGradients(loss, variables, x, y, clipNorm);
  const noiseScale = options.noiseMultiplier * (clipNorm ?? 0);
  tf.tidy(() => {
    for (const v of variables) {
      const sum = gradients.length > 0 ? tf.addN(gradients.map((g) => g[v.name] as Tensor)) : tf.zerosLike(v);
      const noisy = noiseScale > 0 ? tf.add(sum, tf.randomNormal(v.shape, 0, noiseScale, 'float32', nextSeed())) : sum;
      v.assign(tf.sub(v, tf.mul(noisy, options.learningRate / denominator)));
    }
  });
  for (const g of gradients) tf.dispose(Object.values(g));
  return { gradientNorms, clipped: gradientNorms.filter((g) => g > options.clipNorm).length, loss: meanOf(losses), batchSize: n };
}
