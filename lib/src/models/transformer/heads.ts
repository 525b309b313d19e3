/**
 * The two heads on chapter 6's encoder, custom models for the `Trainer`: masked-language-model pre-training and
 * sequence classification. Input ids `[batch, length]` int32 with trailing [PAD]s, one segment.
 */
import { tf } from '../../backend/tf';
import type { Scalar, Tensor, Variable } from '@tensorflow/tfjs';
import { maskTokens } from '../../text/masking';
import { Random } from '../../util/random';
import { countVariables, variableOf } from '../layers';
import { crossEntropyFromLogits } from '../../util/cross-entropy';
import { checkPositiveIntegers } from '../../util/validate';
import { type TransformerEncoder, attentionMaskOf } from './encoder';
import { LayerNorm, LinearLayer, dropout, geluTanh } from './layers';

/** Token ids for the special-token options of the heads; a `WordPieceTokenizer` has them all. */
export interface SpecialTokenIds {
  padId: number;
  maskId: number;
  specialIds(): Set<number>;
  vocabularySize: number;
}

/** A head on a caller's encoder: it trains the encoder's weights and its own, and `dispose()` frees only its own. */
abstract class EncoderHead {
  constructor(readonly encoder: TransformerEncoder) {}
  /** The head's own weights (the encoder's are `encoder.variables`). */
  abstract get headVariables(): Variable[];
  get trainableVariables(): Variable[] {
    return [...this.encoder.variables, ...this.headVariables];
  }
  /** Number of weights, encoder and head. */
  countParams(): number {
    return countVariables(this.trainableVariables);
  }
  /** Frees the head's weights; the encoder stays (dispose it with `encoder.dispose()`). */
  dispose(): void {
    tf.dispose(this.headVariables);
  }
}

/**
 * Masked-language-model pre-training: each batch is masked afresh (`maskTokens`) and a head (Dense → GELU →
 * LayerNorm → the token embeddings, transposed) predicts the original tokens. The batch's labels are unused.
 */
export class MaskedLanguageModel extends EncoderHead {
  readonly transform: LinearLayer;
  readonly norm: LayerNorm;
  readonly outputBias: Variable;
  private readonly specialIds: Set<number>;
  constructor(
    encoder: TransformerEncoder,
    readonly tokens: SpecialTokenIds,
    readonly maskProbability = 0.15,
  ) {
    super(encoder);
    const { hiddenSize, vocabularySize } = encoder.config;
    if (tokens.vocabularySize !== vocabularySize) {
      throw new Error(`MaskedLanguageModel: the tokenizer has ${tokens.vocabularySize} tokens but the encoder was built for ${vocabularySize}.`);
    }
    this.transform = new LinearLayer(hiddenSize, hiddenSize);
    this.norm = new LayerNorm(hiddenSize);
    this.outputBias = variableOf(() => tf.zeros([vocabularySize]));
    this.specialIds = tokens.specialIds();
  }
  /** The head's own weights (the encoder's are `encoder.variables`). */
  get headVariables(): Variable[] {
    return [...this.transform.variables, ...this.norm.variables, this.outputBias];
  }
  /** Scores over the vocabulary for some hidden vectors `[n, hidden]` → `[n, vocabularySize]`. */
  logits(hidden: Tensor): Tensor {
    const h = this.norm.apply(geluTanh(this.transform.apply(hidden)));
    return tf.add(tf.matMul(h, this.encoder.embeddings.token, false, true), this.outputBias);
  }
  /** Masks, predicts, and returns the loss, the accuracy on the chosen tokens and their count; `random` draws the masks. */
  maskedLoss(inputIds: Tensor, training: boolean, random?: Random): { loss: Scalar; accuracy: Scalar; predicted: number } {
    const [batch, length] = inputIds.shape as [number, number];
    const masked = maskTokens(inputIds.dataSync(), {
      maskId: this.tokens.maskId,
      specialIds: this.specialIds,
      vocabularySize: this.encoder.config.vocabularySize,
      probability: this.maskProbability,
      ...(random ? { random } : {}),
    });
    const ids = tf.tensor2d(masked.inputIds, [batch, length], 'int32');
    const { hidden } = this.encoder.apply({ inputIds: ids, attentionMask: attentionMaskOf(ids, this.tokens.padId) }, { training });
    const chosen = tf.gather(hidden.reshape([batch * length, this.encoder.config.hiddenSize]), tf.tensor1d(masked.positions, 'int32'));
    const logits = this.logits(chosen);
    const labels = tf.tensor1d(masked.labels, 'int32');
    const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(logits, -1), labels), 'float32')) as Scalar;
    return { loss: crossEntropyFromLogits(logits, labels), accuracy, predicted: masked.labels.length };
  }
  loss(batch: { x: Tensor }, training: boolean): Scalar {
    return this.maskedLoss(batch.x, training).loss;
  }
  /**
   * Masked-token loss and accuracy on ids `[rows, length]` without dropout; masks from `new Random(seed)`, so the
   * same ids and seed are scored on the same masks.
   */
  evaluate(inputIds: Tensor, options: { seed?: number; batchSize?: number } = {}): { loss: number; accuracy: number; predicted: number } {
    const batchSize = options.batchSize ?? 128;
    checkPositiveIntegers('MaskedLanguageModel.evaluate', { batchSize });
    const random = new Random(options.seed ?? 0);
    const rows = inputIds.shape[0] as number;
    let loss = 0;
    let right = 0;
    let predicted = 0;
    for (let start = 0; start < rows; start += batchSize) {
      const [l, a, n] = tf.tidy(() => {
        const out = this.maskedLoss(inputIds.slice(start, Math.min(batchSize, rows - start)), false, random);
        return [out.loss.dataSync()[0] as number, out.accuracy.dataSync()[0] as number, out.predicted];
      });
      loss += (l as number) * n;
      right += (a as number) * n;
      predicted += n;
    }
    return { loss: loss / Math.max(1, predicted), accuracy: right / Math.max(1, predicted), predicted };
  }
  /**
   * Sets the output bias to the log-frequency of each token in `rows` (special tokens skipped, add-one smoothed), so
   * that the untrained head already predicts the unigram distribution. With a zero bias, Adam moves it about one
   * learning rate per step and needs thousands of steps to learn frequencies spanning ten nats; this is the "initialise
   * the last layer's bias well" advice, applied to the vocabulary. Returns the unigram entropy in nats, the loss a
   * head that ignores the context would reach.
   */
  setOutputBiasToLogFrequencies(rows: readonly (readonly number[])[]): number {
    const size = this.encoder.config.vocabularySize;
    const counts = new Float64Array(size);
    let total = 0;
    for (const row of rows) {
      for (const id of row) {
        if (this.specialIds.has(id)) continue;
        if (!(Number.isInteger(id) && id >= 0 && id < size)) throw new Error(`MaskedLanguageModel.setOutputBiasToLogFrequencies: token id ${id} is outside the vocabulary 0..${size - 1}.`);
        counts[id] = (counts[id] as number) + 1;
        total += 1;
      }
    }
    if (total === 0) throw new Error('MaskedLanguageModel.setOutputBiasToLogFrequencies: the rows hold no ordinary token; give it the corpus.');
    const logP = Float32Array.from(counts, (c) => Math.log((c + 1) / (total + size)));
    tf.tidy(() => this.outputBias.assign(tf.tensor1d(logP)));
    let entropy = 0;
    counts.forEach((c) => {
      if (c > 0) entropy -= (c / total) * Math.log((c + 1) / (total + size));
    });
    return entropy;
  }
}

