/** How chapter 8 measures recommenders: rating error (RMSE, MAE) and top-N lists (precision@k, recall@k, NDCG@k). */
import { meanAbsoluteError, rootMeanSquaredError } from '../evaluate/errors';
import type { RatingTable } from './ratings';
import type { Recommender } from './ranking';
import { checkPositiveIntegers } from '../util/validate';

function checkK(k: number, what: string): void {
  checkPositiveIntegers(what, { k });
}

function hits(recommended: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  let count = 0;
  for (const item of recommended.slice(0, k)) if (relevant.has(item)) count++;
  return count;
}

/** Share of the first k recommendations that are relevant; a list shorter than k counts its gaps as misses. */
export function precisionAtK(recommended: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  checkK(k, 'precisionAtK');
  return hits(recommended, relevant, k) / k;
}

/** Share of the relevant items found in the first k recommendations; 0 when nothing is relevant. */
export function recallAtK(recommended: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  checkK(k, 'recallAtK');
  return relevant.size === 0 ? 0 : hits(recommended, relevant, k) / relevant.size;
}

/**
 * NDCG of the first k recommendations, binary relevance: DCG = Σ_p [relevant] / log2(p + 1) (p from 1),
 * divided by a perfect list's DCG; 0 when no relevant item is listed or nothing is relevant.
 */
export function ndcgAtK(recommended: readonly number[], relevant: ReadonlySet<number>, k: number): number {
  checkK(k, 'ndcgAtK');
  let dcg = 0;
  recommended.slice(0, k).forEach((item, p) => {
    if (relevant.has(item)) dcg += 1 / Math.log2(p + 2);
  });
  let ideal = 0;
  for (let p = 0; p < Math.min(k, relevant.size); p++) ideal += 1 / Math.log2(p + 2);
  return ideal === 0 ? 0 : dcg / ideal;
}

/** RMSE and MAE of a recommender on a test table, and the seconds the predictions took. */
export function evaluateRatings(model: Recommender, test: RatingTable): { rmse: number; mae: number; seconds: number } {
  const began = Date.now();
  const predicted = model.predictMany(
    Array.from(test.users, (u) => test.userIds[u] as number),
    Array.from(test.items, (i) => test.itemIds[i] as number),
  );
  const seconds = (Date.now() - began) / 1000;
  return { rmse: rootMeanSquaredError(predicted, test.ratings), mae: meanAbsoluteError(predicted, test.ratings), seconds };
}

/** Mean precision@k, recall@k and NDCG@k over the test users; relevant: test items rated at least `threshold` (4). */
export function evaluateRanking(
  model: Recommender,
  test: RatingTable,
  options: { k?: number; threshold?: number; users?: readonly number[] } = {},
): { precision: number; recall: number; ndcg: number; users: number; seconds: number } {
  const k = options.k ?? 10;
  checkK(k, 'evaluateRanking');
  const threshold = options.threshold ?? 4;
  const relevant = new Map<number, Set<number>>();
  for (let r = 0; r < test.size; r++) {
    if ((test.ratings[r] as number) < threshold) continue;
    const user = test.userIds[test.users[r] as number] as number;
    let set = relevant.get(user);
    if (!set) relevant.set(user, (set = new Set()));
    set.add(test.itemIds[test.items[r] as number] as number);
  }
  const users = (options.users ?? [...relevant.keys()]).filter((u) => relevant.has(u));
  if (users.length === 0) throw new Error(`evaluateRanking: no test user rated any item ${threshold} or more; lower the threshold or check the test table.`);
  const began = Date.now();
  let precision = 0;
  let recall = 0;
  let ndcg = 0;
  for (const user of users) {
    const list = model.recommend(user, k).map((r) => r.item);
    const set = relevant.get(user) as Set<number>;
    precision += precisionAtK(list, set, k);
    recall += recallAtK(list, set, k);
    ndcg += ndcgAtK(list, set, k);
  }
  const n = users.length;
  return { precision: precision / n, recall: recall / n, ndcg: ndcg / n, users: n, seconds: (Date.now() - began) / 1000 };
}
