/**
 * Gradient explanations (chapters 10 and 12): saliency, and integrated gradients (Sundararajan, Taly and Yan 2017),
 * whose attributions add up to f(input) − f(baseline).
 */
import { tf } from '../backend/tf';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { checkPositiveIntegers } from '../util/validate';

/** A model or function to explain: a batch of inputs in, outputs [batch] or [batch, outputs] out. */
export type Explainable = LayersModel | ((x: Tensor) => Tensor);

/** Which output to explain: one unit for all examples, or one per example (e.g. each digit's predicted class). */
export type ExplainTarget = number | ArrayLike<number>;

function asFunction(model: Explainable): (x: Tensor) => Tensor {
  return typeof model === 'function' ? model : (x: Tensor) => model.apply(x, { training: false }) as Tensor;
}

/** The explained output of each example, shape [batch]. */
function selectedOutput(f: (x: Tensor) => Tensor, x: Tensor, target: ExplainTarget | undefined, what: string): Tensor {
  const y = f(x);
  const batch = x.shape[0] as number;
  if (y.rank === 1) return y;
  if (y.rank === 2 && y.shape[1] === 1 && target === undefined) return y.reshape([batch]);
  if (y.rank !== 2) throw new Error(`${what}: the model's output has shape [${y.shape.join(', ')}]; expected [batch] or [batch, outputs].`);
  const width = y.shape[1] as number;
  if (target === undefined) throw new Error(`${what}: the model has ${width} outputs; say which one to explain with { target }.`);
  const targets = typeof target === 'number' ? new Array<number>(batch).fill(target) : Array.from(target);
  if (targets.length !== batch) throw new Error(`${what}: ${targets.length} targets for ${batch} examples; give one per example or a single number.`);
  if (targets.some((t) => !Number.isInteger(t) || t < 0 || t >= width)) throw new Error(`${what}: targets must be output indices from 0 to ${width - 1}.`);
  return tf.sum(tf.mul(y, tf.oneHot(tf.tensor1d(targets, 'int32'), width)), 1);
}

function checkInput(x: Tensor, what: string): void {
  if (!(x instanceof tf.Tensor) || x.rank < 2) throw new Error(`${what}: the input must be a tensor of shape [batch, ...features]; add a batch axis for one example (x.expandDims(0)).`);
}

/** Runs the model once outside any gradient so that a bad target fails cleanly (an error inside tf.grad leaks tensors). */
function checkTarget(f: (x: Tensor) => Tensor, x: Tensor, target: ExplainTarget | undefined, what: string): void {
  tf.tidy(() => {
    selectedOutput(f, x, target, what);
  });
}

/** Saliency |d output / d input|, shaped as `x`; `absolute: false` keeps the sign. The caller disposes it. */
export function saliency(model: Explainable, x: Tensor, options: { target?: ExplainTarget; absolute?: boolean } = {}): Tensor {
  checkInput(x, 'saliency');
  const f = asFunction(model);
  checkTarget(f, x, options.target, 'saliency');
  return tf.tidy(() => {
    const gradient = tf.grad((input: Tensor) => tf.sum(selectedOutput(f, input, options.target, 'saliency')))(x);
    return options.absolute === false ? gradient : tf.abs(gradient);
  });
}

/** Integrated gradients: `(x - baseline)` × mean path gradient (trapezoid, 64 steps, baseline 0); caller disposes. */
export function integratedGradients(model: Explainable, x: Tensor, options: { baseline?: Tensor; steps?: number; target?: ExplainTarget } = {}): Tensor {
  checkInput(x, 'integratedGradients');
  const steps = options.steps ?? 64;
  checkPositiveIntegers('integratedGradients', { steps });
  const f = asFunction(model);
  const baselineShape = options.baseline?.shape;
  if (baselineShape && !(baselineShape.join() === x.shape.join() || baselineShape.join() === x.shape.slice(1).join() || (baselineShape[0] === 1 && baselineShape.slice(1).join() === x.shape.slice(1).join()))) {
    throw new Error(`integratedGradients: the baseline has shape [${baselineShape.join(', ')}], the input [${x.shape.join(', ')}]; give one of the shape of x or of one example.`);
  }
  checkTarget(f, x, options.target, 'integratedGradients');
  const baseline = options.baseline ?? tf.zerosLike(x);
  const gradientAt = tf.grad((input: Tensor) => tf.sum(selectedOutput(f, input, options.target, 'integratedGradients')));
  let total = tf.zerosLike(x);
  for (let k = 0; k <= steps; k++) {
    const weight = k === 0 || k === steps ? 0.5 : 1;
    const next = tf.tidy(() => {
      const point = tf.add(baseline, tf.mul(tf.sub(x, baseline), k / steps));
      return tf.add(total, tf.mul(gradientAt(point), weight));
    });
    total.dispose();
    total = next;
  }
  const result = tf.tidy(() => tf.mul(tf.sub(x, baseline), tf.div(total, steps)));
  total.dispose();
  if (options.baseline === undefined) baseline.dispose();
  return result;
}

/** Adds up attributions per feature (a category's one-hot columns, a number and its missing indicator). */
export function sumByGroup(attributions: ArrayLike<number>, groups: readonly { feature: string; columns: readonly number[] }[]): { feature: string; attribution: number }[] {
  return groups.map((g) => ({
    feature: g.feature,
    attribution: g.columns.reduce((s, c) => {
      if (c < 0 || c >= attributions.length) throw new Error(`sumByGroup: group "${g.feature}" refers to column ${c}, but there are ${attributions.length} attributions.`);
      return s + (attributions[c] as number);
    }, 0),
  }));
}
