/** Adam over all of the DQN's variables at once (chapter 9): the accelerator's optimiser, bit for bit `tf.train.adam`. */
import { tf } from '../backend/tf';
import type { Tensor } from '../backend/tf';
import type { AdamOptimizer, Optimizer, Variable } from '@tensorflow/tfjs';

/**
 * Adam (Kingma and Ba 2015) with tfjs' defaults over one flat vector: tfjs' fourteen element-wise operations run
 * once for all weights and biases instead of once per variable; the same float32 operations per entry.
 */
export class FlatAdam {
  private readonly variables: Variable[];
  private readonly sizes: number[];
  private readonly firstMoment: Variable;
  private readonly secondMoment: Variable;
  private readonly accumulatedBeta1: Variable;
  private readonly accumulatedBeta2: Variable;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly learningRate: number;

  /** Adam for `variables` with tfjs' `tf.train.adam(learningRate)` settings (its epsilon is the backend's). */
  constructor(variables: Variable[], learningRate: number) {
    if (variables.length === 0) throw new Error('FlatAdam: no variables to train.');
    this.variables = variables;
    this.sizes = variables.map((v) => v.size);
    // The same hyperparameters tfjs would use: read them off its own optimiser, then free it.
    const reference = tf.train.adam(learningRate) as AdamOptimizer & { beta1: number; beta2: number; epsilon: number; learningRate: number };
    ({ beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, learningRate: this.learningRate } = reference);
    reference.dispose();
    const total = this.sizes.reduce((a, b) => a + b, 0);
    [this.firstMoment, this.secondMoment, this.accumulatedBeta1, this.accumulatedBeta2] = tf.tidy(() => [
      tf.variable(tf.zeros([total]), false),
      tf.variable(tf.zeros([total]), false),
      tf.variable(tf.scalar(this.beta1), false),
      tf.variable(tf.scalar(this.beta2), false),
    ]);
  }

  /** One Adam step with `gradients` named as `tf.train.adam`'s `applyGradients` takes them. */
  applyGradients(gradients: Parameters<Optimizer['applyGradients']>[0]): void {
    const named = Array.isArray(gradients) ? Object.fromEntries(gradients.map((g) => [g.name, g.tensor])) : gradients;
    const ordered = this.variables.map((v) => named[v.name]);
    if (ordered.some((g) => g === undefined) || Object.keys(named).length !== ordered.length) {
      throw new Error(`FlatAdam: expected one gradient for each of ${this.variables.map((v) => v.name).join(', ')}.`);
    }
    tf.tidy(() => {
      const oneMinusAccumulatedBeta1 = tf.sub(1, this.accumulatedBeta1);
      const oneMinusAccumulatedBeta2 = tf.sub(1, this.accumulatedBeta2);
      const gradient = tf.concat(ordered.map((g) => tf.reshape(g as Tensor, [-1])));
      const value = tf.concat(this.variables.map((v) => tf.reshape(v, [-1])));
      // tfjs' AdamOptimizer.applyGradients, operation for operation.
      const newFirstMoment = tf.add(tf.mul(this.firstMoment, this.beta1), tf.mul(gradient, 1 - this.beta1));
      const newSecondMoment = tf.add(tf.mul(this.secondMoment, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2));
      const biasCorrectedFirstMoment = tf.div(newFirstMoment, oneMinusAccumulatedBeta1);
      const biasCorrectedSecondMoment = tf.div(newSecondMoment, oneMinusAccumulatedBeta2);
      this.firstMoment.assign(newFirstMoment);
      this.secondMoment.assign(newSecondMoment);
      const newValue = tf.add(tf.mul(tf.div(biasCorrectedFirstMoment, tf.add(tf.sqrt(biasCorrectedSecondMoment), this.epsilon)), -this.learningRate), value);
      // One slice per variable (tf.split's wasm kernel copies the whole vector out for each part).
      let offset = 0;
      this.variables.forEach((v, i) => {
        const size = this.sizes[i] as number;
        v.assign(tf.reshape(tf.slice(newValue, offset, size), v.shape));
        offset += size;
      });
      this.accumulatedBeta1.assign(tf.mul(this.accumulatedBeta1, this.beta1));
      this.accumulatedBeta2.assign(tf.mul(this.accumulatedBeta2, this.beta2));
    });
  }

  /** Frees the moments. */
  dispose(): void {
    tf.dispose([this.firstMoment, this.secondMoment, this.accumulatedBeta1, this.accumulatedBeta2]);
  }
}
