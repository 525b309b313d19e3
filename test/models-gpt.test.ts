/**
 * Chapter 13's GPT: the causal mask (a later token never changes an earlier output), the
 * parameter count, cached and uncached generation give the same tokens (greedy and seeded
 * sampling) without leaking tensors, the cached step in plain JavaScript scores as the tensor
 * step, continuation log-likelihoods agree with the cache's step-by-step scores, the next-token
 * windows, and the model learns a tiny text with the Trainer.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GPT,
  GPTClassifier,
  KeyValueCache,
  PlainDecoder,
  Trainer,
  continuationLogProbabilities,
  generate,
  idsTensor,
  initBackend,
  lastTokens,
  nextTokenWindows,
  seed,
  tf,
  type GPTOptions,
} from 'dlkit';

const OPTIONS: GPTOptions = { vocabularySize: 23, hiddenSize: 16, layers: 2, heads: 4, contextLength: 40 };

/** A seeded model whose weight matrices are scaled up, so that its next-token distributions are peaked. */
function peakedModel(options: GPTOptions = OPTIONS): GPT {
  seed(13);
  const model = new GPT(options);
  for (const v of model.variables) if (v.rank === 2) v.assign(tf.tidy(() => tf.mul(v, 30)));
  return model;
}

before(async () => {
  await initBackend({ quiet: true });
});

test('changing a later token never changes an earlier position\'s output (the causal mask)', () => {
  const model = peakedModel();
  const a = [1, 5, 7, 2, 9, 11, 3, 4, 8, 6];
  for (const changed of [3, 7]) {
    const b = [...a];
    b[changed] = ((a[changed] as number) + 5) % OPTIONS.vocabularySize;
    const [la, lb] = tf.tidy(() => [model.logits(idsTensor([a])), model.logits(idsTensor([b]))].map((t) => t.arraySync() as number[][][]));
    for (let position = 0; position < a.length; position++) {
      const difference = Math.max(...(la![0]![position] as number[]).map((v, k) => Math.abs(v - (lb![0]![position]![k] as number))));
      if (position < changed) assert.ok(difference < 1e-4, `position ${position} changed by ${difference} when token ${changed} changed`);
      else assert.ok(difference > 1e-3, `position ${position} should see token ${changed}`);
    }
  }
  model.dispose();
});

test('the parameter count: embeddings once (tied output), and without embeddings as Kaplan et al. count', () => {
  const model = new GPT(OPTIONS);
  const h = OPTIONS.hiddenSize;
  const block = 4 * h + 4 * (h * h + h) + (h * 4 * h + 4 * h) + (4 * h * h + h);
  const embeddings = OPTIONS.vocabularySize * h + OPTIONS.contextLength * h;
  assert.equal(model.countParams(), embeddings + OPTIONS.layers * block + 2 * h);
  assert.equal(model.countNonEmbeddingParams(), OPTIONS.layers * block + 2 * h);
  model.dispose();
  assert.throws(() => new GPT({ ...OPTIONS, heads: 5 }), /heads \(5\) must divide hiddenSize/);
});

test('generation with the key-value cache gives the same tokens as recomputing the prefix, without leaks', () => {
  const model = peakedModel();
  const prompt = [1, 2, 3];
  const before = tf.memory().numTensors;
  const greedyCached = generate(model, prompt, { maxNewTokens: 30, sampling: { temperature: 0 } });
  const greedyFull = generate(model, prompt, { maxNewTokens: 30, sampling: { temperature: 0 }, useCache: false });
  assert.deepEqual(greedyCached, greedyFull);
  assert.deepEqual(generate(model, prompt, { maxNewTokens: 30, sampling: { temperature: 0 }, cachedStep: 'tensors' }), greedyFull);
  assert.ok(new Set(greedyCached).size > 1, 'the test model should not repeat one token');
  for (const sampling of [{ temperature: 1 }, { temperature: 0.8, topK: 5 }, { topP: 0.9 }]) {
    seed(7);
    const cached = generate(model, prompt, { maxNewTokens: 30, sampling });
    seed(7);
    const full = generate(model, prompt, { maxNewTokens: 30, sampling, useCache: false });
    assert.deepEqual(cached, full, `sampling ${JSON.stringify(sampling)}`);
    seed(7);
    const tensors = generate(model, prompt, { maxNewTokens: 30, sampling, cachedStep: 'tensors' });
    assert.deepEqual(tensors, full, `sampling ${JSON.stringify(sampling)}, the tensor step`);
  }
  assert.equal(tf.memory().numTensors, before, 'generate frees every tensor it makes');
  assert.throws(() => generate(model, prompt, { maxNewTokens: 38 }), /pass the context of 40/);
  model.dispose();
});

