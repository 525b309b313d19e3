/**
 * Optimisers from scratch (chapter 4), following TensorFlow.js' update rules so their steps can be checked against
 * `tf.train.*`. `step` updates the parameters in place; state is kept by position, so keep the order.
 */
import { Matrix } from './matrix';
import { ParameterUpdater } from './network';

function checkLists(parameters: Matrix[], gradients: Matrix[], what: string): void {
  if (parameters.length !== gradients.length) {
    throw new Error(`${what}.step: ${parameters.length} parameters but ${gradients.length} gradients; give one gradient per parameter, in the same order.`);
  }
  parameters.forEach((parameter, i) => {
    const gradient = gradients[i]!;
    if (gradient.rows !== parameter.rows || gradient.cols !== parameter.cols) {
      throw new Error(
        `${what}.step: parameter ${i} is ${parameter.rows}×${parameter.cols} but its gradient is ${gradient.rows}×${gradient.cols}; they must match.`,
      );
    }
  });
}

function checkState(state: Matrix[], parameters: Matrix[], what: string): void {
  if (state.length !== parameters.length || state.some((s, i) => s.rows !== parameters[i]!.rows || s.cols !== parameters[i]!.cols)) {
    throw new Error(`${what}.step: the parameter list changed shape since the first step; use one optimiser per parameter list (or call reset()).`);
  }
}

function checkLearningRate(learningRate: number, what: string): void {
  if (!Number.isFinite(learningRate) || learningRate <= 0) {
    throw new Error(`${what}: the learning rate must be a positive number, got ${learningRate}.`);
  }
}

/** Gradient descent θ ← θ − α·g (on mini-batch gradients, SGD: `tf.train.sgd(α)`). */
export class GradientDescentOptimizer implements ParameterUpdater {
  constructor(readonly learningRate: number) {
    checkLearningRate(learningRate, 'GradientDescentOptimizer');
  }

  step(parameters: Matrix[], gradients: Matrix[]): void {
    checkLists(parameters, gradients, 'GradientDescentOptimizer');
    parameters.forEach((parameter, i) => {
      const g = gradients[i]!.data;
      for (let k = 0; k < parameter.data.length; k++) parameter.data[k]! -= this.learningRate * g[k]!;
    });
  }

  reset(): void {}
}

/** Momentum as `tf.train.momentum(α, μ)`: v ← μ·v + g, θ ← θ − α·v, v starting at 0. */
export class MomentumOptimizer implements ParameterUpdater {
  private velocities: Matrix[] = [];

  constructor(readonly learningRate: number, readonly momentum = 0.9) {
    checkLearningRate(learningRate, 'MomentumOptimizer');
    if (!(momentum >= 0 && momentum < 1)) throw new Error(`MomentumOptimizer: momentum must be in [0, 1), got ${momentum}.`);
  }

  step(parameters: Matrix[], gradients: Matrix[]): void {
    checkLists(parameters, gradients, 'MomentumOptimizer');
    if (this.velocities.length === 0) this.velocities = parameters.map((p) => Matrix.zeros(p.rows, p.cols));
    checkState(this.velocities, parameters, 'MomentumOptimizer');
    parameters.forEach((parameter, i) => {
      const v = this.velocities[i]!.data;
      const g = gradients[i]!.data;
      for (let k = 0; k < parameter.data.length; k++) {
        v[k] = this.momentum * v[k]! + g[k]!;
        parameter.data[k]! -= this.learningRate * v[k]!;
      }
    });
  }

  /** Forgets the velocities. */
  reset(): void {
    this.velocities = [];
  }
}

/**
 * Adam as `tf.train.adam(α, β₁, β₂, ε)`, at step t = 1, 2, ...:
 *   m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²,   θ ← θ − α · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
 * ε after the square root (the paper's Algorithm 1), default 1e-7 as tfjs. β₁ᵗ, β₂ᵗ are running products; tfjs keeps
 * them in float32, about 1e-5 off exact Adam early on: `{ float32BiasCorrection: true }` rounds them as tfjs does.
 */
export class AdamOptimizer implements ParameterUpdater {
  private firstMoments: Matrix[] = [];
  private secondMoments: Matrix[] = [];
  private stepCount = 0;
  private beta1Power = 1;
  private beta2Power = 1;
  private readonly float32BiasCorrection: boolean;

  constructor(
    readonly learningRate = 0.001,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-7,
    options: { float32BiasCorrection?: boolean } = {},
  ) {
    this.float32BiasCorrection = options.float32BiasCorrection ?? false;
    checkLearningRate(learningRate, 'AdamOptimizer');
    for (const [name, value] of [['beta1', beta1], ['beta2', beta2]] as const) {
      if (!(value >= 0 && value < 1)) throw new Error(`AdamOptimizer: ${name} must be in [0, 1), got ${value}.`);
    }
    if (!(epsilon > 0)) throw new Error(`AdamOptimizer: epsilon must be positive, got ${epsilon}.`);
  }

  /** How many steps have been taken: t in the bias correction. */
  get iterations(): number {
    return this.stepCount;
  }

  step(parameters: Matrix[], gradients: Matrix[]): void {
    checkLists(parameters, gradients, 'AdamOptimizer');
    if (this.firstMoments.length === 0) {
      this.firstMoments = parameters.map((p) => Matrix.zeros(p.rows, p.cols));
      this.secondMoments = parameters.map((p) => Matrix.zeros(p.rows, p.cols));
    }
    checkState(this.firstMoments, parameters, 'AdamOptimizer');
    this.stepCount += 1;
    const round = this.float32BiasCorrection ? Math.fround : (value: number) => value;
    // β^t as a running product, as tfjs keeps it (starting from 1, the first product is β itself).
    this.beta1Power = round(this.beta1Power * round(this.beta1));
    this.beta2Power = round(this.beta2Power * round(this.beta2));
    const firstCorrection = 1 - this.beta1Power;
    const secondCorrection = 1 - this.beta2Power;
    parameters.forEach((parameter, i) => {
      const m = this.firstMoments[i]!.data;
      const v = this.secondMoments[i]!.data;
      const g = gradients[i]!.data;
      for (let k = 0; k < parameter.data.length; k++) {
        m[k] = this.beta1 * m[k]! + (1 - this.beta1) * g[k]!;
        v[k] = this.beta2 * v[k]! + (1 - this.beta2) * g[k]! * g[k]!;
        const correctedFirst = m[k]! / firstCorrection;
        const correctedSecond = v[k]! / secondCorrection;
        parameter.data[k]! -= (this.learningRate * correctedFirst) / (Math.sqrt(correctedSecond) + this.epsilon);
      }
    });
  }

  /** Forgets the moments and the step count. */
  reset(): void {
    this.firstMoments = [];
    this.secondMoments = [];
    this.stepCount = 0;
    this.beta1Power = 1;
    this.beta2Power = 1;
  }
}
