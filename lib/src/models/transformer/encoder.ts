/** The Transformer encoder of BERT (chapter 6): its options, embeddings then post-norm blocks, padding masks, id batches. */
import { tf } from '../../backend/tf';
import type { Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';
import type { TransformerEncoderConfig } from '../../scale/size-and-compute';
import { countVariables } from '../layers';
import { checkHeadsDivide, checkPositiveIntegers } from '../../util/validate';
import { EmbeddingLayer, EncoderLayer } from './layers';

/**
 * An encoder's shape: chapter 2's `TransformerEncoderConfig` with `intermediateSize` (default 4 × hiddenSize) and
 * `typeVocabularySize` (default 2) optional, plus dropout. BERT-base: 12 layers, hidden 768, 12 heads, 3072.
 */
export interface TransformerEncoderOptions
  extends Omit<TransformerEncoderConfig, 'intermediateSize' | 'typeVocabularySize' | 'pooler'>,
    Partial<Pick<TransformerEncoderConfig, 'intermediateSize' | 'typeVocabularySize'>> {
  /** Dropout after embeddings, attention output and feed-forward (default 0.1). */
  dropout?: number;
  /** Dropout on the attention weights (default 0.1). */
  attentionDropout?: number;
}

/** The inputs of the encoder for a batch, each `[batch, length]`. */
export interface EncoderInputs {
  /** int32 token ids. */
  inputIds: Tensor;
  /** 1 for a real token, 0 for padding (default: all 1). */
  attentionMask?: Tensor;
  /** Segment ids (default: all 0). */
  tokenTypeIds?: Tensor;
}

export interface EncoderOutput {
  /** One vector per token: `[batch, length, hiddenSize]`. */
  hidden: Tensor;
  /** With `returnAttention`, each layer's attention weights `[batch, heads, length, length]` (rows sum to 1). */
  attentions?: Tensor[];
}

/** The full config, defaults filled in and checked. */
export function transformerEncoderOptions(config: TransformerEncoderOptions): Required<TransformerEncoderOptions> {
  const full: Required<TransformerEncoderOptions> = {
    intermediateSize: 4 * config.hiddenSize,
    typeVocabularySize: 2,
    dropout: 0.1,
    attentionDropout: 0.1,
    ...config,
  };
  const { vocabularySize, hiddenSize, layers, heads, intermediateSize, maxPositions, typeVocabularySize } = full;
  checkPositiveIntegers('TransformerEncoder', { vocabularySize, hiddenSize, layers, heads, intermediateSize, maxPositions, typeVocabularySize });
  checkHeadsDivide('TransformerEncoder', hiddenSize, heads);
  for (const [name, rate] of [['dropout', full.dropout], ['attentionDropout', full.attentionDropout]] as const) {
    if (!(rate >= 0 && rate < 1)) throw new Error(`TransformerEncoder: ${name} must be in [0, 1), got ${rate}.`);
  }
  return full;
}

/** The Transformer encoder of BERT: embeddings, then `layers` encoder blocks. */
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
  countParams(): number {
    return countVariables(this.variables);
  }
  dispose(): void {
    tf.dispose(this.variables);
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
      if (options.returnAttention) attentions.push(out.attentionProbabilities);
    }
    return options.returnAttention ? { hidden, attentions } : { hidden };
  }
}

/** The attention mask of a batch of ids: 1 where the id is not [PAD]. */
export function attentionMaskOf(inputIds: Tensor, padId: number): Tensor {
  return tf.cast(tf.notEqual(inputIds, padId), 'int32');
}

/** A batch of token-id rows as an int32 tensor `[rows, length]`. */
export function idsTensor(rows: readonly (readonly number[])[]): Tensor2D {
  const length = rows[0]?.length ?? 0;
  const flat = new Int32Array(rows.length * length);
  rows.forEach((row, i) => {
    if (row.length !== length) throw new Error(`idsTensor: every row must have ${length} ids (pad them to one length), row ${i} has ${row.length}.`);
    flat.set(row, i * length);
  });
  return tf.tensor2d(flat, [rows.length, length], 'int32');
}
