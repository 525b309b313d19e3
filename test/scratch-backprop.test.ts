import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend, scratch, seed, tf, unseed, rng } from 'dlkit';

const { gradientCheck, Matrix, NeuralNetwork, relativeError, tensorFlowGradients } = scratch;
type Matrix = scratch.Matrix;
type ActivationName = scratch.ActivationName;
type LossName = scratch.LossName;

function oneHot(m: number, classes: number): Matrix {
  const targets = Matrix.zeros(m, classes);
  for (let i = 0; i < m; i++) targets.set(i, rng().int(classes), 1);
  return targets;
}

const cases: { sizes: number[]; hidden: ActivationName; output: ActivationName; loss: LossName }[] = [
  { sizes: [2, 3, 1], hidden: 'sigmoid', output: 'sigmoid', loss: 'meanSquaredError' },
  { sizes: [4, 8, 6, 3], hidden: 'tanh', output: 'identity', loss: 'meanSquaredError' },
  { sizes: [3, 5, 2], hidden: 'relu', output: 'tanh', loss: 'meanSquaredError' },
  { sizes: [5, 7, 4], hidden: 'tanh', output: 'identity', loss: 'softmaxCrossEntropy' },
  { sizes: [2, 6, 6, 6, 3], hidden: 'relu', output: 'identity', loss: 'softmaxCrossEntropy' },
  { sizes: [3, 4, 2], hidden: 'sigmoid', output: 'identity', loss: 'softmaxCrossEntropy' },
  { sizes: [1, 1], hidden: 'identity', output: 'identity', loss: 'meanSquaredError' },
];

test('the delta rule agrees with central differences (relative error < 1e-7) on random networks', () => {
  seed(2024);
  for (const c of cases) {
    const network = new NeuralNetwork({ sizes: c.sizes, hiddenActivation: c.hidden, outputActivation: c.output, loss: c.loss });
    // Non-zero biases, so their gradients are exercised away from the initial zeros.
    for (const layer of network.layers) layer.bias = Matrix.randomNormal(1, layer.outputSize, 0.5);
    const m = 9;
    const inputs = Matrix.randomNormal(m, c.sizes[0]!);
    const outputs = c.sizes[c.sizes.length - 1]!;
    const targets = c.loss === 'softmaxCrossEntropy' ? oneHot(m, outputs) : Matrix.randomNormal(m, outputs);
    const result = gradientCheck(network, inputs, targets);
    assert.ok(result.maxRelativeError < 1e-7, `${JSON.stringify(c)}: relative error ${result.maxRelativeError}`);
    assert.equal(result.rows.length, 2 * (c.sizes.length - 1));
  }
  unseed();
});

test('the delta rule gives the same gradients as tf.variableGrads (float32 tolerance)', async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  seed(7);
  const before = tf.memory().numTensors;
  for (const c of cases) {
    const network = new NeuralNetwork({ sizes: c.sizes, hiddenActivation: c.hidden, outputActivation: c.output, loss: c.loss });
    const m = 16;
    const inputs = Matrix.randomNormal(m, c.sizes[0]!);
    const outputs = c.sizes[c.sizes.length - 1]!;
    const targets = c.loss === 'softmaxCrossEntropy' ? oneHot(m, outputs) : Matrix.randomNormal(m, outputs);
    const loss = network.computeLoss(inputs, targets);
    const ours = network.backward(targets);
    const theirs = tensorFlowGradients(network, inputs, targets);
    assert.ok(Math.abs(theirs.loss - loss) <= 1e-5 * Math.max(1, Math.abs(loss)), `loss ${theirs.loss} vs ${loss}`);
    ours.weights.forEach((w, l) => {
      const scale = Math.max(1, w.norm());
      assert.ok(w.maxAbsDifference(theirs.weights[l]!) < 1e-5 * scale, `${JSON.stringify(c)} W${l + 1}`);
      assert.ok(ours.biases[l]!.maxAbsDifference(theirs.biases[l]!) < 1e-5 * scale, `${JSON.stringify(c)} b${l + 1}`);
      if (w.norm() > 1e-3) assert.ok(relativeError(w, theirs.weights[l]!) < 1e-5, `${JSON.stringify(c)} W${l + 1} relative`);
    });
  }
  assert.equal(tf.memory().numTensors, before, 'tensorFlowGradients must dispose every tensor it makes');
  unseed();
});

test('a from-scratch network learns XOR', () => {
  seed(3);
  const inputs = Matrix.fromArray([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const targets = Matrix.fromArray([[1, 0], [0, 1], [0, 1], [1, 0]]);
  const network = new NeuralNetwork({ sizes: [2, 8, 2], hiddenActivation: 'tanh', loss: 'softmaxCrossEntropy' });
  const step = { step: (parameters: Matrix[], gradients: Matrix[]) => parameters.forEach((p, i) => p.data.forEach((_, k) => (p.data[k]! -= 0.5 * gradients[i]!.data[k]!))) };
  let loss = Infinity;
  for (let epoch = 0; epoch < 2000; epoch++) loss = network.trainStep(inputs, targets, step);
  assert.ok(loss < 0.05, `loss ${loss}`);
  const predictions = network.predict(inputs).toArray().map((row) => (row[1]! > row[0]! ? 1 : 0));
  assert.deepEqual(predictions, [0, 1, 1, 0]);
  unseed();
});
