/**
 * Matrix factorisation (chapter 8): r̂(u, i) = μ + b_u + b_i + p_u · q_i with learned embeddings and biases,
 * as a `CustomModel` the book's `Trainer` fits.
 */
import { tf } from '../backend/tf';
import type { Scalar, Tensor, Tensor1D, Tensor2D, Variable } from '@tensorflow/tfjs';
import { Dataset, type Batch } from '../data/dataset';
import type { CustomModel } from '../train/trainable-model';
import { nextSeed } from '../util/random';
import type { RatingTable } from './ratings';
import { TrainedRecommender } from './recommender';
import { checkPositiveIntegers } from '../util/validate';

export interface MatrixFactorisationOptions {
  /** Length of each embedding (default 32). */
  dimensions?: number;
  /** L2 penalty per training rating (default 0.05) on |p_u|², |q_i|², b_u², b_i², as means; not in validation. */
  regularisation?: number;
  /** L2 penalty on the biases instead of `regularisation` (default: the same). */
  biasRegularisation?: number;
  /** Standard deviation of the initial embeddings (default 0.1). */
  initialScale?: number;
}

/** Matrix factorisation for the `Trainer` on `mf.dataset(train)`; `recommender()` adds ids, top-N and cold starts. */
export class MatrixFactorisation implements CustomModel {
  readonly dimensions: number;
  readonly regularisation: number;
  readonly biasRegularisation: number;
  readonly globalMean: number;
  readonly userEmbeddings: Variable;
  readonly itemEmbeddings: Variable;
  readonly userBiases: Variable;
  readonly itemBiases: Variable;

  /** Creates the variables, initialised with seeds from `nextSeed()`. */
  constructor(readonly train: RatingTable, options: MatrixFactorisationOptions = {}) {
    if (train.size === 0) throw new Error('MatrixFactorisation: the training table has no ratings; there is nothing to learn from.');
    const dimensions = options.dimensions ?? 32;
    const regularisation = options.regularisation ?? 0.05;
    const biasRegularisation = options.biasRegularisation ?? regularisation;
    const scale = options.initialScale ?? 0.1;
    checkPositiveIntegers('MatrixFactorisation', { dimensions });
    if (!(regularisation >= 0)) throw new Error(`MatrixFactorisation: regularisation must be >= 0, got ${regularisation}.`);
    if (!(biasRegularisation >= 0)) throw new Error(`MatrixFactorisation: biasRegularisation must be >= 0, got ${biasRegularisation}.`);
    if (!(scale >= 0)) throw new Error(`MatrixFactorisation: initialScale must be >= 0, got ${scale}.`);
    this.dimensions = dimensions;
    this.regularisation = regularisation;
    this.biasRegularisation = biasRegularisation;
    this.globalMean = train.mean();
    const variable = (initial: Tensor): Variable => {
      const created = tf.variable(initial, true);
      initial.dispose();
      return created;
    };
    this.userEmbeddings = variable(tf.randomNormal([train.userCount, dimensions], 0, scale, 'float32', nextSeed()));
    this.itemEmbeddings = variable(tf.randomNormal([train.itemCount, dimensions], 0, scale, 'float32', nextSeed()));
    this.userBiases = variable(tf.zeros([train.userCount]));
    this.itemBiases = variable(tf.zeros([train.itemCount]));
  }

  get trainableVariables(): Variable[] {
    return [this.userEmbeddings, this.itemEmbeddings, this.userBiases, this.itemBiases];
  }

  /** A table of this model's users and items as a `Dataset` (x int32 [n, 2], y float32 [n, 1]); dispose it after use. */
  dataset(table: RatingTable): Dataset {
    if (table.userIds !== this.train.userIds || table.itemIds !== this.train.itemIds) {
      throw new Error('MatrixFactorisation.dataset: the table does not share this model\'s users and items; use a split (or subset) of the table the model was built on.');
    }
    const pairs = new Int32Array(table.size * 2);
    for (let k = 0; k < table.size; k++) {
      pairs[2 * k] = table.users[k] as number;
      pairs[2 * k + 1] = table.items[k] as number;
    }
    return new Dataset(tf.tensor2d(pairs, [table.size, 2], 'int32'), tf.tensor2d(table.ratings, [table.size, 1]));
  }

  /** Predicted ratings, shape [n, 1], for int32 pairs [n, 2] of (user index, item index); not clamped. */
  predict(x: Tensor): Tensor {
    return tf.tidy(() => {
      const [users, items] = tf.unstack(x, 1) as [Tensor1D, Tensor1D];
      return this.predictRows(users, items);
    });
  }

  /** Mean squared error of a batch, plus the L2 penalty when training; the training loss's gradient written by hand. */
  loss(batch: Batch, training: boolean): { loss: Scalar; outputs: Tensor | null } {
    const [users, items] = tf.unstack(batch.x, 1) as [Tensor1D, Tensor1D];
    if (!training) {
      const outputs = this.predictRows(users, items);
      return { loss: tf.mean(tf.square(tf.sub(outputs, batch.y))) as Scalar, outputs };
    }
    // No outputs: the Trainer's metrics, if any, call predict().
    return { loss: this.trainingLoss(users, items, batch.y), outputs: null };
  }

  private predictRows(users: Tensor1D, items: Tensor1D): Tensor {
    const rows = [tf.gather(this.userEmbeddings, users), tf.gather(this.itemEmbeddings, items), tf.gather(this.userBiases, users), tf.gather(this.itemBiases, items)] as const;
    return tf.reshape(this.ratingOf(...rows), [-1, 1]);
  }

