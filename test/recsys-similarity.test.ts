// Chapter 8: cosine similarity, mean-centred cosine over co-rated items, the
// adjusted cosine (centred by each user's mean) and the sparse all-pairs
// computation, against hand-computed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adjustedCosine, cosineSimilarity, meanCentredCosine, similarities, CollaborativeFiltering, RatingTable } from 'dlkit';

const close = (actual: number, expected: number, tolerance = 1e-6) =>
  assert.ok(Math.abs(actual - expected) < tolerance, `expected ${expected}, got ${actual}`);

test('cosineSimilarity: same direction 1, orthogonal 0, 45 degrees 1/sqrt(2); distance is its complement', () => {
  close(cosineSimilarity([1, 2, 3], [2, 4, 6]), 1);
  close(cosineSimilarity([1, 0], [0, 1]), 0);
  close(cosineSimilarity([1, 1], [1, 0]), 1 / Math.SQRT2);
  close(cosineSimilarity([1, 2], [-1, -2]), -1);
  assert.equal(cosineSimilarity([0, 0], [1, 2]), 0, 'a zero vector has no direction');
  assert.throws(() => cosineSimilarity([1, 2], [1]), /equally long/);
  assert.throws(() => cosineSimilarity([1, Number.NaN], [1, 2]), /meanCentredCosine/);
});

test('meanCentredCosine: centred by each vector\'s own mean, cosine over co-rated entries only', () => {
  // a rated items 0, 1, 3 (mean 3); b rated 0, 2, 3 (mean 8/3). Co-rated: items 0 and 3.
  // Centred: a -> (2, -2), b -> (4/3, -2/3). dot 4, |a| sqrt(8), |b| sqrt(20)/3: 12 / sqrt(160) = 3 / sqrt(10).
  const a = [5, 3, Number.NaN, 1];
  const b = [4, Number.NaN, 2, 2];
  close(meanCentredCosine(a, b), 3 / Math.sqrt(10));
  close(meanCentredCosine(b, a), 3 / Math.sqrt(10));
  // A generous and a strict rater with the same taste are perfectly similar once centred.
  close(meanCentredCosine([5, 4, 5, 4], [3, 2, 3, 2]), 1);
  // Not rated is not a rating of 0: plain cosine with zeros for "missing" says otherwise.
  const withZeros = cosineSimilarity([5, 3, 0, 1], [4, 0, 2, 2]);
  assert.ok(Math.abs(withZeros - 3 / Math.sqrt(10)) > 0.1);
  assert.equal(meanCentredCosine([5, Number.NaN], [Number.NaN, 4]), 0, 'no co-rated entry: similarity 0');
});

function smallTable(): RatingTable {
  // 4 users x 5 items, some entries missing.
  const rows = [
    [5, 3, 0, 1, 4],
    [4, 0, 2, 2, 5],
    [1, 1, 5, 5, 0],
    [0, 2, 4, 4, 1],
  ];
  const records = rows.flatMap((row, user) => row.flatMap((rating, item) => (rating === 0 ? [] : [{ user: user + 10, item: item + 100, rating }])));
  return RatingTable.fromRecords(records, { scale: { minimum: 1, maximum: 5 } });
}

function denseRows(table: RatingTable, by: 'user' | 'item'): number[][] {
  const rows = by === 'user' ? table.userCount : table.itemCount;
  const columns = by === 'user' ? table.itemCount : table.userCount;
  const dense = Array.from({ length: rows }, () => new Array<number>(columns).fill(Number.NaN));
  for (let k = 0; k < table.size; k++) {
    const u = table.users[k] as number;
    const i = table.items[k] as number;
    if (by === 'user') (dense[u] as number[])[i] = table.ratings[k] as number;
    else (dense[i] as number[])[u] = table.ratings[k] as number;
  }
  return dense;
}

test('similarities on sparse rows equal meanCentredCosine of the dense rows, for users and for items', () => {
  const table = smallTable();
  for (const by of ['user', 'item'] as const) {
    const dense = denseRows(table, by);
    const matrix = similarities(by === 'user' ? table.byUser() : table.byItem());
    for (let a = 0; a < dense.length; a++) {
      for (let b = 0; b < dense.length; b++) {
        if (a === b) continue;
        const shared = (dense[a] as number[]).filter((x, c) => !Number.isNaN(x) && !Number.isNaN((dense[b] as number[])[c] as number)).length;
        close(matrix.get(a, b), meanCentredCosine(dense[a] as number[], dense[b] as number[]), 1e-5);
        assert.equal(matrix.overlap(a, b), shared, `overlap of ${by}s ${a} and ${b}`);
        close(matrix.get(a, b), matrix.get(b, a), 1e-6);
      }
    }
  }
});

