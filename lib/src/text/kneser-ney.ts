/**
 * The interpolated Kneser-Ney n-gram language model over token ids (chapter 13; Chen and Goodman 1998):
 *   P_n(w | h) = max(c(h w) - D_n, 0) / c(h) + D_n · N1+(h •) / c(h) · P_{n-1}(w | h'),   P_0(w) = 1 / V
 * h' is h without its oldest token; c is the raw count at the highest order and the continuation count
 * N1+(• h w) below; N1+(h •) counts the different tokens after h. An unseen context leaves its order out.
 */

/** Options of `KneserNeyLanguageModel.fit`. */
export interface KneserNeyOptions {
  /** n of the n-grams: the model reads the last n - 1 tokens (3 to 5 is usual; 1 to 8 allowed). */
  order: number;
  /** Number of token ids: ids run from 0 to vocabularySize - 1, seen or not. */
  vocabularySize: number;
  /** Discount D in (0, 1], one or one per order (lowest first); default per order n1 / (n1 + 2 n2) (Ney et al. 1994), else 0.75. */
  discount?: number | number[];
}

/** Default discount when the counts of counts cannot estimate one. */
const FALLBACK_DISCOUNT = 0.75;
const MAX_ORDER = 8;

/** A hash table, open addressing, from whole-number keys (< 2^53) to values (< 2^31): a `Map` boxes such keys, is slower, stops at 2^24. */
class CountTable {
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1024) {
    this.keys = new Float64Array(capacity).fill(-1);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  private slot(key: number): number {
    const low = key >>> 0;
    const high = (key / 4294967296) >>> 0;
    let h = Math.imul(low, 0x9e3779b1) ^ Math.imul(high + 0x7f4a7c15, 0x85ebca6b);
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    let i = h & this.mask;
    for (;;) {
      const k = this.keys[i] as number;
      if (k === key || k === -1) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** The value of a key, or -1 when it is absent. */
  get(key: number): number {
    const i = this.slot(key);
    return this.keys[i] === key ? (this.values[i] as number) : -1;
  }

  /** Adds delta to a key's value (0 when absent). */
  add(key: number, delta: number): void {
    const i = this.slot(key);
    if (this.keys[i] === key) this.values[i] += delta;
    else this.insert(i, key, delta);
  }

  /** The value of a key, inserting `value` first when it is absent. */
  getOrInsert(key: number, value: number): number {
    const i = this.slot(key);
    if (this.keys[i] === key) return this.values[i] as number;
    this.insert(i, key, value);
    return value;
  }

  private insert(i: number, key: number, value: number): void {
    this.keys[i] = key;
    this.values[i] = value;
    this.size++;
    if (this.size * 4 > this.keys.length * 3) this.grow();
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.values = new Int32Array(keys.length * 2);
    this.mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j] as number;
      if (key === -1) continue;
      const i = this.slot(key);
      this.keys[i] = key;
      this.values[i] = values[j] as number;
    }
  }

  forEach(visit: (key: number, value: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) {
      const key = this.keys[i] as number;
      if (key !== -1) visit(key, this.values[i] as number);
    }
  }
}

