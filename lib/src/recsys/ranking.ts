/** What every recommender of chapter 8 can do, and the top-N selection they share. */
import { checkPositiveIntegers } from '../util/validate';

/** One recommended item, by the data's id, with the score it was ranked by. */
export interface Recommendation {
  item: number;
  score: number;
}

/** A fitted recommender over the data's ids; an id never seen in training gets popularity's answer, not an error. */
export interface Recommender {
  /** A short name for tables, e.g. "item-based CF". */
  readonly name: string;
  /** The predicted rating of an item by a user, inside the rating scale. */
  predict(userId: number, itemId: number): number;
  predictMany(userIds: ArrayLike<number>, itemIds: ArrayLike<number>): Float32Array;
  /** The `count` best items for a user, best first, never one the user rated in training. */
  recommend(userId: number, count: number, options?: RecommendOptions): Recommendation[];
}

export interface RecommendOptions {
  /** Only items with at least this many training ratings (default 1). */
  minimumRatings?: number;
}

/** Indices of the `count` largest scores where `allowed`, largest first; ties to the smaller index; NaN never picked. */
export function topScoring(scores: ArrayLike<number>, allowed: (index: number) => boolean, count: number): number[] {
  if (!Number.isInteger(count) || count < 0) throw new Error(`topScoring: count must be a whole number >= 0, got ${count}.`);
  const best: number[] = [];
  if (count === 0) return best;
  const better = (a: number, b: number): boolean => (scores[a] as number) > (scores[b] as number) || ((scores[a] as number) === (scores[b] as number) && a < b);
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i] as number) || !allowed(i)) continue;
    if (best.length === count && !better(i, best[count - 1] as number)) continue;
    let at = best.length === count ? count - 1 : best.length;
    if (best.length < count) best.push(i);
    while (at > 0 && better(i, best[at - 1] as number)) {
      best[at] = best[at - 1] as number;
      at--;
    }
    best[at] = i;
  }
  return best;
}

/** Checks the `count` and options of `recommend`, and returns the minimum number of ratings. */
export function checkRecommendationCount(count: number, what: string, options: RecommendOptions = {}): number {
  if (!Number.isInteger(count) || count < 0) throw new Error(`${what}.recommend: count must be a whole number >= 0, got ${count}.`);
  const minimum = options.minimumRatings ?? 1;
  checkPositiveIntegers(`${what}.recommend`, { minimumRatings: minimum });
  return minimum;
}

/** Clamps a predicted rating into the scale; a prediction outside it is never better. */
export function clampRating(value: number, minimum: number, maximum: number): number {
  return value < minimum ? minimum : value > maximum ? maximum : value;
}
