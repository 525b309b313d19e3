/**
 * A Transformer encoder as BERT builds it (chapter 6), written as small
 * readable layers over `tf` ops: embeddings (token + position + segment),
 * multi-head self-attention that ignores padding, a GELU feed-forward block,
 * residual connections with LayerNorm after each (post-norm, as in BERT), and
 * dropout. Two heads sit on top: the masked-language-model head that
 * pre-training uses, and a classifier on the [CLS] position.
 *
 * `MaskedLanguageModel` and `SequenceClassifier` are custom models for the
 * `Trainer` (they have `trainableVariables` and `loss(batch, training)`); their
 * batches hold input ids, shape `[batch, length]` int32, with 0-or-more
 * trailing [PAD] ids. The attention mask is built from those ids (1 where the
 * id is not [PAD]), and every token has segment 0 (one text per example).
 */
import { tf } from '../backend/tf';
import type { Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';
import { Random, nextSeed, rng } from '../util/random';
import { checkPositiveIntegers } from './layers';

/** The shape of an encoder (chapter 6). BERT-base is 12 layers, hidden 768, 12 heads, 3072 intermediate. */
export interface TransformerEncoderOptions {
  /** Number of token ids (the tokenizer's vocabulary size). */
  vocabularySize: number;
  /** Width of every token's vector. */
  hiddenSize: number;
  /** Number of encoder layers (blocks). */
  layers: number;
  /** Attention heads per layer; must divide `hiddenSize`. */
  heads: number;
  /** Width of the feed-forward block (default 4 × hiddenSize). */
  intermediateSize?: number;
  /** Longest sequence the position embeddings cover. */
  maxPositions: number;
  /** Number of segments (default 2: sentence A and B). */
  typeVocabularySize?: number;
  /** Dropout after embeddings, attention output and feed-forward (default 0.1). */
  dropout?: number;
  /** Dropout on the attention weights (default 0.1). */
  attentionDropout?: number;
}

/** The inputs of the encoder for a batch (chapter 6), each `[batch, length]`. */
export interface EncoderInputs {
  /** int32 token ids. */
  inputIds: Tensor;
  /** 1 for a real token, 0 for padding (default: all 1). */
  attentionMask?: Tensor;
  /** Segment ids (default: all 0). */
  tokenTypeIds?: Tensor;
}

/** What the encoder returns (chapter 6). */
export interface EncoderOutput {
  /** One vector per token: `[batch, length, hiddenSize]`. */
  hidden: Tensor;
  /** With `returnAttention`, each layer's attention weights `[batch, heads, length, length]` (rows sum to 1). */
  attentions?: Tensor[];
}

/** BERT's initialiser: a normal with standard deviation 0.02, cut at two standard deviations, seeded (chapter 6). */
function initialWeights(shape: number[]): Variable {
  return variableOf(() => tf.truncatedNormal(shape, 0, 0.02, 'float32', nextSeed()));
}

/** A variable holding `make()`'s tensor; the tensor itself is disposed (a variable keeps its own copy of the count). */
function variableOf(make: () => Tensor): Variable {
  return tf.tidy(() => tf.variable(make()));
}

function dropout(x: Tensor, rate: number, training: boolean): Tensor {
  return training && rate > 0 ? tf.dropout(x, rate, undefined, nextSeed()) : x;
}

/**
 * GELU, the tanh approximation BERT uses: x · ½(1 + tanh(√(2/π)(x + 0.044715x³))) (chapter 6).
 * x³ is x · x · x: `tf.pow` is several times slower, and its gradient also computes one for the exponent.
 */
export function gelu(x: Tensor): Tensor {
  return tf.tidy(() => {
    const cube = tf.mul(x, tf.mul(x, x));
    const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, cube)));
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
  });
}

/** A fully connected (linear) layer applied to the last axis, x·W + b (chapter 6). */
export class Linear {
  readonly kernel: Variable;
  readonly bias: Variable;
  constructor(inputs: number, outputs: number) {
    this.kernel = initialWeights([inputs, outputs]);
    this.bias = variableOf(() => tf.zeros([outputs]));
  }
  get variables(): Variable[] {
    return [this.kernel, this.bias];
  }
  apply(x: Tensor): Tensor {
    const [inputs, outputs] = this.kernel.shape as [number, number];
    const flat = x.reshape([-1, inputs]);
    return tf.add(tf.matMul(flat, this.kernel), this.bias).reshape([...x.shape.slice(0, -1), outputs]);
  }
}

