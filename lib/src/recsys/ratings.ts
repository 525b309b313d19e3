/** Ratings (chapter 8): a table on dense indices, splits (time, random, latest), leaks, cold starts, MovieLens. */
import { datasetFile, readCsvTable } from '../data/tables';
import { meanOf } from '../util/statistics';
import { Random, nextSeed } from '../util/random';
import { positionInRow, sparseRowsFromEntries, type SparseRows } from './sparse-rows';
import { checkPositiveIntegers } from '../util/validate';

/** The smallest and largest rating allowed. MovieLens: 0.5 to 5. */
export interface RatingScale {
  minimum: number;
  maximum: number;
}

/** One rating by a user of an item, with ids as the data gives them. */
export interface RatingRecord {
  user: number;
  item: number;
  rating: number;
  /** When it was made (any increasing unit; MovieLens: seconds since 1970). Default 0. */
  timestamp?: number;
}

export const MOVIELENS_SCALE: RatingScale = { minimum: 0.5, maximum: 5 };

function checkScale(scale: RatingScale, what: string): void {
  if (!Number.isFinite(scale.minimum) || !Number.isFinite(scale.maximum) || scale.minimum >= scale.maximum) {
    throw new Error(`${what}: the rating scale must have finite minimum < maximum, got ${scale.minimum} to ${scale.maximum}.`);
  }
}

/** Ratings on dense indices: `ratings[k]` by `users[k]` of `items[k]`; a model fitted on a `subset` scores another. */
export class RatingTable {
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings: Float32Array;
  readonly timestamps: Float64Array;
  readonly userIds: readonly number[];
  readonly itemIds: readonly number[];
  readonly scale: RatingScale;
  private readonly userLookup: Map<number, number>;
  private readonly itemLookup: Map<number, number>;
  private userRows: SparseRows | null = null;
  private itemRows: SparseRows | null = null;

  /** Throws when the lengths differ, an index is out of range, or a rating is not inside `scale`. */
  constructor(parts: {
    users: Int32Array;
    items: Int32Array;
    ratings: Float32Array;
    timestamps?: Float64Array;
    userIds: readonly number[];
    itemIds: readonly number[];
    scale: RatingScale;
  }) {
    const n = parts.users.length;
    const timestamps = parts.timestamps ?? new Float64Array(n);
    if (parts.items.length !== n || parts.ratings.length !== n || timestamps.length !== n) {
      throw new Error(
        `RatingTable: users, items, ratings and timestamps must have one entry per rating; got ${n}, ${parts.items.length}, ${parts.ratings.length} and ${timestamps.length}.`,
      );
    }
    checkScale(parts.scale, 'RatingTable');
    for (let k = 0; k < n; k++) {
      const u = parts.users[k] as number;
      const i = parts.items[k] as number;
      const r = parts.ratings[k] as number;
      if (u < 0 || u >= parts.userIds.length) throw new Error(`RatingTable: rating ${k} has user index ${u}, outside 0..${parts.userIds.length - 1}.`);
      if (i < 0 || i >= parts.itemIds.length) throw new Error(`RatingTable: rating ${k} has item index ${i}, outside 0..${parts.itemIds.length - 1}.`);
      if (!(r >= parts.scale.minimum && r <= parts.scale.maximum)) {
        throw new Error(
          `RatingTable: rating ${k} (user ${parts.userIds[u]}, item ${parts.itemIds[i]}) is ${r}, outside the scale ${parts.scale.minimum} to ${parts.scale.maximum}. ` +
            'Fix the data, or give the scale your data uses (option scale).',
        );
      }
    }
    this.users = parts.users;
    this.items = parts.items;
    this.ratings = parts.ratings;
    this.timestamps = timestamps;
    this.userIds = parts.userIds;
    this.itemIds = parts.itemIds;
    this.scale = { ...parts.scale };
    this.userLookup = new Map(parts.userIds.map((id, index) => [id, index]));
    this.itemLookup = new Map(parts.itemIds.map((id, index) => [id, index]));
    if (this.userLookup.size !== parts.userIds.length) throw new Error('RatingTable: userIds holds the same id twice; ids must be unique.');
    if (this.itemLookup.size !== parts.itemIds.length) throw new Error('RatingTable: itemIds holds the same id twice; ids must be unique.');
  }

