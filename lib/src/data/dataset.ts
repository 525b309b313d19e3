/** Datasets (chapter 5): features and labels as two tensors, first axis the samples; shuffle, take, split, map, normalise, batches. */
import { tf } from '../backend/tf';
import type { Tensor } from '@tensorflow/tfjs';
import { Random, rng } from '../util/random';
import { checkPositiveIntegers } from '../util/validate';

/** One batch: features `x` and labels `y` (`Labels` is `undefined` for unlabelled data, which has no `y`). */
export interface Batch<Labels extends Tensor | undefined = Tensor> {
  x: Tensor;
  y: Labels;
}

/** Per-feature (or global) mean and standard deviation, from `Dataset.statistics`. */
export interface NormalisationStatistics {
  /** One value per feature, or a single value for `mode: 'global'`. */
  mean: number[];
  std: number[];
}

export interface BatchOptions {
  /** Visit the samples in a random order (default false). */
  shuffle?: boolean;
  /** Seed of that order; without it the shared generator `rng()` is used. */
  seed?: number;
}

type NestedNumbers = number | NestedNumbers[];

/** Labels as plain arrays: class indices (stored int32) or rows of targets (stored float32). */
type LabelArray = number[] | NestedNumbers[] | Int32Array | Float32Array;

function describeShape(shape: number[]): string {
  return `[${shape.join(', ')}]`;
}

/** A random permutation of 0..n-1 drawn from `generator`, or from a new one seeded with `seed`. */
export function permutation(n: number, generator: Random | number = rng()): Int32Array {
  const random = typeof generator === 'number' ? new Random(generator) : generator;
  return Int32Array.from(random.shuffle(Array.from({ length: n }, (_, i) => i)));
}

/** Features and optional labels as tensors it owns (first axis: samples); operations return new ones: dispose old. */
export class Dataset<Labels extends Tensor | undefined = Tensor | undefined> {
  /** Features, shape `[samples, ...featureShape]`. */
  readonly x: Tensor;
  /** Labels, shape `[samples, ...]` (class indices as int32, or targets); undefined for unlabelled data. */
  readonly y: Labels;

  /** Wraps features and, optionally, labels (the dataset takes ownership of them); throws if their sample counts differ. */
  constructor(x: Tensor, y?: Labels) {
    if (!(x instanceof tf.Tensor)) {
      throw new Error('Dataset: the features must be a tensor; for plain arrays use Dataset.fromArrays(x, y).');
    }
    if (y != null && !(y instanceof tf.Tensor)) {
      throw new Error('Dataset: the labels must be a tensor (or left out for unlabelled data); for plain arrays use Dataset.fromArrays(x, y).');
    }
    if (x.rank === 0) {
      throw new Error('Dataset: the features must have at least one axis (the samples); got a scalar. Stack samples along the first axis.');
    }
    if (y != null && y.rank === 0) {
      throw new Error('Dataset: the labels must have one entry per sample; got a scalar. Give a 1-D tensor of class indices or a 2-D tensor of targets.');
    }
    if (y != null && x.shape[0] !== y.shape[0]) {
      throw new Error(
        `Dataset: ${x.shape[0]} samples of features ${describeShape(x.shape)} but ${y.shape[0]} labels ${describeShape(y.shape)}; ` +
          'give exactly one label per sample (check that features and labels come from the same rows).',
      );
    }
    this.x = x;
    this.y = (y ?? undefined) as Labels;
  }

