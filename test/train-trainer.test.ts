import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import fs = require('node:fs');
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  tf,
  initBackend,
  seed,
  unseed,
  Dataset,
  Trainer,
  mlp,
  stepDecay,
  cosineDecay,
  warmup,
  confusionMatrix,
  loadCheckpointFolder,
  type CustomModel,
  type LayersModel,
  type Tensor,
  type Scalar,
} from 'dlkit';
import { repositoryRoot } from './helpers/notebooks';
import { checkpointV1Data } from './helpers/checkpoint-fixture';

/** Two Gaussian blobs far apart: linearly separable. */
function blobs(n: number, offset = 3): Dataset {
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    const r1 = Math.random() - 0.5;
    const r2 = Math.random() - 0.5;
    x.push([label === 1 ? offset + r1 : -offset + r1, r2]);
    y.push(label);
  }
  return Dataset.fromArrays(x, y);
}

function temporaryFolder(): string {
  return mkdtempSync(join(tmpdir(), 'dlkit-train-'));
}

test('a linearly separable set reaches 100% accuracy', async () => {
  await initBackend({ quiet: true });
  seed(1);
  const data = blobs(200);
  const model = mlp({ inputShape: [2], hidden: [], outputs: 2 });
  const trainer = new Trainer(model, { learningRate: 0.1 });
  const result = await trainer.fit(data, { epochs: 10, batchSize: 32, plot: false });
  const last = result.history.at(-1);
  assert.ok(last);
  assert.equal(last['accuracy'], 1);
  assert.equal(trainer.evaluate(data)['accuracy'], 1);
  // 200 samples for 10 epochs: the throughput is the samples trained over this call's wall time.
  assert.ok(Math.abs(result.samplesPerSecond * result.seconds - 200 * 10) < 1e-6, `${result.samplesPerSecond} samples/s over ${result.seconds} s`);
  data.dispose();
  model.dispose();
  unseed();
});

test('validation split, history and memory stay flat across epochs', async () => {
  await initBackend({ quiet: true });
  seed(2);
  const data = blobs(300);
  const model = mlp({ inputShape: [2], hidden: [8], outputs: 2, dropout: 0.1 });
  const trainer = new Trainer(model, { learningRate: 0.05 });
  const counts: number[] = [];
  const batches: number[] = [];
  await trainer.fit(data, {
    epochs: 5,
    batchSize: 16,
    validationSplit: 0.2,
    plot: false,
    syncEvery: 5,
    callbacks: [
      { onEpochEnd: () => void counts.push(tf.memory().numTensors) },
      { onBatchEnd: (info) => void (info.logs ? batches.push(info.logs['loss'] as number) : undefined) },
    ],
  });
  assert.equal(new Set(counts).size, 1, `numTensors changed across epochs: ${counts.join(', ')}`);
  assert.equal(trainer.history.length, 5);
  assert.ok((trainer.history[4]?.['validationAccuracy'] ?? 0) > 0.9);
  assert.ok(batches.length >= 5 && batches.every(Number.isFinite));
  data.dispose();
  model.dispose();
  unseed();
});

test('early stopping stops after `patience` epochs without improvement and restores the best weights', async () => {
  await initBackend({ quiet: true });
  seed(3);
  const data = blobs(64);
  const model = mlp({ inputShape: [2], hidden: [4], outputs: 2 });
  // Learning rate 0: the loss never improves after the first epoch.
  const trainer = new Trainer(model, { optimizer: 'sgd', learningRate: 0 });
  const result = await trainer.fit(data, { epochs: 20, batchSize: 16, plot: false, earlyStopping: { monitor: 'loss', patience: 2, minDelta: 1e-6 } });
  assert.equal(result.stoppedEarly, true);
  assert.equal(result.history.length, 3);
  assert.equal(result.bestEpoch, 1);

  // Validation loss that gets worse: labels of the validation set are flipped.
  const flipped = new Dataset(data.x.clone(), tf.sub(1, data.labels()).toInt());
  const model2 = mlp({ inputShape: [2], hidden: [4], outputs: 2 });
  const trainer2 = new Trainer(model2, { learningRate: 0.05 });
  const before = model2.getWeights().map((w) => w.clone());
  const result2 = await trainer2.fit(data, { epochs: 30, batchSize: 16, plot: false, validationData: flipped, earlyStopping: { patience: 2 } });
  assert.equal(result2.stoppedEarly, true);
  assert.equal(result2.bestEpoch, 1);
  // The weights are those after epoch 1, not after the last epoch.
  const validationLoss = trainer2.evaluate(flipped)['loss'] as number;
  assert.ok(Math.abs(validationLoss - (result2.history[0]?.validationLoss as number)) < 1e-5);
  before.forEach((t) => t.dispose());
  flipped.dispose();
  data.dispose();
  model.dispose();
  model2.dispose();
  unseed();
});

