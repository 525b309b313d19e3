/**
 * A small Transformer encoder for windows of a time series (chapter 11), from chapter 6's layers: step embeddings plus
 * learned positions, one block of single-head attention and a ReLU feed-forward (residuals, layer norm without learned
 * scale), the last step's vector to the forecast. A `CustomModel` for the `Trainer`.
 */
import { tf } from '../backend/tf';
import { checkPositiveIntegers } from '../util/validate';
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import type { Batch } from '../data/dataset';
import type { CustomModel } from '../train/trainable-model';
import { nextSeed } from '../util/random';
import { countVariables } from '../models/layers';
import { LayerNorm, LinearLayer, MultiHeadSelfAttention } from '../models/transformer/layers';

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

/** A `CustomModel` with a forward pass and a way to free its weights. */
export interface SequenceModel extends CustomModel {
  predict(x: Tensor): Tensor;
  countParams(): number;
  dispose(): void;
}

/** A one-block Transformer from windows [batch, length, features] to [batch, outputs]; attention unmasked (the whole window is past). */
export function sequenceTransformer(options: SequenceTransformerOptions): SequenceModel {
  const { length } = options;
  const features = options.features ?? 1;
  const width = options.width ?? 16;
  const hidden = options.hidden ?? 32;
  const outputs = options.outputs ?? 1;
  checkPositiveIntegers('sequenceTransformer', { length, features, width, hidden, outputs });
  // Normal weights with variance 1/fan-in; a seed draw in each name keeps names unique when a cell rebuilds the model.
  const weight = (shape: number[], fanIn: number, name: string) =>
    tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, Math.sqrt(1 / fanIn), 'float32', nextSeed()), true, `${name}_${nextSeed()}`));
  const zeros = (shape: number[], name: string) => tf.tidy(() => tf.variable(tf.zeros(shape), true, `${name}_${nextSeed()}`));
  const linear = (inputs: number, outputs: number, name: string, bias = true) =>
    new LinearLayer(inputs, outputs, { kernel: weight([inputs, outputs], inputs, name), bias: bias ? zeros([outputs], `${name}Bias`) : null });
  const embed = linear(features, width, 'embed');
  const position = weight([length, width], width, 'position');
  const projection = (name: string) => linear(width, width, name, false);
  const attention = new MultiHeadSelfAttention(width, 1, 0, {
    query: projection('query'),
    key: projection('key'),
    value: projection('value'),
    output: projection('mix'),
  });
  const up = linear(width, hidden, 'up');
  const down = linear(hidden, width, 'down');
  const head = linear(width, outputs, 'head');
  const norm = new LayerNorm(width, 1e-5, { learned: false });
  const variables: Variable[] = [...embed.variables, position, ...attention.variables, ...up.variables, ...down.variables, ...head.variables];
  const predict = (x: Tensor): Tensor =>
    tf.tidy(() => {
      if (x.rank !== 3 || x.shape[1] !== length || x.shape[2] !== features) {
        throw new Error(`sequenceTransformer: expected windows of shape [batch, ${length}, ${features}], got [${x.shape.join(', ')}].`);
      }
      let h = tf.add(embed.apply(x), position);
      h = norm.apply(tf.add(h, attention.apply(h, null, false).output));
      h = norm.apply(tf.add(h, down.apply(tf.relu(up.apply(h)))));
      const last = tf.reshape(tf.slice(h, [0, length - 1, 0], [-1, 1, -1]), [-1, width]);
      return head.apply(last);
    });
  const lossFunction = options.loss ?? ((labels: Tensor, out: Tensor) => tf.mean(tf.square(tf.sub(out, tf.reshape(labels.toFloat(), out.shape)))) as Scalar);
  return {
    trainableVariables: variables,
    loss: (batch: Batch) => {
      const out = predict(batch.x);
      return { loss: lossFunction(batch.y as Tensor, out), outputs: out };
    },
    predict,
    countParams: () => countVariables(variables),
    dispose: () => variables.forEach((w) => w.dispose()),
  };
}
