// Interpretability (chapters 10 and 12): integrated gradients, saliency, permutation importance, coefficients.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tf, seed, mlp, Random, integratedGradients, saliency, permutationImportance, linearCoefficients, sumByGroup, areaUnderRoc, predictScores, type Tensor,
} from 'dlkit';

test('integrated gradients are complete: attributions add up to f(x) - f(baseline) on a small network', () => {
  seed(11);
  const model = mlp({ inputShape: [5], hidden: [8, 8], outputs: 1, activation: 'tanh', outputActivation: 'sigmoid' });
  const before = tf.memory().numTensors;
  const x = tf.randomNormal([4, 5], 0, 1.5, 'float32', 3);
  const baseline = tf.tensor1d([0.1, -0.2, 0.3, 0, 0.5]);
  const attributions = integratedGradients(model, x, { baseline, steps: 128 });
  assert.deepEqual(attributions.shape, [4, 5]);
  const sums = (attributions.arraySync() as number[][]).map((row) => row.reduce((a, b) => a + b, 0));
  const fx = predictScores(model, x.arraySync() as number[][]);
  const fb = predictScores(model, [baseline.arraySync() as number[]])[0] as number;
  sums.forEach((s, i) => assert.ok(Math.abs(s - ((fx[i] as number) - fb)) < 1e-3, `example ${i}: ${s} vs ${(fx[i] as number) - fb}`));
  // Few steps integrate worse: the gap is larger (so the test would catch a missing path average).
  const coarse = integratedGradients(model, x, { baseline, steps: 1 });
  const coarseGap = (coarse.arraySync() as number[][]).map((row) => row.reduce((a, b) => a + b, 0)).reduce((m, s, i) => Math.max(m, Math.abs(s - ((fx[i] as number) - fb))), 0);
  const fineGap = sums.reduce((m, s, i) => Math.max(m, Math.abs(s - ((fx[i] as number) - fb))), 0);
  assert.ok(fineGap < coarseGap, `${fineGap} < ${coarseGap}`);
  tf.dispose([x, baseline, attributions, coarse]);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
});

test('integrated gradients pick one output of several; saliency of a linear function is |w|', () => {
  const before = tf.memory().numTensors;
  const w = tf.tensor2d([[1, -2], [3, 0.5], [-4, 1]]);
  const linear = (x: Tensor) => tf.matMul(x, w);
  const x = tf.tensor2d([[1, 2, 3]]);
  const second = integratedGradients(linear, x, { target: 1, steps: 4 });
  assert.deepEqual((second.arraySync() as number[][])[0]!.map((v) => Math.round(v * 1e5) / 1e5), [-2, 1, 3]);
  const map = saliency(linear, x, { target: 0 });
  assert.deepEqual(map.arraySync(), [[1, 3, 4]]);
  assert.throws(() => saliency(linear, x), /2 outputs; say which one/);
  const flat = tf.tensor1d([1, 2, 3]);
  assert.throws(() => integratedGradients(linear, flat), /shape \[batch, \.\.\.features\]/);
  tf.dispose([w, x, second, map, flat]);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
});

test('permutation importance finds the one feature that matters', () => {
  const generator = new Random(5);
  const rows = Array.from({ length: 600 }, () => [generator.normal(), generator.normal(), generator.normal()]);
  const labels = rows.map((r) => ((r[1] as number) + 0.3 * generator.normal() > 0 ? 1 : 0));
  const predict = (x: number[][]) => x.map((r) => 1 / (1 + Math.exp(-3 * (r[1] as number))));
  const result = permutationImportance({ predict, rows, labels, score: areaUnderRoc, featureNames: ['a', 'b', 'c'], repeats: 4, seed: 1 });
  assert.equal(result.features[0]?.feature, 'b');
  assert.ok((result.features[0]?.importance as number) > 0.3);
  for (const f of result.features.slice(1)) assert.equal(f.importance, 0, `${f.feature} is ignored by the model`);
  assert.ok(result.baseline > 0.9);
  const grouped = permutationImportance({ predict, rows, labels, score: areaUnderRoc, groups: [{ feature: 'a+b', columns: [0, 1] }, { feature: 'c', columns: [2] }], repeats: 2, seed: 1 });
  assert.deepEqual(grouped.features.map((f) => f.feature), ['a+b', 'c']);
  assert.throws(() => permutationImportance({ predict, rows, labels, score: areaUnderRoc, groups: [{ feature: 'z', columns: [3] }] }), /refers to columns \[3\]/);
});

test('linear coefficients read the weights of logistic regression; sumByGroup adds one-hot columns', () => {
  const model = mlp({ inputShape: [3], hidden: [], outputs: 1, outputActivation: 'sigmoid' });
  const kernel = tf.tensor2d([[0.5], [-1], [2]]);
  const bias = tf.tensor1d([0.25]);
  model.layers[0]!.setWeights([kernel, bias]);
  const { intercept, coefficients } = linearCoefficients(model, ['x', 'y', 'z']);
  assert.equal(intercept, 0.25);
  assert.deepEqual(coefficients.map((c) => c.coefficient), [0.5, -1, 2]);
  assert.ok(Math.abs((coefficients[2]?.oddsRatio as number) - Math.exp(2)) < 1e-6);
  assert.throws(() => linearCoefficients(model, ['x']), /3 inputs but 1 feature names/);
  assert.throws(() => linearCoefficients(mlp({ inputShape: [3], hidden: [4], outputs: 1 }), ['x', 'y', 'z']), /single dense layer/);
  assert.deepEqual(sumByGroup([1, 2, 3, 4], [{ feature: 'p', columns: [0, 3] }, { feature: 'q', columns: [1, 2] }]), [{ feature: 'p', attribution: 5 }, { feature: 'q', attribution: 5 }]);
  tf.dispose([kernel, bias]);
});