test('resuming from a checkpoint gives the same weights as an uninterrupted run', async () => {
  await initBackend({ quiet: true });
  const folder = temporaryFolder();
  const run = async (resume: boolean): Promise<Float32Array[]> => {
    seed(4);
    const data = blobs(128, 1);
    const build = () => mlp({ inputShape: [2], hidden: [16], outputs: 2, dropout: 0.2 });
    const model = build();
    const trainer = new Trainer(model, { learningRate: 0.01 });
    if (!resume) {
      await trainer.fit(data, { epochs: 4, batchSize: 16, plot: false });
    } else {
      await trainer.fit(data, { epochs: 2, batchSize: 16, plot: false, checkpoint: { directory: join(folder, 'run') } });
      // A fresh model and trainer, as after a restart of the notebook.
      const model2 = build();
      const trainer2 = new Trainer(model2, { learningRate: 0.01 });
      const result = await trainer2.fit(data, { epochs: 4, batchSize: 16, plot: false, resumeFrom: join(folder, 'run') });
      assert.equal(result.history.length, 4);
      assert.deepEqual(result.history.map((h) => h.epoch), [1, 2, 3, 4]);
      const weights = model2.getWeights().map((w) => w.dataSync() as Float32Array);
      model.dispose();
      model2.dispose();
      data.dispose();
      return weights;
    }
    const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
    model.dispose();
    data.dispose();
    return weights;
  };
  const straight = await run(false);
  const resumed = await run(true);
  assert.equal(straight.length, resumed.length);
  straight.forEach((w, i) => {
    const r = resumed[i] as Float32Array;
    for (let j = 0; j < w.length; j++) assert.ok(Math.abs((w[j] as number) - (r[j] as number)) < 1e-5, `weight ${i}[${j}]: ${w[j]} vs ${r[j]}`);
  });
  rmSync(folder, { recursive: true, force: true });
  unseed();
});

test('resuming keeps early stopping\'s best weights: the restored weights equal an uninterrupted run\'s', async () => {
  await initBackend({ quiet: true });
  const folder = temporaryFolder();
  // Watching the training loss in 'max' mode makes epoch 1 the best one, so
  // early stopping must end by putting epoch 1's weights back.
  const earlyStopping = { monitor: 'loss', mode: 'max' as const, patience: 2, restoreBestWeights: true };
  const run = async (resume: boolean): Promise<Float32Array[]> => {
    seed(6);
    const data = blobs(128, 1);
    const build = () => mlp({ inputShape: [2], hidden: [8], outputs: 2 });
    let model = build();
    let trainer = new Trainer(model, { learningRate: 0.05 });
    if (resume) {
      await trainer.fit(data, { epochs: 2, batchSize: 16, plot: false, earlyStopping, checkpoint: { directory: join(folder, 'early') } });
      trainer.optimizer.dispose();
      model.dispose();
      model = build();
      trainer = new Trainer(model, { learningRate: 0.05 });
      const result = await trainer.fit(data, { epochs: 10, batchSize: 16, plot: false, earlyStopping, resumeFrom: join(folder, 'early') });
      assert.equal(result.stoppedEarly, true);
      assert.equal(result.bestEpoch, 1);
    } else {
      const result = await trainer.fit(data, { epochs: 10, batchSize: 16, plot: false, earlyStopping });
      assert.equal(result.bestEpoch, 1);
    }
    const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
    trainer.optimizer.dispose();
    model.dispose();
    data.dispose();
    return weights;
  };
  const before = tf.memory().numTensors;
  const straight = await run(false);
  const resumed = await run(true);
  straight.forEach((w, i) => {
    const r = resumed[i] as Float32Array;
    for (let j = 0; j < w.length; j++) assert.ok(Math.abs((w[j] as number) - (r[j] as number)) < 1e-5, `weight ${i}[${j}]: ${w[j]} vs ${r[j]}`);
  });
  assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
  rmSync(folder, { recursive: true, force: true });
  unseed();
});

