import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scratch, seed, unseed } from 'dlkit';

const { Matrix, DenseLayer, NeuralNetwork, meanSquaredErrorLoss, softmaxCrossEntropyLoss, getActivation } = scratch;

test('Matrix arithmetic follows the row-major conventions of chapter 3', () => {
  const a = Matrix.fromArray([[1, 2, 3], [4, 5, 6]]);
  const b = Matrix.fromArray([[7, 8], [9, 10], [11, 12]]);
  assert.deepEqual(a.matmul(b).toArray(), [[58, 64], [139, 154]]);
  assert.deepEqual(a.transpose().toArray(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(a.add(a).toArray(), a.scale(2).toArray());
  assert.deepEqual(a.hadamard(a).toArray(), [[1, 4, 9], [16, 25, 36]]);
  assert.deepEqual(a.addRowVector(Matrix.fromArray([[10, 20, 30]])).toArray(), [[11, 22, 33], [14, 25, 36]]);
  assert.deepEqual(a.columnSums().toArray(), [[5, 7, 9]]);
  assert.deepEqual(a.rowSums().toArray(), [[6], [15]]);
  assert.deepEqual(a.map((v) => -v).get(1, 2), -6);
  assert.deepEqual(Matrix.fromArray([1, 2, 3]).shape, [3, 1]);
  assert.deepEqual(a.selectRows([1, 0]).toArray(), [[4, 5, 6], [1, 2, 3]]);
  const c = a.clone();
  c.set(0, 0, 100);
  assert.equal(a.get(0, 0), 1);
});

test('random matrices repeat under seed()', () => {
  seed(5);
  const first = Matrix.randomNormal(3, 4).toArray();
  seed(5);
  assert.deepEqual(Matrix.randomNormal(3, 4).toArray(), first);
  unseed();
});

test('shape mismatches throw errors that name both shapes and what was expected', () => {
  const a = Matrix.zeros(2, 3);
  assert.throws(() => a.matmul(Matrix.zeros(2, 3)), /cannot multiply 2×3 by 2×3.*column count \(3\).*row count \(2\)/);
  assert.throws(() => a.add(Matrix.zeros(3, 2)), /Matrix\.add: shapes 2×3 and 3×2 differ/);
  assert.throws(() => a.hadamard(Matrix.zeros(2, 2)), /Matrix\.hadamard/);
  assert.throws(() => a.addRowVector(Matrix.zeros(1, 2)), /expected a 1×3 row vector.*got 1×2/);
  assert.throws(() => Matrix.fromArray([[1, 2], [3]]), /row 1 has 1 values but row 0 has 2/);
  assert.throws(() => new Matrix(2, 2, new Float64Array(3)), /needs 4 values, got 3/);
  assert.throws(() => a.get(2, 0), /outside a 2×3 matrix/);
  seed(1);
  const layer = new DenseLayer(3, 2);
  assert.throws(() => layer.forward(Matrix.zeros(4, 5)), /input is 4×5 but this layer expects 3 columns/);
  const network = new NeuralNetwork({ sizes: [3, 4, 2] });
  network.forward(Matrix.zeros(5, 3));
  assert.throws(() => network.backward(Matrix.zeros(5, 3)), /targets are 5×3 but the last forward pass produced 5×2/);
  assert.throws(() => new NeuralNetwork({ sizes: [3, 2], loss: 'softmaxCrossEntropy', outputActivation: 'sigmoid' }), /must output logits/);
  assert.throws(() => meanSquaredErrorLoss.value(Matrix.zeros(2, 1), Matrix.zeros(3, 1)), /output is 2×1 but the target is 3×1/);
  assert.throws(() => getActivation('swish'), /Unknown activation "swish"/);
  unseed();
});

test('softmax cross-entropy is numerically stable for huge logits', () => {
  const logits = Matrix.fromArray([[1000, 0, -1000], [-5000, 5000, 0]]);
  const targets = Matrix.fromArray([[1, 0, 0], [0, 1, 0]]);
  const probabilities = scratch.softmax(logits);
  assert.ok(probabilities.data.every(Number.isFinite));
  assert.equal(softmaxCrossEntropyLoss.value(logits, targets), 0);
  const wrong = Matrix.fromArray([[0, 1, 0], [1, 0, 0]]);
  // −log softmax = 1000 for the first row, 10000 for the second, averaged over 2 rows.
  assert.equal(softmaxCrossEntropyLoss.value(logits, wrong), (1000 + 10000) / 2);
  assert.ok(softmaxCrossEntropyLoss.gradient(logits, wrong).data.every(Number.isFinite));
});

test('activations have the derivatives of chapter 3', () => {
  const sigmoid = getActivation('sigmoid');
  assert.equal(sigmoid.apply(0), 0.5);
  assert.equal(sigmoid.derivative(0), 0.25);
  assert.equal(sigmoid.apply(-1000), 0);
  assert.equal(getActivation('tanh').derivative(0), 1);
  assert.equal(getActivation('relu').derivative(-1), 0);
  assert.equal(getActivation('relu').derivative(2), 1);
  assert.equal(getActivation('identity').derivative(7), 1);
});
