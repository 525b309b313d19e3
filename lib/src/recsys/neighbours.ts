/**
 * Neighbourhood collaborative filtering (chapter 8): user-based and item-based, with mean-centred cosine
 * similarity and k nearest neighbours.
 */
import type { RatingTable } from './ratings';
import { rowMeans, type SparseRows } from './sparse-rows';
import { checkPositiveIntegers } from '../util/validate';
import { BiasRecommender } from './baselines';
import { TrainedRecommender } from './recommender';
import { similarities, type SimilarityMatrix } from './similarity';

export interface CollaborativeFilteringOptions {
  /** 'user': neighbours are users; 'item': neighbours are items. */
  kind: 'user' | 'item';
  /** Neighbours per prediction, k (default 30). */
  neighbours?: number;
  /** Pairs must share at least this many ratings to count as neighbours (default 3). */
  minimumOverlap?: number;
  /** Similarity shrinkage towards 0 for small overlaps (default 10); see `SimilarityOptions`. */
  shrinkage?: number;
  /**
   * What neighbours' ratings are compared with (default 'biases'): 'means' (each item's or user's mean, the
   * textbook formula) or 'biases' (μ + b_u + b_i, removing both generosity and appeal).
   */
  baseline?: 'means' | 'biases';
  /**
   * Whose mean centres each rating before the similarity (default 'user'): the rater's (item-based: the adjusted
   * cosine of Sarwar et al. 2001; user-based: Pearson) or the item's (item-based: Pearson of items).
   */
  centring?: 'user' | 'item';
}

/** One reason behind an item-based recommendation: an item the user rated, and how similar it is. */
export interface Reason {
  item: number;
  similarity: number;
  rating: number;
}

/** Σ s·d / Σ s over the `k` candidates of `order` with the largest similarities s (0 without any); d the deviations. */
function neighbourhoodDeviation(order: number[], sims: ArrayLike<number>, deviations: ArrayLike<number>, k: number): number {
  if (order.length > k) order.sort((x, y) => (sims[y] as number) - (sims[x] as number)).length = k;
  let weighted = 0;
  let total = 0;
  for (const n of order) {
    weighted += (sims[n] as number) * (deviations[n] as number);
    total += sims[n] as number;
  }
  return total > 0 ? weighted / total : 0;
}

/**
 * k-nearest-neighbour collaborative filtering. Item-based:
 *   r̂(u, i) = b(u, i) + Σ_j s(i, j) (r(u, j) − b(u, j)) / Σ_j s(i, j)
 * over the k items j most similar to i that u rated (positive similarities only), b the baseline; b(u, i)
 * without such a neighbour. User-based swaps users and items. Similarities are computed once, when built.
 */
export class CollaborativeFiltering extends TrainedRecommender {
  readonly name: string;
  readonly kind: 'user' | 'item';
  readonly neighbourCount: number;
  /** Whose mean the ratings were centred by before the similarities: the user's or the item's. */
  readonly centring: 'user' | 'item';
  /** Similarity of every pair of users (kind 'user') or items (kind 'item') with enough overlap. */
  readonly similarity: SimilarityMatrix;
  /** Mean rating of each user (kind 'user') or item (kind 'item'), by index. */
  readonly means: Float64Array;
  /** The baseline b(u, i) = baselineConstant + baselineUser[u] + baselineItem[i]. */
  private readonly baselineConstant: number;
  private readonly baselineUser: Float64Array;
  private readonly baselineItem: Float64Array;
  /** Whether the baseline has a per-user part (bias or mean) to answer for a known user and a new item. */
  private readonly baselineKnowsUsers: boolean;
  /** Seconds it took to compute the similarities. */
  readonly seconds: number;
  /** The rows of the neighbour side (kind 'item': items' raters; 'user': users' items) and the other side. */
  private readonly own: SparseRows;
  private readonly other: SparseRows;