/** Layer normalisation over the last axis, with a learned scale and shift (chapter 6). */
export class LayerNormalization {
  readonly gamma: Variable;
  readonly beta: Variable;
  constructor(
    size: number,
    readonly epsilon = 1e-6,
  ) {
    this.gamma = variableOf(() => tf.ones([size]));
    this.beta = variableOf(() => tf.zeros([size]));
  }
  get variables(): Variable[] {
    return [this.gamma, this.beta];
  }
  apply(x: Tensor): Tensor {
    const mean = tf.mean(x, -1, true);
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), -1, true);
    return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, this.epsilon))), this.gamma), this.beta);
  }
}

/** Token, position and segment embeddings, added, normalised, dropped out (chapter 6). */
export class EmbeddingLayer {
  readonly token: Variable;
  readonly position: Variable;
  readonly segment: Variable;
  readonly norm: LayerNormalization;
  constructor(private readonly config: Required<TransformerEncoderOptions>) {
    this.token = initialWeights([config.vocabularySize, config.hiddenSize]);
    this.position = initialWeights([config.maxPositions, config.hiddenSize]);
    this.segment = initialWeights([config.typeVocabularySize, config.hiddenSize]);
    this.norm = new LayerNormalization(config.hiddenSize);
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

/**
 * Multi-head self-attention (chapter 6): each head compares every token's
 * query with every token's key, softmax(QKᵀ/√d + mask) gives the weights, and
 * the output is the weighted sum of the values. The mask adds -1e9 to the
 * scores of padding keys, so they get weight exactly 0.
 */
export class MultiHeadSelfAttention {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly output: Linear;
  constructor(
    readonly hiddenSize: number,
    readonly heads: number,
    readonly attentionDropout: number,
  ) {
    this.query = new Linear(hiddenSize, hiddenSize);
    this.key = new Linear(hiddenSize, hiddenSize);
    this.value = new Linear(hiddenSize, hiddenSize);
    this.output = new Linear(hiddenSize, hiddenSize);
  }
  get variables(): Variable[] {
    return [...this.query.variables, ...this.key.variables, ...this.value.variables, ...this.output.variables];
  }
  /** `[batch, length, hidden]` → `[batch, heads, length, hidden / heads]`. */
  private splitHeads(x: Tensor): Tensor {
    const [batch, length] = x.shape as [number, number, number];
    return tf.transpose(x.reshape([batch, length, this.heads, this.hiddenSize / this.heads]), [0, 2, 1, 3]);
  }
  /** `maskBias` is `[batch, 1, 1, length]`: 0 for real keys, -1e9 for padding. */
  apply(x: Tensor, maskBias: Tensor, training: boolean): { output: Tensor; weights: Tensor } {
    const [batch, length] = x.shape as [number, number, number];
    // Scaling the queries by 1/√d before the product is the same as scaling the scores, on a length-times-smaller tensor.
    const q = this.splitHeads(tf.mul(this.query.apply(x), 1 / Math.sqrt(this.hiddenSize / this.heads)));
    const k = this.splitHeads(this.key.apply(x));
    const v = this.splitHeads(this.value.apply(x));
    const scores = tf.add(tf.matMul(q, k, false, true), maskBias);
    const weights = tf.softmax(scores);
    const context = tf.matMul(dropout(weights, this.attentionDropout, training), v);
    const merged = tf.transpose(context, [0, 2, 1, 3]).reshape([batch, length, this.hiddenSize]);
    return { output: this.output.apply(merged), weights };
  }
}

/** The position-wise feed-forward block: Dense → GELU → Dense (chapter 6). */
export class FeedForward {
  readonly up: Linear;
  readonly down: Linear;
  constructor(hiddenSize: number, intermediateSize: number) {
    this.up = new Linear(hiddenSize, intermediateSize);
    this.down = new Linear(intermediateSize, hiddenSize);
  }
  get variables(): Variable[] {
    return [...this.up.variables, ...this.down.variables];
  }
  apply(x: Tensor): Tensor {
    return this.down.apply(gelu(this.up.apply(x)));
  }
}

/** One encoder block: attention and feed-forward, each with dropout, a residual and LayerNorm (chapter 6). */
export class EncoderLayer {
  readonly attention: MultiHeadSelfAttention;
  readonly attentionNorm: LayerNormalization;
  readonly feedForward: FeedForward;
  readonly outputNorm: LayerNormalization;
  constructor(private readonly config: Required<TransformerEncoderOptions>) {
    this.attention = new MultiHeadSelfAttention(config.hiddenSize, config.heads, config.attentionDropout);
    this.attentionNorm = new LayerNormalization(config.hiddenSize);
    this.feedForward = new FeedForward(config.hiddenSize, config.intermediateSize);
    this.outputNorm = new LayerNormalization(config.hiddenSize);
  }
  get variables(): Variable[] {
    return [...this.attention.variables, ...this.attentionNorm.variables, ...this.feedForward.variables, ...this.outputNorm.variables];
  }
  apply(x: Tensor, maskBias: Tensor, training: boolean): { output: Tensor; weights: Tensor } {
    const attended = this.attention.apply(x, maskBias, training);
    const h = this.attentionNorm.apply(tf.add(x, dropout(attended.output, this.config.dropout, training)));
    const output = this.outputNorm.apply(tf.add(h, dropout(this.feedForward.apply(h), this.config.dropout, training)));
    return { output, weights: attended.weights };
  }
}

/** The full config, defaults filled in and checked (chapter 6). */
export function transformerEncoderOptions(config: TransformerEncoderOptions): Required<TransformerEncoderOptions> {
  const full: Required<TransformerEncoderOptions> = {
    intermediateSize: 4 * config.hiddenSize,
    typeVocabularySize: 2,
    dropout: 0.1,
    attentionDropout: 0.1,
    ...config,
  };
  checkPositiveIntegers('TransformerEncoder: vocabularySize, hiddenSize, layers, heads, intermediateSize, maxPositions, typeVocabularySize', [
    full.vocabularySize,
    full.hiddenSize,
    full.layers,
    full.heads,
    full.intermediateSize,
    full.maxPositions,
    full.typeVocabularySize,
  ]);
  if (full.hiddenSize % full.heads !== 0) throw new Error(`TransformerEncoder: heads (${full.heads}) must divide hiddenSize (${full.hiddenSize}).`);
  for (const [name, rate] of [['dropout', full.dropout], ['attentionDropout', full.attentionDropout]] as const) {
    if (!(rate >= 0 && rate < 1)) throw new Error(`TransformerEncoder: ${name} must be in [0, 1), got ${rate}.`);
  }
  return full;
}

/** The Transformer encoder of BERT (chapter 6): embeddings, then `layers` encoder blocks. */
export class TransformerEncoder {
  readonly config: Required<TransformerEncoderOptions>;
  readonly embeddings: EmbeddingLayer;
  readonly blocks: EncoderLayer[];
  constructor(config: TransformerEncoderOptions) {
    this.config = transformerEncoderOptions(config);
    this.embeddings = new EmbeddingLayer(this.config);
    this.blocks = Array.from({ length: this.config.layers }, () => new EncoderLayer(this.config));
  }
  get variables(): Variable[] {
    return [...this.embeddings.variables, ...this.blocks.flatMap((b) => b.variables)];
  }
  /** Number of weights (chapter 6). */
  get parameterCount(): number {
    return this.variables.reduce((n, v) => n + v.size, 0);
  }
  /** Runs the encoder; not inside a tidy of its own, so call it inside one (or dispose the outputs). */
  apply(inputs: EncoderInputs, options: { training?: boolean; returnAttention?: boolean } = {}): EncoderOutput {
    const { inputIds } = inputs;
    if (inputIds.rank !== 2 || inputIds.dtype !== 'int32') {
      throw new Error(`TransformerEncoder: inputIds must be an int32 tensor [batch, length], got ${inputIds.dtype} of shape [${inputIds.shape.join(', ')}].`);
    }
    const length = inputIds.shape[1] as number;
    if (length > this.config.maxPositions) {
      throw new Error(`TransformerEncoder: sequences of ${length} tokens are longer than maxPositions ${this.config.maxPositions}; encode with maxLength ≤ ${this.config.maxPositions}.`);
    }
    const training = options.training ?? false;
    const mask = inputs.attentionMask ?? tf.onesLike(inputIds);
    const types = inputs.tokenTypeIds ?? tf.zerosLike(inputIds);
    const maskBias = tf.mul(tf.sub(1, tf.cast(mask, 'float32')), -1e9).reshape([inputIds.shape[0] as number, 1, 1, length]);
    let hidden = this.embeddings.apply(inputIds, types, training);
    const attentions: Tensor[] = [];
    for (const block of this.blocks) {
      const out = block.apply(hidden, maskBias, training);
      hidden = out.output;
      if (options.returnAttention) attentions.push(out.weights);
    }
    return options.returnAttention ? { hidden, attentions } : { hidden };
  }
}

/** Options of `maskTokens` (chapter 6). */
export interface MaskingOptions {
  /** The [MASK] id. */
  maskId: number;
  /** Ids never chosen (special tokens and [PAD]) and never drawn as random replacements. */
  specialIds: ReadonlySet<number>;
  /** Number of ids; random replacements are drawn from the non-special ones. */
  vocabularySize: number;
  /** Chance that a token is chosen for prediction (default 0.15). */
  probability?: number;
  /** The generator (default the shared `rng()`). */
  random?: Random;
}

/**
 * BERT's masking (chapter 6): each non-special token is chosen with
 * probability 15%; a chosen token is replaced by [MASK] 80% of the time, by a
 * random token 10%, and kept 10%. Returns the new ids, the flat positions of
 * the chosen tokens and their original ids (what the model must predict).
 * At least one token is chosen whenever there is one to choose.
 */
export function maskTokens(ids: ArrayLike<number>, options: MaskingOptions): { inputIds: Int32Array; positions: number[]; labels: number[] } {
  const probability = options.probability ?? 0.15;
  if (!(probability > 0 && probability <= 1)) throw new Error(`maskTokens: probability must be in (0, 1], got ${probability}.`);
  const random = options.random ?? rng();
  const inputIds = Int32Array.from(ids);
  const positions: number[] = [];
  const labels: number[] = [];
  const candidates: number[] = [];
  const ordinary: number[] = [];
  for (let id = 0; id < options.vocabularySize; id++) if (!options.specialIds.has(id)) ordinary.push(id);
  if (ordinary.length === 0) throw new Error('maskTokens: the vocabulary has no ordinary tokens to predict.');
  for (let i = 0; i < inputIds.length; i++) {
    if (options.specialIds.has(inputIds[i] as number)) continue;
    candidates.push(i);
    if (random.next() < probability) positions.push(i);
  }
  if (positions.length === 0 && candidates.length > 0) positions.push(candidates[random.int(candidates.length)] as number);
  for (const i of positions) {
    labels.push(inputIds[i] as number);
    const r = random.next();
    if (r < 0.8) inputIds[i] = options.maskId;
    else if (r < 0.9) inputIds[i] = ordinary[random.int(ordinary.length)] as number;
  }
  return { inputIds, positions, labels };
}

/** The mean cross-entropy of integer labels under raw scores (chapter 6). */
function crossEntropyFromLogits(logits: Tensor, labels: Tensor): Scalar {
  const classes = logits.shape[logits.rank - 1] as number;
  const picked = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(tf.cast(labels.flatten(), 'int32'), classes)), -1);
  return tf.neg(tf.mean(picked)) as Scalar;
}

