// measure/: the throughput and profiling helpers that `npm run bench` reports.
// Each assertion ties a reported number to the work that was done, so a unit
// slip (milliseconds for seconds, batches for samples) or a leak fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, seed, unseed, mlp, measureTrainingThroughput, profileKernels } from 'dlkit';

test('measureTrainingThroughput: samples/s is the samples of a repetition over its time, for both methods', async () => {
  await initBackend({ quiet: true });
  seed(10);
  const build = () => mlp({ inputShape: [20], hidden: [16], outputs: 4 });
  for (const method of ['trainer', 'fit'] as const) {
    const before = tf.memory().numTensors;
    // One timed repetition: its rate is exactly samples / seconds.
    const one = await measureTrainingThroughput({ model: build, inputShape: [20], classes: 4, batchSize: 32, samples: 256, warmup: 0, repetitions: 1, method });
    assert.equal(one.method, method);
    assert.equal(one.samples, 256);
    assert.equal(one.repetitions, 1);
    assert.equal(one.min, one.max);
    assert.ok(Math.abs(one.median - 256 / one.seconds) <= 1e-9 * one.median, `${one.median} samples/s vs 256 samples in ${one.seconds} s`);
    // Three repetitions: samples add up, and the overall rate lies between the slowest and the fastest repetition.
    const three = await measureTrainingThroughput({ model: build, inputShape: [20], classes: 4, batchSize: 32, samples: 256, warmup: 0, repetitions: 3, method });
    assert.equal(three.samples, 3 * 256);
    assert.equal(three.repetitions, 3);
    const overall = three.samples / three.seconds;
    assert.ok(three.min <= three.median && three.median <= three.max, JSON.stringify(three));
    assert.ok(three.min * (1 - 1e-9) <= overall && overall <= three.max * (1 + 1e-9), `overall ${overall} outside [${three.min}, ${three.max}]`);
    assert.equal(tf.memory().numTensors, before, `${method}: the measurement leaked tensors`);
  }
  unseed();
});

test('measureTrainingThroughput rejects an unknown preset and a builder without inputShape', async () => {
  await initBackend({ quiet: true });
  await assert.rejects(measureTrainingThroughput({ model: 'vgg' as 'mlp' }), /unknown model "vgg"/);
  await assert.rejects(measureTrainingThroughput({ model: () => mlp({ inputShape: [2], hidden: [], outputs: 2 }) }), /inputShape/);
});

test('profileKernels counts every kernel call of the run and puts the original kernels back', async () => {
  await initBackend({ quiet: true });
  const a = tf.ones([8, 8]);
  const original = tf.getKernel('BatchMatMul', tf.getBackend())?.kernelFunc;
  assert.ok(original);
  const profile = await profileKernels(() => {
    for (let i = 0; i < 3; i++) tf.matMul(a, a).dispose();
  });
  const matMul = profile.kernels.filter((k) => k.kernel === 'BatchMatMul');
  assert.equal(matMul.reduce((sum, k) => sum + k.calls, 0), 3, JSON.stringify(profile.kernels));
  assert.ok(profile.kernelMilliseconds <= profile.totalMilliseconds);
  assert.equal(tf.getKernel('BatchMatMul', tf.getBackend())?.kernelFunc, original, 'the timing wrapper was left in place');
  a.dispose();
});
