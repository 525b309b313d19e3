// Chapter 8: matrix factorisation trained by the Trainer recovers a planted
// low-rank rating matrix, and leaks no tensors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, initBackend, seed, Random, RatingTable, MatrixFactorisation, Trainer, splitRandom, evaluateRatings, BiasRecommender, type RatingRecord, type Tensor } from 'dlkit';

test('matrix factorisation recovers a planted rank-2 matrix with biases from 60% of its entries', async () => {
  await initBackend();
  seed(11);
  const random = new Random(5);
  const users = 60;
  const items = 50;
  const rank = 2;
  const p = Array.from({ length: users }, () => Array.from({ length: rank }, () => random.normal(0, 1)));
  const q = Array.from({ length: items }, () => Array.from({ length: rank }, () => random.normal(0, 1)));
  const userBias = Array.from({ length: users }, () => random.normal(0, 0.5));
  const itemBias = Array.from({ length: items }, () => random.normal(0, 0.5));
  const records: RatingRecord[] = [];
  for (let u = 0; u < users; u++) {
    for (let i = 0; i < items; i++) {
      if (random.next() > 0.6) continue;
      const rating = 3 + (userBias[u] as number) + (itemBias[i] as number) + (p[u] as number[]).reduce((s, x, d) => s + x * ((q[i] as number[])[d] as number), 0);
      records.push({ user: u, item: i, rating });
    }
  }
  const table = RatingTable.fromRecords(records, { scale: { minimum: -20, maximum: 20 } });
  const { train, test: held } = splitRandom(table, { testFraction: 0.2, seed: 6 });
  const before = tf.memory().numTensors;
  const model = new MatrixFactorisation(train, { dimensions: rank, regularisation: 0, initialScale: 0.3 });
  const trainer = new Trainer(model, { learningRate: 0.05, metrics: [] });
  const data = model.dataset(train);
  const result = await trainer.fit(data, { epochs: 120, batchSize: 128, plot: false });
  const fitted = model.recommender();
  const error = evaluateRatings(fitted, held).rmse;
  const spread = Math.sqrt(held.ratings.reduce((s, r) => s + (r - held.mean()) ** 2, 0) / held.size);
  const biasOnly = evaluateRatings(new BiasRecommender(train, { itemRegularisation: 0, userRegularisation: 0 }), held).rmse;
  assert.ok(spread > 1, `the planted ratings vary (std ${spread})`);
  assert.ok(error < 0.15, `held-out RMSE ${error.toFixed(3)} is small against a rating spread of ${spread.toFixed(2)}`);
  assert.ok(error < biasOnly / 5, `the factors explain what the biases cannot (bias-only RMSE ${biasOnly.toFixed(3)})`);
  assert.ok((result.history.at(-1)?.loss as number) < (result.history[0]?.loss as number) / 20, 'the training loss fell');
  data.dispose();
  model.dispose();
  trainer.optimizer.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
});