test('an interrupted save leaves the previous checkpoint intact', async () => {
  await initBackend({ quiet: true });
  seed(5);
  const folder = temporaryFolder();
  const directory = join(folder, 'checkpoint');
  const data = blobs(64);
  const model = mlp({ inputShape: [2], hidden: [4], outputs: 2 });
  const trainer = new Trainer(model, { learningRate: 0.05 });
  await trainer.fit(data, { epochs: 1, batchSize: 16, plot: false, checkpoint: { directory } });
  assert.equal(loadCheckpointFolder(directory).state['epoch'], 1);
  await trainer.fit(data, { epochs: 2, batchSize: 16, plot: false });
  let calls = 0;
  const original = fs.writeSync;
  const writeMock = mock.method(fs, 'writeSync', (...args: unknown[]) => {
    calls += 1;
    if (calls === 2) throw new Error('disk full (simulated)');
    return (original as (...a: unknown[]) => number)(...args);
  });
  await assert.rejects(trainer.saveCheckpoint(directory), /disk full \(simulated\).*previous checkpoint, if any, is unchanged/);
  writeMock.mock.restore();
  assert.ok(calls >= 2, 'the save wrote through fs.writeSync');
  assert.equal(loadCheckpointFolder(directory).state['epoch'], 1);
  assert.deepEqual(readdirSync(folder), ['checkpoint']);
  // A later save succeeds and replaces it.
  await trainer.saveCheckpoint(directory);
  assert.equal(loadCheckpointFolder(directory).state['epoch'], 2);
  assert.deepEqual(readdirSync(folder), ['checkpoint']);
  rmSync(folder, { recursive: true, force: true });
  data.dispose();
  model.dispose();
  unseed();
});

test('missing and corrupt checkpoints give clear errors', async () => {
  await initBackend({ quiet: true });
  seed(6);
  const folder = temporaryFolder();
  const model = mlp({ inputShape: [2], hidden: [4], outputs: 2 });
  const trainer = new Trainer(model);
  await assert.rejects(trainer.loadCheckpoint(join(folder, 'nothing')), /No checkpoint folder at .*nothing.*train from scratch/);
  const data = blobs(32);
  await trainer.fit(data, { epochs: 1, batchSize: 16, plot: false, checkpoint: { directory: join(folder, 'good') } });
  const binary = join(folder, 'good', 'model.bin');
  writeFileSync(binary, fs.readFileSync(binary).subarray(0, 10));
  await assert.rejects(trainer.loadCheckpoint(join(folder, 'good')), /is corrupt: model.bin has 10 bytes.*Delete that folder/);
  writeFileSync(join(folder, 'good', 'checkpoint.json'), '{ not json');
  await assert.rejects(trainer.loadCheckpoint(join(folder, 'good')), /is corrupt: checkpoint.json is not valid JSON/);
  // A checkpoint of another model.
  await trainer.saveCheckpoint(join(folder, 'small'));
  const other = new Trainer(mlp({ inputShape: [2], hidden: [8], outputs: 2 }));
  await assert.rejects(other.loadCheckpoint(join(folder, 'small')), /saved from a different model/);
  (other.model as LayersModel).dispose();
  rmSync(folder, { recursive: true, force: true });
  data.dispose();
  model.dispose();
  unseed();
});

