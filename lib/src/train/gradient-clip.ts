/** Gradient clipping by global norm (chapter 5), for the Trainer's `clipNorm` and the DQN's `gradientClipNorm`. */
import { tf } from '../backend/tf';
import type { NamedTensorMap, Scalar, Tensor } from '@tensorflow/tfjs';

export interface ClippedGradients {
  /** The gradients, scaled by `maxNorm / max(globalNorm, maxNorm)` (unchanged when the norm is within bounds or `maxNorm` is null). */
  gradients: NamedTensorMap;
  /** The global norm before clipping: the square root of the sum of every gradient's squared entries. */
  globalNorm: Scalar;
}

/** Throws unless `value` is a positive finite norm; `name` says whose, `turnOff` how to ask for no clipping. */
export function checkClipNorm(value: number, name: string, turnOff: string): void {
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
    throw new Error(`${name} must be a positive finite number (${turnOff} for no clipping), got ${String(value)}.`);
  }
}

/** Scales gradients to a global norm ≤ `maxNorm` (PyTorch's `clip_grad_norm_`); null: only the norm. Inside a tidy. */
export function clipByGlobalNorm(gradients: NamedTensorMap, maxNorm: number | null): ClippedGradients {
  const names = Object.keys(gradients);
  const { globalNorm, scale } = globalNormScale(names.map((name) => gradients[name] as Tensor), maxNorm);
  if (scale === null) return { gradients, globalNorm };
  const clipped: NamedTensorMap = {};
  for (const name of names) clipped[name] = tf.mul(gradients[name] as Tensor, scale);
  return { gradients: clipped, globalNorm };
}

/** The global norm and the factor `clipByGlobalNorm` applies (1 within `maxNorm`, else `maxNorm / norm`; null without clipping). */
export function globalNormScale(gradients: Tensor[], maxNorm: number | null): { globalNorm: Scalar; scale: Scalar | null } {
  if (maxNorm !== null) checkClipNorm(maxNorm, 'clipByGlobalNorm: maxNorm', 'or null');
  if (gradients.length === 0) throw new Error('clipByGlobalNorm: no gradients to clip; are any variables trainable?');
  const globalNorm = tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g))))) as Scalar;
  if (maxNorm === null) return { globalNorm, scale: null };
  // Exactly 1 when the norm is within bounds, maxNorm / norm otherwise.
  return { globalNorm, scale: tf.div(maxNorm, tf.maximum(globalNorm, maxNorm)) as Scalar };
}
