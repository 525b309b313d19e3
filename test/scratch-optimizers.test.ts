import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend, scratch, seed, tf, unseed } from 'dlkit';

const { GradientDescentOptimizer, largestStepDifference, Matrix } = scratch;
type Matrix = scratch.Matrix;
type ParameterUpdater = scratch.ParameterUpdater;

type TensorFlowOptimizer = InstanceType<typeof tf.Optimizer>;

/** Float32-representable values, so both sides start from exactly the same numbers. */
function float32Matrix(rows: number, cols: number): Matrix {
  return Matrix.randomNormal(rows, cols).map(Math.fround);
}

/**
 * Runs `steps` updates with the scratch optimiser and the tfjs one through
 * dlkit's `largestStepDifference` (the comparison chapter 4 prints), on three
 * parameter matrices and a gradient that depends on where the parameters are
 * (as in training) plus a fixed-pattern term; checks that no tensor is left.
 */
function compare(ours: ParameterUpdater, theirs: TensorFlowOptimizer, steps: number): number {
  const start = [float32Matrix(3, 2), float32Matrix(1, 2), float32Matrix(4, 1)];
  let step = 0;
  const gradient = (parameters: Matrix[]) => {
    const gradients = parameters.map((p, i) => p.map((v, r, c) => 0.8 * v + Math.sin(3 * step + 2 * r + c + i) * (1 + step % 3)));
    step++;
    return gradients;
  };
  const tensorsBefore = tf.memory().numTensors;
  const worst = largestStepDifference(ours, theirs, { start, gradient, steps });
  // tfjs' momentum optimiser keeps its learning-rate scalar after dispose() (tfjs 4.22): at most one tensor.
  assert.ok(tf.memory().numTensors - tensorsBefore <= 1, 'largestStepDifference frees its variables, gradients and the tfjs optimiser');
  return worst;
}

test('largestStepDifference sees a wrong learning rate, rejects bad input and frees every tensor', async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  seed(12);
  const right = compare(new GradientDescentOptimizer(0.05), tf.train.sgd(0.05), 20);
  const wrong = compare(new GradientDescentOptimizer(0.05), tf.train.sgd(0.06), 20);
  assert.ok(right < 1e-6, `the same optimiser agrees (${right})`);
  assert.ok(wrong > 1000 * Math.max(right, 1e-9), `a 20 % larger learning rate shows (${wrong} against ${right})`);
  const start = [float32Matrix(2, 1)];
  assert.throws(() => largestStepDifference(new GradientDescentOptimizer(0.1), tf.train.sgd(0.1), { start, gradient: () => [], steps: 3 }), /returned 0 matrices for 1 parameters/);
  assert.throws(() => largestStepDifference(new GradientDescentOptimizer(0.1), tf.train.sgd(0.1), { start, gradient: (p) => p, steps: 0 }), /steps must be a positive integer/);
  unseed();
});

test('scratch optimisers take the same steps as tf.train.sgd, momentum and adam (within 1e-6)', async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  seed(11);
  const checks: [string, ParameterUpdater, TensorFlowOptimizer][] = [
    ['sgd', new GradientDescentOptimizer(0.05), tf.train.sgd(0.05)],
    ['momentum', new scratch.MomentumOptimizer(0.05, 0.9), tf.train.momentum(0.05, 0.9)],
    ['adam defaults', new scratch.AdamOptimizer(), tf.train.adam()],
    ['adam', new scratch.AdamOptimizer(0.05, 0.8, 0.95, 1e-3), tf.train.adam(0.05, 0.8, 0.95, 1e-3)],
    ['adam, large rate, float32 bias correction', new scratch.AdamOptimizer(0.3, 0.9, 0.999, 1e-7, { float32BiasCorrection: true }), tf.train.adam(0.3)],
  ];
  for (const [name, ours, theirs] of checks) {
    const worst = compare(ours, theirs, 40);
    assert.ok(worst < 1e-6, `${name}: largest difference ${worst}`);
  }
  unseed();
});

test('Adam puts epsilon after the square root of the bias-corrected second moment', () => {
  // First step: m̂ = g, v̂ = g², so the step is α·g/(|g| + ε).
  const adam = new scratch.AdamOptimizer(0.1, 0.9, 0.999, 0.5);
  const parameter = Matrix.fromArray([[0]]);
  adam.step([parameter], [Matrix.fromArray([[2]])]);
  assert.ok(Math.abs(parameter.get(0, 0) - -0.1 * 2 / (2 + 0.5)) < 1e-15);
});

test('momentum accumulates v ← μv + g and steps θ ← θ − αv', () => {
  const momentum = new scratch.MomentumOptimizer(0.1, 0.5);
  const parameter = Matrix.fromArray([[1]]);
  momentum.step([parameter], [Matrix.fromArray([[1]])]); // v = 1, θ = 0.9
  momentum.step([parameter], [Matrix.fromArray([[1]])]); // v = 1.5, θ = 0.75
  assert.ok(Math.abs(parameter.get(0, 0) - 0.75) < 1e-15);
});

test('optimisers reject mismatched gradient lists and bad hyperparameters', () => {
  const sgd = new GradientDescentOptimizer(0.1);
  assert.throws(() => sgd.step([Matrix.zeros(2, 2)], []), /1 parameters but 0 gradients/);
  assert.throws(() => sgd.step([Matrix.zeros(2, 2)], [Matrix.zeros(2, 1)]), /parameter 0 is 2×2 but its gradient is 2×1/);
  assert.throws(() => new GradientDescentOptimizer(-1), /learning rate must be a positive number/);
  assert.throws(() => new scratch.MomentumOptimizer(0.1, 1), /momentum must be in \[0, 1\)/);
  const adam = new scratch.AdamOptimizer();
  adam.step([Matrix.zeros(2, 2)], [Matrix.zeros(2, 2)]);
  assert.throws(() => adam.step([Matrix.zeros(3, 2)], [Matrix.zeros(3, 2)]), /parameter list changed shape/);
});

test("tfjs' float32 bias correction is why exact Adam drifts from it at large learning rates", async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  seed(12);
  const exact = compare(new scratch.AdamOptimizer(0.3), tf.train.adam(0.3), 40);
  seed(12);
  const matched = compare(new scratch.AdamOptimizer(0.3, 0.9, 0.999, 1e-7, { float32BiasCorrection: true }), tf.train.adam(0.3), 40);
  assert.ok(matched < 1e-6, `matched ${matched}`);
  assert.ok(exact > matched, `exact ${exact} vs matched ${matched}`);
  assert.ok(exact < 1e-4, `exact Adam stays within the float32 error of tfjs' bias correction, got ${exact}`);
  unseed();
});
