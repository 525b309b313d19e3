/**
 * Chapter 12's scaling experiment as one function (`mnistScalingFamily`), which chapter 13 reruns:
 * one MLP per width with every weight counted, its fit the same as fitting the family's losses
 * with a floor, the same numbers under the same seed, no leaked tensors, and a clear error for
 * too few widths.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fitPowerLaw, initBackend, loadMnist, mnistScalingFamily, MNIST_SCALING_BUDGETS, seed, tf } from 'dlkit';

before(async () => {
  await initBackend({ quiet: true });
});

test('mnistScalingFamily trains one MLP per width and fits L = E + a N^-alpha to their test losses', async () => {
  const data = loadMnist({ shape: 'flat', subset: { train: 256, test: 128 } });
  const budget = { widths: [2, 8, 32], epochs: 1 };
  const before = tf.memory().numTensors;
  seed(12);
  const run = await mnistScalingFamily(data, budget);
  assert.equal(tf.memory().numTensors, before, 'every model and trainer is freed');
  assert.deepEqual(
    run.family.map((f) => f.parameters),
    budget.widths.map((w) => 784 * w + w + 10 * w + 10),
  );
  const refit = fitPowerLaw(
    run.family.map((f) => f.parameters),
    run.family.map((f) => f.testLoss),
    { withFloor: true },
  );
  assert.equal(run.fit.exponent, refit.exponent);
  assert.equal(run.fit.floor, refit.floor);
  for (const f of run.family) assert.equal(f.lossByEpoch.length, 1);
  seed(12);
  const again = await mnistScalingFamily(data, budget);
  assert.deepEqual(again.family.map((f) => f.testLoss), run.family.map((f) => f.testLoss), 'seeded: the same losses');
  await assert.rejects(mnistScalingFamily(data, { widths: [4, 8], epochs: 1 }), /at least 3 widths/);
  assert.ok(MNIST_SCALING_BUDGETS.full.widths.length >= 5 && MNIST_SCALING_BUDGETS.quick.widths.length >= 5);
  data.train.dispose();
  data.test.dispose();
});
