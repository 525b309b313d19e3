/**
 * Fine-tuning an encoder for classification (chapter 6): it learns a task the
 * encoder cannot know in advance, keeps the weights of its best validation
 * epoch, gives a repeated small label set the steps of a larger one, frees
 * every tensor, and refuses bad input with a clear error.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Random, TransformerEncoder, fineTune, initBackend, seed, tf, type Tensor } from 'dlkit';

before(async () => {
  await initBackend({ quiet: true });
});

/** Rows of 8 ids: [CLS]=2, six ids from 5..14, [SEP]=3; class 1 when id 5 occurs, which id 6 replaces otherwise. */
function task(rows: number, seedValue: number): { x: Tensor; y: Tensor } {
  const random = new Random(seedValue);
  const ids: number[][] = [];
  const labels: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: 6 }, () => 7 + random.int(8));
    const label = r % 2;
    row[random.int(6)] = label === 1 ? 5 : 6;
    ids.push([2, ...row, 3]);
    labels.push(label);
  }
  return { x: tf.tensor2d(ids, undefined, 'int32'), y: tf.tensor1d(labels, 'int32') };
}

function encoder(): TransformerEncoder {
  return new TransformerEncoder({ vocabularySize: 16, hiddenSize: 16, layers: 1, heads: 2, intermediateSize: 32, maxPositions: 8, dropout: 0, attentionDropout: 0 });
}

test('fineTune learns a token-presence task, keeps its best validation epoch, and frees everything', async () => {
  const beforeCount = tf.memory().numTensors;
  const train = task(128, 1);
  const validation = task(64, 2);
  seed(3);
  const run = await fineTune(encoder(), { train, validation, epochs: 8, padId: 0, learningRate: 1e-2, pooling: 'mean', batchSize: 16 });
  assert.equal(run.steps, 8 * 8);
  assert.equal(run.validation.length, 8);
  assert.ok(Math.max(...run.validation) >= 0.9, `validation accuracy after each epoch: ${run.validation.join(', ')}`);
  assert.equal(run.validation[run.bestEpoch - 1], Math.max(...run.validation), 'the best epoch is the one kept');
  const predicted = run.trainer.predictClasses(validation.x, { batchSize: 64 });
  const truth = Array.from(validation.y.dataSync());
  const accuracy = truth.filter((label, i) => predicted[i] === label).length / truth.length;
  assert.ok(Math.abs(accuracy - (run.validation[run.bestEpoch - 1] as number)) < 1e-9, 'the kept weights score as the best epoch did');
  assert.ok(run.curve.losses.length > 0 && run.curve.samples.at(-1)! <= 8 * 128);
  run.dispose();
  tf.dispose([train.x, train.y, validation.x, validation.y]);
  assert.equal(tf.memory().numTensors, beforeCount, 'no tensor left');
});

test('rowsPerEpoch repeats a small label set: as many steps as the larger budget', async () => {
  const beforeCount = tf.memory().numTensors;
  const train = task(20, 4);
  const validation = task(16, 5);
  seed(3);
  const run = await fineTune(encoder(), { train, validation, epochs: 2, padId: 0, learningRate: 1e-3, pooling: 'cls', batchSize: 16, rowsPerEpoch: 100 });
  assert.equal(run.steps, 2 * 7);
  // losses are read after every 4th batch: the last one, at batch 4 of epoch 2, follows 100 + 4 × 16 rows
  assert.equal(run.curve.samples.at(-1), 164, 'every epoch reads 100 rows');
  run.dispose();
  tf.dispose([train.x, train.y, validation.x, validation.y]);
  assert.equal(tf.memory().numTensors, beforeCount, 'no tensor left');
});

test('bad input is a clear error', async () => {
  const train = task(20, 4);
  const validation = task(16, 5);
  const base = { train, validation, epochs: 1, padId: 0, learningRate: 1e-3, pooling: 'cls' as const };
  const e = encoder();
  await assert.rejects(fineTune(e, { ...base, rowsPerEpoch: 10 }), /rowsPerEpoch \(10\) is smaller than the training rows \(20\)/);
  await assert.rejects(fineTune(e, { ...base, train: { x: train.x, y: validation.y } }), /as many rows/);
  await assert.rejects(fineTune(e, { ...base, epochs: 0 }), /epochs/);
  e.dispose();
  tf.dispose([train.x, train.y, validation.x, validation.y]);
});
