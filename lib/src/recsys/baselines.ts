/** The simplest rating predictors of chapter 8, which every model must beat: the global mean, and mean plus biases. */
import type { RatingTable } from './ratings';
import { TrainedRecommender } from './recommender';
import { checkPositiveIntegers } from '../util/validate';

/** Predicts the mean of all training ratings for everyone; it cannot rank, so recommend falls back to popularity. */
export class GlobalMeanRecommender extends TrainedRecommender {
  readonly name = 'global mean';
  readonly globalMean: number;

  constructor(train: RatingTable) {
    super(train, 'GlobalMeanRecommender');
    this.globalMean = train.mean();
  }

  protected predictKnown(): number {
    return this.globalMean;
  }

  protected scoreItems(): ArrayLike<number> {
    // Every item gets the same rating, so the ranking is popularity's.
    return Float64Array.from(this.popularity.counts);
  }
}

/**
 * The bias-only predictor r̂(u, i) = μ + b_u + b_i, fitted by alternating regularised averages (Koren 2010):
 * b_i = Σ(r − μ − b_u) / (itemRegularisation + n_i), then b_u = Σ(r − μ − b_i) / (userRegularisation + n_u).
 */
export class BiasRecommender extends TrainedRecommender {
  readonly name = 'bias only';
  readonly globalMean: number;
  readonly userBiases: Float64Array;
  readonly itemBiases: Float64Array;

  /** Fits the biases; defaults: itemRegularisation 10, userRegularisation 15, iterations 10. */
  constructor(train: RatingTable, options: { itemRegularisation?: number; userRegularisation?: number; iterations?: number } = {}) {
    super(train, 'BiasRecommender');
    const itemRegularisation = options.itemRegularisation ?? 10;
    const userRegularisation = options.userRegularisation ?? 15;
    const iterations = options.iterations ?? 10;
    if (!(itemRegularisation >= 0 && userRegularisation >= 0)) throw new Error('BiasRecommender: the regularisation strengths must be >= 0.');
    checkPositiveIntegers('BiasRecommender', { iterations });
    this.globalMean = train.mean();
    this.userBiases = new Float64Array(train.userCount);
    this.itemBiases = new Float64Array(train.itemCount);
    const sums = (size: number) => new Float64Array(size);
    for (let iteration = 0; iteration < iterations; iteration++) {
      const itemSums = sums(train.itemCount);
      for (let k = 0; k < train.size; k++) {
        itemSums[train.items[k] as number] += (train.ratings[k] as number) - this.globalMean - (this.userBiases[train.users[k] as number] as number);
      }
      itemSums.forEach((s, i) => (this.itemBiases[i] = s / (itemRegularisation + (this.itemCounts[i] as number) || 1)));
      const userSums = sums(train.userCount);
      for (let k = 0; k < train.size; k++) {
        userSums[train.users[k] as number] += (train.ratings[k] as number) - this.globalMean - (this.itemBiases[train.items[k] as number] as number);
      }
      userSums.forEach((s, u) => (this.userBiases[u] = s / (userRegularisation + (this.userCounts[u] as number) || 1)));
    }
  }

  protected predictKnown(u: number, i: number): number {
    return this.globalMean + (this.userBiases[u] as number) + (this.itemBiases[i] as number);
  }

  /** A known user and a new item: μ + b_u. */
  protected override predictForUserAlone(u: number): number {
    return this.globalMean + (this.userBiases[u] as number);
  }

  protected scoreItems(u: number): ArrayLike<number> {
    return Float64Array.from(this.itemBiases, (b) => this.globalMean + (this.userBiases[u] as number) + b);
  }
}
