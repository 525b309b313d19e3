/**
 * The seeded generator of gym-js (chapters 0, 5 and 9): every environment and space owns one, as in Gymnasium; gym-js
 * never replaces `Math.random`. dlkit builds the book-wide `seed()` on `Random`.
 */

/**
 * A seedable generator (mulberry32) of floats in [0, 1). The seed's integer part picks the stream; bits above the lowest
 * 32 are mixed in, so `new Random(0)` and `new Random(2 ** 32)` differ.
 */
export class Random {
  private state: number;

  constructor(seedValue: number) {
    if (!Number.isFinite(seedValue)) {
      throw new Error(`Random: the seed must be a finite number, got ${seedValue}.`);
    }
    const whole = Math.floor(seedValue);
    const high = Math.floor(whole / 4294967296);
    // Math.imul(high, odd constant) is 0 only for high = 0 (mod 2^32), so seeds below 2^32 are unchanged.
    const mixedHigh = high > 0 ? Math.imul(high ^ (high >>> 16), 0x85ebca6b) ^ Math.imul(Math.floor(high / 4294967296), 0xc2b2ae35) : 0;
    this.state = (whole ^ 0x9e3779b9 ^ mixedHigh) >>> 0;
  }

  /** A float uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A float uniform in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.next();
  }

  /** An integer uniform in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) {
      throw new Error(`Random.int: n must be a positive integer, got ${n}.`);
    }
    return Math.floor(this.next() * n);
  }

  /** A standard normal draw (Box-Muller). */
  normal(mean = 0, std = 1): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `array` in place (Fisher-Yates) and returns it. */
  shuffle<T>(array: T[]): T[] {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i] as T;
      array[i] = array[j] as T;
      array[j] = tmp;
    }
    return array;
  }

  /** The generator's internal state, to save in a checkpoint. */
  getState(): number {
    return this.state;
  }

  /** Puts back a state from `getState()`: the draws that follow repeat exactly. */
  setState(state: number): void {
    if (!Number.isInteger(state)) throw new Error(`Random.setState: expected an integer state from getState(), got ${state}.`);
    this.state = state >>> 0;
  }

  /** A 32-bit integer, handy as a seed for another generator or a tfjs op. */
  seedInt(): number {
    return Math.floor(this.next() * 2147483647);
  }
}

/** A seed for an unseeded generator, from `Math.random()` (Gymnasium: the operating system); dlkit's `seed(n)` makes it repeat. */
export function unseededSeed(): number {
  return Math.floor(Math.random() * 2147483647);
}