/**
 * An interpolated Kneser-Ney language model: `fit` it, then `probability`, `logProbability` or `perplexity`.
 * Every sequence starts after order - 1 start markers; a context is the tokens since its sequence began.
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
  private readonly children: CountTable;
  /** For each context node: its count c(h) and its number of different followers N1+(h •). */
  private readonly totals: Float64Array;
  private readonly followers: Float64Array;
  /** counts[k - 1]: the order-k counts, key = context node * V + token. */
  private readonly counts: CountTable[];

  private constructor(
    order: number,
    vocabularySize: number,
    discounts: number[],
    trainingTokens: number,
    children: CountTable,
    totals: Float64Array,
    followers: Float64Array,
    counts: CountTable[],
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

  /** Counts the n-grams of token sequences and estimates the discounts. */
  static fit(sequences: Iterable<ArrayLike<number>>, options: KneserNeyOptions): KneserNeyLanguageModel {
    const { order, vocabularySize: size } = options;
    if (!Number.isInteger(order) || order < 1 || order > MAX_ORDER) {
      throw new Error(`KneserNeyLanguageModel.fit: order must be a whole number from 1 to ${MAX_ORDER} (3 to 5 is usual), got ${order}.`);
    }
    if (!Number.isInteger(size) || size < 1 || size >= 2 ** 21) {
      throw new Error(`KneserNeyLanguageModel.fit: vocabularySize must be a whole number from 1 to ${2 ** 21 - 1}, got ${size}; give the tokenizer's vocabulary size.`);
    }
    const start = size; // the start marker, only ever in contexts
    const children = new CountTable();
    const parents: number[] = [-1];
    const top = new CountTable();
    let trainingTokens = 0;
    let index = 0;
    for (const sequence of sequences) {
      checkTokens(sequence, size, `KneserNeyLanguageModel.fit: sequence ${index}`);
      for (let i = 0; i < sequence.length; i++) {
        let node = 0;
        for (let k = 1; k < order; k++) {
          const previous = i - k >= 0 ? (sequence[i - k] as number) : start;
          const child = children.getOrInsert(node * (size + 1) + previous, parents.length);
          if (child === parents.length) parents.push(node);
          node = child;
        }
        top.add(node * size + (sequence[i] as number), 1);
      }
      trainingTokens += sequence.length;
      index++;
    }
    if (trainingTokens === 0) throw new Error('KneserNeyLanguageModel.fit: the sequences hold no tokens; give it some non-empty token sequences.');
    // counts[k - 1] holds order k. Below the highest order, N1+(• h w): one per different older token.
    const counts: CountTable[] = new Array(order);
    counts[order - 1] = top;
    for (let k = order - 1; k >= 1; k--) {
      const lower = new CountTable();
      (counts[k] as CountTable).forEach((key) => {
        const node = Math.floor(key / size);
        lower.add((parents[node] as number) * size + (key - node * size), 1);
      });
      counts[k - 1] = lower;
    }
    const totals = new Float64Array(parents.length);
    const followers = new Float64Array(parents.length);
    const estimated: number[] = [];
    for (const orderCounts of counts) {
      let once = 0;
      let twice = 0;
      orderCounts.forEach((key, count) => {
        const node = Math.floor(key / size);
        totals[node] += count;
        followers[node] += 1;
        if (count === 1) once++;
        else if (count === 2) twice++;
      });
      estimated.push(once > 0 && twice > 0 ? once / (once + 2 * twice) : FALLBACK_DISCOUNT);
    }
    const discounts = chooseDiscounts(options.discount, estimated, order);
    return new KneserNeyLanguageModel(order, size, discounts, trainingTokens, children, totals, followers, counts);
  }

  /** P(token | context) where context is what came before since its sequence began. */
  probability(context: ArrayLike<number>, token: number): number {
    checkTokens(context, this.vocabularySize, 'KneserNeyLanguageModel.probability: the context');
    checkTokens([token], this.vocabularySize, 'KneserNeyLanguageModel.probability: the token');
    return this.probabilityAt(context, context.length, token);
  }

  /** The natural logarithm of `probability`. */
  logProbability(context: ArrayLike<number>, token: number): number {
    return Math.log(this.probability(context, token));
  }

  /** P(w | context) for every token id w, a distribution that sums to 1. */
  distribution(context: ArrayLike<number>): Float64Array {
    checkTokens(context, this.vocabularySize, 'KneserNeyLanguageModel.distribution: the context');
    const out = new Float64Array(this.vocabularySize);
    for (let w = 0; w < this.vocabularySize; w++) out[w] = this.probabilityAt(context, context.length, w);
    return out;
  }

  /** Mean negative log-likelihood per token (nats) of held-out sequences, each token from those before it. */
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

  /** exp(cross-entropy): the perplexity of held-out sequences. */
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
        if (child < 0) break; // a context never seen: this order and the ones above add nothing
        node = child;
      }
      const total = this.totals[node] as number;
      if (total === 0) break;
      const count = Math.max((this.counts[k - 1] as CountTable).get(node * size + token), 0);
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
