/**
 * The layers of a Transformer (chapters 6, 11 and 13) over `tf` ops: linear, layer norm, GELU, BERT's
 * embeddings, multi-head self-attention, feed-forward, the post-norm encoder block. Each has `variables` and `apply`.
 */
import { tf } from '../../backend/tf';
import type { Tensor, Variable } from '@tensorflow/tfjs';
import { nextSeed } from '../../util/random';
import { variableOf } from '../layers';
import type { TransformerEncoderConfig } from '../../scale/size-and-compute';

/** BERT's initialiser: a normal with standard deviation 0.02, cut at two standard deviations, seeded. */
export function bertInitialWeights(shape: number[]): Variable {
  return variableOf(() => tf.truncatedNormal(shape, 0, 0.02, 'float32', nextSeed()));
}

/** Dropout while training, the identity otherwise; seeded. */
export function dropout(x: Tensor, rate: number, training: boolean): Tensor {
  return training && rate > 0 ? tf.dropout(x, rate, undefined, nextSeed()) : x;
}

/** GELU, BERT's tanh form x · ½(1 + tanh(√(2/π)(x + 0.044715x³))); x³ as x · x · x (`tf.pow` is slower). */
export function geluTanh(x: Tensor): Tensor {
  return tf.tidy(() => {
    const cube = tf.mul(x, tf.mul(x, x));
    const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, cube)));
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
  });
}

/** A linear layer on the last axis, x·W + b (BERT's initialiser, b at 0); `weights` gives it variables made elsewhere. */
export class LinearLayer {
  readonly kernel: Variable;
  readonly bias: Variable | null;
  constructor(inputs: number, outputs: number, weights?: { kernel: Variable; bias: Variable | null }) {
    if (weights && (weights.kernel.shape[0] !== inputs || weights.kernel.shape[1] !== outputs)) {
      throw new Error(`LinearLayer: the kernel has shape [${weights.kernel.shape.join(', ')}], expected [${inputs}, ${outputs}].`);
    }
    this.kernel = weights?.kernel ?? bertInitialWeights([inputs, outputs]);
    this.bias = weights ? weights.bias : variableOf(() => tf.zeros([outputs]));
  }
  get variables(): Variable[] {
    return this.bias ? [this.kernel, this.bias] : [this.kernel];
  }
  apply(x: Tensor): Tensor {
    const [inputs, outputs] = this.kernel.shape as [number, number];
    const product = tf.matMul(x.reshape([-1, inputs]), this.kernel);
    return (this.bias ? tf.add(product, this.bias) : product).reshape([...x.shape.slice(0, -1), outputs]);
  }
}

/** Layer normalisation over the last axis, then a learned scale and shift (`learned: false` leaves them out). */
export class LayerNorm {
  readonly gamma: Variable | null;
  readonly beta: Variable | null;
  constructor(
    size: number,
    readonly epsilon = 1e-6,
    options: { learned?: boolean } = {},
  ) {
    const learned = options.learned ?? true;
    this.gamma = learned ? variableOf(() => tf.ones([size])) : null;
    this.beta = learned ? variableOf(() => tf.zeros([size])) : null;
  }
  get variables(): Variable[] {
    return this.gamma && this.beta ? [this.gamma, this.beta] : [];
  }
  apply(x: Tensor): Tensor {
    const mean = tf.mean(x, -1, true);
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), -1, true);
    const normalised = tf.mul(centred, tf.rsqrt(tf.add(variance, this.epsilon)));
    return this.gamma && this.beta ? tf.add(tf.mul(normalised, this.gamma), this.beta) : normalised;
  }
}

/** Token, position and segment embeddings, added, normalised, dropped out. */
export class EmbeddingLayer {
  readonly token: Variable;
  readonly position: Variable;
  readonly segment: Variable;
  readonly norm: LayerNorm;
  constructor(private readonly config: TransformerEncoderConfig & { dropout: number }) {
    this.token = bertInitialWeights([config.vocabularySize, config.hiddenSize]);
    this.position = bertInitialWeights([config.maxPositions, config.hiddenSize]);
    this.segment = bertInitialWeights([config.typeVocabularySize, config.hiddenSize]);
    this.norm = new LayerNorm(config.hiddenSize);
  }
  get variables(): Variable[] {
    return [this.token, this.position, this.segment, ...this.norm.variables];
  }
  apply(inputIds: Tensor, tokenTypeIds: Tensor, training: boolean): Tensor {
    const length = inputIds.shape[1] as number;
    const positions = tf.range(0, length, 1, 'int32');
    const sum = tf.add(tf.add(tf.gather(this.token, inputIds), tf.gather(this.position, positions)), tf.gather(this.segment, tokenTypeIds));
    return dropout(this.norm.apply(sum), this.config.dropout, training);
  }
}