  /** A table from records with the data's ids (indices in ascending id order); throws on a rating outside `scale` or a repeat. */
  static fromRecords(records: readonly RatingRecord[], options: { scale?: RatingScale } = {}): RatingTable {
    const scale = options.scale ?? MOVIELENS_SCALE;
    checkScale(scale, 'RatingTable.fromRecords');
    records.forEach((r, k) => {
      if (!Number.isFinite(r.user) || !Number.isFinite(r.item)) throw new Error(`RatingTable.fromRecords: record ${k} has user ${r.user} and item ${r.item}; ids must be numbers.`);
      if (!(r.rating >= scale.minimum && r.rating <= scale.maximum)) {
        throw new Error(
          `RatingTable.fromRecords: record ${k} (user ${r.user}, item ${r.item}) has rating ${r.rating}, outside the scale ${scale.minimum} to ${scale.maximum}. ` +
            'Fix the data, or pass the scale your data uses: fromRecords(records, { scale: { minimum, maximum } }).',
        );
      }
    });
    const userIds = [...new Set(records.map((r) => r.user))].sort((a, b) => a - b);
    const itemIds = [...new Set(records.map((r) => r.item))].sort((a, b) => a - b);
    const userIndex = new Map(userIds.map((id, i) => [id, i]));
    const itemIndex = new Map(itemIds.map((id, i) => [id, i]));
    const seen = new Set<number>();
    const users = new Int32Array(records.length);
    const items = new Int32Array(records.length);
    records.forEach((r, k) => {
      users[k] = userIndex.get(r.user) as number;
      items[k] = itemIndex.get(r.item) as number;
      const key = (users[k] as number) * itemIds.length + (items[k] as number);
      if (seen.has(key)) throw new Error(`RatingTable.fromRecords: user ${r.user} rated item ${r.item} twice (record ${k}); keep one rating per user and item.`);
      seen.add(key);
    });
    return new RatingTable({
      users,
      items,
      ratings: Float32Array.from(records, (r) => r.rating),
      timestamps: Float64Array.from(records, (r) => r.timestamp ?? 0),
      userIds,
      itemIds,
      scale,
    });
  }

  get size(): number {
    return this.ratings.length;
  }

  /** Number of users in the index (some may have no rating in a split). */
  get userCount(): number {
    return this.userIds.length;
  }

  get itemCount(): number {
    return this.itemIds.length;
  }

  /** Share of the user × item matrix that holds a rating. */
  get density(): number {
    return this.size / (this.userCount * this.itemCount);
  }

  /** The index of a user id, or undefined when the id is unknown. */
  userIndex(id: number): number | undefined {
    return this.userLookup.get(id);
  }

  /** The index of an item id, or undefined when the id is unknown. */
  itemIndex(id: number): number | undefined {
    return this.itemLookup.get(id);
  }

  /** Mean of all ratings; NaN for an empty table. */
  mean(): number {
    return meanOf(this.ratings);
  }

  /** The ratings by user: row u lists the items user u rated, ascending. Cached. */
  byUser(): SparseRows {
    this.userRows ??= sparseRowsFromEntries(this.users, this.items, this.ratings, this.userCount, this.itemCount);
    return this.userRows;
  }

  /** The ratings by item: row i lists the users who rated item i, ascending. Cached. */
  byItem(): SparseRows {
    this.itemRows ??= sparseRowsFromEntries(this.items, this.users, this.ratings, this.itemCount, this.userCount);
    return this.itemRows;
  }

  /** The rating user index `u` gave item index `i`, or NaN. Binary search in the user's row. */
  ratingAt(u: number, i: number): number {
    const rows = this.byUser();
    const at = positionInRow(rows.pointers, rows.indices, u, i);
    return at < 0 ? Number.NaN : (rows.values[at] as number);
  }