  /** μ + b_u + b_i + p_u · q_i from the gathered rows, shape [n]. */
  private ratingOf(p: Tensor, q: Tensor, bu: Tensor, bi: Tensor): Tensor {
    return tf.add(tf.addN([tf.sum(tf.mul(p, q), 1), bu, bi]), this.globalMean);
  }

  /**
   * loss = mean((r̂ − r)²) + λ·mean(|p_u|² + |q_i|²) + λ_b·mean(b_u² + b_i²) over the batch's n ratings, with
   * its gradient: for rating k, e_k = 2(r̂_k − r_k)/n, ∂/∂p_u = e_k q_i + 2λ p_u/n, ∂/∂q_i = e_k p_u + 2λ q_i/n,
   * ∂/∂b_u = e_k + 2λ_b b_u/n (b_i alike), summed into each table's rows (`unsortedSegmentSum`, which is
   * also what the gradient of `gather` is). The same numbers as automatic differentiation up to rounding.
   */
  private trainingLoss(users: Tensor1D, items: Tensor1D, ratings: Tensor): Scalar {
    const n = users.shape[0];
    const { regularisation: lambda, biasRegularisation: lambdaBias } = this;
    const { userCount, itemCount } = this.train;
    const step = tf.customGrad((userTable, itemTable, userBiasTable, itemBiasTable, save) => {
      const p = tf.gather(userTable as Tensor, users);
      const q = tf.gather(itemTable as Tensor, items);
      const bu = tf.gather(userBiasTable as Tensor, users);
      const bi = tf.gather(itemBiasTable as Tensor, items);
      const predicted = this.ratingOf(p, q, bu, bi);
      const difference = tf.sub(predicted, tf.reshape(ratings, [-1]));
      const terms = [tf.sum(tf.square(difference))];
      if (lambda !== 0) terms.push(tf.mul(tf.add(tf.sum(tf.square(p)), tf.sum(tf.square(q))), lambda));
      if (lambdaBias !== 0) terms.push(tf.mul(tf.add(tf.sum(tf.square(bu)), tf.sum(tf.square(bi))), lambdaBias));
      (save as (tensors: Tensor[]) => void)([p, q, bu, bi, difference, users, items]);
      const gradFunc = (dy: Tensor, saved: Tensor[]): Tensor[] => {
        const [pSaved, qSaved, buSaved, biSaved, differenceSaved, userRows, itemRows] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor1D, Tensor1D];
        const scale = tf.div(tf.mul(dy, 2), n);
        const e = tf.mul(differenceSaved, scale);
        const column = tf.expandDims(e, 1);
        const shrink = (rows: Tensor, strength: number, gradient: Tensor): Tensor =>
          strength === 0 ? gradient : tf.add(gradient, tf.mul(rows, tf.mul(scale, strength)));
        return [
          tf.unsortedSegmentSum(shrink(pSaved, lambda, tf.mul(column, qSaved)), userRows, userCount),
          tf.unsortedSegmentSum(shrink(qSaved, lambda, tf.mul(column, pSaved)), itemRows, itemCount),
          tf.unsortedSegmentSum(shrink(buSaved, lambdaBias, e), userRows, userCount),
          tf.unsortedSegmentSum(shrink(biSaved, lambdaBias, e), itemRows, itemCount),
        ];
      };
      return { value: tf.div(tf.addN(terms), n) as Scalar, gradFunc };
    });
    return step(this.userEmbeddings, this.itemEmbeddings, this.userBiases, this.itemBiases) as Scalar;
  }

  /** The model as a `Recommender` over the data's ids; it reads the variables as they are when called. */
  recommender(): FactorisationRecommender {
    return new FactorisationRecommender(this);
  }

  /** The item embeddings as plain rows, by item index. */
  itemVectors(): number[][] {
    return this.itemEmbeddings.arraySync() as number[][];
  }

  dispose(): void {
    this.trainableVariables.forEach((v) => v.dispose());
  }
}

/** A trained `MatrixFactorisation` as a `Recommender`: ratings clamped to the scale, popularity for cold starts. */
export class FactorisationRecommender extends TrainedRecommender {
  readonly name = 'matrix factorisation';

  constructor(readonly model: MatrixFactorisation) {
    super(model.train, 'FactorisationRecommender');
  }

  protected predictKnown(u: number, i: number): number {
    return this.predictKnownMany(Int32Array.of(u), Int32Array.of(i))[0] as number;
  }

  /** A known user and an item without training ratings: μ + b_u (the item's vector and bias never moved). */
  protected override predictForUserAlone(u: number): number {
    return tf.tidy(() => tf.add(tf.slice(this.model.userBiases, [u], [1]), this.model.globalMean).dataSync()[0] as number);
  }

  protected override predictKnownMany(users: Int32Array, items: Int32Array): Float32Array {
    const pairs = new Int32Array(users.length * 2);
    users.forEach((u, k) => {
      pairs[2 * k] = u;
      pairs[2 * k + 1] = items[k] as number;
    });
    const out = tf.tidy(() => this.model.predict(tf.tensor2d(pairs, [users.length, 2], 'int32')));
    const values = Float32Array.from(out.dataSync());
    out.dispose();
    return values;
  }

  protected scoreItems(u: number): Float32Array {
    const out = tf.tidy(() => {
      const p = tf.slice(this.model.userEmbeddings, [u, 0], [1, -1]) as Tensor2D;
      const dots = tf.reshape(tf.matMul(p, this.model.itemEmbeddings, false, true), [-1]);
      return tf.add(tf.add(dots, this.model.itemBiases), tf.add(tf.slice(this.model.userBiases, [u], [1]), this.model.globalMean));
    });
    const values = Float32Array.from(out.dataSync());
    out.dispose();
    return values;
  }
}
