/**
 * Batch normalisation's training step on the native rung through TensorFlow's FusedBatchNormV3 and
 * FusedBatchNormGradV3 (lib/src/backend/native/batch-norm.ts) against tfjs-layers' own path on the cpu
 * backend: outputs, the gradients for the input, scale and offset, and the moving averages; a ResNet's
 * training losses; and the fused path is really taken. Skipped when the native rung is not built here.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { resnet, setFusedBatchNorm, tf } from 'dlkit';
import type { Scalar, Tensor } from 'dlkit';
import type { Variable } from '@tensorflow/tfjs';
import { assertSameTraining, compareBackends, normal, nativeRungForTests } from './helpers/parity';

const OP_TOLERANCE = 1e-4;

const native = nativeRungForTests(20261207);
const skipped = (t: TestContext) => native.skipped(t);

/** A batch-norm layer's training outputs, gradients and moving averages after two training calls, from fixed numbers. */
function batchNormStep(shape: [number, number, number, number], values: { x: Float32Array; w: Float32Array; gamma: Float32Array; beta: Float32Array }): () => Tensor[] {
  return () => {
    const channels = shape[3];
    const layer = tf.layers.batchNormalization({ momentum: 0.9 });
    const x = tf.tensor(values.x, shape);
    const w = tf.tensor(values.w, shape);
    layer.apply(x, { training: false });
    layer.setWeights([tf.tensor1d(values.gamma), tf.tensor1d(values.beta), tf.zeros([channels]), tf.ones([channels])]);
    const loss = (input: Tensor): Tensor => tf.sum(tf.mul(layer.apply(input, { training: true }) as Tensor, w));
    const dx = tf.grad(loss)(x);
    const { grads } = tf.variableGrads(() => loss(x) as Scalar, layer.trainableWeights.map((v) => v.read() as Variable));
    const outputs = [layer.apply(x, { training: true }) as Tensor, dx, ...Object.values(grads), ...layer.getWeights().slice(2).map((t) => t.clone())];
    layer.dispose();
    return outputs;
  };
}

test('fused batch norm in training matches tfjs-layers on cpu: outputs, gradients, moving averages', async (t) => {
  if (skipped(t)) return;
  setFusedBatchNorm(true);
  for (const shape of [[8, 6, 6, 4], [3, 5, 7, 16], [64, 4, 4, 1]] as [number, number, number, number][]) {
    const size = shape.reduce((a, b) => a * b, 1);
    const x = normal([size]).map((v, i) => 3 * v + (i % shape[3]));
    const values = { x, w: normal([size]), gamma: normal([shape[3]]).map((v) => 1 + 0.3 * v), beta: normal([shape[3]]) };
    const worst = await compareBackends(`batch norm ${shape.join('x')}`, batchNormStep(shape, values), OP_TOLERANCE, 'cpu', 'tensorflow');
    assert.ok(worst <= OP_TOLERANCE);
  }
  await tf.setBackend('tensorflow');
});

test('the fused path is taken on the native rung: fewer tfjs kernels per training step', async (t) => {
  if (skipped(t)) return;
  await tf.setBackend('tensorflow');
  const layer = tf.layers.batchNormalization({});
  const x = tf.randomNormal([8, 4, 4, 3]);
  layer.apply(x, { training: false });
  const count = async (on: boolean): Promise<number> => {
    setFusedBatchNorm(on);
    const profile = await tf.profile(() => tf.tidy(() => tf.grad((input: Tensor) => tf.sum(layer.apply(input, { training: true }) as Tensor))(x)));
    return profile.kernels.length;
  };
  const [fused, plain] = [await count(true), await count(false)];
  setFusedBatchNorm(true);
  assert.ok(fused < plain, `fused ${fused} kernels, tfjs-layers' path ${plain}`);
  layer.dispose();
  x.dispose();
});

test('a ResNet with batch norm trains on the fused path as on cpu', async (t) => {
  if (skipped(t)) return;
  setFusedBatchNorm(true);
  const images = normal([16 * 8 * 8]);
  const data = (): [Tensor, Tensor] => [tf.tensor(images, [16, 8, 8, 1]), tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 10), 'int32'), 10)];
  await assertSameTraining('resnet (fused batch norm)', () => {
    const model = resnet({ inputShape: [8, 8, 1], stages: [4, 8] });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    return model;
  }, data, 3, 2e-3, 'cpu', 'tensorflow');
});
