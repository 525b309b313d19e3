/** The common part of chapter 8's learned recommenders: ids, cold starts, clamping, batches, top-N without rated items. */
import type { RatingTable } from './ratings';
import { PopularityRecommender } from './popularity';
import { checkRecommendationCount, clampRating, topScoring, type RecommendOptions, type Recommendation, type Recommender } from './ranking';

/** A recommender fitted on a table: subclasses give `predictKnown` and `scoreItems`; ids and cold starts are here. */
export abstract class TrainedRecommender implements Recommender {
  abstract readonly name: string;
  /** The fallback for users or items without training ratings. */
  readonly popularity: PopularityRecommender;
  /** Training ratings per user index and per item index. */
  readonly userCounts: Int32Array;
  readonly itemCounts: Int32Array;

  /** Keeps the training table; throws when it is empty. */
  constructor(readonly train: RatingTable, what: string) {
    if (train.size === 0) throw new Error(`${what}: the training table has no ratings; there is nothing to learn from.`);
    this.popularity = new PopularityRecommender(train);
    this.userCounts = new Int32Array(train.userCount);
    this.itemCounts = new Int32Array(train.itemCount);
    for (let k = 0; k < train.size; k++) {
      this.userCounts[train.users[k] as number]++;
      this.itemCounts[train.items[k] as number]++;
    }
  }

  /** Rating for user index `u` and item index `i`, both with training ratings. */
  protected abstract predictKnown(u: number, i: number): number;

  /** A score per item index for user index `u`, who has training ratings; higher is better. */
  protected abstract scoreItems(u: number): ArrayLike<number>;

  /** Rating for known user `u` of an item without training ratings (μ + b_u, say); undefined gives the global mean. */
  protected predictForUserAlone(_u: number): number | undefined {
    return undefined;
  }

  /** A pair with a cold side: popularity's answer, or the user-only estimate for a known user and a new item. */
  private predictCold(userId: number, itemId: number, u: number | undefined): number {
    const alone = u === undefined ? undefined : this.predictForUserAlone(u);
    if (alone === undefined) return this.popularity.predict(userId, itemId);
    return clampRating(alone, this.train.scale.minimum, this.train.scale.maximum);
  }

  /** Ratings for many known pairs; override to batch. */
  protected predictKnownMany(users: Int32Array, items: Int32Array): ArrayLike<number> {
    return Float32Array.from(users, (u, k) => this.predictKnown(u, items[k] as number));
  }

  /** The user's index when the user has training ratings, else undefined (a cold start). */
  knownUser(userId: number): number | undefined {
    const u = this.train.userIndex(userId);
    return u !== undefined && (this.userCounts[u] as number) > 0 ? u : undefined;
  }

  /** The item's index when the item has training ratings, else undefined (a cold start). */
  knownItem(itemId: number): number | undefined {
    const i = this.train.itemIndex(itemId);
    return i !== undefined && (this.itemCounts[i] as number) > 0 ? i : undefined;
  }

  /** Predicted rating in the scale; cold user: popularity; known user, cold item: user-only estimate or the mean. */
  predict(userId: number, itemId: number): number {
    const u = this.knownUser(userId);
    const i = this.knownItem(itemId);
    if (u === undefined || i === undefined) return this.predictCold(userId, itemId, u);
    return clampRating(this.predictKnown(u, i), this.train.scale.minimum, this.train.scale.maximum);
  }

  /** `predict` for many (user, item) pairs at once. */
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

  /** Predicted ratings of the pairs in a table (its ratings are not used). */
  predictTable(table: RatingTable): Float32Array {
    return this.predictMany(
      Array.from(table.users, (u) => table.userIds[u] as number),
      Array.from(table.items, (i) => table.itemIds[i] as number),
    );
  }

  /** The `count` best-scoring items the user has not rated in training (popular ones for a cold user); best first. */
  recommend(userId: number, count: number, options: RecommendOptions = {}): Recommendation[] {
    const minimum = checkRecommendationCount(count, this.name, options);
    const u = this.knownUser(userId);
    if (u === undefined) return this.popularity.recommend(userId, count, options);
    const scores = this.scoreItems(u);
    const allowed = (i: number): boolean => (this.itemCounts[i] as number) >= minimum && Number.isNaN(this.train.ratingAt(u, i));
    return topScoring(scores, allowed, count).map((i) => ({ item: this.train.itemIds[i] as number, score: scores[i] as number }));
  }
}
