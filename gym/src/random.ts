/**
 * Seeded randomness for the whole book (chapter 0 introduces it), in gym-js
 * because environments and spaces draw from it; dlkit re-exports it.
 *
 * TensorFlow.js draws its own seeds from `Math.random()` whenever an op or an
 * initialiser is not given one, so `seed(n)` replaces `Math.random` with a
 * seeded generator: after it, weight initialisers, dropout masks, dataset
 * shuffles and environment resets all repeat exactly for the same `n` on the
 * same backend.
 */

/**
 * A small, fast, seedable generator (mulberry32) returning floats in [0, 1)
 * (chapter 0). The seed's integer part picks the stream; for seeds of 2^32
 * and more the bits above the lowest 32 are mixed in too, so `new Random(0)`
 * and `new Random(2 ** 32)` differ (seeds below 2^32 keep their streams).
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

  /** The generator's internal state, to save in a checkpoint (chapter 5). */
  getState(): number {
    return this.state;
  }

  /** Puts back a state from `getState()`: the draws that follow repeat exactly (chapter 5). */
  setState(state: number): void {
    if (!Number.isInteger(state)) throw new Error(`Random.setState: expected an integer state from getState(), got ${state}.`);
    this.state = state >>> 0;
  }

  /** A 32-bit integer, handy as a seed for another generator or a tfjs op. */
  seedInt(): number {
    return Math.floor(this.next() * 2147483647);
  }
}

const nativeMathRandom = Math.random;
let globalRandom = new Random(Date.now());
let currentSeed: number | null = null;

/**
 * Seeds every source of randomness the book uses (chapter 0): `Math.random`
 * (and so TensorFlow.js initialisers, dropout and random ops), `rng()` used by
 * datasets and environments, and `nextSeed()`.
 */
export function seed(n: number): void {
  globalRandom = new Random(n);
  currentSeed = n;
  Math.random = () => globalRandom.next();
}

/** Undoes `seed()`: `Math.random` is the platform's again. */
export function unseed(): void {
  Math.random = nativeMathRandom;
  globalRandom = new Random(Date.now());
  currentSeed = null;
}

/** The seed last passed to `seed()`, or null when unseeded. */
export function currentGlobalSeed(): number | null {
  return currentSeed;
}

/** The shared generator that `seed()` resets (chapter 0). */
export function rng(): Random {
  return globalRandom;
}

/** A fresh integer seed drawn from the shared generator, for tfjs ops and initialisers. */
export function nextSeed(): number {
  return globalRandom.seedInt();
}
