/**
 * Gradient clipping by global norm (chapter 5), shared by the Trainer's
 * `clipNorm` and the DQN agent's `gradientClipNorm` (chapter 9).
 */
import { tf } from '../backend/tf';
import type { NamedTensorMap, Scalar, Tensor } from '@tensorflow/tfjs';

/** What `clipByGlobalNorm` returns (chapter 5). */
export interface ClippedGradients {
  /** The gradients, scaled by `maxNorm / max(globalNorm, maxNorm)` (unchanged when the norm is within bounds or `maxNorm` is null). */
  gradients: NamedTensorMap;
  /** The global norm before clipping: the square root of the sum of every gradient's squared entries. */
  globalNorm: Scalar;
}

/**
 * Throws unless `value` is a positive finite number, the one bound on a
 * gradient norm that clipping accepts (chapter 5). `name` says whose value it
 * is (`'Trainer: clipNorm'`), `turnOff` how to ask for no clipping instead
 * (`'leave it out'`). The Trainer calls it when it is built, so a bad
 * `clipNorm` fails before any training; `clipByGlobalNorm` on every call.
 */
export function checkClipNorm(value: number, name: string, turnOff: string): void {
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
    throw new Error(`${name} must be a positive finite number (${turnOff} for no clipping), got ${String(value)}.`);
  }
}

/**
 * Rescales a set of gradients so that their global norm (all of them taken
 * as one long vector) is at most `maxNorm` (chapter 5), as
 * `tf.clip_by_global_norm` and PyTorch's `clip_grad_norm_` do: the direction
 * of the update is kept, only its length is capped. `maxNorm` null computes
 * the norm and leaves the gradients as they are. Call it inside `tf.tidy`:
 * the results are new tensors.
 */
export function clipByGlobalNorm(gradients: NamedTensorMap, maxNorm: number | null): ClippedGradients {
  const names = Object.keys(gradients);
  const { globalNorm, scale } = globalNormScale(names.map((name) => gradients[name] as Tensor), maxNorm);
  if (scale === null) return { gradients, globalNorm };
  const clipped: NamedTensorMap = {};
  for (const name of names) clipped[name] = tf.mul(gradients[name] as Tensor, scale);
  return { gradients: clipped, globalNorm };
}

/**
 * The global norm of `gradients` and the factor `clipByGlobalNorm` multiplies
 * them by (chapter 5): exactly 1 when the norm is within `maxNorm`,
 * `maxNorm / norm` otherwise; null when `maxNorm` is null (no clipping). For
 * an optimiser that scales the gradients itself (the DQN agent's, chapter 9).
 */
export function globalNormScale(gradients: Tensor[], maxNorm: number | null): { globalNorm: Scalar; scale: Scalar | null } {
  if (maxNorm !== null) checkClipNorm(maxNorm, 'clipByGlobalNorm: maxNorm', 'or null');
  if (gradients.length === 0) throw new Error('clipByGlobalNorm: no gradients to clip; are any variables trainable?');
  const globalNorm = tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g))))) as Scalar;
  if (maxNorm === null) return { globalNorm, scale: null };
  // Exactly 1 when the norm is within bounds, maxNorm / norm otherwise.
  return { globalNorm, scale: tf.div(maxNorm, tf.maximum(globalNorm, maxNorm)) as Scalar };
}
