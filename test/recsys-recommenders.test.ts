// Chapter 8: every recommender on a small synthetic table: top-N never shows
// an item the user rated, cold starts get popularity's answer instead of an
// error, bad input gets a clear Error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Random,
  RatingTable,
  PopularityRecommender,
  GlobalMeanRecommender,
  BiasRecommender,
  CollaborativeFiltering,
  MatrixFactorisation,
  evaluateRatings,
  evaluateRanking,
  splitRandom,
  tf,
  type Recommender,
  type RatingRecord,
} from 'dlkit';

/** 30 users x 40 items, two taste groups, about 40% of the entries rated. */
function tasteTable(seedValue = 3): RatingTable {
  const random = new Random(seedValue);
  const records: RatingRecord[] = [];
  for (let user = 1; user <= 30; user++) {
    for (let item = 1; item <= 40; item++) {
      if (random.next() > 0.4) continue;
      const likes = (user % 2 === 0) === (item % 2 === 0);
      const rating = Math.min(5, Math.max(1, Math.round((likes ? 4.2 : 2.2) + random.normal(0, 0.6))));
      records.push({ user, item: 1000 + item, rating, timestamp: random.int(1000) });
    }
  }
  return RatingTable.fromRecords(records, { scale: { minimum: 1, maximum: 5 } });
}

function models(train: RatingTable): Recommender[] {
  const mf = new MatrixFactorisation(train, { dimensions: 4 });
  return [
    new PopularityRecommender(train),
    new GlobalMeanRecommender(train),
    new BiasRecommender(train),
    new CollaborativeFiltering(train, { kind: 'user', neighbours: 5, minimumOverlap: 2 }),
    new CollaborativeFiltering(train, { kind: 'item', neighbours: 5, minimumOverlap: 2 }),
    mf.recommender(),
  ];
}

test('top-N never recommends an item the user already rated, is sorted, and honours the count', () => {
  const table = tasteTable();
  for (const model of models(table)) {
    for (const userId of table.userIds) {
      const u = table.userIndex(userId) as number;
      const rated = new Set<number>();
      for (let k = 0; k < table.size; k++) if (table.users[k] === u) rated.add(table.itemIds[table.items[k] as number] as number);
      const all = model.recommend(userId, 1000);
      assert.equal(all.length, 40 - rated.size, `${model.name}: every unrated item once, for user ${userId}`);
      assert.ok(all.every((r) => !rated.has(r.item)), `${model.name} recommended an item user ${userId} rated`);
      assert.equal(new Set(all.map((r) => r.item)).size, all.length, `${model.name}: no item twice`);
      for (let n = 1; n < all.length; n++) assert.ok((all[n - 1] as { score: number }).score >= (all[n] as { score: number }).score, `${model.name}: best first`);
      assert.deepEqual(model.recommend(userId, 3), all.slice(0, 3));
    }
    assert.throws(() => model.recommend(table.userIds[0] as number, -1), /count must be a whole number/);
    assert.throws(() => model.recommend(table.userIds[0] as number, 3, { minimumRatings: 0 }), /minimumRatings must be a positive integer/);
  }
});

test('minimumRatings keeps items with fewer training ratings out of the list, for known and unknown users', () => {
  const table = tasteTable();
  const counts = new Map<number, number>();
  for (const r of table.records()) counts.set(r.item, (counts.get(r.item) ?? 0) + 1);
  const sorted = [...counts.values()].sort((a, b) => a - b);
  const minimum = sorted[Math.floor(sorted.length / 2)] as number;
  const eligible = [...counts].filter(([, n]) => n >= minimum).map(([item]) => item);
  assert.ok(eligible.length < counts.size && eligible.length > 0);
  for (const model of models(table)) {
    for (const userId of [table.userIds[0] as number, table.userIds[5] as number, 99999]) {
      const list = model.recommend(userId, 1000, { minimumRatings: minimum });
      assert.ok(list.length > 0 && list.every((r) => (counts.get(r.item) as number) >= minimum), `${model.name}: only items with at least ${minimum} ratings`);
      const unfiltered = model.recommend(userId, 1000).filter((r) => (counts.get(r.item) as number) >= minimum);
      assert.deepEqual(list.map((r) => r.item), unfiltered.map((r) => r.item), `${model.name}: the same order, just filtered`);
    }
  }
});