test('bad inputs are clear errors', async () => {
  await initBackend({ quiet: true });
  seed(7);
  const model = mlp({ inputShape: [2], hidden: [4], outputs: 2 });
  const trainer = new Trainer(model);
  const x = tf.zeros([4, 2]);
  await assert.rejects(trainer.fit({ x, y: tf.tensor1d([0, 1, 0], 'int32') }, { epochs: 1, plot: false }), /4 samples of features .* but 3 labels/);
  await assert.rejects(trainer.fit({ x, y: tf.tensor1d([0, 1, 2, 1], 'int32') }, { epochs: 1, plot: false }), /labels range from 0 to 2, but the model has 2 outputs/);
  await assert.rejects(trainer.fit({ x: tf.zeros([0, 2]), y: tf.zeros([0], 'int32') }, { epochs: 1, plot: false }), /empty \(0 samples\)/);
  await assert.rejects(trainer.fit({ x: tf.zeros([4, 3]), y: tf.tensor1d([0, 1, 0, 1], 'int32') }, { epochs: 1, plot: false }), /shape \[4, 3\] but the model expects \[any, 2\]/);
  await assert.rejects(trainer.fit({ x, y: tf.tensor1d([0, 1, 0, 1], 'int32') }, { epochs: 0, plot: false }), /epochs must be a positive integer/);
  await assert.rejects(trainer.fit({ x, y: tf.tensor1d([0, 1, 0, 1], 'int32') }, { epochs: 1, validationSplit: 1.5, plot: false }), /validationSplit/);
  assert.throws(() => Dataset.fromArrays([[1, 2], [3, 4]], [0]), /2 samples of features but 1 labels/);
  assert.throws(() => new Trainer({} as unknown as CustomModel), /LayersModel or an object with trainableVariables/);
  // The Trainer's clipNorm takes what the shared clipByGlobalNorm takes, checked before any training.
  for (const clipNorm of [0, -1, Number.NaN, Infinity]) {
    assert.throws(() => new Trainer(model, { clipNorm }), /clipNorm must be a positive finite number/, `clipNorm ${clipNorm}`);
  }
  tf.disposeVariables();
  unseed();
});

test('gradient clipping bounds the step, schedules give the expected rates', async () => {
  await initBackend({ quiet: true });
  seed(8);
  const model = mlp({ inputShape: [2], hidden: [], outputs: 2 });
  const before = model.getWeights().map((w) => w.clone());
  const trainer = new Trainer(model, { optimizer: 'sgd', learningRate: 1, clipNorm: 0.01 });
  const input = tf.tensor2d([[5, -5]]);
  // The wrong class, so that the gradient is large (several units).
  const wrong = 1 - (tf.argMax(model.predict(input) as Tensor, -1).dataSync()[0] as number);
  await trainer.fit({ x: input, y: tf.tensor1d([wrong], 'int32') }, { epochs: 1, batchSize: 1, plot: false, shuffle: false });
  const after = model.getWeights();
  const change = Math.sqrt(before.reduce((sum, w, i) => sum + tf.sum(tf.square(tf.sub(w, after[i] as Tensor))).dataSync()[0]!, 0));
  assert.ok(change <= 0.01 + 1e-6 && change > 0.005, `update norm ${change}`);
  before.forEach((t) => t.dispose());

  const position = { step: 0, epoch: 0, stepsPerEpoch: 10, totalSteps: 100 };
  const step = stepDecay({ initial: 0.1, factor: 0.5, everyEpochs: 2 });
  assert.equal(step({ ...position, epoch: 3 }), 0.05);
  const cosine = cosineDecay({ initial: 1, final: 0 });
  assert.equal(cosine(position), 1);
  assert.ok(Math.abs(cosine({ ...position, step: 50 }) - 0.5) < 1e-12);
  assert.equal(cosine({ ...position, step: 100 }), 0);
  const warm = warmup({ steps: 10, then: cosineDecay({ initial: 1 }) });
  assert.ok(Math.abs(warm({ ...position, step: 4 }) - 0.5) < 1e-12);
  assert.equal(warm({ ...position, step: 10 }), 1);

  // The trainer applies the schedule: the logged rate follows step decay.
  const data = blobs(32);
  const t2 = new Trainer(mlp({ inputShape: [2], hidden: [], outputs: 2 }), { optimizer: 'sgd', schedule: stepDecay({ initial: 0.1, factor: 0.5, everyEpochs: 1 }) });
  const result = await t2.fit(data, { epochs: 3, batchSize: 16, plot: false });
  assert.deepEqual(result.history.map((h) => h.learningRate), [0.1, 0.05, 0.025]);
  assert.deepEqual(confusionMatrix([0, 1, 1, 2], [0, 1, 2, 2], 3), [[1, 0, 0], [0, 1, 1], [0, 0, 1]]);
  data.dispose();
  tf.disposeVariables();
  unseed();
});

