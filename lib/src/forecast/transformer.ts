/**
 * A small Transformer encoder for windows of a time series (chapter 11):
 * each step is embedded, a learned position vector is added, one block of
 * single-head self-attention and a feed-forward layer (each with a residual
 * connection and layer normalisation) mixes the steps, and the last step's
 * vector gives the forecast. It follows the `CustomModel` interface, so the
 * `Trainer` trains it.
 */
import { tf } from '../backend/tf';
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import type { Batch } from '../data/dataset';
import type { CustomModel } from '../train/trainable-model';
import { nextSeed } from '../util/random';

/** Options of `sequenceTransformer` (chapter 11). */
export interface SequenceTransformerOptions {
  /** Steps per window. */
  length: number;
  /** Values per step (default 1). */
  features?: number;
  /** Width of the step vectors (default 16). */
  width?: number;
  /** Units of the feed-forward layer (default 32). */
  hidden?: number;
  /** Outputs per window (default 1). */
  outputs?: number;
  /** The training loss on (labels, outputs); default the mean squared error. */
  loss?: (labels: Tensor, outputs: Tensor) => Scalar;
}

/** A `CustomModel` with a forward pass and a way to free its weights (chapter 11). */
export interface SequenceModel extends CustomModel {
  predict(x: Tensor): Tensor;
  countParams(): number;
  dispose(): void;
}

function layerNorm(x: Tensor): Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
}

/**
 * A one-block Transformer encoder (chapter 11) mapping windows [batch,
 * length, features] to [batch, outputs]. Attention is not masked: every step
 * of the window is already in the past of the value forecast.
 */
export function sequenceTransformer(options: SequenceTransformerOptions): SequenceModel {
  const { length } = options;
  const features = options.features ?? 1;
  const width = options.width ?? 16;
  const hidden = options.hidden ?? 32;
  const outputs = options.outputs ?? 1;
  for (const [name, v] of [['length', length], ['features', features], ['width', width], ['hidden', hidden], ['outputs', outputs]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`sequenceTransformer: ${name} must be a positive integer, got ${v}.`);
  }
  const weight = (shape: number[], fanIn: number, name: string) =>
    tf.variable(tf.randomNormal(shape, 0, Math.sqrt(1 / fanIn), 'float32', nextSeed()), true, `${name}_${nextSeed()}`);
  const zeros = (shape: number[], name: string) => tf.variable(tf.zeros(shape), true, `${name}_${nextSeed()}`);
  const v = {
    embed: weight([features, width], features, 'embed'),
    embedBias: zeros([width], 'embedBias'),
    position: weight([length, width], width, 'position'),
    query: weight([width, width], width, 'query'),
    key: weight([width, width], width, 'key'),
    value: weight([width, width], width, 'value'),
    mix: weight([width, width], width, 'mix'),
    up: weight([width, hidden], width, 'up'),
    upBias: zeros([hidden], 'upBias'),
    down: weight([hidden, width], hidden, 'down'),
    downBias: zeros([width], 'downBias'),
    head: weight([width, outputs], width, 'head'),
    headBias: zeros([outputs], 'headBias'),
  };
  const variables: Variable[] = Object.values(v);
  const dense3 = (x: Tensor, w: Tensor) => {
    const [b, t, f] = x.shape as [number, number, number];
    return tf.reshape(tf.matMul(tf.reshape(x, [b * t, f]), w), [b, t, w.shape[1] as number]);
  };
  const predict = (x: Tensor): Tensor =>
    tf.tidy(() => {
      if (x.rank !== 3 || x.shape[1] !== length || x.shape[2] !== features) {
        throw new Error(`sequenceTransformer: expected windows of shape [batch, ${length}, ${features}], got [${x.shape.join(', ')}].`);
      }
      let h = tf.add(tf.add(dense3(x, v.embed), v.embedBias), v.position);
      const q = dense3(h, v.query);
      const k = dense3(h, v.key);
      const values = dense3(h, v.value);
      const weights = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(width)));
      h = layerNorm(tf.add(h, dense3(tf.matMul(weights, values), v.mix)));
      const inner = tf.relu(tf.add(dense3(h, v.up), v.upBias));
      h = layerNorm(tf.add(h, tf.add(dense3(inner, v.down), v.downBias)));
      const last = tf.reshape(tf.slice(h, [0, length - 1, 0], [-1, 1, -1]), [-1, width]);
      return tf.add(tf.matMul(last, v.head), v.headBias);
    });
  const lossFunction = options.loss ?? ((labels: Tensor, out: Tensor) => tf.mean(tf.square(tf.sub(out, tf.reshape(labels.toFloat(), out.shape)))) as Scalar);
  return {
    trainableVariables: variables,
    loss: (batch: Batch) => {
      const out = predict(batch.x);
      return { loss: lossFunction(batch.y as Tensor, out), outputs: out };
    },
    predict,
    countParams: () => variables.reduce((s, w) => s + w.size, 0),
    dispose: () => variables.forEach((w) => w.dispose()),
  };
}
