/**
 * A small GPT (chapter 13): a decoder-only Transformer from chapter 6's layers, with a causal mask, learned
 * positions, GPT-2's pre-norm blocks and an output tied to the token embeddings; its loss and key-value cache.
 */
import { tf } from '../../backend/tf';
import type { Scalar, Tensor, TensorContainer, Variable } from '@tensorflow/tfjs';
import type { DecoderConfig } from '../../scale/size-and-compute';
import { countVariables } from '../layers';
import { crossEntropyFromLogits } from '../../util/cross-entropy';
import { checkHeadsDivide, checkPositiveIntegers } from '../../util/validate';
import { FeedForward, LayerNorm, LinearLayer, MultiHeadSelfAttention, bertInitialWeights, dropout, geluTanh } from './layers';

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

/**
 * One block's weights as generation reads them. Layer norm's scale γ and shift β are folded into the linear layer after
 * it, LN(x)·W + b = n·(diag(γ)W) + (βW + b) with n the normalised x, so a step normalises and multiplies once; the
 * query, key and value projections are one `[hidden, 3·hidden]` product, query columns scaled by 1/√(hidden / heads).
 */
export interface BlockInferenceWeights {
  attentionKernel: Tensor;
  attentionBias: Tensor;
  outputKernel: Tensor;
  outputBias: Tensor;
  upKernel: Tensor;
  upBias: Tensor;
  downKernel: Tensor;
  downBias: Tensor;
}

/** The whole model's weights as generation reads them: the blocks', then the output layer `[hidden, vocabulary]` with the final layer norm folded in. */
export interface InferenceWeights {
  blocks: BlockInferenceWeights[];
  logitsKernel: Tensor;
  logitsBias: Tensor;
}

/**
 * The key-value cache of generation for each block, the keys and values of every token read so far. A step appends one
 * token's keys and values per block, so only the new token goes through the network. The cache also keeps the weights
 * arranged for generation, read from the model at its first step (make a new cache after training the model further).
 * `clear()` forgets the tokens and keeps those weights; `dispose()` frees both.
 */
export class KeyValueCache {
  layers: (LayerCache | null)[];
  length = 0;
  /** Made by `GPT.step` at the first step. */
  weights: InferenceWeights | null = null;
  constructor(layers: number) {
    this.layers = Array.from({ length: layers }, () => null);
  }
  /** Forgets every token read so far (the next step starts at position 0); keeps the arranged weights. */
  clear(): void {
    for (const layer of this.layers) if (layer) tf.dispose([layer.keys, layer.values]);
    this.layers = this.layers.map(() => null);
    this.length = 0;
  }
  dispose(): void {
    this.clear();
    if (this.weights) {
      const arranged = [...this.weights.blocks.flatMap((b) => Object.values(b)), this.weights.logitsKernel, this.weights.logitsBias];
      // Weights used as they are (the output and down projections) are the model's own variables: they stay.
      tf.dispose(arranged.filter((t) => !(t instanceof tf.Variable)));
      this.weights = null;
    }
  }
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

/** (γ, β, W, b) → (diag(γ)W, βW + b): a layer norm's scale and shift folded into the linear layer after it. */
function foldNorm(norm: LayerNorm, kernel: Tensor, bias: Tensor | null): { kernel: Tensor; bias: Tensor } {
  const gamma = norm.gamma as Tensor;
  const beta = norm.beta as Tensor;
  const shift = tf.matMul(beta.reshape([1, -1]), kernel).reshape([-1]);
  return { kernel: tf.mul(gamma.reshape([-1, 1]), kernel), bias: bias ? tf.add(shift, bias) : shift };
}

/** Layer norm without its learned scale and shift (folded into the next layer): (x − mean) / √(variance + ε). */
function normalise(x: Tensor, epsilon: number): Tensor {
  const centred = tf.sub(x, tf.mean(x, -1, true));
  return tf.mul(centred, tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), epsilon)));
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
  /** This block's weights arranged for generation (`BlockInferenceWeights`). Call inside a tidy. */
  inferenceWeights(): BlockInferenceWeights {
    const { heads, hiddenSize } = this.config;
    const { query, key, value, output } = this.attention;
    const scale = tf.concat([tf.fill([hiddenSize], 1 / Math.sqrt(hiddenSize / heads)), tf.ones([2 * hiddenSize])]);
    const kernel = tf.concat([query.kernel, key.kernel, value.kernel], 1);
    const bias = tf.concat([query.bias as Tensor, key.bias as Tensor, value.bias as Tensor]);
    const attention = foldNorm(this.attentionNorm, tf.mul(kernel, scale), tf.mul(bias, scale));
    const up = foldNorm(this.feedForwardNorm, this.feedForward.up.kernel, this.feedForward.up.bias);
    return {
      attentionKernel: attention.kernel,
      attentionBias: attention.bias,
      outputKernel: output.kernel,
      outputBias: output.bias as Tensor,
      upKernel: up.kernel,
      upBias: up.bias,
      downKernel: this.feedForward.down.kernel,
      downBias: this.feedForward.down.bias as Tensor,
    };
  }
  /**
   * Generation's pass: new tokens `x` (`[batch · n, hidden]`, row-major by batch) after the `cache`d ones: their
   * queries meet the cached keys and their own. Returns the output and the cache with their keys and values appended. A
   * single new token (n = 1) needs no transposes: `[batch, 3·hidden]` is already `[batch, 3·heads, 1, hidden / heads]`.
   */
  applyCached(x: Tensor, batch: number, cache: LayerCache | null, weights: BlockInferenceWeights): { output: Tensor; cache: LayerCache } {
    const { heads, hiddenSize } = this.config;
    const n = (x.shape[0] as number) / batch;
    const size = hiddenSize / heads;
    const projected = tf.add(tf.matMul(normalise(x, this.attentionNorm.epsilon), weights.attentionKernel), weights.attentionBias);
    const split = n === 1 ? projected.reshape([batch, 3 * heads, 1, size]) : tf.transpose(projected.reshape([batch, n, 3 * heads, size]), [0, 2, 1, 3]);
    const [q, newKeys, newValues] = tf.split(split, 3, 1) as [Tensor, Tensor, Tensor];
    const keys = cache ? tf.concat([cache.keys, newKeys], 2) : newKeys;
    const values = cache ? tf.concat([cache.values, newValues], 2) : newValues;
    const past = cache ? (cache.keys.shape[2] as number) : 0;
    const scores = tf.matMul(q, keys, false, true);
    const weighted = tf.matMul(tf.softmax(n > 1 ? tf.add(scores, causalMaskBias(n, past)) : scores), values);
    const merged = (n === 1 ? weighted : tf.transpose(weighted, [0, 2, 1, 3])).reshape([batch * n, hiddenSize]);
    const h = tf.add(x, tf.add(tf.matMul(merged, weights.outputKernel), weights.outputBias));
    const up = geluTanh(tf.add(tf.matMul(normalise(h, this.feedForwardNorm.epsilon), weights.upKernel), weights.upBias));
    const output = tf.add(h, tf.add(tf.matMul(up, weights.downKernel), weights.downBias));
    return { output, cache: { keys, values } };
  }
}

