/** Bag of words (chapter 6), the baseline a Transformer must beat: a text as the set of its common words' ids. */
import { basicTokens } from './wordpiece';
import { checkPositiveIntegers } from '../util/validate';

/** A word vocabulary for bags of words; id 0 is reserved for padding. */
export class WordVocabulary {
  /** `words[id]` is the word with that id; `words[0]` is the padding entry ''. */
  readonly words: readonly string[];
  /** Whether adjacent word pairs ("not good") are terms too, besides the words. */
  readonly bigrams: boolean;
  private readonly ids: Map<string, number>;

  private constructor(words: string[], bigrams: boolean) {
    this.words = words;
    this.bigrams = bigrams;
    this.ids = new Map(words.map((w, i) => [w, i]));
  }

  /** The terms of a text: its words, then, with `bigrams`, each pair of adjacent words joined by a space. */
  private terms(text: string): string[] {
    const words = basicTokens(text);
    return this.bigrams ? [...words, ...words.slice(1).map((w, i) => `${words[i]} ${w}`)] : words;
  }

  /** The `size` words found in the most training texts (at least `minimumDocuments`, default 2), ties alphabetical; bigrams compete too. */
  static fromTexts(texts: Iterable<string>, options: { size: number; minimumDocuments?: number; bigrams?: boolean }): WordVocabulary {
    checkPositiveIntegers('WordVocabulary', { size: options.size });
    const counting = new WordVocabulary([], options.bigrams ?? false);
    const documentCounts = new Map<string, number>();
    for (const text of texts) {
      for (const word of new Set(counting.terms(text))) documentCounts.set(word, (documentCounts.get(word) ?? 0) + 1);
    }
    const minimum = options.minimumDocuments ?? 2;
    const ranked = [...documentCounts]
      .filter(([, n]) => n >= minimum)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, options.size)
      .map(([w]) => w);
    return new WordVocabulary(['', ...ranked], counting.bigrams);
  }

  /** Number of ids, the padding id 0 included. */
  get size(): number {
    return this.words.length;
  }

  /** The sorted ids of the distinct known terms of a text; unknown ones are dropped. */
  bag(text: string): number[] {
    const ids = new Set<number>();
    for (const word of this.terms(text)) {
      const id = this.ids.get(word);
      if (id !== undefined) ids.add(id);
    }
    return [...ids].sort((a, b) => a - b);
  }

  /** Bags of many texts as one `[texts.length, maxWords]` array padded with 0; a longer bag keeps its rarest words (highest ids). */
  bags(texts: readonly string[], maxWords: number): Int32Array {
    const out = new Int32Array(texts.length * maxWords);
    texts.forEach((text, row) => {
      const ids = this.bag(text);
      out.set(ids.length > maxWords ? ids.slice(ids.length - maxWords) : ids, row * maxWords);
    });
    return out;
  }
}
