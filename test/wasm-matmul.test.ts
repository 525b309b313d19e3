import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend, tf, Tensor } from 'dlkit';

/** Largest difference, relative to the largest expected magnitude (float32 sums of hundreds of terms). */
function maxRelativeDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i] as number));
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)));
  return worst / scale;
}

test('wasm matrix products (plain and fused, transposed and batched) equal the cpu backend, and leak nothing', async () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[2, 6, 4], [2, 6, 5], true, false],
    [[3, 4, 6], [3, 5, 6], false, true],
    // Large enough (over 32k multiply-adds) for the explicit-transpose path.
    [[300, 40], [300, 30], true, false],
    [[40, 300], [30, 300], false, true],
    [[2, 200, 30], [2, 40, 200], true, true],
  ];
  for (const [shapeA, shapeB, transposeA, transposeB] of cases) {
    await initBackend({ backend: 'cpu', quiet: true });
    const aValues = tf.randomNormal(shapeA).dataSync().slice();
    const bValues = tf.randomNormal(shapeB).dataSync().slice();
    const biasValues = tf.randomNormal([transposeB ? (shapeB.at(-2) as number) : (shapeB.at(-1) as number)]).dataSync().slice();
    const compute = () => tf.tidy(() => {
      const a = tf.tensor(aValues, shapeA);
      const b = tf.tensor(bValues, shapeB);
      const bias = tf.tensor(biasValues);
      const plain = tf.matMul(a, b, transposeA, transposeB);
      const fused = tf.fused.matMul({ a, b, transposeA, transposeB, bias, activation: 'relu' });
      const [gradA, gradB] = tf.grads((x: Tensor, y: Tensor) => tf.matMul(x, y, transposeA, transposeB).square().sum())([a, b]);
      return [plain, fused, gradA, gradB].map((t) => t!.dataSync().slice());
    });
    const expected = compute();
    await initBackend({ backend: 'wasm', quiet: true });
    const before = tf.memory().numTensors;
    const actual = compute();
    assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
    actual.forEach((values, i) => {
      const difference = maxRelativeDifference(values, expected[i] as Float32Array);
      assert.ok(difference < 1e-5, `difference ${difference} in case ${shapeA}x${shapeB} tA=${transposeA} tB=${transposeB} output ${i}`);
    });
  }
});