test('a custom model that computes its own loss trains', async () => {
  await initBackend({ quiet: true });
  seed(9);
  const w = tf.variable(tf.zeros([2, 1]));
  const b = tf.variable(tf.zeros([1]));
  const model: CustomModel = {
    trainableVariables: [w, b],
    predict: (x) => tf.add(tf.matMul(x, w), b),
    loss: (batch) => tf.tidy(() => {
      const outputs = tf.add(tf.matMul(batch.x, w), b);
      return { loss: tf.mean(tf.square(tf.sub(outputs, batch.y.reshape([-1, 1])))) as Scalar, outputs };
    }),
  };
  const x = tf.randomNormal([256, 2]);
  const y = tf.tidy(() => tf.add(tf.matMul(x, tf.tensor2d([[2], [-3]])), 0.5).reshape([-1]));
  const trainer = new Trainer(model, { learningRate: 0.1, metrics: ['meanAbsoluteError'] });
  const result = await trainer.fit({ x, y }, { epochs: 30, batchSize: 32, plot: false });
  assert.ok((result.history.at(-1)?.['loss'] ?? 1) < 1e-3, `final loss ${result.history.at(-1)?.['loss']}`);
  const learned = w.dataSync();
  assert.ok(Math.abs(learned[0]! - 2) < 0.05 && Math.abs(learned[1]! + 3) < 0.05);
  x.dispose();
  y.dispose();
  tf.disposeVariables();
  unseed();
});

test('a checkpoint written before callbacks kept their own state still resumes, with the numbers it gave then', async () => {
  // test/fixtures/checkpoint-v1: written by the Trainer of main ffb5800 (make.js), early stopping's
  // progress in the trainer's state and its best weights as the group `best`; expected.json holds
  // what resuming from it gave with that code.
  await initBackend({ quiet: true });
  const fixture = join(repositoryRoot, 'test', 'fixtures', 'checkpoint-v1');
  const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as Record<string, { epochs: number; stoppedEarly: boolean; bestEpoch?: number; losses: number[]; weights: number[][] }>;
  const folder = temporaryFolder();
  fs.cpSync(join(fixture, 'checkpoint'), join(folder, 'checkpoint'), { recursive: true });
  const data = checkpointV1Data();
  const before = tf.memory().numTensors;
  const earlyStopping = { monitor: 'loss', mode: 'max' as const, patience: 4, restoreBestWeights: true };
  for (const [name, options] of [
    ['withEarlyStopping', { epochs: 10, earlyStopping }],
    ['withoutEarlyStopping', { epochs: 5 }],
  ] as const) {
    const want = expected[name] as (typeof expected)[string];
    seed(7);
    const model = mlp({ inputShape: [2], hidden: [4], outputs: 2 });
    const trainer = new Trainer(model, { learningRate: 0.05, seed: 99 });
    const result = await trainer.fit(data, { batchSize: 8, plot: false, ...options, resumeFrom: join(folder, 'checkpoint') });
    assert.equal(result.epochs, want.epochs, name);
    assert.equal(result.stoppedEarly, want.stoppedEarly, name);
    assert.equal(result.bestEpoch, want.bestEpoch, name);
    result.history.forEach((h, i) => assert.ok(Math.abs(h.loss - (want.losses[i] as number)) < 1e-5, `${name} epoch ${i + 1}: loss ${h.loss} vs ${want.losses[i]}`));
    model.getWeights().forEach((w, i) => {
      const values = w.dataSync();
      values.forEach((v, j) => assert.ok(Math.abs(v - (want.weights[i]?.[j] as number)) < 1e-4, `${name} weight ${i}[${j}]: ${v} vs ${want.weights[i]?.[j]}`));
    });
    trainer.dispose();
    model.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
  data.dispose();
  rmSync(folder, { recursive: true, force: true });
  unseed();
});
