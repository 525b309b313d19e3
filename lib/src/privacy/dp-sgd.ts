/**
 * Differentially private stochastic gradient descent from scratch (chapter 12;
 * Abadi et al. 2016): each example's gradient is computed on its own, clipped
 * to an L2 norm of at most `clipNorm`, the clipped gradients are summed, and
 * Gaussian noise of standard deviation `noiseMultiplier * clipNorm` is added
 * before the average is applied. Clipping bounds how much one example can move
 * the model; the noise hides whatever is left. Batches are drawn by Poisson
 * sampling, the sampling the privacy accountant assumes.
 */
import { tf } from '../backend/tf';
import type { NamedTensorMap, Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import { clipByGlobalNorm } from '../train/gradient-clip';
import { nextSeed, rng, type Random } from '../util/random';

/** The loss of one example, `x` of shape [1, ...] and `y` of shape [1, ...] (chapter 12). */
export type ExampleLoss = (x: Tensor, y: Tensor) => Scalar;

/** Options of one DP-SGD step (chapter 12). */
export interface DpSgdOptions {
  /** Step size of the update. */
  learningRate: number;
  /** Largest L2 norm an example's gradient (all variables together) may keep; Infinity turns clipping off. */
  clipNorm: number;
  /** Noise standard deviation as a multiple of `clipNorm` (σ); 0 adds no noise. */
  noiseMultiplier: number;
  /**
   * The expected batch size q·n of Poisson sampling (`poissonSample`). When
   * given, the noisy sum is divided by it rather than by the batch's actual
   * size (Abadi et al. 2016; Opacus's `expected_batch_size`), so the noise
   * scale does not depend on how many examples were drawn, and an empty batch
   * is a step too: the update is the noise alone. Without it the sum is
   * divided by the actual size and an empty batch is refused.
   */
  expectedBatchSize?: number;
}

/** What one DP-SGD step did (chapter 12). */
export interface DpSgdStepResult {
  /** The gradient norm of each example before clipping. */
  gradientNorms: number[];
  /** How many examples were clipped. */
  clipped: number;
  /** The mean loss of the batch before the update (NaN for an empty batch). */
  loss: number;
  /** How many examples the batch held. */
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
 * Poisson sampling of one DP-SGD batch (chapter 12): each of the `count`
 * examples joins the batch independently with probability `samplingRate` q,
 * so the batch size is Binomial(count, q), q·count on average, and can be 0.
 * This is the sampling the RDP accountant (`dpSgdEpsilon`) assumes; shuffling
 * and cutting fixed batches is a different mechanism, which can leak more
 * (Chua et al. 2024). Returns the chosen indices in increasing order. Draws
 * from `generator`, by default dlkit's seeded generator.
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

/**
 * The gradient of each example separately (chapter 12): one map from variable
 * name to gradient per example, each clipped by `clipByGlobalNorm` (the
 * Trainer's clipping, chapter 5) to `clipNorm` (null: not clipped), and each
 * example's norm before clipping. The caller disposes the gradients.
 */
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
 * One DP-SGD step on a batch (chapter 12): per-example gradients, each clipped
 * to `clipNorm`, summed, plus N(0, (σ·C)²) noise per coordinate, divided by the
 * batch size (`expectedBatchSize` when given), and `v ← v − η · noisy mean`.
 * With σ = 0 and no clipping it is plain minibatch SGD. Noise is drawn from
 * dlkit's seeded generator: reproducible, and predictable to anyone who knows
 * the seed, so a real deployment draws it from a cryptographically secure
 * source instead.
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
  const clipped = gradientNorms.filter((g) => g > options.clipNorm).length;
  return { gradientNorms, clipped, loss: n > 0 ? losses.reduce((s, v) => s + v, 0) / n : Number.NaN, batchSize: n };
}