/** The attention mask of a batch of ids: 1 where the id is not [PAD] (chapter 6). */
export function attentionMaskOf(inputIds: Tensor, padId: number): Tensor {
  return tf.cast(tf.notEqual(inputIds, padId), 'int32');
}

/** Token ids for the special-token options of the heads (chapter 6); a `WordPieceTokenizer` has them all. */
export interface SpecialTokenIds {
  padId: number;
  maskId: number;
  specialIds(): Set<number>;
  vocabularySize: number;
}

/**
 * Masked-language-model pre-training (chapter 6): a custom model for the
 * `Trainer`. Each batch of ids is masked afresh (`maskTokens`), the encoder
 * reads the masked ids, and a head (Dense → GELU → LayerNorm → the token
 * embeddings, transposed) predicts the original token at each chosen position.
 * The batch's labels are not used.
 */
export class MaskedLanguageModel {
  readonly transform: Linear;
  readonly norm: LayerNormalization;
  readonly outputBias: Variable;
  private readonly specialIds: Set<number>;
  constructor(
    readonly encoder: TransformerEncoder,
    readonly tokens: SpecialTokenIds,
    readonly maskProbability = 0.15,
  ) {
    const { hiddenSize, vocabularySize } = encoder.config;
    if (tokens.vocabularySize !== vocabularySize) {
      throw new Error(`MaskedLanguageModel: the tokenizer has ${tokens.vocabularySize} tokens but the encoder was built for ${vocabularySize}.`);
    }
    this.transform = new Linear(hiddenSize, hiddenSize);
    this.norm = new LayerNormalization(hiddenSize);
    this.outputBias = variableOf(() => tf.zeros([vocabularySize]));
    this.specialIds = tokens.specialIds();
  }
  get trainableVariables(): Variable[] {
    return [...this.encoder.variables, ...this.transform.variables, ...this.norm.variables, this.outputBias];
  }
  /** Scores over the vocabulary for some hidden vectors `[n, hidden]` → `[n, vocabularySize]`. */
  logits(hidden: Tensor): Tensor {
    const h = this.norm.apply(gelu(this.transform.apply(hidden)));
    return tf.add(tf.matMul(h, this.encoder.embeddings.token, false, true), this.outputBias);
  }
  /** Masks, predicts, and returns the loss with the predictions' accuracy on the chosen tokens. */
  maskedLoss(inputIds: Tensor, training: boolean): { loss: Scalar; accuracy: Scalar } {
    const [batch, length] = inputIds.shape as [number, number];
    const masked = maskTokens(inputIds.dataSync(), { maskId: this.tokens.maskId, specialIds: this.specialIds, vocabularySize: this.encoder.config.vocabularySize, probability: this.maskProbability });
    const ids = tf.tensor2d(masked.inputIds, [batch, length], 'int32');
    const { hidden } = this.encoder.apply({ inputIds: ids, attentionMask: attentionMaskOf(ids, this.tokens.padId) }, { training });
    const chosen = tf.gather(hidden.reshape([batch * length, this.encoder.config.hiddenSize]), tf.tensor1d(masked.positions, 'int32'));
    const logits = this.logits(chosen);
    const labels = tf.tensor1d(masked.labels, 'int32');
    const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), labels), 'float32')) as Scalar;
    return { loss: crossEntropyFromLogits(logits, labels), accuracy };
  }
  loss(batch: { x: Tensor }, training: boolean): Scalar {
    return this.maskedLoss(batch.x, training).loss;
  }
}