  /** The ratings at positions `rows` as a new table with the same users, items and scale. */
  subset(rows: ArrayLike<number>): RatingTable {
    const pick = Int32Array.from(rows as ArrayLike<number>);
    return new RatingTable({
      users: Int32Array.from(pick, (k) => this.users[k] as number),
      items: Int32Array.from(pick, (k) => this.items[k] as number),
      ratings: Float32Array.from(pick, (k) => this.ratings[k] as number),
      timestamps: Float64Array.from(pick, (k) => this.timestamps[k] as number),
      userIds: this.userIds,
      itemIds: this.itemIds,
      scale: this.scale,
    });
  }

  /** The ratings as records with the data's ids. */
  records(): RatingRecord[] {
    return Array.from(this.ratings, (rating, k) => ({
      user: this.userIds[this.users[k] as number] as number,
      item: this.itemIds[this.items[k] as number] as number,
      rating,
      timestamp: this.timestamps[k] as number,
    }));
  }
}

/** A training table and a test table over the same users and items. */
export interface RatingSplit {
  train: RatingTable;
  test: RatingTable;
}

function checkFraction(fraction: number, what: string): void {
  if (!(fraction > 0 && fraction < 1)) throw new Error(`${what}: testFraction must be between 0 and 1 (exclusive), got ${fraction}; 0.2 holds out a fifth.`);
}

/** A split at one moment in time: every rating at or after `cutoff` is a test rating. */
export interface TimeSplit extends RatingSplit {
  /** The first timestamp of the test table; every training rating is older. */
  cutoff: number;
}

/**
 * The past predicts the future: one cut-off time, the latest `testFraction` of ratings (default 0.2, a little
 * more when many share the cut-off's second) are the test table. No training rating is later than a test one;
 * users and movies first rated after the cut-off are cold starts.
 */
export function splitByTime(table: RatingTable, options: { testFraction?: number } = {}): TimeSplit {
  const fraction = options.testFraction ?? 0.2;
  checkFraction(fraction, 'splitByTime');
  if (table.size < 2) throw new Error(`splitByTime: the table has ${table.size} rating(s); a split needs at least 2.`);
  const times = Float64Array.from(table.timestamps).sort();
  const held = Math.min(Math.max(Math.round(fraction * table.size), 1), table.size - 1);
  const cutoff = times[table.size - held] as number;
  if (cutoff <= (times[0] as number)) {
    throw new Error(
      `splitByTime: the latest ${held} ratings share their timestamp with the earliest ones, so no cut-off leaves any training rating; ` +
        'give the ratings their times (option timestamp of fromRecords), or use splitRandom.',
    );
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let k = 0; k < table.size; k++) ((table.timestamps[k] as number) >= cutoff ? test : train).push(k);
  return { train: table.subset(train), test: table.subset(test), cutoff };
}

/**
 * Each user's latest `round(testFraction * n)` ratings as the test table (at least one when n >= 2, keeping
 * `minimumTrain`, default 1). Not past-predicts-future: other users' later ratings stay in training (`timeLeak`).
 */
export function splitLatestPerUser(table: RatingTable, options: { testFraction?: number; minimumTrain?: number } = {}): RatingSplit {
  const fraction = options.testFraction ?? 0.2;
  checkFraction(fraction, 'splitLatestPerUser');
  const minimumTrain = options.minimumTrain ?? 1;
  checkPositiveIntegers('splitLatestPerUser', { minimumTrain });
  if (table.size === 0) throw new Error('splitLatestPerUser: the table has no ratings; there is nothing to split.');
  const perUser: number[][] = Array.from({ length: table.userCount }, () => []);
  for (let k = 0; k < table.size; k++) (perUser[table.users[k] as number] as number[]).push(k);
  const train: number[] = [];
  const test: number[] = [];
  for (const rows of perUser) {
    rows.sort((a, b) => (table.timestamps[a] as number) - (table.timestamps[b] as number) || a - b);
    const n = rows.length;
    const held = Math.min(Math.max(Math.round(fraction * n), n >= 2 ? 1 : 0), Math.max(0, n - minimumTrain));
    train.push(...rows.slice(0, n - held));
    test.push(...rows.slice(n - held));
  }
  train.sort((a, b) => a - b);
  test.sort((a, b) => a - b);
  return { train: table.subset(train), test: table.subset(test) };
}

