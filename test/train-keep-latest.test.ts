import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, seed, unseed, Dataset, Trainer, mlp, keepLatest } from 'dlkit';

function blobs(n: number): Dataset {
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    x.push([i % 2 === 1 ? 2 + Math.random() : -2 + Math.random(), Math.random()]);
    y.push(i % 2);
  }
  return Dataset.fromArrays(x, y);
}

test('re-running a model-and-trainer cell five times under the same names keeps the tensor count flat', async () => {
  await initBackend({ quiet: true });
  seed(21);
  const data = blobs(64);
  // Chapter 5's model and training cells, as a reader re-runs them.
  const cell = async (kept: boolean): Promise<void> => {
    const model = kept ? keepLatest('leak-test-model', mlp({ inputShape: [2], hidden: [8, 8], outputs: 2 })) : mlp({ inputShape: [2], hidden: [8, 8], outputs: 2 });
    const trainer = kept ? keepLatest('leak-test-trainer', new Trainer(model, { optimizer: 'adam' })) : new Trainer(model, { optimizer: 'adam' });
    await trainer.fit(data, { epochs: 2, batchSize: 16, plot: false });
  };
  // Without keepLatest every re-run leaves the old model and its Adam state behind (what chapter 5 did).
  const plain: number[] = [];
  for (let run = 0; run < 3; run++) {
    await cell(false);
    plain.push(tf.memory().numTensors);
  }
  // The model's 6 weights and Adam's moments (joined: at least two tensors more).
  assert.ok((plain[2] as number) - (plain[1] as number) >= 6 + 2, `the plain cell leaks a model and its optimiser state per run: ${plain.join(', ')}`);

  const counts: number[] = [];
  for (let run = 0; run < 5; run++) {
    await cell(true);
    counts.push(tf.memory().numTensors);
  }
  assert.deepEqual(counts, counts.map(() => counts[0]), `numTensors after each re-run: ${counts.join(', ')}`);
  data.dispose();
  tf.disposeVariables();
  unseed();
});

test('keepLatest disposes only what it replaces, and a disposed trainer says so', async () => {
  await initBackend({ quiet: true });
  seed(22);
  const data = blobs(32);
  const first = keepLatest('replace-test', mlp({ inputShape: [2], hidden: [4], outputs: 2 }));
  assert.equal(keepLatest('replace-test', first), first, 'keeping the same model again');
  first.predict(tf.zeros([1, 2])); // still usable
  const other = keepLatest('another-name', mlp({ inputShape: [2], hidden: [4], outputs: 2 }));
  const second = keepLatest('replace-test', mlp({ inputShape: [2], hidden: [4], outputs: 2 }));
  assert.throws(() => first.predict(tf.zeros([1, 2])), /disposed/);
  other.predict(tf.zeros([1, 2])); // a different name is untouched
  // A model the reader already disposed (clean-up at the end of a notebook, then re-run) is skipped.
  second.dispose();
  keepLatest('replace-test', mlp({ inputShape: [2], hidden: [4], outputs: 2 }));

  // A trainer frees the optimiser it made, never one it was given.
  const given = tf.train.adam(0.01);
  const trainer = keepLatest('trainer-test', new Trainer(other, { optimizer: given }));
  await trainer.fit(data, { epochs: 1, batchSize: 16, plot: false });
  const before = tf.memory().numTensors;
  keepLatest('trainer-test', new Trainer(other, { learningRate: 0.01 }));
  assert.equal(trainer.isDisposed, true);
  assert.equal(tf.memory().numTensors, before + 2, 'the new trainer made an Adam optimiser (2 tensors); the given one was kept');
  await new Trainer(other, { optimizer: given }).fit(data, { epochs: 1, batchSize: 16, plot: false });
  await assert.rejects(trainer.fit(data, { epochs: 2, batchSize: 16, plot: false }), /this trainer was disposed .*create a new Trainer/);
  assert.throws(() => keepLatest('x', {} as never), /must have a dispose\(\) method/);
  data.dispose();
  given.dispose();
  tf.disposeVariables();
  unseed();
});