test('the cache\'s step scores equal the full pass at every position, and continuation log-likelihoods use them', () => {
  const model = peakedModel();
  const ids = [4, 8, 15, 16, 2, 7, 9];
  const full = tf.tidy(() => tf.logSoftmax(model.logits(idsTensor([ids]))).arraySync() as number[][][]);
  const cache = new KeyValueCache(OPTIONS.layers);
  const first = model.step(idsTensor([ids.slice(0, 3)]), cache);
  const stepped = [Array.from(tf.tidy(() => tf.logSoftmax(first)).dataSync())];
  first.dispose();
  for (let t = 3; t < ids.length; t++) {
    const logits = model.step(idsTensor([[ids[t] as number]]), cache);
    stepped.push(Array.from(tf.tidy(() => tf.logSoftmax(logits)).dataSync()));
    logits.dispose();
  }
  cache.dispose();
  stepped.forEach((row, s) => {
    row.forEach((v, k) => assert.ok(Math.abs(v - (full[0]![s + 2]![k] as number)) < 1e-3, `step ${s} token ${k}`));
  });
  const expected = [3, 4, 5, 6].reduce((sum, t) => sum + (full[0]![t - 1]![ids[t] as number] as number), 0);
  const [score, other] = continuationLogProbabilities(model, [
    { context: ids.slice(0, 3), continuation: ids.slice(3) },
    { context: [1, 1, 1, 1, 1, 1, 1, 1, 1], continuation: [2] },
  ]);
  assert.ok(Math.abs((score as number) - expected) < 1e-3, `${score} vs ${expected}`);
  assert.ok((other as number) < 0);
  model.dispose();
});

test('the cached step in plain JavaScript scores every position as the tensor step does, and holds no tensors', () => {
  const model = peakedModel();
  const before = tf.memory().numTensors;
  const decoder = new PlainDecoder(model);
  assert.equal(tf.memory().numTensors, before, 'reading the weights leaves no tensors behind');
  const cache = new KeyValueCache(OPTIONS.layers);
  const ids = [4, 8, 15, 16, 2, 7, 9, 22, 0, 0, 13, 1];
  let largest = 0;
  for (const id of ids) {
    const plain = decoder.step(id);
    const logits = model.step(idsTensor([[id]]), cache);
    const tensors = logits.dataSync();
    logits.dispose();
    assert.equal(plain.length, OPTIONS.vocabularySize);
    for (let k = 0; k < plain.length; k++) {
      const expected = tensors[k] as number;
      largest = Math.max(largest, Math.abs(expected));
      // float32 weights, float64 sums against TensorFlow's float32 sums: a few units of float32 rounding.
      assert.ok(Math.abs((plain[k] as number) - expected) <= 1e-5 * (1 + Math.abs(expected)), `token ${decoder.length}, score ${k}: ${plain[k]} vs ${expected}`);
    }
  }
  assert.ok(largest > 1, 'the test model\'s scores are not all near 0');
  cache.dispose();
  assert.equal(decoder.length, ids.length);
  decoder.clear();
  assert.equal(decoder.length, 0);
  assert.throws(() => decoder.step(OPTIONS.vocabularySize), /not an integer in \[0, 23\)/);
  for (let t = 0; t < OPTIONS.contextLength; t++) decoder.step(t % OPTIONS.vocabularySize);
  assert.throws(() => decoder.step(1), /41 tokens do not fit the context of 40/);
  assert.throws(() => generate(model, [1], { maxNewTokens: 3, cachedStep: 'plan' as 'plain' }), /cachedStep must be 'plain' or 'tensors'/);
  model.dispose();
});

test('cached generation launches no kernel per token: its kernels do not grow with the number of tokens', async () => {
  const model = peakedModel();
  const kernelsOf = async (maxNewTokens: number) => {
    const profile = await tf.profile(() => {
      generate(model, [1, 2, 3], { maxNewTokens, sampling: { temperature: 0 } });
    });
    return profile.kernels.length;
  };
  const few = await kernelsOf(2);
  const many = await kernelsOf(30);
  // Only reading the weights at the start launches kernels; a step through the tensor cache launched about 50 per block.
  assert.equal(many, few, `${few} kernels for 2 tokens, ${many} for 30`);
  model.dispose();
});