/** How much of the future a split lets a model see; all zero for `splitByTime`. */
export interface TimeLeak {
  /** Training ratings later than the earliest test rating. */
  laterTraining: number;
  /** Training ratings later than the median test rating's time. */
  afterMedianTest: number;
  /** Test ratings whose item has a training rating made later than the test rating. */
  testItemsRatedLater: number;
}

/** Counts the training ratings that come from the test period: see `TimeLeak`. */
export function timeLeak(split: RatingSplit): TimeLeak {
  const { train, test } = split;
  if (test.size === 0) return { laterTraining: 0, afterMedianTest: 0, testItemsRatedLater: 0 };
  const testTimes = Float64Array.from(test.timestamps).sort();
  const earliest = testTimes[0] as number;
  const median = testTimes[Math.floor((test.size - 1) / 2)] as number;
  const lastTraining = new Float64Array(train.itemCount).fill(-Infinity);
  let laterTraining = 0;
  let afterMedianTest = 0;
  for (let k = 0; k < train.size; k++) {
    const t = train.timestamps[k] as number;
    if (t > earliest) laterTraining++;
    if (t > median) afterMedianTest++;
    const i = train.items[k] as number;
    if (t > (lastTraining[i] as number)) lastTraining[i] = t;
  }
  let testItemsRatedLater = 0;
  for (let k = 0; k < test.size; k++) if ((lastTraining[test.items[k] as number] as number) > (test.timestamps[k] as number)) testItemsRatedLater++;
  return { laterTraining, afterMedianTest, testItemsRatedLater };
}

/** Which test ratings a split leaves without training history. */
export interface ColdStarts {
  /** 1 where the test rating's user has no training rating, by test row. */
  coldUser: Uint8Array;
  /** 1 where the test rating's item has no training rating, by test row. */
  coldItem: Uint8Array;
  /** Test rows whose user and item both have training ratings. */
  warm: number[];
  /** Test rows of a cold user (whatever the item). */
  coldUsers: number[];
  /** Test rows of a known user and a cold item. */
  coldItemsOnly: number[];
}

/** Sorts a split's test rows: warm, a cold user, or a known user with a cold item (score each with `subset`). */
export function coldStarts(split: RatingSplit): ColdStarts {
  const { train, test } = split;
  if (train.userIds !== test.userIds || train.itemIds !== test.itemIds) {
    throw new Error('coldStarts: the training and test tables do not share their users and items; pass a split made by splitByTime, splitRandom or subset.');
  }
  const userSeen = new Uint8Array(train.userCount);
  const itemSeen = new Uint8Array(train.itemCount);
  for (let k = 0; k < train.size; k++) {
    userSeen[train.users[k] as number] = 1;
    itemSeen[train.items[k] as number] = 1;
  }
  const coldUser = Uint8Array.from(test.users, (u) => 1 - (userSeen[u] as number));
  const coldItem = Uint8Array.from(test.items, (i) => 1 - (itemSeen[i] as number));
  const warm: number[] = [];
  const coldUsers: number[] = [];
  const coldItemsOnly: number[] = [];
  for (let k = 0; k < test.size; k++) {
    if (coldUser[k]) coldUsers.push(k);
    else if (coldItem[k]) coldItemsOnly.push(k);
    else warm.push(k);
  }
  return { coldUser, coldItem, warm, coldUsers, coldItemsOnly };
}

/** A random split of exactly `round(testFraction * size)` test ratings, drawn with `seed` (default `nextSeed()`). */
export function splitRandom(table: RatingTable, options: { testFraction?: number; seed?: number } = {}): RatingSplit {
  const fraction = options.testFraction ?? 0.2;
  checkFraction(fraction, 'splitRandom');
  if (table.size === 0) throw new Error('splitRandom: the table has no ratings; there is nothing to split.');
  const order = new Random(options.seed ?? nextSeed()).shuffle(Array.from({ length: table.size }, (_, k) => k));
  const held = Math.round(fraction * table.size);
  const test = order.slice(0, held).sort((a, b) => a - b);
  const train = order.slice(held).sort((a, b) => a - b);
  return { train: table.subset(train), test: table.subset(test) };
}

