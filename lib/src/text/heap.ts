/** A binary heap for the tokenizers (chapters 6 and 13): their training's most frequent pair, BPE's lowest-rank merge. */

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
