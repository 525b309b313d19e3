// Chapter 8: the MovieLens loader, the splits (their leaks and cold starts) and the sparse views.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMovieLens, splitByTime, splitLatestPerUser, splitRandom, timeLeak, coldStarts, RatingTable, MOVIELENS_RATINGS, MOVIELENS_MOVIES } from 'dlkit';

test('loadMovieLens reads 100,004 ratings by 671 users of 9,066 movies, with titles', () => {
  const data = loadMovieLens();
  assert.equal(data.ratings.size, MOVIELENS_RATINGS);
  assert.equal(data.ratings.userCount, 671);
  assert.equal(data.ratings.itemCount, MOVIELENS_MOVIES);
  assert.equal(data.movies.size, MOVIELENS_MOVIES);
  assert.equal(data.title(1), 'Toy Story (1995)');
  assert.deepEqual(data.movies.get(1)?.genres, ['Adventure', 'Animation', 'Children', 'Comedy', 'Fantasy']);
  assert.equal(data.title(108548), 'movie 108548', 'a movie without a title gets a name, not null');
  assert.equal(data.movies.get(51372)?.title, '"Great Performances" Cats', 'quotes inside a quoted title survive');
  const ratings = Array.from(data.ratings.ratings);
  assert.equal(Math.min(...ratings), 0.5);
  assert.equal(Math.max(...ratings), 5);
  assert.ok(data.ratings.density < 0.02, 'the user x movie matrix is mostly empty');
  const rows = data.ratings.byUser();
  let smallest = Infinity;
  for (let u = 0; u < rows.rows; u++) smallest = Math.min(smallest, (rows.pointers[u + 1] as number) - (rows.pointers[u] as number));
  assert.equal(smallest, 20, 'every MovieLens user rated at least 20 movies');
});

test('splitByTime is one cut-off in time: no training rating is later than any test rating', () => {
  const table = loadMovieLens().ratings;
  const split = splitByTime(table, { testFraction: 0.2 });
  const { train, test: held } = split;
  assert.equal(train.size + held.size, table.size);
  const lastTrain = Math.max(...train.timestamps);
  const firstTest = Math.min(...held.timestamps);
  assert.ok(lastTrain < firstTest, `the latest training rating (${lastTrain}) is older than the earliest test rating (${firstTest})`);
  assert.equal(split.cutoff, firstTest);
  assert.ok(Math.abs(held.size / table.size - 0.2) < 0.001, `the latest fifth of all ratings: ${held.size} of ${table.size}`);
  assert.deepEqual(timeLeak(split), { laterTraining: 0, afterMedianTest: 0, testItemsRatedLater: 0 });
  // Validation is the latest fifth of the training ratings: earlier still.
  const validation = splitByTime(train, { testFraction: 0.2 });
  assert.ok(Math.max(...validation.test.timestamps) < split.cutoff && validation.cutoff < split.cutoff);
});

test("splitLatestPerUser holds out each user's latest ratings, and timeLeak counts what it lets through", () => {
  const table = loadMovieLens().ratings;
  const split = splitLatestPerUser(table, { testFraction: 0.2 });
  const { train, test: held } = split;
  assert.equal(train.size + held.size, table.size);
  const lastTrain = new Float64Array(table.userCount).fill(-Infinity);
  const firstTest = new Float64Array(table.userCount).fill(Infinity);
  for (let k = 0; k < train.size; k++) lastTrain[train.users[k] as number] = Math.max(lastTrain[train.users[k] as number] as number, train.timestamps[k] as number);
  for (let k = 0; k < held.size; k++) firstTest[held.users[k] as number] = Math.min(firstTest[held.users[k] as number] as number, held.timestamps[k] as number);
  for (let u = 0; u < table.userCount; u++) {
    assert.ok((lastTrain[u] as number) <= (firstTest[u] as number), `user ${table.userIds[u]}: no test rating is older than a training one`);
    assert.ok(Number.isFinite(firstTest[u] as number), 'every user has test ratings');
  }
  assert.ok(Math.abs(held.size / table.size - 0.2) < 0.01);
  // Other users' later ratings stay in training: the counts a reader of chapter 8 found (issue 24).
  assert.equal(held.size, 20003);
  assert.deepEqual(timeLeak(split), { laterTraining: 79937, afterMedianTest: 31220, testItemsRatedLater: 16466 });
  assert.ok(Math.max(...train.timestamps) > Math.min(...held.timestamps), 'this split is not past-predicts-future');
  const a = splitRandom(table, { seed: 1 });
  const b = splitRandom(table, { seed: 1 });
  const c = splitRandom(table, { seed: 2 });
  assert.deepEqual(Array.from(a.test.ratings.slice(0, 50)), Array.from(b.test.ratings.slice(0, 50)));
  assert.notDeepEqual(Array.from(a.test.timestamps.slice(0, 50)), Array.from(c.test.timestamps.slice(0, 50)));
  assert.equal(a.test.size, Math.round(0.2 * table.size));
  const key = (t: RatingTable, k: number) => (t.users[k] as number) * t.itemCount + (t.items[k] as number);
  const trainKeys = new Set(Array.from({ length: a.train.size }, (_, k) => key(a.train, k)));
  assert.ok(Array.from({ length: a.test.size }, (_, k) => key(a.test, k)).every((x) => !trainKeys.has(x)), 'no rating is in both');
  assert.equal(a.train.userIds, table.userIds, 'the splits share the index of the full table');
});

