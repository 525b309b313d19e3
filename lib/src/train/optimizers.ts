/** Optimisers for the Trainer (chapter 5), made by name, their learning rate read and changed in place. */
import { tf } from '../backend/tf';
import type { Optimizer } from '@tensorflow/tfjs';
import { JoinedAdam } from './joined-adam';

export type OptimizerName = 'adam' | 'sgd' | 'momentum' | 'rmsprop';

/** A tf.train optimiser by name with the Trainer's default learning rate; 'adam' is `JoinedAdam`. */
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

/** The learning rate an optimiser uses now. */
export function getLearningRate(optimizer: Optimizer): number {
  return (optimizer as unknown as { learningRate: number }).learningRate;
}

/** Changes an optimiser's learning rate in place. */
export function setLearningRate(optimizer: Optimizer, learningRate: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (value: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(learningRate);
  else o.learningRate = learningRate;
}
