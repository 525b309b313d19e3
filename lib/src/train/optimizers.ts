/**
 * Optimisers for the Trainer (chapter 5): made by name, their learning rate
 * read and changed in place (clipping is in gradient-clip.ts; Adam over joined
 * variables in joined-adam.ts).
 */
import { tf } from '../backend/tf';
import type { Optimizer } from '@tensorflow/tfjs';
import { JoinedAdam } from './joined-adam';

/** The optimisers the Trainer makes by name (chapter 5). */
export type OptimizerName = 'adam' | 'sgd' | 'momentum' | 'rmsprop';

/**
 * A tf.train optimiser by name, with the Trainer's default learning rates (chapter 5). 'adam' is
 * `JoinedAdam`: tf.train.adam's arithmetic and checkpoint format, one step over the small variables joined.
 */
export function makeOptimizer(name: OptimizerName, learningRate?: number): Optimizer {
  switch (name) {
    case 'adam':
      return new JoinedAdam(learningRate ?? 0.001);
    case 'sgd':
      return tf.train.sgd(learningRate ?? 0.01);
    case 'momentum':
      return tf.train.momentum(learningRate ?? 0.01, 0.9);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate ?? 0.001);
    default:
      throw new Error(`Trainer: unknown optimizer "${String(name)}". Use adam, sgd, momentum, rmsprop, or pass a tf.train optimiser.`);
  }
}

/** The learning rate an optimiser uses now (chapter 5). */
export function getLearningRate(optimizer: Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

/** Changes an optimiser's learning rate in place (chapter 5). */
export function setLearningRate(optimizer: Optimizer, learningRate: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (value: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(learningRate);
  else o.learningRate = learningRate;
}
