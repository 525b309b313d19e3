import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend, tf, Tensor } from 'dlkit';

function maxRelativeDifference(a: Float32Array | Int32Array | Uint8Array, b: Float32Array | Int32Array | Uint8Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)) / (1 + Math.abs(b[i] as number)));
  return worst;
}

test('wasm matrix products (plain and fused, transposed and batched) equal the cpu backend, and leak nothing', async () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[2, 6, 4], [2, 6, 5], true, false],
    [[3, 4, 6], [3, 5, 6], false, true],
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
      assert.ok(maxRelativeDifference(values, expected[i] as Float32Array) < 1e-4, `case ${shapeA}x${shapeB} tA=${transposeA} tB=${transposeB} output ${i}`);
    });
  }
});
