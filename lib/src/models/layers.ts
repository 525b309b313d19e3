/**
 * What the model builders share (chapters 5-7, 11-12): activation names, batch norm's momentum, seeded
 * initialisers (through `nextSeed()`), size checks, parameter counts and cross-entropy from logits.
 */
import { tf } from '../backend/tf';
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import { nextSeed } from '../util/random';

/** The activations the builders accept. */
export type LayerActivationName = 'relu' | 'tanh' | 'sigmoid' | 'elu' | 'selu' | 'gelu' | 'linear' | 'softmax' | 'swish';

/**
 * Batch norm's running-statistics momentum: 0.9 (PyTorch's) rather than Keras' 0.99, which after the 100
 * steps of a book-sized run still remembers the initial 0 and 1.
 */
export const BATCH_NORM_MOMENTUM = 0.9;

/** Seeded He-normal initialiser, the usual choice before ReLU. */
export function heNormal(): ReturnType<typeof tf.initializers.heNormal> {
  return tf.initializers.heNormal({ seed: nextSeed() });
}

/** Seeded Glorot-uniform initialiser, the Keras default. */
export function glorotUniform(): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: nextSeed() });
}

/** Throws a clear error unless every value is a positive integer, e.g. layer sizes. */
export function checkPositiveIntegers(what: string, values: number[]): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${what} must be positive integers, got [${values.join(', ')}].`);
  }
}

/** The number of weights in some variables: what `countParams()` of a custom model returns. */
export function countVariables(variables: readonly Variable[]): number {
  return variables.reduce((n, v) => n + v.size, 0);
}

/** The mean cross-entropy of integer labels under raw scores `[..., classes]`. */
export function crossEntropyFromLogits(logits: Tensor, labels: Tensor): Scalar {
  const classes = logits.shape[logits.rank - 1] as number;
  const picked = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(tf.cast(labels.flatten(), 'int32'), classes)), -1);
  return tf.neg(tf.mean(picked)) as Scalar;
}

/** A variable holding `make()`'s tensor; the tensor itself is disposed (a variable keeps its own copy). */
export function variableOf(make: () => Tensor): Variable {
  return tf.tidy(() => tf.variable(make()));
}
