/**
 * Losses and metrics of the training loop (chapter 5; confusion matrix and F1 chapters 6-7). Each returns a
 * batch mean as a scalar tensor, so the Trainer sums them on the device.
 */
import { tf } from '../backend/tf';
import { precisionOf } from '../util/statistics';
import type { Scalar, Tensor } from '@tensorflow/tfjs';
import { crossEntropyFromLogits } from '../util/cross-entropy';

/** A loss: labels and outputs of one batch in, the mean loss out. */
export type LossFunction = (labels: Tensor, outputs: Tensor) => Scalar;

export type TrainingLossName = 'sparseCategoricalCrossentropy' | 'categoricalCrossentropy' | 'binaryCrossentropy' | 'meanSquaredError';

/** A metric: a name and the batch mean it computes. */
export interface Metric {
  name: string;
  compute: (labels: Tensor, outputs: Tensor) => Scalar;
}

export type MetricName = 'accuracy' | 'meanAbsoluteError' | 'meanSquaredError';

const EPSILON = 1e-7;

function asOneHot(labels: Tensor, classes: number): Tensor {
  const indices = labels.rank === 2 ? labels.reshape([-1]) : labels;
  return tf.oneHot(indices.toInt(), classes);
}

/** Cross-entropy with integer class labels; `fromLogits` folds the softmax in (numerically safer). */
export function sparseCategoricalCrossentropy(fromLogits = false): LossFunction {
  return (labels, outputs) => {
    if (fromLogits) return crossEntropyFromLogits(outputs, labels);
    const target = asOneHot(labels, outputs.shape[outputs.rank - 1] as number);
    const picked = tf.sum(tf.mul(target, outputs), -1);
    return tf.neg(tf.mean(tf.log(tf.clipByValue(picked, EPSILON, 1)))) as Scalar;
  };
}

/** Cross-entropy with one-hot (or soft) label rows. */
export function categoricalCrossentropy(fromLogits = false): LossFunction {
  return (labels, outputs) => {
    if (fromLogits) return tf.losses.softmaxCrossEntropy(labels, outputs) as Scalar;
    const clipped = tf.clipByValue(outputs, EPSILON, 1 - EPSILON);
    return tf.neg(tf.mean(tf.sum(tf.mul(labels.toFloat(), tf.log(clipped)), -1))) as Scalar;
  };
}

/** Binary cross-entropy for 0/1 labels and one output per sample. */
export function binaryCrossentropy(fromLogits = false): LossFunction {
  return (labels, outputs) => {
    const y = labels.toFloat().reshape(outputs.shape);
    if (fromLogits) return tf.losses.sigmoidCrossEntropy(y, outputs) as Scalar;
    return tf.losses.logLoss(y, tf.clipByValue(outputs, EPSILON, 1 - EPSILON), undefined, EPSILON) as Scalar;
  };
}

export function meanSquaredError(): LossFunction {
  return (labels, outputs) => tf.mean(tf.square(tf.sub(outputs, labels.toFloat().reshape(outputs.shape)))) as Scalar;
}

const LOSSES: Record<TrainingLossName, (fromLogits: boolean) => LossFunction> = {
  sparseCategoricalCrossentropy, categoricalCrossentropy, binaryCrossentropy, meanSquaredError,
};

export function lossByName(name: TrainingLossName, fromLogits = false): LossFunction {
  if (!Object.hasOwn(LOSSES, name)) {
    throw new Error(`Unknown loss "${String(name)}". Use ${Object.keys(LOSSES).join(', ')}, or pass a function (labels, outputs) => scalar.`);
  }
  return LOSSES[name](fromLogits);
}

/** Accuracy: class indices or one-hot rows against the argmax, or 0/1 labels against a threshold (0.5, 0 for logits). */
export function accuracy(fromLogits = false): Metric {
  return {
    name: 'accuracy',
    compute: (labels, outputs) => {
      const classes = outputs.shape[outputs.rank - 1] as number;
      if (outputs.rank >= 2 && classes > 1) {
        const predicted = tf.argMax(outputs, -1);
        const truth = labels.rank === outputs.rank && labels.shape[labels.rank - 1] === classes ? tf.argMax(labels, -1) : labels.reshape(predicted.shape).toInt();
        return tf.mean(tf.equal(predicted, truth).toFloat()) as Scalar;
      }
      const predicted = tf.greater(outputs.reshape([-1]), fromLogits ? 0 : 0.5);
      return tf.mean(tf.equal(predicted, tf.greater(labels.reshape([-1]), 0.5)).toFloat()) as Scalar;
    },
  };
}

export function metricByName(name: MetricName, fromLogits = false): Metric {
  switch (name) {
    case 'accuracy':
      return accuracy(fromLogits);
    case 'meanAbsoluteError':
      return { name, compute: (labels, outputs) => tf.mean(tf.abs(tf.sub(outputs, labels.toFloat().reshape(outputs.shape)))) as Scalar };
    case 'meanSquaredError':
      return { name, compute: meanSquaredError() };
    default:
      throw new Error(`Unknown metric "${String(name)}". Use accuracy, meanAbsoluteError, meanSquaredError, or pass { name, compute }.`);
  }
}

/** The confusion matrix of class indices: `matrix[t][p]` counts samples of true class `t` predicted as `p`. */
export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes: number): number[][] {
  if (labels.length !== predictions.length) {
    throw new Error(`confusionMatrix: ${labels.length} labels but ${predictions.length} predictions; give one prediction per label.`);
  }
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i] as number;
    const p = predictions[i] as number;
    if (!(t >= 0 && t < classes && p >= 0 && p < classes)) {
      throw new Error(`confusionMatrix: sample ${i} has label ${t} and prediction ${p}, outside 0..${classes - 1}; pass the right number of classes.`);
    }
    (matrix[t] as number[])[p] += 1;
  }
  return matrix;
}

/** Accuracy and F1 of the positive class from labels and predicted classes. */
export function accuracyAndF1(labels: ArrayLike<number>, predictions: ArrayLike<number>): { accuracy: number; f1: number; precision: number; recall: number } {
  if (labels.length !== predictions.length || labels.length === 0) {
    throw new Error(`accuracyAndF1: need as many predictions as labels (and at least one), got ${predictions.length} and ${labels.length}.`);
  }
  let correct = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    const p = predictions[i] as number;
    if (y === p) correct++;
    if (p === 1 && y === 1) tp++;
    if (p === 1 && y !== 1) fp++;
    if (p !== 1 && y === 1) fn++;
  }
  const precision = precisionOf(tp, fp, 'accuracyAndF1');
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  return { accuracy: correct / labels.length, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0, precision, recall };
}