test('neighbourhood CF learns the two taste groups: liked items are predicted higher than disliked ones', () => {
  const { train, test: held } = splitRandom(tasteTable(), { testFraction: 0.25, seed: 4 });
  for (const kind of ['user', 'item'] as const) {
    const model = new CollaborativeFiltering(train, { kind, neighbours: 8, minimumOverlap: 2, baseline: 'means' });
    const mean = new GlobalMeanRecommender(train);
    assert.ok(evaluateRatings(model, held).rmse < evaluateRatings(mean, held).rmse - 0.3, `${kind}-based CF beats the global mean clearly`);
    const ranking = evaluateRanking(model, held, { k: 5, threshold: 4 });
    const ranked = evaluateRanking(mean, held, { k: 5, threshold: 4 });
    assert.ok(ranking.precision > ranked.precision, `${kind}-based CF ranks liked items higher than popularity does`);
  }
});

test('cold start: unknown users and items get the popularity fallback, never an error', () => {
  const table = tasteTable();
  const popularity = new PopularityRecommender(table);
  for (const model of models(table)) {
    const knownItem = table.itemIds[0] as number;
    assert.equal(model.predict(99999, knownItem), popularity.predict(99999, knownItem), `${model.name}: unknown user gets the item's popularity rating`);
    if (model instanceof PopularityRecommender || model instanceof GlobalMeanRecommender) {
      const unknownItem = model.predict(table.userIds[0] as number, 123456);
      assert.ok(Math.abs(unknownItem - popularity.globalMean) < 1e-6, `${model.name}: unknown item gets the global mean`);
    }
    assert.deepEqual(model.recommend(99999, 5), popularity.recommend(99999, 5), `${model.name}: unknown user gets the most popular items`);
    const many = model.predictMany([99999, table.userIds[0] as number], [knownItem, 123456]);
    assert.ok(many.every((v) => v >= 1 && v <= 5 && Number.isFinite(v)));
  }
  // A user in the index whose every rating is in the test table: an empty training history.
  const records = table.records();
  const lonely = records.filter((r) => r.user === 7);
  const rest = records.map((r, k) => k).filter((k) => records[k]?.user !== 7);
  const train = table.subset(rest);
  const model = new CollaborativeFiltering(train, { kind: 'item', minimumOverlap: 2 });
  assert.ok(train.userIndex(7) !== undefined && lonely.length > 0);
  assert.equal(model.knownUser(7), undefined, 'user 7 has no training history');
  assert.deepEqual(model.recommend(7, 4), new PopularityRecommender(train).recommend(7, 4));
  assert.equal(model.predict(7, lonely[0]?.item as number), new PopularityRecommender(train).predict(7, lonely[0]?.item as number));
});

test('a known user and a new item get the user-only estimate, mu + b_u, not the global mean', () => {
  const table = tasteTable();
  const biases = new BiasRecommender(table);
  const mu = biases.globalMean;
  // The most generous and the strictest user: their estimates for a new item must differ from mu and from each other.
  const order = Array.from(biases.userBiases.keys()).sort((a, b) => (biases.userBiases[a] as number) - (biases.userBiases[b] as number));
  const strict = order[0] as number;
  const generous = order.at(-1) as number;
  assert.ok((biases.userBiases[generous] as number) - (biases.userBiases[strict] as number) > 0.1, 'the table has users of different generosity');
  const mf = new MatrixFactorisation(table, { dimensions: 4 });
  tf.tidy(() => mf.userBiases.assign(tf.tensor1d(Float32Array.from(biases.userBiases))));
  const expectations: [Recommender, (u: number) => number][] = [
    [biases, (u) => mu + (biases.userBiases[u] as number)],
    [new CollaborativeFiltering(table, { kind: 'item', neighbours: 5, minimumOverlap: 2 }), (u) => mu + (biases.userBiases[u] as number)],
    [new CollaborativeFiltering(table, { kind: 'user', neighbours: 5, minimumOverlap: 2, baseline: 'means' }), (u) => {
      let sum = 0;
      let count = 0;
      for (let k = 0; k < table.size; k++) if (table.users[k] === u) (sum += table.ratings[k] as number), count++;
      return sum / count;
    }],
    [mf.recommender(), (u) => mu + (biases.userBiases[u] as number)],
  ];
  for (const [model, expected] of expectations) {
    for (const u of [strict, generous]) {
      const userId = table.userIds[u] as number;
      assert.ok(Math.abs(model.predict(userId, 123456) - expected(u)) < 1e-4, `${model.name}: user ${userId} and a new item`);
      assert.ok(Math.abs((model.predictMany([userId], [123456])[0] as number) - expected(u)) < 1e-4, `${model.name}: the same through predictMany`);
    }
  }
  // Item-based CF over item means has no user part: the global mean, as before.
  const itemMeans = new CollaborativeFiltering(table, { kind: 'item', neighbours: 5, minimumOverlap: 2, baseline: 'means' });
  assert.ok(Math.abs(itemMeans.predict(table.userIds[generous] as number, 123456) - mu) < 1e-6);
  mf.dispose();
});

