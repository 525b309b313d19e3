/**
 * Choosing the next token from logits (chapter 13): greedy, temperature, top-k and top-p, on plain numbers with
 * dlkit's seeded generator; filters in Hugging Face's `generate` order: temperature, top-k, top-p.
 */
import { type Random, rng } from '../util/random';

/** Options of `sampleToken` and `samplingDistribution`. */
export interface SamplingOptions {
  /** Divides the logits before the softmax (default 1): below 1 sharpens, above flattens, 0 is greedy. */
  temperature?: number;
  /** Keep only the k most likely tokens (a whole number of at least 1; above the vocabulary keeps all). */
  topK?: number;
  /** Nucleus: keep the smallest set of most likely tokens whose probability adds up to at least p, in (0, 1]. */
  topP?: number;
  /** The generator to draw from (default: dlkit's shared `rng()`, set by `seed`). */
  random?: Random;
}

function checkLogits(logits: ArrayLike<number>, what: string): void {
  if (logits === null || typeof logits !== 'object' || typeof logits.length !== 'number') {
    throw new Error(`${what}: expected an array of logits (numbers), got ${logits === null ? 'null' : typeof logits}.`);
  }
  if (logits.length === 0) throw new Error(`${what}: the logits are empty; give one logit per token of the vocabulary.`);
  let finite = false;
  for (let i = 0; i < logits.length; i++) {
    const value = logits[i] as number;
    if (typeof value !== 'number' || Number.isNaN(value) || value === Infinity) {
      throw new Error(`${what}: logit ${i} is ${value}; logits must be numbers below +Infinity (-Infinity masks a token out). Check the model's output for NaN.`);
    }
    if (value !== -Infinity) finite = true;
  }
  if (!finite) throw new Error(`${what}: every logit is -Infinity, so no token can be chosen; leave at least one token unmasked.`);
}

function checkOptions(options: SamplingOptions, what: string): void {
  const { temperature, topK, topP } = options;
  if (temperature !== undefined && !(Number.isFinite(temperature) && temperature >= 0)) {
    throw new Error(`${what}: temperature must be a finite number of at least 0 (0 means greedy, 1 the model's own distribution), got ${temperature}.`);
  }
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1)) {
    throw new Error(`${what}: topK must be a whole number of at least 1 (the number of most likely tokens kept), got ${topK}.`);
  }
  if (topP !== undefined && !(typeof topP === 'number' && topP > 0 && topP <= 1)) {
    throw new Error(`${what}: topP must be in (0, 1] (the probability mass kept; 1 keeps every token), got ${topP}.`);
  }
}

/** The index of the highest logit, the first one on ties: greedy decoding. */
export function greedyToken(logits: ArrayLike<number>): number {
  checkLogits(logits, 'greedyToken');
  let best = 0;
  for (let i = 1; i < logits.length; i++) if ((logits[i] as number) > (logits[best] as number)) best = i;
  return best;
}

/** Token indices from most to least likely, ties to the lower index. */
function rankTokens(logits: ArrayLike<number>): number[] {
  const order = Array.from({ length: logits.length }, (_, i) => i);
  return order.sort((a, b) => (logits[b] as number) - (logits[a] as number) || a - b);
}

/** softmax(logits / temperature) cut to the top k, then to the nucleus of mass p, renormalised; temperature 0 is greedy. */
export function samplingDistribution(logits: ArrayLike<number>, options: Omit<SamplingOptions, 'random'> = {}): Float64Array {
  checkLogits(logits, 'samplingDistribution');
  checkOptions(options, 'samplingDistribution');
  const temperature = options.temperature ?? 1;
  const probabilities = new Float64Array(logits.length);
  if (temperature === 0) {
    probabilities[greedyToken(logits)] = 1;
    return probabilities;
  }
  const ranked = rankTokens(logits);
  const highest = logits[ranked[0] as number] as number;
  let kept = Math.min(options.topK ?? logits.length, logits.length);
  let total = 0;
  for (let r = 0; r < kept; r++) {
    const i = ranked[r] as number;
    const p = Math.exp(((logits[i] as number) - highest) / temperature);
    probabilities[i] = p;
    total += p;
  }
  const topP = options.topP ?? 1;
  if (topP < 1) {
    // The smallest prefix of the ranking whose (renormalised) mass reaches p.
    let mass = 0;
    for (let r = 0; r < kept; r++) {
      mass += (probabilities[ranked[r] as number] as number) / total;
      if (mass >= topP) {
        kept = r + 1;
        break;
      }
    }
    total = 0;
    for (let r = 0; r < ranked.length; r++) {
      const i = ranked[r] as number;
      if (r < kept) total += probabilities[i] as number;
      else probabilities[i] = 0;
    }
  }
  for (let i = 0; i < probabilities.length; i++) probabilities[i] = (probabilities[i] as number) / total;
  return probabilities;
}

/** Draws the next token: greedy at temperature 0, else from `samplingDistribution` with the seeded generator. */
export function sampleToken(logits: ArrayLike<number>, options: SamplingOptions = {}): number {
  checkOptions(options, 'sampleToken');
  if (options.temperature === 0) return greedyToken(logits);
  const probabilities = samplingDistribution(logits, options);
  const u = (options.random ?? rng()).next();
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i] as number;
    if (p === 0) continue;
    cumulative += p;
    last = i;
    if (u < cumulative) return i;
  }
  return last; // u fell in the rounding gap above the last cumulative sum
}
