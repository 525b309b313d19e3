/**
 * The interpolated Kneser-Ney n-gram language model (chapter 13), over token ids, as Chen and
 * Goodman (1998) write it: the highest order uses raw counts, each lower order counts in how many
 * different contexts a token was seen (continuation counts), every order gives up a discount D
 * per seen token to the order below, and the lowest order shares its part uniformly over the
 * vocabulary, so a token never seen still has a probability.
 *
 *   P_n(w | h) = max(c(h w) - D_n, 0) / c(h) + D_n · N1+(h •) / c(h) · P_{n-1}(w | h')
 *   P_0(w) = 1 / V
 *
 * where h' is h without its oldest token, c is the raw count at the highest order and the
 * continuation count N1+(• h w) below it, and N1+(h •) the number of different tokens seen after
 * h. A context never seen leaves its order out (P_n = P_{n-1}).
 */

/** Options of `KneserNeyLanguageModel.fit` (chapter 13). */
export interface KneserNeyOptions {
  /** n of the n-grams: the model reads the last n - 1 tokens (3 to 5 is usual; 1 to 8 allowed). */
  order: number;
  /** Number of token ids: ids run from 0 to vocabularySize - 1, seen or not. */
  vocabularySize: number;
  /**
   * Discount D in (0, 1], one for all orders or one per order (lowest first). Default: estimated
   * per order from its counts of counts, D = n1 / (n1 + 2 n2) (Ney, Essen and Kneser 1994), or
   * 0.75 when that order has no n-gram seen once or none seen twice.
   */
  discount?: number | number[];
}

/** Default discount when the counts of counts cannot estimate one. */
const FALLBACK_DISCOUNT = 0.75;
const MAX_ORDER = 8;

/**
 * An interpolated Kneser-Ney language model (chapter 13): `fit` it on token sequences, then read
 * `probability(context, token)`, `logProbability` or a held-out `perplexity`. Each sequence is
 * read as if preceded by order - 1 start markers, so the first tokens are predicted from "start
 * of sequence"; a context given to `probability` is likewise the tokens since the start of its
 * sequence (only the last order - 1 are used).
 */
export class KneserNeyLanguageModel {
  /** n of the n-grams. */
  readonly order: number;
  /** Number of token ids. */
  readonly vocabularySize: number;
  /** The discount of each order, lowest (unigrams) first. */
  readonly discounts: readonly number[];
  /** Number of tokens the model was fitted on. */
  readonly trainingTokens: number;
  /** Context nodes of a trie that grows towards older tokens: child key = parent * (V + 1) + token. */
  private readonly children: Map<number, number>;
  /** For each context node: its count c(h) and its number of different followers N1+(h •). */
  private readonly totals: Float64Array;
  private readonly followers: Float64Array;
  /** counts[k - 1]: the order-k counts, key = context node * V + token. */
  private readonly counts: Map<number, number>[];

  private constructor(
    order: number,
    vocabularySize: number,
    discounts: number[],
    trainingTokens: number,
    children: Map<number, number>,
    totals: Float64Array,
    followers: Float64Array,
    counts: Map<number, number>[],
  ) {
    this.order = order;
    this.vocabularySize = vocabularySize;
    this.discounts = discounts;
    this.trainingTokens = trainingTokens;
    this.children = children;
    this.totals = totals;
    this.followers = followers;
    this.counts = counts;
  }

  /** Counts the n-grams of token sequences and estimates the discounts (chapter 13). */
  static fit(sequences: Iterable<ArrayLike<number>>, options: KneserNeyOptions): KneserNeyLanguageModel {
    const { order, vocabularySize: size } = options;
    if (!Number.isInteger(order) || order < 1 || order > MAX_ORDER) {
      throw new Error(`KneserNeyLanguageModel.fit: order must be a whole number from 1 to ${MAX_ORDER} (3 to 5 is usual), got ${order}.`);
    }
    if (!Number.isInteger(size) || size < 1 || size >= 2 ** 21) {
      throw new Error(`KneserNeyLanguageModel.fit: vocabularySize must be a whole number from 1 to ${2 ** 21 - 1}, got ${size}; give the tokenizer's vocabulary size.`);
    }
    const start = size; // the start marker, only ever in contexts
    const children = new Map<number, number>();
    const parents: number[] = [-1];
    const top = new Map<number, number>();
    let trainingTokens = 0;
    let index = 0;
    for (const sequence of sequences) {
      checkTokens(sequence, size, `KneserNeyLanguageModel.fit: sequence ${index}`);
      for (let i = 0; i < sequence.length; i++) {
        let node = 0;
        for (let k = 1; k < order; k++) {
          const previous = i - k >= 0 ? (sequence[i - k] as number) : start;
          const key = node * (size + 1) + previous;
          let child = children.get(key);
          if (child === undefined) {
            child = parents.length;
            parents.push(node);
            children.set(key, child);
          }
          node = child;
        }
        const key = node * size + (sequence[i] as number);
        top.set(key, (top.get(key) ?? 0) + 1);
      }
      trainingTokens += sequence.length;
      index++;
    }
    if (trainingTokens === 0) throw new Error('KneserNeyLanguageModel.fit: the sequences hold no tokens; give it some non-empty token sequences.');
    // counts[k - 1] holds order k. Below the highest order, N1+(• h w): one per different older token.
    const counts: Map<number, number>[] = new Array(order);
    counts[order - 1] = top;
    for (let k = order - 1; k >= 1; k--) {
      const lower = new Map<number, number>();
      for (const key of (counts[k] as Map<number, number>).keys()) {
        const node = Math.floor(key / size);
        const lowerKey = (parents[node] as number) * size + (key - node * size);
        lower.set(lowerKey, (lower.get(lowerKey) ?? 0) + 1);
      }
      counts[k - 1] = lower;
    }
    const totals = new Float64Array(parents.length);
    const followers = new Float64Array(parents.length);
    const estimated: number[] = [];
    for (const orderCounts of counts) {
      let once = 0;
      let twice = 0;
      for (const [key, count] of orderCounts) {
        const node = Math.floor(key / size);
        totals[node] += count;
        followers[node] += 1;
        if (count === 1) once++;
        else if (count === 2) twice++;
      }
      estimated.push(once > 0 && twice > 0 ? once / (once + 2 * twice) : FALLBACK_DISCOUNT);
    }
    const discounts = chooseDiscounts(options.discount, estimated, order);
    return new KneserNeyLanguageModel(order, size, discounts, trainingTokens, children, totals, followers, counts);
  }

