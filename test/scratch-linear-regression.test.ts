import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scratch, seed, unseed } from 'dlkit';

const { articleGradient, fitLinearRegression, linearRegressionGradient, linearRegressionLoss, Matrix, normalEquation, solveLinearSystem } = scratch;
type Matrix = scratch.Matrix;

/** y = 2·x₁ − 3·x₂ + 0.5·x₃ + 4 exactly, on a small integer design. */
function exactProblem(): { inputs: Matrix; targets: Matrix } {
  const rows: number[][] = [];
  for (let a = -2; a <= 2; a++) for (let b = -1; b <= 1; b++) for (let c = 0; c <= 2; c++) rows.push([a, b + a * 0.5, c - b]);
  const inputs = Matrix.fromArray(rows);
  const targets = Matrix.fromArray(rows.map(([x1, x2, x3]) => 2 * x1! - 3 * x2! + 0.5 * x3! + 4));
  return { inputs, targets };
}

test('the normal equation recovers known exact coefficients', () => {
  const { inputs, targets } = exactProblem();
  const model = normalEquation(inputs, targets);
  [2, -3, 0.5].forEach((w, j) => assert.ok(Math.abs(model.weights.get(j, 0) - w) < 1e-12, `w${j} = ${model.weights.get(j, 0)}`));
  assert.ok(Math.abs(model.bias - 4) < 1e-12);
  assert.ok(linearRegressionLoss(inputs, targets, model) < 1e-25);
});

test('gradient descent with the correct gradient converges to the normal-equation solution', () => {
  const { inputs, targets } = exactProblem();
  const exact = normalEquation(inputs, targets);
  const result = fitLinearRegression(inputs, targets, { learningRate: 0.2, epochs: 3000 });
  assert.ok(!result.diverged);
  assert.ok(result.model.weights.maxAbsDifference(exact.weights) < 1e-9);
  assert.ok(Math.abs(result.model.bias - exact.bias) < 1e-9);
  for (const optimizer of ['momentum', 'adam'] as const) {
    const other = fitLinearRegression(inputs, targets, { learningRate: optimizer === 'adam' ? 0.05 : 0.05, epochs: 4000, optimizer });
    assert.ok(other.model.weights.maxAbsDifference(exact.weights) < 1e-6, `${optimizer}`);
  }
});

test('mini-batch and single-sample descent reach the neighbourhood of the solution', () => {
  seed(9);
  const { inputs, targets } = exactProblem();
  const exact = normalEquation(inputs, targets);
  for (const batchSize of [1, 8]) {
    const result = fitLinearRegression(inputs, targets, { learningRate: 0.05, epochs: 400, batchSize });
    const gap = result.model.weights.maxAbsDifference(exact.weights);
    assert.ok(gap < 1e-4, `batch ${batchSize}: gap ${gap}`);
    assert.equal(result.epochLosses.length, 401);
  }
  unseed();
});

test('the correct gradient matches central differences of the loss', () => {
  seed(4);
  const inputs = Matrix.randomNormal(20, 3);
  const targets = Matrix.randomNormal(20, 1);
  const model = { weights: Matrix.randomNormal(3, 1), bias: 0.3 };
  const gradient = linearRegressionGradient(inputs, targets, model);
  const h = 1e-6;
  for (let j = 0; j < 3; j++) {
    const plus = model.weights.clone();
    plus.data[j]! += h;
    const minus = model.weights.clone();
    minus.data[j]! -= h;
    const numeric = (linearRegressionLoss(inputs, targets, { weights: plus, bias: 0.3 }) - linearRegressionLoss(inputs, targets, { weights: minus, bias: 0.3 })) / (2 * h);
    assert.ok(Math.abs(numeric - gradient.weights.get(j, 0)) < 1e-8);
  }
  unseed();
});

test("the article's gradient is the scalar −2L and descending along it blows up", () => {
  seed(6);
  const inputs = Matrix.randomNormal(30, 2);
  const targets = inputs.matmul(Matrix.fromArray([1.5, -2])).map((v) => v + 1);
  const model = { weights: Matrix.fromArray([0.2, 0.1]), bias: -0.3 };
  const value = articleGradient(inputs, targets, model);
  assert.equal(typeof value, 'number');
  assert.ok(Math.abs(value - -2 * linearRegressionLoss(inputs, targets, model)) < 1e-12);
  const result = fitLinearRegression(inputs, targets, { learningRate: 0.05, epochs: 500, gradient: 'article' });
  assert.ok(result.diverged || result.losses[result.losses.length - 1]! > 1e6 * result.losses[0]!);
  // Every step adds the same amount to every parameter: the path stays on the all-ones direction.
  for (const point of result.path.slice(0, 5)) assert.ok(point.every((v) => v === point[0]));
  unseed();
});

test('singular systems and bad shapes give clear errors', () => {
  const duplicated = Matrix.fromArray([[1, 1], [2, 2], [3, 3], [4, 4]]);
  assert.throws(() => normalEquation(duplicated, Matrix.fromArray([1, 2, 3, 4])), /singular.*linear combination/s);
  const constant = Matrix.fromArray([[1, 5], [2, 5], [3, 5]]);
  assert.throws(() => normalEquation(constant, Matrix.fromArray([1, 2, 3])), /singular/);
  assert.throws(() => solveLinearSystem(Matrix.zeros(2, 3), Matrix.zeros(2, 1)), /must be square/);
  assert.throws(() => normalEquation(Matrix.zeros(4, 2), Matrix.zeros(3, 1)), /targets must be 4×1, got 3×1/);
  assert.throws(() => linearRegressionLoss(Matrix.zeros(4, 2), Matrix.zeros(4, 1), { weights: Matrix.zeros(3, 1), bias: 0 }), /weights must be 2×1, got 3×1/);
  assert.throws(() => fitLinearRegression(Matrix.zeros(4, 2), Matrix.zeros(4, 1), { learningRate: 0.1, epochs: 1, batchSize: 5 }), /batchSize must be an integer from 1 to m = 4/);
  const solution = solveLinearSystem(Matrix.fromArray([[0, 2], [3, 1]]), Matrix.fromArray([4, 5]));
  assert.deepEqual(solution.toArray(), [[1], [2]]);
});
