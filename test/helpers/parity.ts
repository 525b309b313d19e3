/**
 * Backend parity for the tests: run the same computation on a reference backend and another one, from the same
 * plain numbers, and compare every output (test/wasm-kernels.test.ts, test/native-parity.test.ts).
 */
import assert from 'node:assert/strict';
import { before, type TestContext } from 'node:test';
import { initBackend, rng, seed, tf } from 'dlkit';
import type { LayersModel, Tensor } from 'dlkit';

/** One output of a computation, copied out of its backend. */
export interface Output {
  values: Float32Array;
  shape: number[];
}

/** Plain numbers from the seeded generator, so that each backend builds its own tensors from the same data. */
export function normal(shape: number[]): Float32Array {
  const r = rng();
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r.normal());
}

/**
 * Asserts that `actual` agrees with `expected` to `tolerance` times the largest reference value (at least 1);
 * returns the largest difference relative to that scale.
 */
export function assertClose(label: string, actual: Output, expected: Output, tolerance: number, backends = 'wasm differs from cpu'): number {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  let scale = 1;
  for (const v of expected.values) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let where = -1;
  expected.values.forEach((v, i) => {
    const difference = Math.abs(v - (actual.values[i] as number));
    if (!(difference <= worst)) {
      worst = difference;
      where = i;
    }
  });
  assert.ok(worst <= tolerance * scale, `${label}: ${backends} by ${worst} at index ${where} (scale ${scale}, tolerance ${tolerance * scale})`);
  return worst / scale;
}

/**
 * Runs `compute` on `reference`, then on `other`, and compares every output; asserts that neither run leaves a
 * tensor behind. Returns the largest relative difference.
 */
export async function compareBackends(label: string, compute: () => Tensor | Tensor[], tolerance: number, reference: string, other: string): Promise<number> {
  const results: Output[][] = [];
  for (const backend of [reference, other]) {
    await tf.setBackend(backend);
    const tensorsBefore = tf.memory().numTensors;
    const outputs = tf.tidy(() => {
      const result = compute();
      return Array.isArray(result) ? result : [result];
    });
    results.push(outputs.map((t) => ({ values: Float32Array.from(t.dataSync() as Float32Array), shape: t.shape })));
    tf.dispose(outputs);
    assert.equal(tf.memory().numTensors, tensorsBefore, `${label}: ${backend} left tensors behind`);
  }
  const [expected, actual] = results as [Output[], Output[]];
  assert.equal(actual.length, expected.length);
  return Math.max(0, ...expected.map((e, i) => assertClose(`${label} [output ${i}]`, actual[i] as Output, e, tolerance, `${other} differs from ${reference}`)));
}

/** Trains `build()` on `data()` for `steps` steps on `backend`, from `weights` (or its own); returns the losses and the start. */
async function trainLosses(backend: string, build: () => LayersModel, weights: Output[] | null, data: () => [Tensor, Tensor], steps: number): Promise<{ losses: number[]; weights: Output[] }> {
  await tf.setBackend(backend);
  const model = build();
  if (weights) model.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
  const initial = model.getWeights().map((t) => ({ values: Float32Array.from(t.dataSync() as Float32Array), shape: t.shape }));
  const [x, y] = data();
  const losses: number[] = [];
  let tensorsAfterFirst = -1;
  for (let step = 0; step < steps; step++) {
    losses.push((await model.trainOnBatch(x, y)) as number);
    if (step === 0) tensorsAfterFirst = tf.memory().numTensors;
  }
  assert.equal(tf.memory().numTensors, tensorsAfterFirst, `${backend}: tensor count grows while training`);
  tf.dispose([x, y]);
  model.dispose();
  return { losses, weights: initial };
}

/**
 * Trains a compiled model for `steps` steps on `reference`, then from the same initial weights on `other`, and
 * asserts that every step's loss agrees to `tolerance` (relative, at least 1) and that the loss goes down.
 * Returns the largest relative difference.
 */
export async function assertSameTraining(label: string, build: () => LayersModel, data: () => [Tensor, Tensor], steps: number, tolerance: number, reference: string, other: string): Promise<number> {
  const first = await trainLosses(reference, build, null, data, steps);
  const second = await trainLosses(other, build, first.weights, data, steps);
  let worst = 0;
  first.losses.forEach((loss, step) => {
    const value = second.losses[step] as number;
    assert.ok(Number.isFinite(value), `${label}: ${other} loss at step ${step} is ${value}`);
    const difference = Math.abs(loss - value) / Math.max(1, Math.abs(loss));
    worst = Math.max(worst, difference);
    assert.ok(difference <= tolerance, `${label}: step ${step} loss is ${value} on ${other} but ${loss} on ${reference}`);
  });
  assert.ok((first.losses.at(-1) as number) < (first.losses[0] as number), `${label}: the loss goes down (${first.losses.join(', ')})`);
  return worst;
}

/** A small embedding + dense classifier (30 tokens, 6 per sample, 3 classes), compiled with Adam. */
export function embeddingClassifier(): LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.embedding({ inputDim: 30, outputDim: 8, inputLength: 6 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 16, activation: 'tanh' }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  return model;
}

/** A small LSTM + GRU classifier of sequences [5, 3] into 2 classes, compiled with RMSprop. */
export function recurrentClassifier(): LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.lstm({ inputShape: [5, 3], units: 6, returnSequences: true }));
  model.add(tf.layers.gru({ units: 4 }));
  model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.rmsprop(0.01), loss: 'categoricalCrossentropy' });
  return model;
}

/**
 * For a test file of the native rung: starts it (and seeds) before the tests, or records why it cannot;
 * `skipped(t)` then skips a test with that reason, and `reason()` is null when the rung runs.
 */
export function nativeRungForTests(seedValue: number): { skipped(t: TestContext): boolean; reason(): string | null } {
  let skipReason: string | null = null;
  before(async () => {
    try {
      await initBackend({ backend: 'node', quiet: true });
    } catch (error) {
      skipReason = `the native rung is not built here (npm run native builds it): ${(error as Error).message.split('\n')[0]}`;
    }
    seed(seedValue);
  });
  return {
    skipped(t: TestContext): boolean {
      if (skipReason) t.skip(skipReason);
      return skipReason !== null;
    },
    reason: () => skipReason,
  };
}