/** How `SequenceClassifier` summarises a text in one vector. */
export type SequencePooling = 'cls' | 'mean';

/**
 * Sequence classification: the encoder's output at [CLS] (`pooling: 'cls'`, BERT's) or its mean over real tokens
 * (`'mean'`) goes through BERT's Dense + tanh pooler, dropout and a Dense layer to class scores. Batches
 * `{ x: ids [batch, length], y: int32 labels }`.
 */
export class SequenceClassifier extends EncoderHead {
  readonly pooler: LinearLayer;
  readonly classifier: LinearLayer;
  constructor(
    encoder: TransformerEncoder,
    readonly classes: number,
    readonly padId: number,
    readonly pooling: SequencePooling = 'cls',
  ) {
    super(encoder);
    checkPositiveIntegers('SequenceClassifier', { classes });
    if (pooling !== 'cls' && pooling !== 'mean') throw new Error(`SequenceClassifier: pooling must be 'cls' or 'mean', got ${JSON.stringify(pooling)}.`);
    this.pooler = new LinearLayer(encoder.config.hiddenSize, encoder.config.hiddenSize);
    this.classifier = new LinearLayer(encoder.config.hiddenSize, classes);
  }
  /** The head's own weights (the encoder's are `encoder.variables`). */
  get headVariables(): Variable[] {
    return [...this.pooler.variables, ...this.classifier.variables];
  }
  /** Class logits `[batch, classes]`. */
  logits(inputIds: Tensor, training: boolean): Tensor {
    const attentionMask = attentionMaskOf(inputIds, this.padId);
    const { hidden } = this.encoder.apply({ inputIds, attentionMask }, { training });
    return this.logitsFromHidden(hidden, attentionMask, training);
  }
  /** The head alone: class logits from the encoder's output `[batch, length, hidden]` and the attention mask. */
  logitsFromHidden(hidden: Tensor, attentionMask: Tensor, training = false): Tensor {
    const [batch, , size] = hidden.shape as [number, number, number];
    let summary: Tensor;
    if (this.pooling === 'cls') summary = tf.slice(hidden, [0, 0, 0], [batch, 1, size]).reshape([batch, size]);
    else {
      const realTokens = tf.cast(attentionMask, 'float32').expandDims(2);
      summary = tf.div(tf.sum(tf.mul(hidden, realTokens), 1), tf.maximum(tf.sum(realTokens, 1), 1));
    }
    const pooled = tf.tanh(this.pooler.apply(summary));
    return this.classifier.apply(dropout(pooled, this.encoder.config.dropout, training));
  }
  loss(batch: { x: Tensor; y: Tensor }, training: boolean): { loss: Scalar; outputs: Tensor } {
    const outputs = this.logits(batch.x, training);
    return { loss: crossEntropyFromLogits(outputs, batch.y), outputs };
  }
  /** Class probabilities `[batch, classes]` (softmax of the logits). */
  predict(x: Tensor): Tensor {
    return tf.tidy(() => tf.softmax(this.logits(x, false)));
  }
}
