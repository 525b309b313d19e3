/**
 * Merging neighbour pairs, for both tokenizers (chapters 6 and 13): the training loop that merges the most frequent
 * pair again and again, one pair merged in a word, and the binary heap behind them and BPE's lowest-rank merges.
 */

/** Items come out in the order `before` gives: `before(a, b)` is true when `a` comes out ahead of `b`. */
export class Heap<T> {
  private readonly items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  /** The next item out, left in; undefined when empty. */
  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    let i = items.push(item) - 1;
    while (i > 0 && this.before(item, items[(i - 1) >> 1] as T)) {
      items[i] = items[(i - 1) >> 1] as T;
      i = (i - 1) >> 1;
    }
    items[i] = item;
  }

  /** Takes out the next item; undefined when empty. */
  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop() as T;
    if (items.length === 0) return top;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= items.length) break;
      if (child + 1 < items.length && this.before(items[child + 1] as T, items[child] as T)) child++;
      if (!this.before(items[child] as T, last)) break;
      items[i] = items[child] as T;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

/** Pairs of symbol ids are packed in one number, `left * PAIR + right`: ids stay below 2^21. */
export const PAIR = 2 ** 21;

/** The pairs of neighbouring symbols of one word, as packed keys (with repeats). */
function pairsOf(symbols: readonly number[]): number[] {
  const pairs: number[] = [];
  for (let i = 0; i + 1 < symbols.length; i++) pairs.push((symbols[i] as number) * PAIR + (symbols[i + 1] as number));
  return pairs;
}

/** Joins every (left, right) neighbour pair of `symbols` into `merged`, left to right. */
export function mergeSymbols(symbols: readonly number[], left: number, right: number, merged: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (symbols[i] === left && symbols[i + 1] === right && i + 1 < symbols.length) {
      out.push(merged);
      i++;
    } else out.push(symbols[i] as number);
  }
  return out;
}

/** How `mergeFrequentPairs` chooses and makes its merges. */
export interface MergeRules {
  /** Among pairs seen equally often, whether the packed pair `a` is merged before `b`. */
  tieBefore: (a: number, b: number) => boolean;
  /** Pairs seen fewer times than this are not merged (default 1). */
  minimumCount?: number;
  /** Whether to stop before the next merge (the vocabulary is full). */
  full: () => boolean;
  /** The id of the symbol that `left` followed by `right` becomes, new or existing; called once per merge. */
  merge: (left: number, right: number) => number;
}

/**
 * Training's loop: words as symbol ids (changed in place) seen `counts` times; the most frequent neighbour pair is
 * merged in every word, until `rules.full()` or no pair is seen `minimumCount` times. Pair counts are updated for
 * the words that hold the pair only; the heap's stale entries are put back with their count when they come out.
 */
export function mergeFrequentPairs(words: number[][], counts: readonly number[], rules: MergeRules): void {
  const pairCounts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const holds = (pair: number, w: number): void => {
    let set = where.get(pair);
    if (!set) where.set(pair, (set = new Set()));
    set.add(w);
  };
  words.forEach((symbols, w) => {
    for (const pair of pairsOf(symbols)) {
      pairCounts.set(pair, (pairCounts.get(pair) ?? 0) + (counts[w] as number));
      holds(pair, w);
    }
  });
  const queue = new Heap<{ count: number; pair: number }>((a, b) => (a.count !== b.count ? a.count > b.count : rules.tieBefore(a.pair, b.pair)));
  for (const [pair, count] of pairCounts) queue.push({ count, pair });
  while (!rules.full() && queue.size > 0) {
    const top = queue.pop() as { count: number; pair: number };
    const current = pairCounts.get(top.pair) ?? 0;
    if (current !== top.count) {
      if (current > 0) queue.push({ count: current, pair: top.pair });
      continue;
    }
    if (current < (rules.minimumCount ?? 1)) break;
    const left = Math.floor(top.pair / PAIR);
    const right = top.pair % PAIR;
    const merged = rules.merge(left, right);
    const grown = new Set<number>();
    for (const w of where.get(top.pair) ?? []) {
      const before = words[w] as number[];
      const after = mergeSymbols(before, left, right, merged);
      if (after.length === before.length) continue;
      words[w] = after;
      const count = counts[w] as number;
      const change = new Map<number, number>();
      for (const pair of pairsOf(before)) change.set(pair, (change.get(pair) ?? 0) - count);
      for (const pair of pairsOf(after)) change.set(pair, (change.get(pair) ?? 0) + count);
      for (const [pair, delta] of change) {
        if (delta === 0) continue;
        const next = (pairCounts.get(pair) ?? 0) + delta;
        if (next === 0) pairCounts.delete(pair);
        else pairCounts.set(pair, next);
        if (delta > 0) {
          grown.add(pair);
          holds(pair, w);
        }
      }
    }
    where.delete(top.pair);
    for (const pair of grown) {
      const count = pairCounts.get(pair) ?? 0;
      if (count > 0) queue.push({ count, pair });
    }
  }
}