/** The options with their defaults, checked. */
export function gptOptions(options: GPTOptions): Required<GPTOptions> {
  const full: Required<GPTOptions> = { intermediateSize: 4 * options.hiddenSize, dropout: 0, ...options };
  const { vocabularySize, hiddenSize, layers, heads, contextLength, intermediateSize } = full;
  checkPositiveIntegers('GPT', { vocabularySize, hiddenSize, layers, heads, contextLength, intermediateSize });
  checkHeadsDivide('GPT', hiddenSize, heads);
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
  /** The weights arranged for generation (`KeyValueCache.weights`, `PlainDecoder`). Call inside a tidy, or dispose them. */
  inferenceWeights(): InferenceWeights {
    const logits = foldNorm(this.finalNorm, tf.transpose(this.token), null);
    return { blocks: this.blocks.map((block) => block.inferenceWeights()), logitsKernel: logits.kernel, logitsBias: logits.bias };
  }
  /**
   * Reads new tokens `[batch, n]` after those in `cache`; returns the next-token scores after the last one, `[batch,
   * vocabularySize]`, the cache keeping the new keys and values. After `cache.clear()` it recomputes the whole prefix.
   */
  step(ids: Tensor, cache: KeyValueCache): Tensor {
    this.checkIds(ids, cache.length);
    if (cache.layers.length !== this.blocks.length) {
      throw new Error(`GPT.step: the cache has ${cache.layers.length} layers, the model ${this.blocks.length}; make it with new KeyValueCache(model.config.layers).`);
    }
    // tidy keeps every tensor of the returned object (it walks nested objects and arrays).
    cache.weights ??= tf.tidy(() => this.inferenceWeights() as unknown as TensorContainer) as unknown as InferenceWeights;
    const weights = cache.weights;
    const past = cache.length;
    const [batch, n] = ids.shape as [number, number];
    const size = this.config.hiddenSize;
    const result = tf.tidy(() => {
      const positions = tf.slice(this.position, [past, 0], [n, size]);
      let h = tf.add(tf.gather(this.token, ids), positions).reshape([batch * n, size]);
      const kept: Tensor[] = [];
      this.blocks.forEach((block, i) => {
        const out = block.applyCached(h, batch, cache.layers[i] ?? null, weights.blocks[i] as BlockInferenceWeights);
        h = out.output;
        kept.push(out.cache.keys, out.cache.values);
      });
      const last = n === 1 ? h : tf.slice(h.reshape([batch, n, size]), [0, n - 1, 0], [batch, 1, size]).reshape([batch, size]);
      const logits = tf.add(tf.matMul(normalise(last, this.finalNorm.epsilon), weights.logitsKernel), weights.logitsBias);
      return [logits, ...kept];
    });
    const [logits, ...kept] = result;
    const old = cache.layers;
    cache.layers = this.blocks.map((_, i) => ({ keys: kept[2 * i] as Tensor, values: kept[2 * i + 1] as Tensor }));
    for (const layer of old) if (layer) tf.dispose([layer.keys, layer.values]);
    cache.length = past + n;
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