/** How `SequenceClassifier` summarises a text in one vector (chapter 6). */
export type SequencePooling = 'cls' | 'mean';

/**
 * Sequence classification (chapter 6): one vector per text goes through a
 * Dense + tanh "pooler" (as in BERT), dropout, and a Dense layer to one score
 * per class. The vector is the encoder's output at [CLS] (`pooling: 'cls'`,
 * BERT's choice), or the mean of its outputs over the real tokens
 * (`'mean'`, padding left out), which gives every token's vector a direct
 * path to the loss. A custom model for the `Trainer`: batches are
 * `{ x: ids [batch, length], y: int32 labels [batch] }`.
 */
export class SequenceClassifier {
  readonly pooler: Linear;
  readonly classifier: Linear;
  constructor(
    readonly encoder: TransformerEncoder,
    readonly classes: number,
    readonly padId: number,
    readonly pooling: SequencePooling = 'cls',
  ) {
    checkPositiveIntegers('SequenceClassifier: classes', [classes]);
    if (pooling !== 'cls' && pooling !== 'mean') throw new Error(`SequenceClassifier: pooling must be 'cls' or 'mean', got ${JSON.stringify(pooling)}.`);
    this.pooler = new Linear(encoder.config.hiddenSize, encoder.config.hiddenSize);
    this.classifier = new Linear(encoder.config.hiddenSize, classes);
  }
  get trainableVariables(): Variable[] {
    return [...this.encoder.variables, ...this.pooler.variables, ...this.classifier.variables];
  }
  /** Class scores (logits) `[batch, classes]`. */
  scores(inputIds: Tensor, training: boolean): Tensor {
    const attentionMask = attentionMaskOf(inputIds, this.padId);
    const { hidden } = this.encoder.apply({ inputIds, attentionMask }, { training });
    return this.scoresOf(hidden, attentionMask, training);
  }
  /** The head alone: class scores from the encoder's output `[batch, length, hidden]` and the attention mask. */
  scoresOf(hidden: Tensor, attentionMask: Tensor, training = false): Tensor {
    const [batch, , size] = hidden.shape as [number, number, number];
    let summary: Tensor;
    if (this.pooling === 'cls') summary = tf.slice(hidden, [0, 0, 0], [batch, 1, size]).reshape([batch, size]);
    else {
      const weights = tf.cast(attentionMask, 'float32').expandDims(2);
      summary = tf.div(tf.sum(tf.mul(hidden, weights), 1), tf.maximum(tf.sum(weights, 1), 1));
    }
    const pooled = tf.tanh(this.pooler.apply(summary));
    return this.classifier.apply(dropout(pooled, this.encoder.config.dropout, training));
  }
  loss(batch: { x: Tensor; y: Tensor }, training: boolean): { loss: Scalar; outputs: Tensor } {
    const outputs = this.scores(batch.x, training);
    return { loss: crossEntropyFromLogits(outputs, batch.y), outputs };
  }
  /** Class probabilities `[batch, classes]` (softmax of the scores). */
  predict(x: Tensor): Tensor {
    return tf.tidy(() => tf.softmax(this.scores(x, false)));
  }
}

