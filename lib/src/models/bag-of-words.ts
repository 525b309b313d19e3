/** Chapter 6's baseline: logistic regression on the words a text contains. */
import { tf } from '../backend/tf';
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import { countVariables, variableOf } from './layers';
import { crossEntropyFromLogits } from '../util/cross-entropy';
import { checkPositiveIntegers } from '../util/validate';

/**
 * Bag-of-words logistic regression: a text's score is the sum of its distinct words' weights plus a bias.
 * Batches: `{ x: [batch, maxWords] int32 word ids padded with 0, y: int32 labels }`; `l2` × the weights' mean square joins the loss.
 */
export class BagOfWordsClassifier {
  readonly weights: Variable;
  readonly bias: Variable;
  constructor(
    readonly vocabularySize: number,
    readonly l2 = 0,
  ) {
    checkPositiveIntegers('BagOfWordsClassifier', { vocabularySize });
    this.weights = variableOf(() => tf.zeros([vocabularySize]));
    this.bias = variableOf(() => tf.zeros([]));
  }
  get trainableVariables(): Variable[] {
    return [this.weights, this.bias];
  }
  /** Number of weights: one per word, and the bias. */
  countParams(): number {
    return countVariables(this.trainableVariables);
  }
  dispose(): void {
    tf.dispose(this.trainableVariables);
  }
  /** Logits `[batch, 2]`: 0 for negative and the logistic score for positive. */
  logits(wordIds: Tensor): Tensor {
    const present = tf.cast(tf.notEqual(wordIds, 0), 'float32');
    const score = tf.add(tf.sum(tf.mul(tf.gather(this.weights, wordIds), present), -1), this.bias);
    return tf.stack([tf.zerosLike(score), score], 1);
  }
  loss(batch: { x: Tensor; y: Tensor }): { loss: Scalar; outputs: Tensor } {
    const outputs = this.logits(batch.x);
    let loss = crossEntropyFromLogits(outputs, batch.y);
    if (this.l2 > 0) loss = tf.add(loss, tf.mul(this.l2, tf.mean(tf.square(this.weights)))) as Scalar;
    return { loss, outputs };
  }
  /** Class probabilities `[batch, 2]`. */
  predict(x: Tensor): Tensor {
    return tf.tidy(() => tf.softmax(this.logits(x)));
  }
}
