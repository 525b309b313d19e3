/** Training tokens per second (padding included) of chapter 6's mini-BERT at the chapter's full shape: 'pretrain' and 'finetune'. */
import { tf } from '../backend/tf';
import { MaskedLanguageModel, SequenceClassifier, TransformerEncoder, type TransformerEncoderOptions } from '../models/transformer';
import { Trainer } from '../train/trainer';
import { Random } from '../util/random';
import { measureFitRate } from './training-throughput';

/** The encoder shape of chapter 6's full mode, measured by `measureMiniBertThroughput`. */
export const MINI_BERT_OPTIONS: TransformerEncoderOptions = { vocabularySize: 8000, hiddenSize: 64, layers: 2, heads: 4, intermediateSize: 256, maxPositions: 128 };

export interface MiniBertThroughputOptions {
  /** 'pretrain' (masked-language model) or 'finetune' (sequence classifier). */
  what: 'pretrain' | 'finetune';
  /** 'smoke' runs one small batch (for tests). */
  size?: 'full' | 'smoke';
  /** Untimed repetitions first (default 1). */
  warmup?: number;
  /** Timed repetitions (default 3). */
  repetitions?: number;
}

/** Measures mini-BERT training tokens per second on the current backend. */
export async function measureMiniBertThroughput(options: MiniBertThroughputOptions): Promise<{ median: number; min: number; max: number; repetitions: number; backend: string; tokensPerStep: number }> {
  const smoke = options.size === 'smoke';
  const length = smoke ? 16 : (MINI_BERT_OPTIONS.maxPositions as number);
  const batchSize = smoke ? 4 : 32;
  const steps = smoke ? 1 : 4;
  const encoder = new TransformerEncoder({ ...MINI_BERT_OPTIONS, maxPositions: length });
  const tokens = { padId: 0, maskId: 4, vocabularySize: MINI_BERT_OPTIONS.vocabularySize, specialIds: () => new Set([0, 1, 2, 3, 4]) };
  const model = options.what === 'pretrain' ? new MaskedLanguageModel(encoder, tokens) : new SequenceClassifier(encoder, 2, 0);
  const random = new Random(1);
  const samples = batchSize * steps;
  const ids = new Int32Array(samples * length);
  for (let i = 0; i < ids.length; i++) ids[i] = i % length === 0 ? 2 : i % length === length - 1 ? 3 : 5 + random.int(MINI_BERT_OPTIONS.vocabularySize - 5);
  const x = tf.tensor2d(ids, [samples, length], 'int32');
  const y = tf.tensor1d(Array.from({ length: samples }, (_, i) => i % 2), 'int32');
  const trainer = new Trainer(model, { seed: 1 });
  try {
    const rates = await measureFitRate(trainer, { x, y }, { ...options, batchSize, units: samples * length, caller: 'measureMiniBertThroughput' });
    return { ...rates, backend: tf.getBackend(), tokensPerStep: batchSize * length };
  } finally {
    tf.dispose([x, y, ...model.trainableVariables]);
    trainer.optimizer.dispose();
  }
}