export interface Movie {
  id: number;
  /** The title without its year; `movie <id>` for the five movies whose title is missing. */
  title: string;
  year: number | null;
  genres: string[];
}

export interface MovieLens {
  ratings: RatingTable;
  /** Every rated movie by id. */
  movies: Map<number, Movie>;
  /** A movie's title with its year, e.g. `Toy Story (1995)`; `movie <id>` for an unknown id. */
  title(id: number): string;
}

/** Ratings in datasets/movielens-small/ratings.csv. */
export const MOVIELENS_RATINGS = 100004;
/** Movies in datasets/movielens-small/movies.csv. */
export const MOVIELENS_MOVIES = 9066;

const MOVIELENS_RESTORE =
  'Restore it with `git checkout -- datasets/movielens-small`, or rebuild it with `Rscript datasets/movielens-small/convert.R` ' +
  '(needs apt-get install r-base-core r-cran-dslabs); set DLKIT_DATASETS to the folder holding movielens-small/, or pass the paths to loadMovieLens({ ratingsPath, moviesPath }).';

/** The MovieLens "latest-small" ratings and movies (datasets/movielens-small/); throws naming a missing or corrupt file. */
export function loadMovieLens(options: { ratingsPath?: string; moviesPath?: string } = {}): MovieLens {
  const own = options.ratingsPath === undefined && options.moviesPath === undefined;
  const hint = own ? MOVIELENS_RESTORE : 'Check the paths, or call loadMovieLens() without them to read the copy in the repository.';
  const ratingsPath = options.ratingsPath ?? datasetFile('movielens-small', 'ratings.csv');
  const moviesPath = options.moviesPath ?? datasetFile('movielens-small', 'movies.csv');
  const ratingsTable = readCsvTable(
    ratingsPath,
    ['userId', 'movieId', 'rating', 'timestamp'].map((name) => ({ name, kind: 'number' as const })),
    { what: 'loadMovieLens', restoreHint: hint, ...(own ? { expectedRows: MOVIELENS_RATINGS } : {}) },
  );
  const moviesTable = readCsvTable(
    moviesPath,
    [
      { name: 'movieId', kind: 'number' },
      { name: 'title', kind: 'text', optional: true },
      { name: 'year', kind: 'number', optional: true },
      { name: 'genres', kind: 'text' },
    ],
    { what: 'loadMovieLens', restoreHint: hint, ...(own ? { expectedRows: MOVIELENS_MOVIES } : {}) },
  );
  const movies = new Map<number, Movie>();
  const ids = moviesTable.values['movieId'] as number[];
  const titles = moviesTable.values['title'] as (string | null)[];
  const years = moviesTable.values['year'] as number[];
  const genres = moviesTable.values['genres'] as string[];
  ids.forEach((id, k) => {
    const year = years[k] as number;
    movies.set(id, {
      id,
      title: titles[k] ?? `movie ${id}`,
      year: Number.isNaN(year) ? null : year,
      genres: (genres[k] as string) === '(no genres listed)' ? [] : (genres[k] as string).split('|'),
    });
  });
  const users = ratingsTable.values['userId'] as number[];
  const items = ratingsTable.values['movieId'] as number[];
  const values = ratingsTable.values['rating'] as number[];
  const times = ratingsTable.values['timestamp'] as number[];
  const records: RatingRecord[] = users.map((user, k) => ({ user, item: items[k] as number, rating: values[k] as number, timestamp: times[k] as number }));
  const missing = records.find((r) => !movies.has(r.item));
  if (missing) throw new Error(`loadMovieLens: ${ratingsPath} rates movie ${missing.item}, which ${moviesPath} does not list; the two files do not belong together. ${hint}`);
  let ratings: RatingTable;
  try {
    ratings = RatingTable.fromRecords(records, { scale: MOVIELENS_SCALE });
  } catch (error) {
    throw new Error(`loadMovieLens: ${ratingsPath}: ${(error as Error).message} ${hint}`);
  }
  const title = (id: number): string => {
    const movie = movies.get(id);
    if (!movie) return `movie ${id}`;
    return movie.year === null ? movie.title : `${movie.title} (${movie.year})`;
  };
  return { ratings, movies, title };
}
