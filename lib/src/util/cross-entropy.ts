/** The one cross-entropy of integer labels from logits (chapter 6): the Trainer's, the Transformer heads', GPT's, MoE's. */
import { tf } from '../backend/tf';
import type { Scalar, Tensor } from '@tensorflow/tfjs';

/** The mean cross-entropy of integer labels under raw scores `[..., classes]`. */
export function crossEntropyFromLogits(logits: Tensor, labels: Tensor): Scalar {
  return tf.tidy(() => {
    const classes = logits.shape[logits.rank - 1] as number;
    const picked = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(tf.cast(labels.flatten(), 'int32'), classes)), -1);
    return tf.neg(tf.mean(picked)) as Scalar;
  });
}