  /** A dataset from nested arrays (or a flat typed array with `featureShape`); `y` class indices (int32) or target rows (float32). */
  static fromArrays(x: NestedNumbers[] | Float32Array | number[], y: LabelArray, options?: { featureShape?: number[] }): Dataset<Tensor>;
  static fromArrays(x: NestedNumbers[] | Float32Array | number[], y?: undefined, options?: { featureShape?: number[] }): Dataset<undefined>;
  static fromArrays(
    x: NestedNumbers[] | Float32Array | number[],
    y?: LabelArray,
    options: { featureShape?: number[] } = {},
  ): Dataset<Tensor> | Dataset<undefined> {
    let features: Tensor;
    if (options.featureShape) {
      const perSample = options.featureShape.reduce((a, b) => a * b, 1);
      const flat = x instanceof Float32Array ? x : Float32Array.from((x as NestedNumbers[]).flat(Infinity as 1) as number[]);
      if (flat.length % perSample !== 0) {
        throw new Error(
          `Dataset.fromArrays: ${flat.length} feature values do not split into samples of shape ${describeShape(options.featureShape)} (${perSample} values each).`,
        );
      }
      features = tf.tensor(flat, [flat.length / perSample, ...options.featureShape], 'float32');
    } else {
      if (x instanceof Float32Array) {
        throw new Error('Dataset.fromArrays: a flat Float32Array needs `featureShape` (the shape of one sample), e.g. { featureShape: [784] }.');
      }
      if (x.length === 0) {
        throw new Error('Dataset.fromArrays: no samples were given; pass at least one row of features.');
      }
      const nested = typeof x[0] === 'number' ? (x as number[]).map((v) => [v]) : (x as NestedNumbers[]);
      try {
        features = tf.tensor(nested as number[][], undefined, 'float32');
      } catch (error) {
        throw new Error(`Dataset.fromArrays: the feature rows do not all have the same shape (${(error as Error).message}).`);
      }
    }
    if (y == null) return new Dataset<undefined>(features);
    let labels: Tensor;
    if (y instanceof Int32Array) labels = tf.tensor1d(y, 'int32');
    else if (y instanceof Float32Array) labels = tf.tensor1d(y, 'float32');
    else if (y.length > 0 && Array.isArray(y[0])) labels = tf.tensor(y as number[][], undefined, 'float32');
    else {
      const values = y as number[];
      labels = tf.tensor1d(values, values.every((v) => Number.isInteger(v)) ? 'int32' : 'float32');
    }
    if (labels.shape[0] !== features.shape[0]) {
      const message =
        `Dataset.fromArrays: ${features.shape[0]} samples of features but ${labels.shape[0]} labels; give exactly one label per sample.`;
      features.dispose();
      labels.dispose();
      throw new Error(message);
    }
    return new Dataset(features, labels);
  }

  get size(): number {
    return this.x.shape[0] as number;
  }

  /** Shape of one sample's features, e.g. `[28, 28, 1]`. */
  get featureShape(): number[] {
    return this.x.shape.slice(1);
  }

  /** Whether this dataset has labels; afterwards TypeScript knows `y` is a tensor. */
  hasLabels(): this is Dataset<Tensor> {
    return this.y !== undefined;
  }

  /** The labels, or a clear error when this dataset has none. */
  labels(): Tensor {
    if (this.y === undefined) throw new Error('Dataset: this dataset has no labels; build it with labels (the second argument) to train on it.');
    return this.y;
  }

  /** The same operation on the labels, or undefined for unlabelled data. */
  private onLabels(operation: (y: Tensor) => Tensor): Labels {
    return (this.y === undefined ? undefined : operation(this.y)) as Labels;
  }

  /** The samples at `indices`, in that order. */
  select(indices: ArrayLike<number>): Dataset<Labels> {
    const index = tf.tensor1d(Int32Array.from(indices), 'int32');
    try {
      return new Dataset(tf.gather(this.x, index), this.onLabels((y) => tf.gather(y, index)));
    } finally {
      index.dispose();
    }
  }

  /** The first `count` samples (all of them if fewer). */
  take(count: number): Dataset<Labels> {
    if (!Number.isInteger(count) || count < 0) throw new Error(`Dataset.take: count must be a non-negative integer, got ${count}.`);
    return this.range(0, Math.min(count, this.size));
  }

  /** Everything after the first `count` samples. */
  skip(count: number): Dataset<Labels> {
    if (!Number.isInteger(count) || count < 0) throw new Error(`Dataset.skip: count must be a non-negative integer, got ${count}.`);
    const start = Math.min(count, this.size);
    return this.range(start, this.size - start);
  }

  private range(start: number, count: number): Dataset<Labels> {
    const sliceOf = (t: Tensor): Tensor => tf.slice(t, [start, ...t.shape.slice(1).map(() => 0)], [count, ...t.shape.slice(1)]);
    return new Dataset(sliceOf(this.x), this.onLabels(sliceOf));
  }

  /** The samples in a random order; `seed` makes it repeatable, otherwise `rng()` is used. */
  shuffle(seedValue?: number): Dataset<Labels> {
    return this.select(permutation(this.size, seedValue));
  }

  /** The first `fraction` of the samples (the first `count` when `fraction >= 1`) and the rest; `shuffle` first if asked. */
  split(fraction: number, options: { shuffle?: boolean; seed?: number } = {}): [Dataset<Labels>, Dataset<Labels>] {
    const n = this.size;
    const count = fraction >= 1 ? Math.floor(fraction) : Math.round(fraction * n);
    if (!(fraction > 0) || count <= 0 || count >= n) {
      throw new Error(
        `Dataset.split: ${fraction} would leave one side empty (dataset of ${n} samples); give a fraction in (0, 1) or a count between 1 and ${n - 1}.`,
      );
    }
    if (options.shuffle) {
      const order = permutation(n, options.seed);
      return [this.select(order.subarray(0, count)), this.select(order.subarray(count))];
    }
    return [this.take(count), this.skip(count)];
  }