  /** Computes the similarities from the training table. */
  constructor(train: RatingTable, options: CollaborativeFilteringOptions) {
    super(train, 'CollaborativeFiltering');
    if (options?.kind !== 'user' && options?.kind !== 'item') throw new Error(`CollaborativeFiltering: kind must be 'user' or 'item', got ${String(options?.kind)}.`);
    const k = options.neighbours ?? 30;
    checkPositiveIntegers('CollaborativeFiltering', { neighbours: k });
    this.kind = options.kind;
    this.name = `${options.kind}-based CF`;
    this.neighbourCount = k;
    const began = Date.now();
    this.own = options.kind === 'item' ? train.byItem() : train.byUser();
    this.other = options.kind === 'item' ? train.byUser() : train.byItem();
    const centring = options.centring ?? 'user';
    if (centring !== 'user' && centring !== 'item') throw new Error(`CollaborativeFiltering: centring must be 'user' or 'item', got ${String(centring)}.`);
    this.centring = centring;
    // The own rows are items (kind 'item') or users (kind 'user'); centring by the other side's mean is by columns.
    this.similarity = similarities(this.own, {
      minimumOverlap: options.minimumOverlap ?? 3,
      shrinkage: options.shrinkage ?? 10,
      centring: centring === options.kind ? 'rows' : 'columns',
    });
    this.means = rowMeans(this.own);
    const baseline = options.baseline ?? 'biases';
    this.baselineKnowsUsers = baseline === 'biases' || options.kind === 'user';
    if (baseline === 'biases') {
      const biases = new BiasRecommender(train);
      this.baselineConstant = biases.globalMean;
      this.baselineUser = biases.userBiases;
      this.baselineItem = biases.itemBiases;
    } else if (baseline === 'means') {
      this.baselineConstant = 0;
      this.baselineUser = options.kind === 'user' ? this.means : new Float64Array(train.userCount);
      this.baselineItem = options.kind === 'item' ? this.means : new Float64Array(train.itemCount);
    } else {
      throw new Error(`CollaborativeFiltering: baseline must be 'means' or 'biases', got ${String(baseline)}.`);
    }
    this.seconds = (Date.now() - began) / 1000;
  }

  /** Prediction for (a, b): `a` on the neighbour side (item for 'item', user for 'user'), candidates in row `b` of the other. */
  private predictPair(a: number, b: number): number {
    const rows = this.other;
    const start = rows.pointers[b] as number;
    const end = rows.pointers[b + 1] as number;
    const sims: number[] = [];
    const deviations: number[] = [];
    for (let m = start; m < end; m++) {
      const j = rows.indices[m] as number;
      const s = this.similarity.get(a, j);
      if (s > 0) {
        sims.push(s);
        deviations.push((rows.values[m] as number) - (this.kind === 'item' ? this.baseline(b, j) : this.baseline(j, b)));
      }
    }
    const deviation = neighbourhoodDeviation(sims.map((_, n) => n), sims, deviations, this.neighbourCount);
    return (this.kind === 'item' ? this.baseline(b, a) : this.baseline(a, b)) + deviation;
  }

  private baseline(u: number, i: number): number {
    return this.baselineConstant + (this.baselineUser[u] as number) + (this.baselineItem[i] as number);
  }

  /** A known user and a new item: μ + b_u (the user's mean with user-based 'means'). */
  protected override predictForUserAlone(u: number): number | undefined {
    return this.baselineKnowsUsers ? this.baselineConstant + (this.baselineUser[u] as number) : undefined;
  }

  protected predictKnown(u: number, i: number): number {
    return this.kind === 'item' ? this.predictPair(i, u) : this.predictPair(u, i);
  }

  protected scoreItems(u: number): ArrayLike<number> {
    return this.kind === 'item' ? this.scoreItemBased(u) : this.scoreUserBased(u);
  }

