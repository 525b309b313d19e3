/**
 * What a trained GPT is used for (chapter 13): next-token training windows, generation token by token (with or
 * without the key-value cache), and continuation log-likelihoods, which make it a zero-shot classifier.
 */
import { tf } from '../../backend/tf';
import { checkPositiveIntegers } from '../../util/validate';
import type { Tensor } from '@tensorflow/tfjs';
import { type SamplingOptions, sampleToken } from '../../text/sampling';
import { idsTensor } from './encoder';
import { GPT, KeyValueCache } from './gpt';
import { PlainDecoder } from './plain-decoder';

/** Language-model rows: row r reads `ids[s, s + length)` and predicts `ids[s + 1, s + length + 1)`, s = r · stride. */
export function nextTokenWindows(ids: ArrayLike<number>, length: number, stride = length): { inputs: number[][]; targets: number[][] } {
  checkPositiveIntegers('nextTokenWindows', { length, stride });
  if (ids.length < length + 1) throw new Error(`nextTokenWindows: ${ids.length} ids make no window of ${length} + 1; give more text or a shorter length.`);
  const inputs: number[][] = [];
  const targets: number[][] = [];
  for (let s = 0; s + length + 1 <= ids.length; s += stride) {
    inputs.push(Array.from({ length }, (_, i) => ids[s + i] as number));
    targets.push(Array.from({ length }, (_, i) => ids[s + i + 1] as number));
  }
  return { inputs, targets };
}

/** Options of `generate`. */
export interface GenerateOptions {
  /** Number of tokens to add after the prompt. */
  maxNewTokens: number;
  /** The decoding rule (default: temperature 1, no cut); `{ temperature: 0 }` is greedy. */
  sampling?: SamplingOptions;
  /** Keep every block's keys and values, so each step reads only the new token (default true). */
  useCache?: boolean;
  /**
   * How a step with the cache runs: `'plain'` (default) one token through `PlainDecoder`, plain JavaScript on the
   * weights read once; `'tensors'` through `GPT.step`, TensorFlow.js kernels on the current backend. Without the cache,
   * every step is `GPT.step` on the whole sequence (products over all its rows at once). On the native rung the plain
   * step is the faster one; on WebAssembly, whose products use SIMD, `'tensors'` wins for wide models (bench/README.md).
   */
  cachedStep?: 'plain' | 'tensors';
  /** Stop after generating this id (e.g. `<|endoftext|>`). */
  stopId?: number;
}

/**
 * Generates up to `maxNewTokens` ids after `prompt`, one at a time with `sampleToken`; returns the new ids only.
 * With the cache each step reads only the new token; without, `GPT.step` reads the whole sequence again.
 */
export function generate(model: GPT, prompt: readonly number[], options: GenerateOptions): number[] {
  const { maxNewTokens } = options;
  checkPositiveIntegers('generate', { maxNewTokens });
  if (prompt.length === 0) throw new Error('generate: the prompt is empty; start it with at least one token (e.g. <|endoftext|>).');
  if (prompt.length + maxNewTokens > model.config.contextLength) {
    throw new Error(
      `generate: ${prompt.length} prompt tokens + ${maxNewTokens} new ones pass the context of ${model.config.contextLength}; ask for fewer tokens or a shorter prompt.`,
    );
  }
  const useCache = options.useCache ?? true;
  const cachedStep = options.cachedStep ?? 'plain';
  if (cachedStep !== 'plain' && cachedStep !== 'tensors') throw new Error(`generate: cachedStep must be 'plain' or 'tensors', got ${JSON.stringify(cachedStep)}.`);
  if (useCache && cachedStep === 'plain') return generatePlain(new PlainDecoder(model), prompt, options);
  const cache = new KeyValueCache(model.config.layers);
  const sequence = [...prompt];
  const added: number[] = [];
  try {
    let fresh: number[] = [...prompt];
    for (let n = 0; n < maxNewTokens; n++) {
      // Without the cache, the same pass reads the whole sequence again at every step.
      if (!useCache) cache.clear();
      const ids = idsTensor([useCache ? fresh : sequence]);
      const logits = model.step(ids, cache);
      ids.dispose();
      const scores = logits.dataSync();
      logits.dispose();
      const next = sampleToken(scores, options.sampling);
      sequence.push(next);
      added.push(next);
      fresh = [next];
      if (next === options.stopId) break;
    }
  } finally {
    cache.dispose();
  }
  return added;
}

/** `generate` with the cache in plain JavaScript: the prompt's tokens one by one, then each new token. */
function generatePlain(decoder: PlainDecoder, prompt: readonly number[], options: GenerateOptions): number[] {
  let scores = new Float32Array(0);
  for (const id of prompt) scores = decoder.step(id);
  const added: number[] = [];
  for (let n = 0; n < options.maxNewTokens; n++) {
    const next = sampleToken(scores, options.sampling);
    added.push(next);
    if (next === options.stopId || n === options.maxNewTokens - 1) break;
    scores = decoder.step(next);
  }
  return added;
}

/**
 * The log-probability (nats) of each `continuation` after its `context`: Σ log P(token | all before it) over the
 * continuation. A context too long keeps its last tokens; rows are scored in batches of `batchSize`.
 */
export function continuationLogProbabilities(
  model: GPT,
  rows: readonly { context: readonly number[]; continuation: readonly number[] }[],
  options: { batchSize?: number } = {},
): number[] {
  const batchSize = options.batchSize ?? 32;
  const contextLength = model.config.contextLength;
  const results: number[] = [];
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize).map(({ context, continuation }, i) => {
      if (continuation.length === 0 || continuation.length >= contextLength) {
        throw new Error(`continuationLogProbabilities: row ${start + i} has a continuation of ${continuation.length} tokens; give 1 to ${contextLength - 1}.`);
      }
      if (context.length === 0) throw new Error(`continuationLogProbabilities: row ${start + i} has an empty context; start it with a token such as <|endoftext|>.`);
      const kept = context.slice(Math.max(0, context.length - (contextLength - continuation.length)));
      return { ids: [...kept, ...continuation], from: kept.length };
    });
    const width = Math.max(...batch.map((b) => b.ids.length));
    // Right-padding with the last id changes nothing before it: the mask is causal.
    const padded = batch.map((b) => [...b.ids, ...Array<number>(width - b.ids.length).fill(b.ids[b.ids.length - 1] as number)]);
    const logProbabilities = tf.tidy(() => tf.logSoftmax(model.logits(idsTensor(padded))));
    const values = logProbabilities.dataSync();
    const vocabulary = model.config.vocabularySize;
    logProbabilities.dispose();
    batch.forEach((b, r) => {
      let total = 0;
      for (let t = b.from; t < b.ids.length; t++) total += values[(r * width + t - 1) * vocabulary + (b.ids[t] as number)] as number;
      results.push(total);
    });
  }
  return results;
}

/** The last `length` ids of each row, left-padded with `padId`, so every row ends where `GPTClassifier` reads. */
export function lastTokens(rows: readonly (readonly number[])[], length: number, padId: number): number[][] {
  checkPositiveIntegers('lastTokens', { length });
  return rows.map((row) => [...Array<number>(Math.max(0, length - row.length)).fill(padId), ...row.slice(Math.max(0, row.length - length))]);
}