test('a cached step launches the same few kernels whatever the prefix length, and the cache frees only its own tensors', async () => {
  const model = peakedModel();
  const cache = new KeyValueCache(OPTIONS.layers);
  tf.dispose(model.step(idsTensor([[1, 2, 3, 4, 5]]), cache));
  const kernelsOfStep = async () => {
    const profile = await tf.profile(() => tf.dispose(model.step(idsTensor([[6]]), cache)));
    return profile.kernels.length;
  };
  const early = await kernelsOfStep();
  for (let t = 0; t < 20; t++) tf.dispose(model.step(idsTensor([[t % OPTIONS.vocabularySize]]), cache));
  const late = await kernelsOfStep();
  assert.equal(late, early, 'the work of a step does not depend on how many tokens are cached');
  // Launching a kernel costs more than its arithmetic at this size: one product for the query, key
  // and value, layer norm's scale folded into the next product (105 kernels for 2 blocks; a step
  // that projected them one by one and applied the norms' scale and shift launched 162).
  assert.ok(early <= 55 * OPTIONS.layers, `${early} kernels for one cached step of ${OPTIONS.layers} blocks`);
  const before = tf.memory().numTensors;
  cache.clear();
  assert.equal(cache.length, 0);
  tf.dispose(model.step(idsTensor([[1, 2]]), cache));
  cache.dispose();
  assert.ok(tf.memory().numTensors < before, 'dispose frees the keys, values and arranged weights');
  assert.equal(model.logits(idsTensor([[1]])).shape[2], OPTIONS.vocabularySize, 'the model keeps its own weights');
  model.dispose();
});

test('next-token windows shift the targets by one', () => {
  const { inputs, targets } = nextTokenWindows([0, 1, 2, 3, 4, 5, 6, 7], 3);
  assert.deepEqual(inputs, [[0, 1, 2], [3, 4, 5]]);
  assert.deepEqual(targets, [[1, 2, 3], [4, 5, 6]]);
  assert.throws(() => nextTokenWindows([1, 2], 3), /make no window/);
});

test('the GPT learns a repeating text with the Trainer (loss far below log V)', async () => {
  seed(5);
  const stream = Array.from({ length: 2000 }, (_, i) => [3, 1, 4, 1, 5, 9, 2, 6, 5][i % 9] as number);
  const { inputs, targets } = nextTokenWindows(stream, 16, 5);
  const model = new GPT({ ...OPTIONS, contextLength: 16 });
  const trainer = new Trainer(model, { learningRate: 1e-2 });
  const x = idsTensor(inputs);
  const y = idsTensor(targets);
  const fit = await trainer.fit({ x, y }, { epochs: 3, batchSize: 32, plot: false });
  const last = fit.history.at(-1)?.['loss'] as number;
  // The unigram entropy of this stream is 1.89 nats: below it, the model uses the context.
  assert.ok(last < 1, `training loss ${last} (unigram entropy 1.89, log V ${Math.log(OPTIONS.vocabularySize)})`);
  tf.dispose([x, y]);
  trainer.dispose();
  model.dispose();
});

test('lastTokens keeps the end of each row and left-pads short ones, so every row ends at the last position', () => {
  assert.deepEqual(lastTokens([[1, 2, 3, 4, 5], [7]], 3, 0), [[3, 4, 5], [0, 0, 7]]);
  assert.throws(() => lastTokens([[1]], 0, 0), /length must be a positive integer/);
});

test('GPTClassifier learns a label that only the last token carries, and frees only its head', async () => {
  seed(9);
  const rows = Array.from({ length: 96 }, (_, i) => [...Array.from({ length: 7 }, (_, j) => 3 + ((i * 7 + j) % 11)), 1 + (i % 2)]);
  const labels = rows.map((_, i) => i % 2);
  const gpt = new GPT({ ...OPTIONS, contextLength: 8 });
  const classifier = new GPTClassifier(gpt, 2);
  const trainer = new Trainer(classifier, { learningRate: 1e-2 });
  const x = idsTensor(rows);
  const y = tf.tensor1d(labels, 'int32');
  await trainer.fit({ x, y }, { epochs: 8, batchSize: 16, plot: false });
  const predicted = tf.tidy(() => Array.from(tf.argMax(classifier.predict(x), 1).dataSync()));
  const accuracy = predicted.filter((p, i) => p === labels[i]).length / labels.length;
  assert.ok(accuracy > 0.95, `accuracy ${accuracy}`);
  const before = tf.memory().numTensors;
  classifier.dispose();
  assert.equal(tf.memory().numTensors, before - 2, 'the head (kernel and bias) is freed, the GPT is not');
  tf.dispose([x, y]);
  trainer.dispose();
  gpt.dispose();
});