  /** P(token | context) where context is what came before since its sequence began (chapter 13). */
  probability(context: ArrayLike<number>, token: number): number {
    checkTokens(context, this.vocabularySize, 'KneserNeyLanguageModel.probability: the context');
    checkTokens([token], this.vocabularySize, 'KneserNeyLanguageModel.probability: the token');
    return this.probabilityAt(context, context.length, token);
  }

  /** The natural logarithm of `probability` (chapter 13). */
  logProbability(context: ArrayLike<number>, token: number): number {
    return Math.log(this.probability(context, token));
  }

  /** P(w | context) for every token id w, a distribution that sums to 1 (chapter 13). */
  distribution(context: ArrayLike<number>): Float64Array {
    checkTokens(context, this.vocabularySize, 'KneserNeyLanguageModel.distribution: the context');
    const out = new Float64Array(this.vocabularySize);
    for (let w = 0; w < this.vocabularySize; w++) out[w] = this.probabilityAt(context, context.length, w);
    return out;
  }

  /**
   * Mean negative log-likelihood per token, in nats, of held-out sequences (chapter 13): every
   * token of every sequence is predicted from the ones before it in its sequence.
   */
  crossEntropy(sequences: Iterable<ArrayLike<number>>): number {
    let total = 0;
    let tokens = 0;
    let index = 0;
    for (const sequence of sequences) {
      checkTokens(sequence, this.vocabularySize, `KneserNeyLanguageModel: held-out sequence ${index}`);
      for (let i = 0; i < sequence.length; i++) total -= Math.log(this.probabilityAt(sequence, i, sequence[i] as number));
      tokens += sequence.length;
      index++;
    }
    if (tokens === 0) throw new Error('KneserNeyLanguageModel: the held-out sequences hold no tokens; give it some non-empty token sequences.');
    return total / tokens;
  }

  /** exp(cross-entropy): the perplexity of held-out sequences (chapter 13). */
  perplexity(sequences: Iterable<ArrayLike<number>>): number {
    return Math.exp(this.crossEntropy(sequences));
  }

  /** P(token | the tokens of `sequence` before position `at`), ids already checked. */
  private probabilityAt(sequence: ArrayLike<number>, at: number, token: number): number {
    const size = this.vocabularySize;
    let p = 1 / size;
    let node = 0;
    for (let k = 1; k <= this.order; k++) {
      if (k > 1) {
        const previous = at - (k - 1) >= 0 ? (sequence[at - (k - 1)] as number) : size;
        const child = this.children.get(node * (size + 1) + previous);
        if (child === undefined) break; // a context never seen: this order and the ones above add nothing
        node = child;
      }
      const total = this.totals[node] as number;
      if (total === 0) break;
      const count = (this.counts[k - 1] as Map<number, number>).get(node * size + token) ?? 0;
      const discount = this.discounts[k - 1] as number;
      p = (Math.max(count - discount, 0) + discount * (this.followers[node] as number) * p) / total;
    }
    return p;
  }
}

function checkTokens(tokens: ArrayLike<number>, size: number, what: string): void {
  if (tokens === null || typeof tokens !== 'object' || typeof tokens.length !== 'number') {
    throw new Error(`${what} must be an array of token ids, got ${tokens === null ? 'null' : typeof tokens}.`);
  }
  for (let i = 0; i < tokens.length; i++) {
    const id = tokens[i] as number;
    if (!Number.isInteger(id) || id < 0 || id >= size) {
      throw new Error(`${what} holds ${id} at position ${i}; token ids must be whole numbers from 0 to ${size - 1} (vocabularySize ${size}).`);
    }
  }
}

function chooseDiscounts(discount: number | number[] | undefined, estimated: number[], order: number): number[] {
  if (discount === undefined) return estimated;
  const discounts = typeof discount === 'number' ? new Array<number>(order).fill(discount) : [...discount];
  if (discounts.length !== order || discounts.some((d) => !(d > 0 && d <= 1))) {
    throw new Error(
      `KneserNeyLanguageModel.fit: discount must be one number in (0, 1] or ${order} of them (one per order, lowest first), got ${JSON.stringify(discount)}.`,
    );
  }
  return discounts;
}