test('the regularisation is in the training loss only; validation loss is the plain mean squared error', async () => {
  await initBackend();
  seed(3);
  const table = RatingTable.fromRecords(
    Array.from({ length: 40 }, (_, k) => ({ user: k % 8, item: Math.floor(k / 8), rating: 1 + (k % 5) })),
    { scale: { minimum: 1, maximum: 5 } },
  );
  const model = new MatrixFactorisation(table, { dimensions: 3, regularisation: 0.5, initialScale: 1 });
  const data = model.dataset(table);
  const values = tf.tidy(() => {
    const training = model.loss({ x: data.x, y: data.y as Tensor }, true).loss.dataSync()[0] as number;
    const evaluation = model.loss({ x: data.x, y: data.y as Tensor }, false);
    const mse = tf.mean(tf.square(tf.sub(evaluation.outputs as Tensor, data.y as Tensor))).dataSync()[0] as number;
    return [training, evaluation.loss.dataSync()[0] as number, mse];
  });
  const [training, validation, mse] = values as [number, number, number];
  assert.ok(Math.abs(validation - mse) < 1e-5);
  assert.ok(training > validation + 0.1, 'the penalty of embeddings with scale 1 is added in training');
  const other = RatingTable.fromRecords([{ user: 1, item: 1, rating: 3 }], { scale: { minimum: 1, maximum: 5 } });
  assert.throws(() => model.dataset(other), /does not share this model's users and items/);
  data.dispose();
  model.dispose();
});

test('biasRegularisation penalises the biases with its own strength, per rating in the batch', async () => {
  await initBackend();
  seed(4);
  const table = RatingTable.fromRecords(
    Array.from({ length: 30 }, (_, k) => ({ user: k % 6, item: Math.floor(k / 6), rating: 1 + (k % 5) })),
    { scale: { minimum: 1, maximum: 5 } },
  );
  const before = tf.memory().numTensors;
  const data = (model: MatrixFactorisation) => model.dataset(table);
  const penaltyOf = (regularisation: number, biasRegularisation: number | undefined) => {
    const model = new MatrixFactorisation(table, { dimensions: 2, regularisation, initialScale: 0.5, ...(biasRegularisation === undefined ? {} : { biasRegularisation }) });
    // Biases of known, different sizes per user and per item.
    tf.tidy(() => {
      model.userBiases.assign(tf.tensor1d(Array.from({ length: table.userCount }, (_, u) => 0.3 * (u + 1))));
      model.itemBiases.assign(tf.tensor1d(Array.from({ length: table.itemCount }, (_, i) => -0.2 * (i + 1))));
    });
    const set = data(model);
    const [training, plain] = tf.tidy(() => [
      model.loss({ x: set.x, y: set.y as Tensor }, true).loss.dataSync()[0] as number,
      model.loss({ x: set.x, y: set.y as Tensor }, false).loss.dataSync()[0] as number,
    ]) as [number, number];
    // The same penalty by hand: the mean over the ratings of the squared norms each one touches.
    const p = model.userEmbeddings.arraySync() as number[][];
    const q = model.itemEmbeddings.arraySync() as number[][];
    const bu = model.userBiases.arraySync() as number[];
    const bi = model.itemBiases.arraySync() as number[];
    let embeddings = 0;
    let biases = 0;
    for (let k = 0; k < table.size; k++) {
      const u = table.users[k] as number;
      const i = table.items[k] as number;
      embeddings += [...(p[u] as number[]), ...(q[i] as number[])].reduce((s, x) => s + x * x, 0) / table.size;
      biases += ((bu[u] as number) ** 2 + (bi[i] as number) ** 2) / table.size;
    }
    set.dispose();
    model.dispose();
    return { penalty: training - plain, embeddings, biases };
  };
  const separate = penaltyOf(0.1, 0.02);
  assert.ok(Math.abs(separate.penalty - (0.1 * separate.embeddings + 0.02 * separate.biases)) < 1e-4, `penalty ${separate.penalty} = 0.1 x embeddings + 0.02 x biases`);
  const biasesOnly = penaltyOf(0, 0.5);
  assert.ok(Math.abs(biasesOnly.penalty - 0.5 * biasesOnly.biases) < 1e-4, 'with regularisation 0 only the biases are penalised');
  assert.ok(biasesOnly.penalty > 0.1, 'and the bias penalty is really there');
  const shared = penaltyOf(0.1, undefined);
  assert.ok(Math.abs(shared.penalty - 0.1 * (shared.embeddings + shared.biases)) < 1e-4, 'by default the biases share the embeddings\' strength');
  assert.throws(() => new MatrixFactorisation(table, { biasRegularisation: -1 }), /biasRegularisation must be >= 0, got -1/);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
});

test('the training loss\'s hand-written gradient equals automatic differentiation of the same loss', async () => {
  await initBackend();
  seed(8);
  // Repeated users and items in one batch: their rows' gradients must add up.
  const records = Array.from({ length: 36 }, (_, k) => ({ user: (k * 7) % 5, item: (k * 5) % 9, rating: 1 + ((k * 3) % 5) }));
  const table = RatingTable.fromRecords(records, { scale: { minimum: 1, maximum: 5 } });
  const model = new MatrixFactorisation(table, { dimensions: 3, regularisation: 0.3, biasRegularisation: 0.7, initialScale: 0.8 });
  tf.tidy(() => {
    model.userBiases.assign(tf.randomNormal([table.userCount], 0, 0.5, 'float32', 1));
    model.itemBiases.assign(tf.randomNormal([table.itemCount], 0, 0.5, 'float32', 2));
  });
  const data = model.dataset(table);
  const before = tf.memory().numTensors;
  const { values, gaps } = tf.tidy(() => {
    const variables = model.trainableVariables;
    const hand = tf.variableGrads(() => model.loss({ x: data.x, y: data.y as Tensor }, true).loss, variables);
    // The same loss written with plain ops, differentiated by TensorFlow.js.
    const [users, items] = tf.unstack(data.x, 1) as [Tensor, Tensor];
    const auto = tf.valueAndGrads((pTable: Tensor, qTable: Tensor, buTable: Tensor, biTable: Tensor) => {
      const p = tf.gather(pTable, users);
      const q = tf.gather(qTable, items);
      const bu = tf.gather(buTable, users);
      const bi = tf.gather(biTable, items);
      const predicted = tf.addN([tf.sum(tf.mul(p, q), 1), bu, bi, tf.fill([users.shape[0] as number], model.globalMean)]);
      const error = tf.mean(tf.square(tf.sub(predicted, tf.reshape(data.y as Tensor, [-1]))));
      const embeddings = tf.mul(tf.mean(tf.add(tf.sum(tf.square(p), 1), tf.sum(tf.square(q), 1))), 0.3);
      const biases = tf.mul(tf.mean(tf.add(tf.square(bu), tf.square(bi))), 0.7);
      return tf.addN([error, embeddings, biases]) as Tensor;
    })(variables);
    const relativeGaps = variables.map((v, k) => {
      const expected = auto.grads[k] as Tensor;
      const gap = tf.max(tf.abs(tf.sub(hand.grads[v.name] as Tensor, expected))).dataSync()[0] as number;
      return gap / (tf.max(tf.abs(expected)).dataSync()[0] as number);
    });
    return { values: [hand.value.dataSync()[0] as number, auto.value.dataSync()[0] as number], gaps: relativeGaps };
  });
  const [handLoss, autoLoss] = values as [number, number];
  assert.ok(Math.abs(handLoss - autoLoss) < 1e-5 * autoLoss, `loss ${handLoss} vs ${autoLoss}`);
  for (const [k, relative] of gaps.entries()) {
    assert.ok(relative < 1e-5, `gradient of ${model.trainableVariables[k]?.name}: relative difference ${relative}`);
  }
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  data.dispose();
  model.dispose();
});
