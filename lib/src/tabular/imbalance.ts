/** Class imbalance (chapter 10): weights making both classes count alike, and the weighted binary cross-entropy. */
import { tf } from '../backend/tf';
import type { Scalar } from '@tensorflow/tfjs';
import type { LossFunction } from '../train/metrics';

/** Loss weights of the two classes of a 0/1 problem. */
export interface ClassWeights {
  /** Weight of a label-0 sample. */
  negative: number;
  /** Weight of a label-1 sample. */
  positive: number;
}

/** "Balanced" weights `n / (2 n_c)`: both classes carry the same total weight, the average weight is 1. */
export function balancedClassWeights(labels: ArrayLike<number>): ClassWeights {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    if (y !== 0 && y !== 1) throw new Error(`balancedClassWeights: label ${i} is ${y}; labels must be 0 or 1.`);
    positives += y;
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) throw new Error(`balancedClassWeights: only one class present (${positives} positives, ${negatives} negatives); both are needed.`);
  return { negative: labels.length / (2 * negatives), positive: labels.length / (2 * positives) };
}

/** Binary cross-entropy weighted by class, for the Trainer's `loss`; probabilities, or scores with `fromLogits`; mean over samples. */
export function weightedBinaryCrossentropy(weights: ClassWeights, fromLogits = false): LossFunction {
  if (!(weights.negative > 0 && weights.positive > 0)) throw new Error(`weightedBinaryCrossentropy: weights must be > 0, got ${JSON.stringify(weights)}.`);
  return (labels, outputs) =>
    tf.tidy(() => {
      const y = labels.toFloat().reshape(outputs.shape);
      const perSample = fromLogits
        ? tf.losses.sigmoidCrossEntropy(y, outputs, undefined, undefined, tf.Reduction.NONE)
        : tf.losses.logLoss(y, tf.clipByValue(outputs, 1e-7, 1 - 1e-7), undefined, 1e-7, tf.Reduction.NONE);
      const w = tf.add(tf.mul(y, weights.positive), tf.mul(tf.sub(1, y), weights.negative));
      return tf.mean(tf.mul(perSample, w)) as Scalar;
    });
}
