/**
 * A small GPT (chapter 13): a decoder-only Transformer from chapter 6's layers, with a causal mask, learned
 * positions, GPT-2's pre-norm blocks and an output tied to the token embeddings; its loss and key-value cache.
 */
import { tf } from '../../backend/tf';
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import type { DecoderConfig } from '../../scale/size-and-compute';
import { countVariables } from '../layers';
import { crossEntropyFromLogits } from '../../util/cross-entropy';
import { checkPositiveIntegers } from '../../util/validate';
import { FeedForward, LayerNorm, LinearLayer, MultiHeadSelfAttention, bertInitialWeights, dropout } from './layers';

/**
 * The shape of a GPT: chapter 2's `DecoderConfig` (the same fields the parameter arithmetic counts;
 * the output is always tied here) plus dropout. GPT-2 small is 12 layers, hidden 768, 12 heads, context 1024.
 */
export interface GPTOptions extends Omit<DecoderConfig, 'tiedOutputEmbedding'> {
  /** Dropout after the embeddings, attention and feed-forward while training (default 0). */
  dropout?: number;
}

/** Keys and values of one block for the tokens read so far, `[batch, heads, length, hidden / heads]`. */
export interface LayerCache {
  keys: Tensor;
  values: Tensor;
}

/** The key-value cache of generation: each block's keys and values of the tokens read so far. `dispose()` frees them. */
export class KeyValueCache {
  layers: (LayerCache | null)[];
  length = 0;
  constructor(layers: number) {
    this.layers = Array.from({ length: layers }, () => null);
  }
  dispose(): void {
    for (const layer of this.layers) if (layer) tf.dispose([layer.keys, layer.values]);
    this.layers = this.layers.map(() => null);
    this.length = 0;
  }
}

/** `[batch, length, hidden]` → `[batch, heads, length, hidden / heads]`. */
function splitHeads(x: Tensor, heads: number): Tensor {
  const [batch, length, hidden] = x.shape as [number, number, number];
  return tf.transpose(x.reshape([batch, length, heads, hidden / heads]), [0, 2, 1, 3]);
}

/**
 * The additive causal mask of `length` new tokens after `past` cached ones,
 * `[1, 1, length, past + length]`: 0 where token i may look at token j (j ≤ past + i), -1e9 after.
 */
export function causalMaskBias(length: number, past = 0): Tensor {
  const values = new Float32Array(length * (past + length));
  for (let i = 0; i < length; i++) for (let j = past + i + 1; j < past + length; j++) values[i * (past + length) + j] = -1e9;
  return tf.tensor4d(values, [1, 1, length, past + length]);
}

/** One pre-norm decoder block: x + attention(LN(x)) with the causal mask, then h + FFN(LN(h)). */
export class DecoderBlock {
  readonly attentionNorm: LayerNorm;
  readonly attention: MultiHeadSelfAttention;
  readonly feedForwardNorm: LayerNorm;
  readonly feedForward: FeedForward;
  constructor(private readonly config: Required<GPTOptions>) {
    this.attentionNorm = new LayerNorm(config.hiddenSize, 1e-5);
    this.attention = new MultiHeadSelfAttention(config.hiddenSize, config.heads, 0);
    this.feedForwardNorm = new LayerNorm(config.hiddenSize, 1e-5);
    this.feedForward = new FeedForward(config.hiddenSize, config.intermediateSize);
  }
  get variables(): Variable[] {
    return [...this.attentionNorm.variables, ...this.attention.variables, ...this.feedForwardNorm.variables, ...this.feedForward.variables];
  }
  private feedForwardPart(h: Tensor, training: boolean): Tensor {
    return tf.add(h, dropout(this.feedForward.apply(this.feedForwardNorm.apply(h)), this.config.dropout, training));
  }
  /** The whole sequence at once; `maskBias` is `causalMaskBias(length)`. */
  apply(x: Tensor, maskBias: Tensor, training: boolean): Tensor {
    const attended = this.attention.apply(this.attentionNorm.apply(x), maskBias, training).output;
    return this.feedForwardPart(tf.add(x, dropout(attended, this.config.dropout, training)), training);
  }
  /**
   * New tokens `[batch, n, hidden]` after the cached ones: their queries meet the cached keys and
   * their own; returns the output and the cache with their keys and values appended.
   */
  applyCached(x: Tensor, cache: LayerCache | null): { output: Tensor; cache: LayerCache } {
    const { heads, hiddenSize } = this.config;
    const a = this.attentionNorm.apply(x);
    const attention = this.attention;
    const q = splitHeads(tf.mul(attention.query.apply(a), 1 / Math.sqrt(hiddenSize / heads)), heads);
    const newKeys = splitHeads(attention.key.apply(a), heads);
    const newValues = splitHeads(attention.value.apply(a), heads);
    const keys = cache ? tf.concat([cache.keys, newKeys], 2) : newKeys;
    const values = cache ? tf.concat([cache.values, newValues], 2) : newValues;
    const [batch, length] = x.shape as [number, number, number];
    const past = cache ? (cache.keys.shape[2] as number) : 0;
    const scores = tf.matMul(q, keys, false, true);
    const attentionProbabilities = tf.softmax(length > 1 ? tf.add(scores, causalMaskBias(length, past)) : scores);
    const merged = tf.transpose(tf.matMul(attentionProbabilities, values), [0, 2, 1, 3]).reshape([batch, length, hiddenSize]);
    const output = this.feedForwardPart(tf.add(x, attention.output.apply(merged)), false);
    return { output, cache: { keys, values } };
  }
}

