import { test } from 'node:test';
import assert from 'node:assert/strict';
import { weightMemory, trainingMemory, trainingCompute, trainingTime, formatBytes, BYTES_PER_VALUE } from 'dlkit';

test('weight memory: bytes per parameter by number format', () => {
  assert.deepEqual(BYTES_PER_VALUE, { float32: 4, float16: 2, bfloat16: 2, int8: 1 });
  assert.equal(weightMemory(1000).bytes, 4000);
  assert.equal(weightMemory(1000, 'bfloat16').bytes, 2000);
  assert.equal(weightMemory(1000, 'int8').bytesPerParameter, 1);
  // GPT-3's 175 billion weights in 16 bits: 350 GB, more than four 80 GB GPUs.
  assert.equal(weightMemory(175e9, 'float16').gigabytes, 350);
  assert.throws(() => weightMemory(-1), /non-negative/);
});

test('training memory with Adam: 16 bytes per parameter in float32 and in mixed precision', () => {
  const full = trainingMemory(1e9, { precision: 'float32', optimizer: 'adam' });
  assert.deepEqual(full.bytesPerParameter, { weights: 4, gradients: 4, optimizerState: 8, masterWeights: 0, total: 16 });
  assert.equal(full.bytes.total, 16e9);
  assert.equal(full.gigabytes, 16);
  const mixed = trainingMemory(1e9, { precision: 'mixed', optimizer: 'adam' });
  assert.deepEqual(mixed.bytesPerParameter, { weights: 2, gradients: 2, optimizerState: 8, masterWeights: 4, total: 16 });
  const half = trainingMemory(1e9, { precision: 'bfloat16' });
  assert.equal(half.bytesPerParameter.total, 8);
  assert.equal(trainingMemory(10, { optimizer: 'sgd' }).bytes.total, 80);
  assert.equal(trainingMemory(10, { optimizer: 'sgd-momentum' }).bytes.total, 120);
  assert.ok(mixed.assumptions.some((a) => /activations/.test(a)));
  assert.ok(mixed.assumptions.some((a) => /master copy/.test(a)));
  // The parts add up.
  const parts = mixed.bytes.weights + mixed.bytes.gradients + mixed.bytes.optimizerState + mixed.bytes.masterWeights;
  assert.equal(parts, mixed.bytes.total);
  // GPT-3 under mixed precision and Adam: 175e9 × 16 B = 2.8 TB before activations.
  assert.equal(trainingMemory(175e9, { precision: 'mixed' }).gigabytes, 2800);
  assert.throws(() => trainingMemory(1, { precision: 'float8' as 'mixed' }), /unknown precision "float8"/);
  assert.throws(() => trainingMemory(1, { optimizer: 'lion' as 'adam' }), /unknown optimizer "lion"/);
});

test('6·N·D training compute and time at a sustained rate', () => {
  assert.equal(trainingCompute(10, 100).flops, 6000);
  const gpt3 = trainingCompute(175e9, 300e9);
  assert.ok(Math.abs(gpt3.flops / 3.14e23 - 1) < 0.01, 'GPT-3 paper: 3.14e23 FLOPs');
  const time = trainingTime(86400e12, 1e12);
  assert.equal(time.days, 1);
  assert.equal(time.hours, 24);
  assert.equal(time.seconds, 86400);
  // 1,000 GPUs sustaining 100 TFLOP/s each: GPT-3 takes about 36 days.
  const cluster = trainingTime(gpt3.flops, 1000 * 100e12);
  assert.ok(Math.abs(cluster.days - 36.46) < 0.01, `${cluster.days}`);
  assert.throws(() => trainingTime(1, 0), /flopsPerSecond must be a positive number/);
  assert.throws(() => trainingCompute(1, -5), /tokens must be a non-negative/);
});

test('byte formatting uses decimal units', () => {
  assert.equal(formatBytes(2.8e12), '2.80 TB');
  assert.equal(formatBytes(437.9e6), '437.93 MB'.replace('437.93', (437.9).toFixed(2)));
  assert.equal(formatBytes(512), '512 B');
});