test('a small table: sparse rows, lookups, and each user\'s latest rating held out', () => {
  const table = RatingTable.fromRecords([
    { user: 7, item: 30, rating: 4, timestamp: 5 },
    { user: 7, item: 10, rating: 2, timestamp: 9 },
    { user: 3, item: 30, rating: 5, timestamp: 1 },
    { user: 7, item: 20, rating: 3, timestamp: 7 },
  ]);
  assert.deepEqual(table.userIds, [3, 7]);
  assert.deepEqual(table.itemIds, [10, 20, 30]);
  const rows = table.byUser();
  assert.deepEqual(Array.from(rows.pointers), [0, 1, 4]);
  assert.deepEqual(Array.from(rows.indices), [2, 0, 1, 2]);
  assert.deepEqual(Array.from(rows.values), [5, 2, 3, 4]);
  assert.equal(table.ratingAt(1, 1), 3);
  assert.ok(Number.isNaN(table.ratingAt(0, 0)));
  const { train, test: held } = splitLatestPerUser(table, { testFraction: 0.34 });
  assert.deepEqual(held.records().map((r) => [r.user, r.item]), [[7, 10]], "user 7's latest rating is held out");
  assert.equal(train.records().filter((r) => r.user === 3).length, 1, 'user 3 has one rating: it stays in training');
});