  /** Candidate entries (item, similarity, deviation) gathered from the user's side, then the k best per item. */
  private scoreFromEntries(entries: { item: Int32Array; sim: Float32Array; deviation: Float32Array; length: number }, base: (i: number) => number): Float64Array {
    const itemCount = this.train.itemCount;
    const starts = new Int32Array(itemCount + 1);
    for (let e = 0; e < entries.length; e++) starts[(entries.item[e] as number) + 1]++;
    for (let i = 0; i < itemCount; i++) starts[i + 1] += starts[i] as number;
    const next = starts.slice(0, itemCount);
    const order = new Int32Array(entries.length);
    for (let e = 0; e < entries.length; e++) order[next[entries.item[e] as number]++ as number] = e;
    const scores = new Float64Array(itemCount);
    for (let i = 0; i < itemCount; i++) {
      const group = Array.from(order.subarray(starts[i] as number, starts[i + 1] as number));
      scores[i] = base(i) + neighbourhoodDeviation(group, entries.sim, entries.deviation, this.neighbourCount);
    }
    return scores;
  }

  private scoreItemBased(u: number): Float64Array {
    // For every item j the user rated, every item i similar to j is a candidate with weight s(i, j).
    const user = this.other;
    const sim = this.similarity;
    let length = 0;
    for (let m = user.pointers[u] as number; m < (user.pointers[u + 1] as number); m++) {
      const j = user.indices[m] as number;
      length += (sim.pointers[j + 1] as number) - (sim.pointers[j] as number);
    }
    const entries = { item: new Int32Array(length), sim: new Float32Array(length), deviation: new Float32Array(length), length: 0 };
    for (let m = user.pointers[u] as number; m < (user.pointers[u + 1] as number); m++) {
      const j = user.indices[m] as number;
      const deviation = (user.values[m] as number) - this.baseline(u, j);
      for (let p = sim.pointers[j] as number; p < (sim.pointers[j + 1] as number); p++) {
        const s = sim.values[p] as number;
        if (s <= 0) continue;
        entries.item[entries.length] = sim.neighbours[p] as number;
        entries.sim[entries.length] = s;
        entries.deviation[entries.length] = deviation;
        entries.length++;
      }
    }
    return this.scoreFromEntries(entries, (i) => this.baseline(u, i));
  }

  private scoreUserBased(u: number): Float64Array {
    // Every item a similar user v rated is a candidate with weight s(u, v).
    const users = this.own;
    const sim = this.similarity;
    let length = 0;
    for (let p = sim.pointers[u] as number; p < (sim.pointers[u + 1] as number); p++) {
      const v = sim.neighbours[p] as number;
      if ((sim.values[p] as number) > 0) length += (users.pointers[v + 1] as number) - (users.pointers[v] as number);
    }
    const entries = { item: new Int32Array(length), sim: new Float32Array(length), deviation: new Float32Array(length), length: 0 };
    for (let p = sim.pointers[u] as number; p < (sim.pointers[u + 1] as number); p++) {
      const v = sim.neighbours[p] as number;
      const s = sim.values[p] as number;
      if (s <= 0) continue;
      for (let m = users.pointers[v] as number; m < (users.pointers[v + 1] as number); m++) {
        entries.item[entries.length] = users.indices[m] as number;
        entries.sim[entries.length] = s;
        entries.deviation[entries.length] = (users.values[m] as number) - this.baseline(v, users.indices[m] as number);
        entries.length++;
      }
    }
    return this.scoreFromEntries(entries, (i) => this.baseline(u, i));
  }

  /** Why an item-based model suggests `itemId` to `userId`: the user's most similar rated items, with their ratings. */
  explain(userId: number, itemId: number, count = 3): Reason[] {
    if (this.kind !== 'item') throw new Error("CollaborativeFiltering.explain: reasons are the user's own similar items, so it needs kind 'item'; build an item-based model.");
    const u = this.knownUser(userId);
    const i = this.knownItem(itemId);
    if (u === undefined || i === undefined) return [];
    const user = this.other;
    const reasons: Reason[] = [];
    for (let m = user.pointers[u] as number; m < (user.pointers[u + 1] as number); m++) {
      const j = user.indices[m] as number;
      const s = this.similarity.get(i, j);
      if (s > 0) reasons.push({ item: this.train.itemIds[j] as number, similarity: s, rating: user.values[m] as number });
    }
    return reasons.sort((a, b) => b.similarity - a.similarity || b.rating - a.rating).slice(0, count);
  }
}
