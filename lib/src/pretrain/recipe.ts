/** What a pre-training run is made of (chapter 6): corpus, tokenizer, encoder shape, schedule, seed. */
import { checkPositiveIntegers } from '../util/validate';

/** The settings of a masked-language-model pre-training run; a run resumes only with the same recipe. */
export interface PretrainingRecipe {
  /** The release's name (its folder under `datasets/pretrained/`). */
  name: string;
  /** Seed of `splitReviews`: the chapter's split of IMDB into 25,000 training and 25,000 test reviews. */
  splitSeed: number;
  /** The first this many training reviews are the corpus (the chapter's own training reviews). */
  trainReviews: number;
  /** The next this many training reviews (not repeats of corpus texts) measure held-out masked-token accuracy. */
  heldOutReviews: number;
  /** WordPiece vocabulary learned from the corpus. */
  vocabularySize: number;
  /** Tokens per row, [CLS] and [SEP] included; each review becomes every window of this length. */
  maxLength: number;
  hiddenSize: number;
  layers: number;
  heads: number;
  intermediateSize: number;
  /** Dropout during pre-training (the release records it; fine-tuning may choose another). */
  dropout: number;
  /** Chance that a token is chosen for prediction. */
  maskProbability: number;
  batchSize: number;
  /** Peak learning rate of Adam, reached after the warm-up and then decayed on a cosine to 0. */
  learningRate: number;
  /** Share of the steps spent warming up linearly from 0. */
  warmupFraction: number;
  /** Passes over the corpus; a checkpoint is saved after each. */
  epochs: number;
  /** Gradient clipping by global norm. */
  clipNorm: number;
  /**
   * The masked-LM head's output bias at the start: zeros, or the corpus' log token frequencies
   * (`MaskedLanguageModel.setOutputBiasToLogFrequencies`), which skips the plateau where the model learns frequencies.
   */
  outputBias: 'zeros' | 'log-frequency';
  /** Seed of the weights, the masks and the order of the rows. */
  seed: number;
}

/**
 * The recipe of the book's `mini-bert`: the chapter's encoder (hidden 64, 2 layers) at 128 tokens, on its 22,500
 * training reviews, for longer.
 */
export const MINI_BERT_RECIPE: PretrainingRecipe = {
  name: 'mini-bert',
  splitSeed: 6,
  trainReviews: 22_500,
  heldOutReviews: 500,
  vocabularySize: 8000,
  maxLength: 128,
  hiddenSize: 64,
  layers: 2,
  heads: 4,
  intermediateSize: 256,
  dropout: 0,
  maskProbability: 0.15,
  batchSize: 64,
  learningRate: 3e-3,
  warmupFraction: 0.03,
  epochs: 6,
  clipNorm: 1,
  outputBias: 'log-frequency',
  seed: 2026,
};

/** Throws a clear error unless the recipe's numbers make sense. */
export function checkRecipe(recipe: PretrainingRecipe): void {
  const { trainReviews, heldOutReviews, vocabularySize, maxLength, hiddenSize, layers, heads, intermediateSize, batchSize, epochs } = recipe;
  checkPositiveIntegers('PretrainingRecipe', { trainReviews, heldOutReviews, vocabularySize, maxLength, hiddenSize, layers, heads, intermediateSize, batchSize, epochs });
  if (!/^[a-z0-9][a-z0-9-]*$/.test(recipe.name)) throw new Error(`PretrainingRecipe: name must be lower-case letters, digits and -, got ${JSON.stringify(recipe.name)}.`);
  if (!(recipe.learningRate > 0)) throw new Error(`PretrainingRecipe: learningRate must be positive, got ${recipe.learningRate}.`);
  if (!(recipe.warmupFraction >= 0 && recipe.warmupFraction < 1)) throw new Error(`PretrainingRecipe: warmupFraction must be in [0, 1), got ${recipe.warmupFraction}.`);
  if (recipe.outputBias !== 'zeros' && recipe.outputBias !== 'log-frequency') throw new Error(`PretrainingRecipe: outputBias must be 'zeros' or 'log-frequency', got ${JSON.stringify(recipe.outputBias)}.`);
  if (!(recipe.maskProbability > 0 && recipe.maskProbability < 1)) throw new Error(`PretrainingRecipe: maskProbability must be in (0, 1), got ${recipe.maskProbability}.`);
}