/** The options with their defaults, checked. */
export function gptOptions(options: GPTOptions): Required<GPTOptions> {
  const full: Required<GPTOptions> = { intermediateSize: 4 * options.hiddenSize, dropout: 0, ...options };
  const { vocabularySize, hiddenSize, layers, heads, contextLength, intermediateSize } = full;
  checkPositiveIntegers('GPT', { vocabularySize, hiddenSize, layers, heads, contextLength, intermediateSize });
  if (full.hiddenSize % full.heads !== 0) throw new Error(`GPT: heads (${full.heads}) must divide hiddenSize (${full.hiddenSize}).`);
  if (!(full.dropout >= 0 && full.dropout < 1)) throw new Error(`GPT: dropout must be in [0, 1), got ${full.dropout}.`);
  return full;
}

/**
 * A decoder-only Transformer language model: token plus position embeddings, `layers` causal pre-norm blocks,
 * a final layer norm, next-token scores against the token embeddings (tied). For the `Trainer`, batches are
 * `{ x: ids [batch, length], y: the next ids }` (`nextTokenWindows`).
 */
export class GPT {
  readonly config: Required<GPTOptions>;
  readonly token: Variable;
  readonly position: Variable;
  readonly blocks: DecoderBlock[];
  readonly finalNorm: LayerNorm;
  constructor(options: GPTOptions) {
    this.config = gptOptions(options);
    this.token = bertInitialWeights([this.config.vocabularySize, this.config.hiddenSize]);
    this.position = bertInitialWeights([this.config.contextLength, this.config.hiddenSize]);
    this.blocks = Array.from({ length: this.config.layers }, () => new DecoderBlock(this.config));
    this.finalNorm = new LayerNorm(this.config.hiddenSize, 1e-5);
  }
  get variables(): Variable[] {
    return [this.token, this.position, ...this.blocks.flatMap((b) => b.variables), ...this.finalNorm.variables];
  }
  get trainableVariables(): Variable[] {
    return this.variables;
  }
  /** Number of weights, embeddings included (the output layer is the token embeddings: counted once). */
  countParams(): number {
    return countVariables(this.variables);
  }
  /** Number of weights without the token and position embeddings: the N of Kaplan et al. (2020). */
  countNonEmbeddingParams(): number {
    return this.countParams() - this.token.size - this.position.size;
  }
  /** Frees the weights. */
  dispose(): void {
    tf.dispose(this.variables);
  }
  private checkIds(ids: Tensor, past: number): void {
    if (ids.rank !== 2 || ids.dtype !== 'int32') {
      throw new Error(`GPT: token ids must be an int32 tensor [batch, length], got ${ids.dtype} of shape [${ids.shape.join(', ')}].`);
    }
    const length = ids.shape[1] as number;
    if (past + length > this.config.contextLength) {
      throw new Error(`GPT: ${past + length} tokens do not fit the context of ${this.config.contextLength}; keep only the last ${this.config.contextLength} tokens.`);
    }
  }
  private embed(ids: Tensor, past: number, training: boolean): Tensor {
    const positions = tf.range(past, past + (ids.shape[1] as number), 1, 'int32');
    return dropout(tf.add(tf.gather(this.token, ids), tf.gather(this.position, positions)), this.config.dropout, training);
  }
  /** The last hidden vectors `[batch, length, hidden]`, after the final layer norm. Call inside a tidy. */
  hidden(ids: Tensor, training = false): Tensor {
    this.checkIds(ids, 0);
    const mask = causalMaskBias(ids.shape[1] as number);
    let h = this.embed(ids, 0, training);
    for (const block of this.blocks) h = block.apply(h, mask, training);
    return this.finalNorm.apply(h);
  }
  /** Next-token scores from hidden vectors `[..., hidden]` → `[..., vocabularySize]` (the tied output layer). */
  logitsFromHidden(hidden: Tensor): Tensor {
    const size = this.config.hiddenSize;
    const flat = tf.matMul(hidden.reshape([-1, size]), this.token, false, true);
    return flat.reshape([...hidden.shape.slice(0, -1), this.config.vocabularySize]);
  }
  /** Next-token scores at every position `[batch, length, vocabularySize]`. Call inside a tidy. */
  logits(ids: Tensor, training = false): Tensor {
    return this.logitsFromHidden(this.hidden(ids, training));
  }
  /** Mean next-token cross-entropy (nats per token) of a batch: `x` the ids, `y` the ids that follow. */
  loss(batch: { x: Tensor; y: Tensor }, training: boolean): Scalar {
    return crossEntropyFromLogits(this.logits(batch.x, training).reshape([-1, this.config.vocabularySize]), batch.y);
  }
  /**
   * Reads new tokens `[batch, n]` after those in `cache` and returns the next-token
   * scores after the last one, `[batch, vocabularySize]`; the cache keeps the new keys and values.
   */
  step(ids: Tensor, cache: KeyValueCache): Tensor {
    this.checkIds(ids, cache.length);
    const past = cache.length;
    const result = tf.tidy(() => {
      let h = this.embed(ids, past, false);
      const kept: Tensor[] = [];
      this.blocks.forEach((block, i) => {
        const out = block.applyCached(h, cache.layers[i] ?? null);
        h = out.output;
        kept.push(out.cache.keys, out.cache.values);
      });
      const [batch, length, size] = h.shape as [number, number, number];
      const last = tf.slice(h, [0, length - 1, 0], [batch, 1, size]).reshape([batch, size]);
      return [this.logitsFromHidden(this.finalNorm.apply(last)), ...kept];
    });
    const [logits, ...kept] = result;
    const old = cache.layers;
    cache.layers = this.blocks.map((_, i) => ({ keys: kept[2 * i] as Tensor, values: kept[2 * i + 1] as Tensor }));
    for (const layer of old) if (layer) tf.dispose([layer.keys, layer.values]);
    cache.length = past + (ids.shape[1] as number);
    return logits as Tensor;
  }
}

