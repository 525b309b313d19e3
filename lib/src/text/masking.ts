/** BERT's masking of token ids for masked-language-model pre-training (chapter 6). */
import { type Random, rng } from '../util/random';

export interface MaskingOptions {
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
 * BERT's masking: each non-special token is chosen with `probability` (15%), then replaced by [MASK] 80% of the
 * time, a random token 10%, kept 10%; at least one is chosen if any can be. Returns the new ids, the chosen flat
 * positions and their original ids.
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
