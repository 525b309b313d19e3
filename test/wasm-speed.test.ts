/**
 * The point of the wasm training kernels: a LeNet-style CNN trains at least
 * 50 times faster on wasm than on the pure-JavaScript cpu backend, measured
 * side by side in one run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend, lenet, seed, tf } from 'dlkit';
import type { LayersModel, Tensor } from 'dlkit';

const BATCH = 64;

/** The book's LeNet (chapter 7), compiled for a plain training step. */
function compiledLenet(): LayersModel {
  const model = lenet();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

/**
 * Samples per second of one training step (`trainOnBatch`, batch 64) on
 * `backend`: the best of `rounds` timings of `stepsPerRound` steps, after
 * `warmUp` steps, so that another process briefly busy on the machine does
 * not decide the result.
 */
async function samplesPerSecond(backend: string, warmUp: number, rounds: number, stepsPerRound: number): Promise<number> {
  await tf.setBackend(backend);
  seed(7);
  const model = compiledLenet();
  const x = tf.randomNormal([BATCH, 28, 28, 1]);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32'), 10);
  const step = async (): Promise<number> => (await model.trainOnBatch(x, y)) as number;
  for (let i = 0; i < warmUp; i++) await step();
  const tensors = tf.memory().numTensors;
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    const start = performance.now();
    for (let i = 0; i < stepsPerRound; i++) assert.ok(Number.isFinite(await step()));
    best = Math.min(best, (performance.now() - start) / stepsPerRound);
  }
  assert.equal(tf.memory().numTensors, tensors, `${backend}: tensor count grows while training`);
  tf.dispose([x, y] as Tensor[]);
  model.dispose();
  return (BATCH * 1000) / best;
}

test('LeNet-style CNN: a wasm training step is at least 50x faster than a cpu one', async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  const wasm = await samplesPerSecond('wasm', 3, 5, 4);
  const cpu = await samplesPerSecond('cpu', 1, 2, 1);
  const ratio = wasm / cpu;
  console.log(
    `LeNet training step, batch ${BATCH}: cpu ${cpu.toFixed(1)} samples/s, wasm ${wasm.toFixed(0)} samples/s, ` +
      `wasm/cpu = ${ratio.toFixed(0)}x`,
  );
  assert.ok(ratio >= 50, `wasm is only ${ratio.toFixed(1)}x faster than cpu (needs 50x)`);
  await tf.setBackend('wasm');
});
