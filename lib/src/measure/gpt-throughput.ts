/** Tokens per second of chapter 13's small GPT at the chapter's full shape: training (batch 16) and cached greedy generation. */
import { tf } from '../backend/tf';
import { GPT, generate, type GPTOptions } from '../models/transformer';
import { Trainer } from '../train/trainer';
import { Random } from '../util/random';
import { measureRate } from '../util/timing';
import { measureFitRate } from './training-throughput';

/** The GPT shape of chapter 13's full mode, measured by `measureGptThroughput`. */
export const SMALL_GPT_OPTIONS: GPTOptions = { vocabularySize: 2000, hiddenSize: 96, layers: 3, heads: 4, contextLength: 128 };

/** Options of `measureGptThroughput`. */
export interface GptThroughputOptions {
  /** 'train' (next-token loss, Trainer, batch 16) or 'generate' (greedy, with the cache). */
  what: 'train' | 'generate';
  /** 'smoke' runs one small batch (for tests). */
  size?: 'full' | 'smoke';
  /** Untimed repetitions first (default 1). */
  warmup?: number;
  /** Timed repetitions (default 3). */
  repetitions?: number;
}

/** Measures the small GPT's training or generation tokens per second on the current backend. */
export async function measureGptThroughput(options: GptThroughputOptions): Promise<{ median: number; min: number; max: number; repetitions: number; backend: string; tokensPerStep: number }> {
  const what = options.what;
  if (what !== 'train' && what !== 'generate') throw new Error(`measureGptThroughput: what must be 'train' or 'generate', got ${JSON.stringify(what)}.`);
  const smoke = options.size === 'smoke';
  const length = smoke ? 16 : (SMALL_GPT_OPTIONS.contextLength as number);
  const batchSize = smoke ? 4 : 16;
  const steps = smoke ? 1 : 4;
  const repeat = { warmup: options.warmup ?? 1, repetitions: options.repetitions ?? 3 };
  const model = new GPT({ ...SMALL_GPT_OPTIONS, contextLength: length });
  const random = new Random(1);
  if (what === 'generate') {
    const newTokens = length - 1;
    try {
      const rates = await measureRate(() => {
        generate(model, [random.int(SMALL_GPT_OPTIONS.vocabularySize)], { maxNewTokens: newTokens, sampling: { temperature: 0 } });
        return newTokens;
      }, repeat);
      return { ...rates, backend: tf.getBackend(), tokensPerStep: 1 };
    } finally {
      model.dispose();
    }
  }
  const samples = batchSize * steps;
  const ids = new Int32Array(samples * (length + 1));
  for (let i = 0; i < ids.length; i++) ids[i] = random.int(SMALL_GPT_OPTIONS.vocabularySize);
  const all = tf.tensor2d(ids, [samples, length + 1], 'int32');
  const x = all.slice([0, 0], [samples, length]);
  const y = all.slice([0, 1], [samples, length]);
  const trainer = new Trainer(model, { seed: 1 });
  try {
    const rates = await measureFitRate(trainer, { x, y }, { ...repeat, batchSize, units: samples * length, caller: 'measureGptThroughput' });
    return { ...rates, backend: tf.getBackend(), tokensPerStep: batchSize * length };
  } finally {
    tf.dispose([all, x, y]);
    model.dispose();
    trainer.optimizer.dispose();
  }
}