test('predictions stay inside the rating scale', () => {
  const table = tasteTable();
  for (const model of models(table)) {
    for (const userId of table.userIds.slice(0, 10)) {
      for (const itemId of table.itemIds) {
        const p = model.predict(userId, itemId);
        assert.ok(p >= 1 && p <= 5, `${model.name} predicted ${p}`);
      }
    }
  }
});

test('bad input: ratings outside the scale, duplicates, empty tables and bad options get clear errors', () => {
  assert.throws(() => RatingTable.fromRecords([{ user: 1, item: 2, rating: 6 }]), /rating 6, outside the scale 0\.5 to 5/);
  assert.throws(() => RatingTable.fromRecords([{ user: 1, item: 2, rating: 0 }]), /outside the scale/);
  assert.throws(() => RatingTable.fromRecords([{ user: 1, item: 2, rating: Number.NaN }]), /outside the scale/);
  assert.throws(() => RatingTable.fromRecords([{ user: 1, item: 2, rating: 3 }, { user: 1, item: 2, rating: 4 }]), /rated item 2 twice/);
  assert.throws(() => RatingTable.fromRecords([], { scale: { minimum: 5, maximum: 1 } }), /minimum < maximum/);
  const empty = RatingTable.fromRecords([]);
  assert.throws(() => new PopularityRecommender(empty), /no ratings/);
  assert.throws(() => new BiasRecommender(empty), /no ratings/);
  assert.throws(() => new CollaborativeFiltering(empty, { kind: 'item' }), /no ratings/);
  assert.throws(() => new MatrixFactorisation(empty), /no ratings/);
  assert.throws(() => splitRandom(empty), /no ratings/);
  const table = tasteTable();
  assert.throws(() => new CollaborativeFiltering(table, { kind: 'users' as 'user' }), /kind must be 'user' or 'item'/);
  assert.throws(() => new CollaborativeFiltering(table, { kind: 'item', neighbours: 0 }), /positive integer/);
  assert.throws(() => new CollaborativeFiltering(table, { kind: 'user' }).explain(1, 1001), /needs kind 'item'/);
  assert.throws(() => splitRandom(table, { testFraction: 1 }), /between 0 and 1/);
  assert.throws(() => new MatrixFactorisation(table, { dimensions: 0 }), /dimensions/);
  assert.throws(() => new PopularityRecommender(table).predictMany([1, 2], [1001]), /one of each per pair/);
});

test('item-based explain lists the rated items most similar to the recommended one', () => {
  const table = tasteTable();
  const model = new CollaborativeFiltering(table, { kind: 'item', minimumOverlap: 2 });
  const userId = table.userIds[2] as number;
  const [top] = model.recommend(userId, 1);
  const reasons = model.explain(userId, top?.item as number, 3);
  assert.ok(reasons.length > 0);
  const u = table.userIndex(userId) as number;
  for (const reason of reasons) {
    assert.ok(!Number.isNaN(table.ratingAt(u, table.itemIndex(reason.item) as number)), 'a reason is an item the user rated');
    assert.equal(reason.rating, table.ratingAt(u, table.itemIndex(reason.item) as number));
  }
  for (let n = 1; n < reasons.length; n++) assert.ok((reasons[n - 1] as { similarity: number }).similarity >= (reasons[n] as { similarity: number }).similarity);
  assert.deepEqual(model.explain(99999, top?.item as number), [], 'no reasons for a cold user');
});