test('splitByTime on a small table: ties at the cut-off go to the test table; coldStarts and timeLeak by hand', () => {
  const table = RatingTable.fromRecords([
    { user: 1, item: 10, rating: 4, timestamp: 1 },
    { user: 1, item: 20, rating: 3, timestamp: 2 },
    { user: 2, item: 10, rating: 5, timestamp: 3 },
    { user: 2, item: 20, rating: 2, timestamp: 4 },
    { user: 1, item: 30, rating: 4, timestamp: 6 },
    { user: 3, item: 10, rating: 1, timestamp: 6 },
    { user: 2, item: 30, rating: 5, timestamp: 7 },
  ]);
  // The latest 2 of 7 ratings start at time 6, which two ratings share: both are test ratings.
  const split = splitByTime(table, { testFraction: 0.3 });
  assert.equal(split.cutoff, 6);
  assert.deepEqual(split.test.records().map((r) => [r.user, r.item]), [[1, 30], [3, 10], [2, 30]]);
  assert.deepEqual(split.train.records().map((r) => r.timestamp), [1, 2, 3, 4]);
  const cold = coldStarts(split);
  // Test rows: (1, 30) known user, new item; (3, 10) new user; (2, 30) known user, new item.
  assert.deepEqual(Array.from(cold.coldUser), [0, 1, 0]);
  assert.deepEqual(Array.from(cold.coldItem), [1, 0, 1]);
  assert.deepEqual(cold.coldUsers, [1]);
  assert.deepEqual(cold.coldItemsOnly, [0, 2]);
  assert.deepEqual(cold.warm, []);
  // Each user's latest: user 1 holds out (1, 30), user 2 holds out (2, 30), user 3's only rating stays.
  const perUser = splitLatestPerUser(table, { testFraction: 0.3 });
  assert.deepEqual(perUser.test.records().map((r) => [r.user, r.item]), [[1, 30], [2, 30]]);
  // Training keeps (3, 10) at time 6, tied with the earliest test rating: not later.
  assert.deepEqual(timeLeak(perUser), { laterTraining: 0, afterMedianTest: 0, testItemsRatedLater: 0 });
  const perUserHalf = splitLatestPerUser(table, { testFraction: 0.5 });
  // Held out: user 1's (20 at 2, 30 at 6), user 2's (20 at 4, 30 at 7); training keeps times 1, 3, 6.
  assert.deepEqual(perUserHalf.test.records().map((r) => r.timestamp), [2, 4, 6, 7]);
  // Later than the earliest test time 2: 3 and 6; median test time (4): 6. Item 10 at 3 and 6 is not in the test set;
  // item 20's test ratings (2, 4) and item 30's (6, 7) have no later training rating of the same item.
  assert.deepEqual(timeLeak(perUserHalf), { laterTraining: 2, afterMedianTest: 1, testItemsRatedLater: 0 });
  // User 1 holds out item 20 (time 2); user 2 keeps item 20 (time 3) in training: a later rating of a test movie.
  const leaky = splitLatestPerUser(
    RatingTable.fromRecords([
      { user: 1, item: 10, rating: 4, timestamp: 1 },
      { user: 1, item: 20, rating: 3, timestamp: 2 },
      { user: 2, item: 20, rating: 5, timestamp: 3 },
      { user: 2, item: 30, rating: 2, timestamp: 4 },
    ]),
    { testFraction: 0.5 },
  );
  assert.deepEqual(leaky.test.records().map((r) => r.timestamp), [2, 4]);
  assert.deepEqual(timeLeak(leaky), { laterTraining: 1, afterMedianTest: 1, testItemsRatedLater: 1 });
  assert.throws(() => splitByTime(table, { testFraction: 1 }), /testFraction must be between 0 and 1/);
  const sameTime = RatingTable.fromRecords([
    { user: 1, item: 10, rating: 4, timestamp: 5 },
    { user: 2, item: 10, rating: 4, timestamp: 5 },
  ]);
  assert.throws(() => splitByTime(sameTime), /share their timestamp.*splitRandom/);
});

test('loadMovieLens: missing or corrupt files get errors that say what to do', () => {
  const folder = mkdtempSync(join(tmpdir(), 'dlkit-movielens-'));
  assert.throws(() => loadMovieLens({ ratingsPath: join(folder, 'none.csv'), moviesPath: join(folder, 'none.csv') }), /no file at .*none\.csv.*Check the paths/);
  const movies = join(folder, 'movies.csv');
  writeFileSync(movies, 'movieId,title,year,genres\n1,"A",2000,"Drama"\n');
  const ratings = join(folder, 'ratings.csv');
  writeFileSync(ratings, 'userId,movieId,rating,timestamp\n1,1,7,100\n');
  assert.throws(() => loadMovieLens({ ratingsPath: ratings, moviesPath: movies }), /rating 7, outside the scale 0\.5 to 5/);
  writeFileSync(ratings, 'userId,movieId,rating,timestamp\n1,2,4,100\n');
  assert.throws(() => loadMovieLens({ ratingsPath: ratings, moviesPath: movies }), /rates movie 2, which .* does not list/);
  writeFileSync(ratings, 'userId,movieId,rating\n1,1,4\n');
  assert.throws(() => loadMovieLens({ ratingsPath: ratings, moviesPath: movies }), /lacks the column timestamp/);
  writeFileSync(ratings, 'userId,movieId,rating,timestamp\n1,1,4,100\n');
  assert.equal(loadMovieLens({ ratingsPath: ratings, moviesPath: movies }).ratings.size, 1);
  const saved = process.env['DLKIT_DATASETS'];
  process.env['DLKIT_DATASETS'] = folder;
  try {
    assert.throws(() => loadMovieLens(), /no file at .*movielens-small.*ratings\.csv.*git checkout -- datasets\/movielens-small/);
  } finally {
    if (saved === undefined) delete process.env['DLKIT_DATASETS'];
    else process.env['DLKIT_DATASETS'] = saved;
  }
});
