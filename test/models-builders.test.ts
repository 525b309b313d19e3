import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  tf,
  initBackend,
  seed,
  unseed,
  mlp,
  lenet,
  resnet,
  plainNet,
  residualBlock,
  resnetDepth,
  Trainer,
  saveModelToFolder,
  loadPretrainedModel,
  registerFileRouters,
  type LayersModel,
  type Tensor,
  type Scalar,
} from 'dlkit';

function layerClasses(model: LayersModel): string[] {
  return model.layers.map((l) => l.getClassName());
}

test('mlp: shapes, dropout, weight decay and seeded initial weights', async () => {
  await initBackend({ quiet: true });
  seed(1);
  const a = mlp({ inputShape: [784], hidden: [256, 128], outputs: 10 });
  seed(1);
  const b = mlp({ inputShape: [784], hidden: [256, 128], outputs: 10 });
  assert.deepEqual(a.outputs[0]?.shape, [null, 10]);
  assert.equal(a.countParams(), 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
  a.getWeights().forEach((w, i) => assert.deepEqual(Array.from(w.dataSync()), Array.from(b.getWeights()[i]!.dataSync())));
  const image = mlp({ inputShape: [28, 28, 1], hidden: [32], outputs: 10, dropout: 0.5, weightDecay: 1e-4 });
  assert.deepEqual(layerClasses(image), ['Flatten', 'Dense', 'Dropout', 'Dense']);
  const withInputDropout = mlp({ inputShape: [784], hidden: [32], outputs: 10, inputDropout: 0.2, dropout: 0.5 });
  assert.deepEqual(layerClasses(withInputDropout), ['Dropout', 'Dense', 'Dropout', 'Dense']);
  assert.deepEqual(withInputDropout.outputs[0]?.shape, [null, 10]);
  withInputDropout.dispose();
  assert.throws(() => mlp({ inputShape: [4], hidden: [0], outputs: 2 }), /mlp: hidden\[0\] must be a positive integer, got 0/);
  [a, b, image].forEach((m) => m.dispose());
  unseed();
});

test('lenet, residual blocks, resnet and plainNet have the expected structure', async () => {
  await initBackend({ quiet: true });
  seed(2);
  const le = lenet();
  assert.deepEqual(le.outputs[0]?.shape, [null, 10]);
  assert.equal(layerClasses(le).filter((c) => c === 'Conv2D').length, 2);

  const input = tf.input({ shape: [8, 8, 4] });
  const same = residualBlock(input, { filters: 4 });
  const down = residualBlock(input, { filters: 8, strides: 2 });
  assert.deepEqual(same.shape, [null, 8, 8, 4]);
  assert.deepEqual(down.shape, [null, 4, 4, 8]);
  const identity = tf.model({ inputs: input, outputs: same });
  const projection = tf.model({ inputs: input, outputs: down });
  // Identity shortcut: two 3x3 convolutions; projection adds a 1x1 one.
  assert.equal(layerClasses(identity).filter((c) => c === 'Conv2D').length, 2);
  assert.equal(layerClasses(projection).filter((c) => c === 'Conv2D').length, 3);
  assert.ok(layerClasses(identity).includes('Add'));

  const options = { stages: [4, 8], blocksPerStage: 2 };
  const residual = resnet(options);
  const plain = plainNet(options);
  assert.equal(resnetDepth(options), 10);
  assert.equal(layerClasses(residual).filter((c) => c === 'Add').length, 4);
  assert.equal(layerClasses(plain).filter((c) => c === 'Add').length, 0);
  const convs = (m: LayersModel) => m.layers.filter((l) => l.getClassName() === 'Conv2D' && (l.getConfig()['kernelSize'] as number[])[0] === 3).length;
  assert.equal(convs(residual), convs(plain));
  assert.equal(convs(plain) + 1, resnetDepth(options));
  assert.deepEqual(residual.outputs[0]?.shape, [null, 10]);
  [le, identity, projection, residual, plain].forEach((m) => m.dispose());
  unseed();
});

test('a small ResNet trains on the cpu backend (conv gradients)', async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  seed(3);
  const x = tf.randomUniform([32, 8, 8, 1]);
  // Label: is the left half brighter than the right half?
  const y = tf.tidy(() => tf.greater(tf.sum(x.slice([0, 0, 0, 0], [32, 8, 4, 1]), [1, 2, 3]), tf.sum(x.slice([0, 0, 4, 0], [32, 8, 4, 1]), [1, 2, 3])).toInt());
  const model = resnet({ inputShape: [8, 8, 1], classes: 2, stages: [4, 8] });
  const trainer = new Trainer(model, { learningRate: 0.01 });
  const result = await trainer.fit({ x, y }, { epochs: 15, batchSize: 16, plot: false });
  assert.ok((result.history.at(-1)?.['loss'] ?? 9) < (result.history[0]?.['loss'] ?? 0), 'the loss went down');
  model.dispose();
  x.dispose();
  y.dispose();
  await initBackend({ quiet: true });
  unseed();
});

test('a model saved to a folder loads back with the same predictions, also through file://', async () => {
  await initBackend({ quiet: true });
  seed(4);
  const folder = mkdtempSync(join(tmpdir(), 'dlkit-model-'));
  const model = mlp({ inputShape: [6], hidden: [5], outputs: 3 });
  await saveModelToFolder(model, join(folder, 'small'));
  assert.ok(existsSync(join(folder, 'small', 'model.json')) && existsSync(join(folder, 'small', 'weights.bin')));
  const loaded = await loadPretrainedModel(join(folder, 'small'));
  const x = tf.randomNormal([4, 6]);
  const p1 = model.predict(x) as Tensor;
  const p2 = loaded.predict(x) as Tensor;
  assert.deepEqual(Array.from(p1.dataSync()), Array.from(p2.dataSync()));
  registerFileRouters();
  await model.save(`file://${join(folder, 'viaRouter')}`);
  const again = await tf.loadLayersModel(`file://${join(folder, 'viaRouter')}/model.json`);
  const p3 = again.predict(x) as Tensor;
  assert.deepEqual(Array.from(p3.dataSync()), Array.from(p1.dataSync()));
  await assert.rejects(loadPretrainedModel(join(folder, 'absent')), /does not exist.*never downloads/);
  writeFileSync(join(folder, 'small', 'weights.bin'), new Uint8Array(8));
  await assert.rejects(loadPretrainedModel(join(folder, 'small')), /hold 8 bytes but model.json describes/);
  [model, loaded, again].forEach((m) => m.dispose());
  [x, p1, p2, p3].forEach((t) => t.dispose());
  rmSync(folder, { recursive: true, force: true });
  unseed();
});
