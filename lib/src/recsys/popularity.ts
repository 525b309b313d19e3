/** The popularity baseline of chapter 8; every recommender falls back on it for cold starts. */
import type { RatingTable } from './ratings';
import { checkRecommendationCount, clampRating, topScoring, type RecommendOptions, type Recommendation, type Recommender } from './ranking';

/**
 * Popularity: `recommend` ranks unrated items by their training ratings (ties: higher mean first); `predict`
 * gives the item's damped mean (sum + damping × global mean) / (count + damping), ignoring the user.
 */
export class PopularityRecommender implements Recommender {
  readonly name = 'popularity';
  readonly globalMean: number;
  /** Training ratings per item index. */
  readonly counts: Int32Array;
  /** Damped mean rating per item index. */
  readonly itemMeans: Float32Array;
  private readonly order: number[];

  /** Counts and means from the training table; `damping` default 5. */
  constructor(readonly train: RatingTable, options: { damping?: number } = {}) {
    if (train.size === 0) throw new Error('PopularityRecommender: the training table has no ratings; there is nothing to learn from.');
    const damping = options.damping ?? 5;
    if (!(damping >= 0)) throw new Error(`PopularityRecommender: damping must be >= 0, got ${damping}.`);
    this.globalMean = train.mean();
    this.counts = new Int32Array(train.itemCount);
    const sums = new Float64Array(train.itemCount);
    for (let k = 0; k < train.size; k++) {
      this.counts[train.items[k] as number]++;
      sums[train.items[k] as number] += train.ratings[k] as number;
    }
    this.itemMeans = Float32Array.from(sums, (sum, i) => (sum + damping * this.globalMean) / ((this.counts[i] as number) + damping));
    const score = Float64Array.from(this.counts, (n, i) => n + (this.itemMeans[i] as number) / 10);
    this.order = topScoring(score, (i) => (this.counts[i] as number) > 0, train.itemCount);
  }

  /** The item's damped mean rating; the global mean for an unknown item. */
  predict(_userId: number, itemId: number): number {
    const i = this.train.itemIndex(itemId);
    const value = i === undefined ? this.globalMean : (this.itemMeans[i] as number);
    return clampRating(value, this.train.scale.minimum, this.train.scale.maximum);
  }

  predictMany(userIds: ArrayLike<number>, itemIds: ArrayLike<number>): Float32Array {
    if (userIds.length !== itemIds.length) throw new Error(`predictMany: ${userIds.length} users but ${itemIds.length} items; give one of each per pair.`);
    return Float32Array.from({ length: itemIds.length }, (_, k) => this.predict(userIds[k] as number, itemIds[k] as number));
  }

  /** The most rated items the user has not rated in training; any items for an unknown user. */
  recommend(userId: number, count: number, options: RecommendOptions = {}): Recommendation[] {
    const minimum = checkRecommendationCount(count, 'PopularityRecommender', options);
    const u = this.train.userIndex(userId);
    const out: Recommendation[] = [];
    for (const i of this.order) {
      if (out.length >= count || (this.counts[i] as number) < minimum) break;
      if (u !== undefined && !Number.isNaN(this.train.ratingAt(u, i))) continue;
      out.push({ item: this.train.itemIds[i] as number, score: this.counts[i] as number });
    }
    return out;
  }
}
