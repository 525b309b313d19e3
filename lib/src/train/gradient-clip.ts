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
 * Rescales a set of gradients so that their global norm (all of them taken
 * as one long vector) is at most `maxNorm` (chapter 5), as
 * `tf.clip_by_global_norm` and PyTorch's `clip_grad_norm_` do: the direction
 * of the update is kept, only its length is capped. `maxNorm` null computes
 * the norm and leaves the gradients as they are. Call it inside `tf.tidy`:
 * the results are new tensors.
 */
export function clipByGlobalNorm(gradients: NamedTensorMap, maxNorm: number | null): ClippedGradients {
  if (maxNorm !== null && !(typeof maxNorm === 'number' && maxNorm > 0 && Number.isFinite(maxNorm))) {
    throw new Error(`clipByGlobalNorm: maxNorm must be a positive finite number (or null for no clipping), got ${String(maxNorm)}.`);
  }
  const names = Object.keys(gradients);
  if (names.length === 0) throw new Error('clipByGlobalNorm: no gradients to clip; are any variables trainable?');
  const globalNorm = tf.sqrt(tf.addN(names.map((name) => tf.sum(tf.square(gradients[name] as Tensor))))) as Scalar;
  if (maxNorm === null) return { gradients, globalNorm };
  // Exactly 1 when the norm is within bounds, maxNorm / norm otherwise.
  const scale = tf.div(maxNorm, tf.maximum(globalNorm, maxNorm));
  const clipped: NamedTensorMap = {};
  for (const name of names) clipped[name] = tf.mul(gradients[name] as Tensor, scale);
  return { gradients: clipped, globalNorm };
}