/**
 * Bag-of-words logistic regression (chapter 6), the baseline: one weight per
 * word of a `WordVocabulary`, the score of a text is the sum of the weights of
 * its distinct words plus a bias. Batches are `{ x: [batch, maxWords] int32
 * word ids padded with 0, y: int32 labels }`. `l2` adds that multiple of the
 * weights' mean square to the loss.
 */
export class BagOfWordsClassifier {
  readonly weights: Variable;
  readonly bias: Variable;
  constructor(
    readonly vocabularySize: number,
    readonly l2 = 0,
  ) {
    checkPositiveIntegers('BagOfWordsClassifier: vocabularySize', [vocabularySize]);
    this.weights = variableOf(() => tf.zeros([vocabularySize]));
    this.bias = variableOf(() => tf.zeros([]));
  }
  get trainableVariables(): Variable[] {
    return [this.weights, this.bias];
  }
  /** Scores `[batch, 2]`: 0 for negative and the logistic score for positive. */
  scores(wordIds: Tensor): Tensor {
    const present = tf.cast(tf.notEqual(wordIds, 0), 'float32');
    const score = tf.add(tf.sum(tf.mul(tf.gather(this.weights, wordIds), present), -1), this.bias);
    return tf.stack([tf.zerosLike(score), score], 1);
  }
  loss(batch: { x: Tensor; y: Tensor }): { loss: Scalar; outputs: Tensor } {
    const outputs = this.scores(batch.x);
    let loss = crossEntropyFromLogits(outputs, batch.y);
    if (this.l2 > 0) loss = tf.add(loss, tf.mul(this.l2, tf.mean(tf.square(this.weights)))) as Scalar;
    return { loss, outputs };
  }
  /** Class probabilities `[batch, 2]`. */
  predict(x: Tensor): Tensor {
    return tf.tidy(() => tf.softmax(this.scores(x)));
  }
}

/** A batch of token-id rows as an int32 tensor `[rows, length]` (chapter 6). */
export function idsTensor(rows: readonly (readonly number[])[]): Tensor2D {
  const length = rows[0]?.length ?? 0;
  const flat = new Int32Array(rows.length * length);
  rows.forEach((row, i) => {
    if (row.length !== length) throw new Error(`idsTensor: every row must have ${length} ids (pad them to one length), row ${i} has ${row.length}.`);
    flat.set(row, i * length);
  });
  return tf.tensor2d(flat, [rows.length, length], 'int32');
}
