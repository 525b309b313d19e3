/** Loss functions with their gradients (chapter 3), averaged over the `m` rows (examples) of a batch. */
import { Matrix } from './matrix';

/** The losses the from-scratch network knows. */
export type LossName = 'meanSquaredError' | 'softmaxCrossEntropy';

/** A loss: its value and its gradient with respect to the network output. */
export interface Loss {
  name: LossName;
  /** The loss averaged over the batch. */
  value(output: Matrix, target: Matrix): number;
  /** `∂L/∂output`, same shape as `output` (the `1/m` is included). */
  gradient(output: Matrix, target: Matrix): Matrix;
}

function checkPair(output: Matrix, target: Matrix, what: string): void {
  if (output.rows !== target.rows || output.cols !== target.cols) {
    throw new Error(
      `${what}: the output is ${output.rows}×${output.cols} but the target is ${target.rows}×${target.cols}; ` +
        'give one target row per example with one column per output unit (one-hot rows for classes).',
    );
  }
  if (output.rows === 0) throw new Error(`${what}: the batch is empty; give at least one example.`);
}

/**
 * Mean squared error with the article's 1/2m: L = (1/2m) Σᵢ Σₖ (Aᵢₖ − Yᵢₖ)², ∂L/∂A = (A − Y)/m.
 * (tfjs' `tf.losses.meanSquaredError` is (1/(m·k)) Σ (A − Y)², without the ½.)
 */
export const meanSquaredErrorLoss: Loss = {
  name: 'meanSquaredError',
  value(output, target) {
    checkPair(output, target, 'meanSquaredErrorLoss');
    let total = 0;
    for (let k = 0; k < output.data.length; k++) {
      const r = output.data[k]! - target.data[k]!;
      total += r * r;
    }
    return total / (2 * output.rows);
  },
  gradient(output, target) {
    checkPair(output, target, 'meanSquaredErrorLoss');
    return output.subtract(target).scale(1 / output.rows);
  },
};

/** Row-wise softmax, stable: the row maximum is subtracted before exponentiating. */
export function softmax(logits: Matrix): Matrix {
  const out = new Matrix(logits.rows, logits.cols);
  for (let i = 0; i < logits.rows; i++) {
    const offset = i * logits.cols;
    let max = -Infinity;
    for (let j = 0; j < logits.cols; j++) max = Math.max(max, logits.data[offset + j]!);
    let total = 0;
    for (let j = 0; j < logits.cols; j++) {
      const e = Math.exp(logits.data[offset + j]! - max);
      out.data[offset + j] = e;
      total += e;
    }
    for (let j = 0; j < logits.cols; j++) out.data[offset + j]! /= total;
  }
  return out;
}

/** Row-wise log-softmax via log-sum-exp: z − max − log Σ exp(z − max). */
export function logSoftmax(logits: Matrix): Matrix {
  const out = new Matrix(logits.rows, logits.cols);
  for (let i = 0; i < logits.rows; i++) {
    const offset = i * logits.cols;
    let max = -Infinity;
    for (let j = 0; j < logits.cols; j++) max = Math.max(max, logits.data[offset + j]!);
    let total = 0;
    for (let j = 0; j < logits.cols; j++) total += Math.exp(logits.data[offset + j]! - max);
    const logTotal = Math.log(total);
    for (let j = 0; j < logits.cols; j++) out.data[offset + j] = logits.data[offset + j]! - max - logTotal;
  }
  return out;
}

/**
 * Softmax cross-entropy on logits Z: L = −(1/m) Σᵢ Σₖ Yᵢₖ log softmax(Z)ᵢₖ via log-sum-exp; gradient
 * (softmax(Z) − Y)/m when target rows sum to 1. The last layer must be 'identity': the softmax is in the loss.
 */
export const softmaxCrossEntropyLoss: Loss = {
  name: 'softmaxCrossEntropy',
  value(output, target) {
    checkPair(output, target, 'softmaxCrossEntropyLoss');
    const logProbabilities = logSoftmax(output);
    let total = 0;
    for (let k = 0; k < output.data.length; k++) {
      const y = target.data[k]!;
      if (y !== 0) total -= y * logProbabilities.data[k]!;
    }
    return total / output.rows;
  },
  gradient(output, target) {
    checkPair(output, target, 'softmaxCrossEntropyLoss');
    return softmax(output).subtract(target).scale(1 / output.rows);
  },
};

/** Looks a loss up by name, with a clear error for an unknown one. */
export function getLoss(name: string): Loss {
  if (name === 'meanSquaredError') return meanSquaredErrorLoss;
  if (name === 'softmaxCrossEntropy') return softmaxCrossEntropyLoss;
  throw new Error(`Unknown loss "${name}". Use 'meanSquaredError' or 'softmaxCrossEntropy'.`);
}
