/**
 * JoinedAdam, the Trainer's Adam over all variables at once: bit for bit tf.train.adam (weights and
 * moments, on cpu and on the native rung when it is built), checkpoints interchangeable with
 * tf.train.adam's in both directions, and a clear error for a changed set of variables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs = require('node:fs');
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, initBackend, seed, unseed, Dataset, Trainer, JoinedAdam, JOINED_ADAM_OWN_GROUP_SIZE, mlp, resnet, type LayersModel, type Tensor } from 'dlkit';
import type { Optimizer, Variable } from '@tensorflow/tfjs';
import { repositoryRoot } from './helpers/notebooks';
import { checkpointV1Data } from './helpers/checkpoint-fixture';

/** The raw bytes of every tensor, to compare bit for bit. */
function bytes(tensors: Tensor[]): Uint8Array[] {
  return tensors.map((t) => new Uint8Array(Float32Array.from(t.dataSync() as Float32Array).buffer));
}

function assertSameBytes(a: Uint8Array[], b: Uint8Array[], what: string): void {
  assert.equal(a.length, b.length, `${what}: count`);
  a.forEach((x, i) => assert.ok(Buffer.from(x).equals(Buffer.from(b[i] as Uint8Array)), `${what}: tensor ${i} differs`));
}

/** A few Adam steps of a model (with batch norm) from fixed weights and data; the weights and optimiser state after. */
async function train(make: () => Optimizer, steps: number, build: () => LayersModel, inputShape: number[]): Promise<{ weights: Uint8Array[]; state: Uint8Array[]; names: string[] }> {
  seed(11);
  const model = build();
  const x = tf.randomNormal([16, ...inputShape]);
  const y = tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 10), 'int32');
  const trainer = new Trainer(model, { optimizer: make(), seed: 5 });
  await trainer.fit({ x, y }, { epochs: steps, batchSize: 16, plot: false });
  const weights = bytes(model.getWeights());
  const saved = await trainer.optimizer.getWeights();
  const state = bytes(saved.map((w) => w.tensor));
  const names = saved.map((w) => w.name);
  for (const w of saved) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  trainer.optimizer.dispose();
  trainer.dispose();
  model.dispose();
  tf.dispose([x, y]);
  return { weights, state, names };
}

const smallResnet = (): LayersModel => resnet({ inputShape: [8, 8, 1], classes: 10, stages: [4, 8] });

/** Adam steps on fixed gradients over variables of the shapes a ResNet has; the variables' bytes after. */
function stepsOnFixedGradients(optimizer: Optimizer): Uint8Array[] {
  seed(4);
  // ResNet-like shapes, and one above JOINED_ADAM_OWN_GROUP_SIZE (its own moments) between them.
  const shapes = [[3, 3, 1, 16], [16], [16], [400, 256], [3, 3, 16, 32], [32], [1, 1, 16, 32], [64, 10], [10], [1]];
  const variables = tf.tidy(() => shapes.map((shape, i) => tf.variable(tf.randomNormal(shape), true, `fixed-gradients-${i}`)));
  for (let step = 0; step < 5; step++) {
    const gradients = tf.tidy(() => Object.fromEntries(variables.map((v) => [v.name, tf.mul(tf.randomNormal(v.shape), step + 1)])));
    optimizer.applyGradients(gradients);
    tf.dispose(Object.values(gradients));
  }
  assert.ok(400 * 256 >= JOINED_ADAM_OWN_GROUP_SIZE && 3 * 3 * 16 * 32 < JOINED_ADAM_OWN_GROUP_SIZE);
  const result = bytes(variables);
  tf.dispose(variables);
  optimizer.dispose();
  return result;
}

for (const backend of ['cpu', 'node'] as const) {
  test(`JoinedAdam gives tf.train.adam's weights and moments bit for bit (${backend})`, async (t) => {
    try {
      await initBackend({ backend, quiet: true });
    } catch (error) {
      t.skip(`the ${backend} rung does not start here: ${(error as Error).message.split('\n')[0]}`);
      return;
    }
    const before = tf.memory().numTensors;
    assertSameBytes(stepsOnFixedGradients(new JoinedAdam(0.01)), stepsOnFixedGradients(tf.train.adam(0.01)), 'fixed gradients');
    // Trained through the Trainer, on both rungs: the native rung's convolution gradients repeat from run to run
    // since oneDNN's out-of-bounds 1x1 filter gradient (lib/src/backend/native/conv.ts) is routed around.
    const models = [
      ['mlp', () => mlp({ inputShape: [6], hidden: [8, 5], outputs: 10 }), [6]],
      ['resnet with batch norm', smallResnet, [8, 8, 1]],
    ] as [string, () => LayersModel, number[]][];
    for (const [label, build, inputShape] of models) {
      const reference = await train(() => tf.train.adam(0.01), 4, build, inputShape);
      const joined = await train(() => new JoinedAdam(0.01), 4, build, inputShape);
      assertSameBytes(joined.weights, reference.weights, `${label} weights`);
      assertSameBytes(joined.state, reference.state, `${label} optimiser state`);
      assert.equal(joined.names.length, reference.names.length);
      joined.names.forEach((n, i) => assert.equal(n.replace(/\d+/g, ''), (reference.names[i] as string).replace(/\d+/g, ''), 'state names in tfjs\' format'));
    }
    assert.equal(tf.memory().numTensors - before, 0, 'no tensor leaked');
    unseed();
  });
}

