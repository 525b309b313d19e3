/**
 * What the model builders share (chapters 5 and 7): the activation names they
 * accept, batch normalisation's momentum, seeded initialisers (through
 * `nextSeed()`, so the same `seed(n)` gives the same starting weights) and
 * the check of their size arguments.
 */
import { tf } from '../backend/tf';
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import { nextSeed } from '../util/random';

/** The activations the builders accept (chapter 5). */
export type LayerActivationName = 'relu' | 'tanh' | 'sigmoid' | 'elu' | 'selu' | 'gelu' | 'linear' | 'softmax' | 'swish';

/**
 * Momentum of the running mean and variance that batch normalisation uses at
 * inference (chapter 7): 0.9, PyTorch's default, rather than Keras' 0.99, so
 * that the statistics catch up within the few hundred steps of a book-sized
 * run (with 0.99 they still remember the initial 0 and 1 after 100 steps).
 */
export const BATCH_NORM_MOMENTUM = 0.9;

/** Seeded He-normal initialiser, the usual choice before ReLU (chapter 5). */
export function heNormal(): ReturnType<typeof tf.initializers.heNormal> {
  return tf.initializers.heNormal({ seed: nextSeed() });
}

/** Seeded Glorot-uniform initialiser, the Keras default (chapter 5). */
export function glorotUniform(): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: nextSeed() });
}

/** Throws a clear error unless every value is a positive integer, e.g. layer sizes (chapter 5). */
export function checkPositiveIntegers(what: string, values: number[]): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${what} must be positive integers, got [${values.join(', ')}].`);
  }
}

/** The number of weights in some variables: what `countParams()` of a custom model returns (chapters 6, 11, 12). */
export function countVariables(variables: readonly Variable[]): number {
  return variables.reduce((n, v) => n + v.size, 0);
}

/** The mean cross-entropy of integer labels under raw scores `[..., classes]` (chapter 6). */
export function crossEntropyFromLogits(logits: Tensor, labels: Tensor): Scalar {
  const classes = logits.shape[logits.rank - 1] as number;
  const picked = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(tf.cast(labels.flatten(), 'int32'), classes)), -1);
  return tf.neg(tf.mean(picked)) as Scalar;
}

/** A variable holding `make()`'s tensor; the tensor itself is disposed (a variable keeps its own copy) (chapter 6). */
export function variableOf(make: () => Tensor): Variable {
  return tf.tidy(() => tf.variable(make()));
}
