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

/** The number of weights in some variables: what `countParams()` of a custom model returns. */
export function countVariables(variables: readonly Variable[]): number {
  return variables.reduce((n, v) => n + v.size, 0);
}

/** A variable holding `make()`'s tensor; the tensor itself is disposed (a variable keeps its own copy). */
export function variableOf(make: () => Tensor): Variable {
  return tf.tidy(() => tf.variable(make()));
}