/**
 * GPT-1's fine-tuning for classification: a linear layer on the last position's hidden vector, every weight
 * trained. Batches `{ x: ids [batch, length], y: int32 classes }` end at the last position (`lastTokens`).
 * `dispose()` frees the head only.
 */
export class GPTClassifier {
  readonly head: LinearLayer;
  constructor(
    readonly gpt: GPT,
    readonly classes: number,
  ) {
    checkPositiveIntegers('GPTClassifier', { classes });
    this.head = new LinearLayer(gpt.config.hiddenSize, classes);
  }
  get trainableVariables(): Variable[] {
    return [...this.gpt.variables, ...this.head.variables];
  }
  countParams(): number {
    return countVariables(this.trainableVariables);
  }
  /** Frees the head's weights; the GPT stays. */
  dispose(): void {
    tf.dispose(this.head.variables);
  }
  /** Class logits `[batch, classes]` from the last position. */
  logits(ids: Tensor, training: boolean): Tensor {
    const hidden = this.gpt.hidden(ids, training);
    const [batch, length, size] = hidden.shape as [number, number, number];
    return this.head.apply(tf.slice(hidden, [0, length - 1, 0], [batch, 1, size]).reshape([batch, size]));
  }
  loss(batch: { x: Tensor; y: Tensor }, training: boolean): { loss: Scalar; outputs: Tensor } {
    const outputs = this.logits(batch.x, training);
    return { loss: crossEntropyFromLogits(outputs, batch.y), outputs };
  }
  /** Class probabilities `[batch, classes]`. */
  predict(x: Tensor): Tensor {
    return tf.tidy(() => tf.softmax(this.logits(x, false)));
  }
}