test('similarities: minimumOverlap drops thin pairs and shrinkage scales by n / (n + shrinkage)', () => {
  const table = smallTable();
  const items = similarities(table.byItem());
  const strict = similarities(table.byItem(), { minimumOverlap: 3 });
  const shrunk = similarities(table.byItem(), { shrinkage: 2 });
  for (let a = 0; a < 5; a++) {
    for (let b = 0; b < 5; b++) {
      if (a === b) continue;
      const n = items.overlap(a, b);
      assert.equal(strict.get(a, b), n >= 3 ? items.get(a, b) : 0);
      close(shrunk.get(a, b), (items.get(a, b) * n) / (n + 2), 1e-6);
    }
  }
  assert.ok(strict.pairs < items.pairs, 'some item pairs share fewer than 3 raters');
  const plain = similarities(table.byUser());
  // Users 0 (ratings 5,3,_,1,4) and 1 (4,_,2,2,5) share items 0, 3, 4: the hand value.
  const u0 = [5, 3, Number.NaN, 1, 4];
  const u1 = [4, Number.NaN, 2, 2, 5];
  // means 13/4 and 13/4; co-rated centred: (1.75, -2.25, 0.75) and (0.75, -1.25, 1.75)
  const dot = 1.75 * 0.75 + 2.25 * 1.25 + 0.75 * 1.75;
  const expected = dot / Math.sqrt((1.75 ** 2 + 2.25 ** 2 + 0.75 ** 2) * (0.75 ** 2 + 1.25 ** 2 + 1.75 ** 2));
  close(meanCentredCosine(u0, u1), expected);
  close(plain.get(0, 1), expected, 1e-6);
  assert.deepEqual(plain.mostSimilar(0, 1).map((n) => n.index), [1], 'user 1 is the nearest to user 0');
  assert.throws(() => similarities(table.byUser(), { minimumOverlap: 0 }), /minimumOverlap/);
  assert.throws(() => plain.get(0, 9), /indices in 0\.\.3/);
});

test('adjusted cosine centres by each user\'s mean, Pearson by each item\'s: hand values where they differ', () => {
  // Users x items. User means: 4, 3, 2, 4.5.
  const matrix = [
    [5, 3, Number.NaN],
    [4, Number.NaN, 2],
    [2, 1, 3],
    [Number.NaN, 5, 4],
  ];
  // Items 0 and 1, co-rated by users 0 and 2. By user means: (1, 0) and (-1, -1): -1 / sqrt(2).
  // By item means (11/3 and 3): (4/3, -5/3) and (0, -2): (10/3) / (sqrt(41)/3 * 2) = 5 / sqrt(41).
  close(adjustedCosine(matrix, 0, 1), -1 / Math.SQRT2);
  close(meanCentredCosine(matrix.map((r) => r[0] as number), matrix.map((r) => r[1] as number)), 5 / Math.sqrt(41));
  // Items 1 and 2, co-rated by users 2 and 3. By user means: (-1, 0.5) and (1, -0.5): -1.
  // By item means (3 and 3): (-2, 2) and (0, 1): 2 / sqrt(8) = 1 / sqrt(2).
  close(adjustedCosine(matrix, 1, 2), -1);
  close(adjustedCosine(matrix, 2, 1), -1);
  const records = matrix.flatMap((row, u) => row.flatMap((rating, i) => (Number.isNaN(rating) ? [] : [{ user: u, item: i, rating }])));
  const table = RatingTable.fromRecords(records, { scale: { minimum: 1, maximum: 5 } });
  const byUserMean = similarities(table.byItem(), { centring: 'columns' });
  const byItemMean = similarities(table.byItem(), { centring: 'rows' });
  close(byUserMean.get(0, 1), -1 / Math.SQRT2);
  close(byUserMean.get(1, 2), -1);
  close(byItemMean.get(0, 1), 5 / Math.sqrt(41));
  close(byItemMean.get(1, 2), 1 / Math.SQRT2);
  // Uncentred: items 0 and 1 over users 0 and 2: (5, 2)·(3, 1) / (sqrt(29) sqrt(10)).
  close(similarities(table.byItem(), { centring: 'none' }).get(0, 1), 17 / Math.sqrt(290));
  // Item-based CF centres by the rater's mean unless told otherwise: the adjusted cosine.
  const options = { kind: 'item', minimumOverlap: 1, shrinkage: 0 } as const;
  const itemBased = new CollaborativeFiltering(table, options);
  assert.equal(itemBased.centring, 'user');
  close(itemBased.similarity.get(0, 1), -1 / Math.SQRT2);
  close(itemBased.similarity.get(1, 2), -1);
  const pearson = new CollaborativeFiltering(table, { ...options, centring: 'item' });
  close(pearson.similarity.get(0, 1), 5 / Math.sqrt(41));
  close(pearson.similarity.get(1, 2), 1 / Math.SQRT2);
  // User-based CF centred by the user's mean is Pearson of users: meanCentredCosine of their rows.
  const userBased = new CollaborativeFiltering(table, { kind: 'user', minimumOverlap: 1, shrinkage: 0 });
  close(userBased.similarity.get(0, 2), meanCentredCosine(matrix[0] as number[], matrix[2] as number[]));
  assert.throws(() => new CollaborativeFiltering(table, { ...options, centring: 'rater' as 'user' }), /centring must be 'user' or 'item'/);
  assert.throws(() => similarities(table.byItem(), { centring: 'users' as 'rows' }), /centring must be 'rows', 'columns' or 'none'/);
  assert.throws(() => adjustedCosine(matrix, 0, 3), /column indices in 0\.\.2/);
});
