/** Permutation importance (chapter 10): how much worse the model scores when one feature's column is shuffled. */
import { Random, nextSeed } from '../util/random';
import { meanOf, standardDeviationOf } from '../util/statistics';
import { checkPositiveIntegers } from '../util/validate';

/** One feature of `permutationImportance`. */
export type FeatureImportance = {
  feature: string;
  /** Mean drop of the score over the repeats (baseline - shuffled). */
  importance: number;
  /** Standard deviation of the drop over the repeats. */
  std: number;
};

export interface PermutationImportanceOptions {
  /** The model: a matrix of rows in, one prediction per row out. */
  predict: (rows: number[][]) => ArrayLike<number>;
  rows: readonly (readonly number[])[];
  labels: ArrayLike<number>;
  /** Higher is better, e.g. `areaUnderRoc`. */
  score: (labels: ArrayLike<number>, predictions: ArrayLike<number>) => number;
  /** Columns shuffled together (the one-hot columns of a category); default one group per column. */
  groups?: readonly { feature: string; columns: readonly number[] }[];
  /** Column names when `groups` is not given. */
  featureNames?: readonly string[];
  /** Shuffles per feature (default 5). */
  repeats?: number;
  seed?: number;
}

/** Each feature's importance as the drop in `score` when its columns are permuted, most important first; use held-out data. */
export function permutationImportance(options: PermutationImportanceOptions): { baseline: number; features: FeatureImportance[] } {
  const { rows, labels } = options;
  if (rows.length === 0) throw new Error('permutationImportance: no rows.');
  if (rows.length !== labels.length) throw new Error(`permutationImportance: ${rows.length} rows but ${labels.length} labels.`);
  const width = (rows[0] as readonly number[]).length;
  const groups = options.groups ?? Array.from({ length: width }, (_, j) => ({ feature: options.featureNames?.[j] ?? `feature ${j}`, columns: [j] }));
  for (const g of groups) {
    if (g.columns.some((c) => !Number.isInteger(c) || c < 0 || c >= width)) {
      throw new Error(`permutationImportance: group "${g.feature}" refers to columns [${g.columns.join(', ')}], but rows have ${width} columns.`);
    }
  }
  const repeats = options.repeats ?? 5;
  checkPositiveIntegers('permutationImportance', { repeats });
  const generator = new Random(options.seed ?? nextSeed());
  const base = rows.map((r) => [...r]);
  const baseline = options.score(labels, options.predict(base));
  const features = groups.map((group) => {
    const drops: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const order = generator.shuffle(Array.from({ length: rows.length }, (_, i) => i));
      const shuffled = base.map((row, i) => {
        const copy = [...row];
        const source = base[order[i] as number] as number[];
        for (const c of group.columns) copy[c] = source[c] as number;
        return copy;
      });
      drops.push(baseline - options.score(labels, options.predict(shuffled)));
    }
    const mean = meanOf(drops);
    return { feature: group.feature, importance: mean, std: repeats > 1 ? standardDeviationOf(drops, mean) : 0 };
  });
  features.sort((a, b) => b.importance - a.importance);
  return { baseline, features };
}