function temporaryFolder(): string {
  return mkdtempSync(join(tmpdir(), 'joined-adam-'));
}

test('checkpoints move between tf.train.adam and JoinedAdam both ways, with the same training after', async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  const folder = temporaryFolder();
  seed(3);
  const data = Dataset.fromArrays(Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), (i % 5) / 5]), Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 1 : 0)));
  const before = tf.memory().numTensors;
  const run = async (first: () => Optimizer, second: () => Optimizer): Promise<Uint8Array[]> => {
    seed(21);
    const model = mlp({ inputShape: [3], hidden: [6], outputs: 2 });
    const a = new Trainer(model, { optimizer: first(), seed: 8 });
    await a.fit(data, { epochs: 2, batchSize: 8, plot: false });
    await a.saveCheckpoint(join(folder, 'c'));
    a.optimizer.dispose();
    a.dispose();
    const b = new Trainer(model, { optimizer: second(), seed: 8 });
    await b.fit(data, { epochs: 4, batchSize: 8, plot: false, resumeFrom: join(folder, 'c') });
    const weights = bytes(model.getWeights());
    b.optimizer.dispose();
    b.dispose();
    model.dispose();
    rmSync(join(folder, 'c'), { recursive: true, force: true });
    return weights;
  };
  const plain = (): Optimizer => tf.train.adam(0.02);
  const joined = (): Optimizer => new JoinedAdam(0.02);
  const reference = await run(plain, plain);
  assertSameBytes(await run(plain, joined), reference, 'tf.train.adam checkpoint resumed by JoinedAdam');
  assertSameBytes(await run(joined, plain), reference, 'JoinedAdam checkpoint resumed by tf.train.adam');
  assertSameBytes(await run(joined, joined), reference, 'JoinedAdam to JoinedAdam');
  assert.equal(tf.memory().numTensors - before, 0, 'no tensor leaked');
  data.dispose();
  rmSync(folder, { recursive: true, force: true });
  unseed();
});

test('the checkpoint of test/fixtures/checkpoint-v1 resumes under JoinedAdam as under tf.train.adam', async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  const fixture = join(repositoryRoot, 'test', 'fixtures', 'checkpoint-v1');
  const folder = temporaryFolder();
  fs.cpSync(join(fixture, 'checkpoint'), join(folder, 'checkpoint'), { recursive: true });
  const data = checkpointV1Data();
  const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as Record<string, { losses: number[] }>;
  const results: Uint8Array[][] = [];
  for (const make of [() => tf.train.adam(0.05), () => new JoinedAdam(0.05)]) {
    seed(7);
    const model = mlp({ inputShape: [2], hidden: [4], outputs: 2 });
    const trainer = new Trainer(model, { optimizer: make(), seed: 99 });
    const result = await trainer.fit(data, { batchSize: 8, plot: false, epochs: 5, resumeFrom: join(folder, 'checkpoint') });
    result.history.forEach((h, i) => assert.ok(Math.abs(h.loss - (expected['withoutEarlyStopping']?.losses[i] as number)) < 1e-5, `epoch ${i + 1}: loss ${h.loss}`));
    results.push(bytes(model.getWeights()));
    trainer.optimizer.dispose();
    trainer.dispose();
    model.dispose();
  }
  assertSameBytes(results[1] as Uint8Array[], results[0] as Uint8Array[], 'weights after resuming');
  data.dispose();
  rmSync(folder, { recursive: true, force: true });
  unseed();
});

test('JoinedAdam says what to do when the set of variables changes, or the learning rate is bad', async () => {
  await initBackend({ backend: 'cpu', quiet: true });
  const before = tf.memory().numTensors;
  const [a, b] = tf.tidy(() => [tf.variable(tf.ones([3])), tf.variable(tf.ones([2]))]) as [Variable, Variable];
  const optimizer = new JoinedAdam(0.1);
  optimizer.minimize(() => tf.sum(tf.add(tf.sum(tf.square(a)), tf.sum(b))), false, [a, b]);
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(a)), [a]);
  assert.throws(() => optimizer.applyGradients(grads), /gradients for 1 variables \(3 numbers\) but its moments cover 2 variables \(5 numbers\).*tf\.train\.adam/);
  tf.dispose([value, ...Object.values(grads)]);
  assert.throws(() => new JoinedAdam(-1), /learningRate must be a positive finite number, got -1/);
  optimizer.dispose();
  tf.dispose([a, b]);
  assert.equal(tf.memory().numTensors - before, 0, 'no tensor leaked');
});