  /** Applies `transform` to every chunk of `chunkSize` samples; a result without `y` keeps the labels. */
  map(transform: (batch: Batch<Labels>) => { x: Tensor; y?: Labels }, chunkSize = 1024): Dataset<Labels> {
    const xs: Tensor[] = [];
    const ys: Tensor[] = [];
    try {
      for (let start = 0; start < this.size; start += chunkSize) {
        const count = Math.min(chunkSize, this.size - start);
        const out = tf.tidy(() => {
          const part = this.range(start, count);
          const result = transform({ x: part.x, y: part.y });
          if (this.y === undefined && result.y != null) {
            throw new Error('Dataset.map: this dataset has no labels, so the transform cannot return any; build a labelled dataset with new Dataset(x, y).');
          }
          const y = result.y ?? part.y;
          if (result.x.shape[0] !== count || (y != null && y.shape[0] !== count)) {
            throw new Error(`Dataset.map: the transform must keep one entry per sample (got ${result.x.shape[0]} from ${count}).`);
          }
          return y == null ? { x: result.x } : { x: result.x, y };
        });
        xs.push(out.x);
        if (out.y) ys.push(out.y);
      }
      const x = xs.length === 1 ? (xs[0] as Tensor) : tf.concat(xs);
      const y = ys.length === 0 ? undefined : ys.length === 1 ? (ys[0] as Tensor) : tf.concat(ys);
      if (xs.length > 1) xs.forEach((t) => t.dispose());
      if (ys.length > 1) ys.forEach((t) => t.dispose());
      return new Dataset(x, y as Labels);
    } catch (error) {
      xs.forEach((t) => t.isDisposed || t.dispose());
      ys.forEach((t) => t.isDisposed || t.dispose());
      throw error;
    }
  }

  /** Mean and standard deviation per feature (`mode: 'feature'`, the default) or of all features (`'global'`). */
  statistics(mode: 'feature' | 'global' = 'feature'): NormalisationStatistics {
    return tf.tidy(() => {
      const flat = mode === 'global' ? this.x.reshape([-1, 1]) : this.x.reshape([this.size, -1]);
      const { mean, variance } = tf.moments(flat.toFloat(), 0);
      return { mean: Array.from(mean.dataSync()), std: Array.from(tf.sqrt(variance).dataSync()) };
    });
  }

  /** Features to mean 0 and standard deviation 1 with `statistics` (the training set's, for the test set); constant features unscaled. */
  normalise(statistics: NormalisationStatistics = this.statistics()): Dataset<Labels> {
    const perSample = this.featureShape.reduce((a, b) => a * b, 1);
    const { mean, std } = statistics;
    if (mean.length !== std.length || (mean.length !== 1 && mean.length !== perSample)) {
      throw new Error(
        `Dataset.normalise: statistics have ${mean.length} means and ${std.length} deviations, but a sample has ${perSample} features; ` +
          'compute them with statistics() on a dataset with the same feature shape.',
      );
    }
    const x = tf.tidy(() => {
      const shape = mean.length === 1 ? [1] : this.featureShape;
      const m = tf.tensor(mean, shape);
      const s = tf.tensor(std.map((v) => (v > 1e-12 ? v : 1)), shape);
      return tf.div(tf.sub(this.x.toFloat(), m), s);
    });
    return new Dataset(x, this.onLabels((y) => y.clone()));
  }

  /** Batches of `batchSize` samples (`y` undefined for unlabelled data), new tensors each: dispose them or use `tf.tidy`. */
  *batches(batchSize: number, options: BatchOptions = {}): Generator<Batch<Labels>> {
    checkPositiveIntegers('Dataset.batches', { batchSize });
    const n = this.size;
    const order = options.shuffle ? permutation(n, options.seed) : null;
    for (let start = 0; start < n; start += batchSize) {
      const count = Math.min(batchSize, n - start);
      const part = order ? this.select(order.subarray(start, start + count)) : this.range(start, count);
      yield { x: part.x, y: part.y };
    }
  }

  dispose(): void {
    if (!this.x.isDisposed) this.x.dispose();
    if (this.y !== undefined && !this.y.isDisposed) this.y.dispose();
  }
}