export interface AttentionProjections {
  query: LinearLayer;
  key: LinearLayer;
  value: LinearLayer;
  output: LinearLayer;
}

/** Multi-head self-attention softmax(QKᵀ/√d + mask)·V, -1e9 on padding keys; `projections` may be made elsewhere. */
export class MultiHeadSelfAttention {
  readonly query: LinearLayer;
  readonly key: LinearLayer;
  readonly value: LinearLayer;
  readonly output: LinearLayer;
  constructor(
    readonly hiddenSize: number,
    readonly heads: number,
    readonly attentionDropout: number,
    projections?: AttentionProjections,
  ) {
    this.query = projections?.query ?? new LinearLayer(hiddenSize, hiddenSize);
    this.key = projections?.key ?? new LinearLayer(hiddenSize, hiddenSize);
    this.value = projections?.value ?? new LinearLayer(hiddenSize, hiddenSize);
    this.output = projections?.output ?? new LinearLayer(hiddenSize, hiddenSize);
  }
  get variables(): Variable[] {
    return [...this.query.variables, ...this.key.variables, ...this.value.variables, ...this.output.variables];
  }
  /** `[batch, length, hidden]` → `[batch, heads, length, hidden / heads]`. */
  private splitHeads(x: Tensor): Tensor {
    const [batch, length] = x.shape as [number, number, number];
    return tf.transpose(x.reshape([batch, length, this.heads, this.hiddenSize / this.heads]), [0, 2, 1, 3]);
  }
  /** `maskBias` is `[batch, 1, 1, length]`: 0 for real keys, -1e9 for padding (null: no padding). */
  apply(x: Tensor, maskBias: Tensor | null, training: boolean): { output: Tensor; attentionProbabilities: Tensor } {
    const [batch, length] = x.shape as [number, number, number];
    // Scaling the queries by 1/√d before the product is the same as scaling the scores, on a length-times-smaller tensor.
    const q = this.splitHeads(tf.mul(this.query.apply(x), 1 / Math.sqrt(this.hiddenSize / this.heads)));
    const k = this.splitHeads(this.key.apply(x));
    const v = this.splitHeads(this.value.apply(x));
    const product = tf.matMul(q, k, false, true);
    const attentionProbabilities = tf.softmax(maskBias ? tf.add(product, maskBias) : product);
    const context = tf.matMul(dropout(attentionProbabilities, this.attentionDropout, training), v);
    const merged = tf.transpose(context, [0, 2, 1, 3]).reshape([batch, length, this.hiddenSize]);
    return { output: this.output.apply(merged), attentionProbabilities };
  }
}

/** The position-wise feed-forward block: Dense → GELU → Dense. */
export class FeedForward {
  readonly up: LinearLayer;
  readonly down: LinearLayer;
  constructor(hiddenSize: number, intermediateSize: number) {
    this.up = new LinearLayer(hiddenSize, intermediateSize);
    this.down = new LinearLayer(intermediateSize, hiddenSize);
  }
  get variables(): Variable[] {
    return [...this.up.variables, ...this.down.variables];
  }
  apply(x: Tensor): Tensor {
    return this.down.apply(geluTanh(this.up.apply(x)));
  }
}

/** One encoder block: attention and feed-forward, each with dropout, a residual and LayerNorm. */
export class EncoderLayer {
  readonly attention: MultiHeadSelfAttention;
  readonly attentionNorm: LayerNorm;
  readonly feedForward: FeedForward;
  readonly outputNorm: LayerNorm;
  constructor(private readonly config: TransformerEncoderConfig & { dropout: number; attentionDropout: number }) {
    this.attention = new MultiHeadSelfAttention(config.hiddenSize, config.heads, config.attentionDropout);
    this.attentionNorm = new LayerNorm(config.hiddenSize);
    this.feedForward = new FeedForward(config.hiddenSize, config.intermediateSize);
    this.outputNorm = new LayerNorm(config.hiddenSize);
  }
  get variables(): Variable[] {
    return [...this.attention.variables, ...this.attentionNorm.variables, ...this.feedForward.variables, ...this.outputNorm.variables];
  }
  apply(x: Tensor, maskBias: Tensor | null, training: boolean): { output: Tensor; attentionProbabilities: Tensor } {
    const attended = this.attention.apply(x, maskBias, training);
    const h = this.attentionNorm.apply(tf.add(x, dropout(attended.output, this.config.dropout, training)));
    const output = this.outputNorm.apply(tf.add(h, dropout(this.feedForward.apply(h), this.config.dropout, training)));
    return { output, attentionProbabilities: attended.attentionProbabilities };
  }
}
