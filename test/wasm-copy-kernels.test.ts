import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend, tf, Tensor } from 'dlkit';

/** Runs `compute` on cpu and on wasm; returns each output's shape and values, per backend. */
async function onBothBackends(compute: () => Tensor[]): Promise<[(number | number[])[][], (number | number[])[][]]> {
  const results: (number | number[])[][][] = [];
  for (const backend of ['cpu', 'wasm']) {
    await initBackend({ backend, quiet: true });
    const before = tf.memory().numTensors;
    const outputs = tf.tidy(compute);
    results.push(outputs.map((t) => [t.shape, ...Array.from(t.dataSync())]));
    tf.dispose(outputs);
    assert.equal(tf.memory().numTensors, before, `${backend}: no tensor leaked`);
  }
  return results as [(number | number[])[][], (number | number[])[][]];
}

test('wasm Slice equals cpu for contiguous and strided slices of every rank', async () => {
  const values = Array.from({ length: 2 * 3 * 20 * 24 }, (_, i) => i * 0.5 - 7);
  const intValues = values.map((v) => Math.round(v));
  const [cpu, wasm] = await onBothBackends(() => {
    const x4 = tf.tensor4d(values, [2, 3, 20, 24]);
    return [
      tf.slice(x4, [1, 0, 0, 0], [1, 3, 20, 24]),
      tf.slice(x4, [0, 1, 2, 3], [2, 2, 17, 20]),
      tf.slice(x4, [0, 0, 5, 0], [2, 3, 1, 24]),
      tf.slice(x4, [1, 2, 19, 23], [1, 1, 1, 1]),
      tf.slice(tf.reshape(x4, [144, 20]), [10, 0], [50, 20]),
      tf.slice(tf.reshape(x4, [144, 20]), [10, 3], [50, 2]),
      tf.slice(tf.tensor1d(values), [100], [33]),
      tf.slice(tf.tensor2d(intValues, [144, 20], 'int32'), [7, 1], [9, 18]),
      tf.slice(tf.tensor2d(values.map((v) => v > 0 ? 1 : 0), [144, 20], 'bool'), [0, 0], [144, 5]),
      tf.slice(x4, [0, 0, 0, 0], [2, 3, 0, 24]),
    ];
  });
  assert.deepEqual(wasm, cpu);
});

test('wasm GatherV2 equals cpu on every axis, with repeated indices, and rejects bad ones', async () => {
  const values = Array.from({ length: 6 * 5 * 40 }, (_, i) => Math.sin(i));
  const [cpu, wasm] = await onBothBackends(() => {
    const x = tf.tensor3d(values, [6, 5, 40]);
    const rows = tf.tensor1d([5, 0, 0, 3], 'int32');
    return [
      tf.gather(x, rows, 0),
      tf.gather(x, tf.tensor1d([4, 4, 1], 'int32'), 1),
      tf.gather(x, tf.tensor1d([39, 0], 'int32'), 2),
      tf.gather(x, tf.tensor2d([[1, 2], [3, 1]], [2, 2], 'int32'), 0),
      tf.gather(tf.tensor2d(values.map((v) => Math.round(v * 10)), [30, 40], 'int32'), tf.tensor1d([29, 2], 'int32')),
      tf.gather(x, tf.tensor1d([], 'int32'), 0),
    ];
  });
  assert.deepEqual(wasm, cpu);
  await initBackend({ backend: 'wasm', quiet: true });
  assert.throws(() => tf.tidy(() => tf.gather(tf.zeros([3, 20]), tf.tensor1d([3], 'int32'))), /index value 3 is not in \[0, 2\]/);
});

test('the gradient of gather (embeddings) still matches cpu after the faster gather', async () => {
  const table = Array.from({ length: 10 * 32 }, (_, i) => Math.cos(i));
  const [cpu, wasm] = await onBothBackends(() => {
    const embeddings = tf.tensor2d(table, [10, 32]);
    const ids = tf.tensor1d([1, 7, 7, 0, 9], 'int32');
    const gradient = tf.grad((e: Tensor) => tf.gather(e, ids).square().sum())(embeddings);
    return [gradient];
  });
  assert.deepEqual(wasm[0]![0], cpu[0]![0]);
  wasm[0]!.slice(1).forEach((v, i) => assert.ok(Math.abs((v as number) - (cpu[0]![i + 1] as number)) < 1e-5));
});
