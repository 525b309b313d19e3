/**
 * The common part of chapter 8's learned recommenders: id lookup, cold-start
 * fallback to popularity, clamping into the rating scale, batch prediction and
 * top-N that never shows an item the user already rated.
 */
import type { RatingTable } from './ratings';
import { PopularityRecommender } from './popularity';
import { checkRecommendationCount, clampRating, topScoring, type RecommendOptions, type Recommendation, type Recommender } from './ranking';

/**
 * A recommender fitted on a training table (chapter 8). Subclasses give
 * `predictKnown` (a rating for a user and an item that both have training
 * ratings, by index) and `scoreItems` (a score per item index for one known
 * user). Everything about ids, cold starts and exclusions lives here.
 */
export abstract class TrainedRecommender implements Recommender {
  abstract readonly name: string;
  readonly train: RatingTable;
  /** The fallback for users or items without training ratings. */
  readonly popularity: PopularityRecommender;
  /** Training ratings per user index and per item index. */
  readonly userCounts: Int32Array;
  readonly itemCounts: Int32Array;

  /** Keeps the training table (chapter 8); throws when it is empty. */
  constructor(train: RatingTable, what: string) {
    if (train.size === 0) throw new Error(`${what}: the training table has no ratings; there is nothing to learn from.`);
    this.train = train;
    this.popularity = new PopularityRecommender(train);
    this.userCounts = new Int32Array(train.userCount);
    this.itemCounts = new Int32Array(train.itemCount);
    for (let k = 0; k < train.size; k++) {
      this.userCounts[train.users[k] as number]++;
      this.itemCounts[train.items[k] as number]++;
    }
  }

  /** Rating for user index `u` and item index `i`, both with training ratings (chapter 8). */
  protected abstract predictKnown(u: number, i: number): number;

  /** A score per item index for user index `u`, who has training ratings; higher is better (chapter 8). */
  protected abstract scoreItems(u: number): ArrayLike<number>;

  /**
   * Rating for user index `u`, who has training ratings, of an item without any
   * (chapter 8): what the model knows about the user alone, such as
   * μ + b_u for a model with user biases. Undefined (the default) means
   * nothing, and the item gets popularity's answer (the global mean).
   */
  protected predictForUserAlone(_u: number): number | undefined {
    return undefined;
  }

  /** A pair with a cold side: popularity's answer, or the user-only estimate for a known user and a new item. */
  private predictCold(userId: number, itemId: number, u: number | undefined): number {
    const alone = u === undefined ? undefined : this.predictForUserAlone(u);
    if (alone === undefined) return this.popularity.predict(userId, itemId);
    return clampRating(alone, this.train.scale.minimum, this.train.scale.maximum);
  }

  /** Ratings for many known pairs; override to batch (chapter 8). */
  protected predictKnownMany(users: Int32Array, items: Int32Array): ArrayLike<number> {
    return Float32Array.from(users, (u, k) => this.predictKnown(u, items[k] as number));
  }

  /** The user's index when the user has training ratings, else undefined (a cold start) (chapter 8). */
  knownUser(userId: number): number | undefined {
    const u = this.train.userIndex(userId);
    return u !== undefined && (this.userCounts[u] as number) > 0 ? u : undefined;
  }

  /** The item's index when the item has training ratings, else undefined (a cold start) (chapter 8). */
  knownItem(itemId: number): number | undefined {
    const i = this.train.itemIndex(itemId);
    return i !== undefined && (this.itemCounts[i] as number) > 0 ? i : undefined;
  }

  /**
   * Predicted rating, inside the scale (chapter 8). A user without training
   * ratings gets popularity's answer (the item's damped mean); a known user and
   * an item without training ratings get the model's estimate for the user
   * alone where it has one (μ + b_u), else the global mean.
   */
  predict(userId: number, itemId: number): number {
    const u = this.knownUser(userId);
    const i = this.knownItem(itemId);
    if (u === undefined || i === undefined) return this.predictCold(userId, itemId, u);
    return clampRating(this.predictKnown(u, i), this.train.scale.minimum, this.train.scale.maximum);
  }

  /** `predict` for many (user, item) pairs at once (chapter 8). */
  predictMany(userIds: ArrayLike<number>, itemIds: ArrayLike<number>): Float32Array {
    if (userIds.length !== itemIds.length) throw new Error(`predictMany: ${userIds.length} users but ${itemIds.length} items; give one of each per pair.`);
    const out = new Float32Array(userIds.length);
    const known: number[] = [];
    const users: number[] = [];
    const items: number[] = [];
    for (let k = 0; k < userIds.length; k++) {
      const u = this.knownUser(userIds[k] as number);
      const i = this.knownItem(itemIds[k] as number);
      if (u === undefined || i === undefined) out[k] = this.predictCold(userIds[k] as number, itemIds[k] as number, u);
      else {
        known.push(k);
        users.push(u);
        items.push(i);
      }
    }
    if (known.length > 0) {
      const values = this.predictKnownMany(Int32Array.from(users), Int32Array.from(items));
      known.forEach((k, j) => (out[k] = clampRating(values[j] as number, this.train.scale.minimum, this.train.scale.maximum)));
    }
    return out;
  }

  /** Predicted ratings of the pairs in a table (its ratings are not used) (chapter 8). */
  predictTable(table: RatingTable): Float32Array {
    return this.predictMany(
      Array.from(table.users, (u) => table.userIds[u] as number),
      Array.from(table.items, (i) => table.itemIds[i] as number),
    );
  }

  /**
   * The `count` highest-scoring items with training ratings that the user has
   * not rated in training, best first (chapter 8). A user without training
   * ratings gets the most popular items. `minimumRatings` skips items with
   * fewer training ratings.
   */
  recommend(userId: number, count: number, options: RecommendOptions = {}): Recommendation[] {
    const minimum = checkRecommendationCount(count, this.name, options);
    const u = this.knownUser(userId);
    if (u === undefined) return this.popularity.recommend(userId, count, options);
    const scores = this.scoreItems(u);
    const allowed = (i: number): boolean => (this.itemCounts[i] as number) >= minimum && Number.isNaN(this.train.ratingAt(u, i));
    return topScoring(scores, allowed, count).map((i) => ({ item: this.train.itemIds[i] as number, score: scores[i] as number }));
  }
}
