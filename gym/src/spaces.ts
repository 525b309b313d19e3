/**
 * Action and observation spaces (chapter 9), after Gymnasium's `spaces`: `contains` and `sample`. Each space owns its
 * generator; an unseeded one seeds itself from `Math.random()`, so dlkit's `seed(...)` makes random policies repeat.
 */
import { Random, unseededSeed } from './random';

/** The largest finite float32, the bound Gymnasium's CartPole uses for its unbounded velocities. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** The base of every space: a set of legal values with a seedable sampler. */
export abstract class Space<T> {
  private generator: Random | null = null;

  /** Seeds this space's generator and returns the seed (drawn from `Math.random()` without an argument). */
  seed(value?: number): number {
    const used = value ?? unseededSeed();
    if (!Number.isFinite(used)) {
      throw new Error(`Space.seed: the seed must be a finite number, got ${String(value)}.`);
    }
    this.generator = new Random(used);
    return used;
  }

  /** The space's generator, created on first use from an unseeded seed. */
  protected get random(): Random {
    if (this.generator === null) this.seed();
    return this.generator as Random;
  }

  /** A random element of the space, drawn with the space's own generator. */
  abstract sample(): T;

  /** True when `value` is an element of the space. */
  abstract contains(value: unknown): boolean;

  /** A short description such as `Discrete(2)`. */
  abstract toString(): string;
}

/** The integers `start, start + 1, ..., start + n - 1`, e.g. CartPole's actions `Discrete(2)`. */
export class Discrete extends Space<number> {
  constructor(
    readonly n: number,
    readonly start = 0,
  ) {
    super();
    if (!Number.isInteger(n) || n <= 0) {
      throw new Error(`Discrete: n must be a positive integer (the number of choices), got ${n}.`);
    }
    if (!Number.isInteger(start)) {
      throw new Error(`Discrete: start must be an integer, got ${start}.`);
    }
  }

  /** A uniformly random integer of the space. */
  sample(): number {
    return this.start + this.random.int(this.n);
  }

  /** True for an integer number in `[start, start + n)`. */
  contains(value: unknown): boolean {
    return typeof value === 'number' && Number.isInteger(value) && value >= this.start && value < this.start + this.n;
  }

  toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }
}

/**
 * Float32 vectors with bounds `low[i] <= x[i] <= high[i]`; samples uniform where both bounds are finite, normal where
 * neither is, shifted exponential where one is, as in Gymnasium.
 */
export class Box extends Space<Float32Array> {
  readonly low: Float32Array;
  readonly high: Float32Array;
  readonly shape: readonly number[];
  readonly dtype = 'float32' as const;

  constructor(low: ArrayLike<number>, high: ArrayLike<number>) {
    super();
    if (low.length !== high.length || low.length === 0) {
      throw new Error(
        `Box: low and high must be non-empty and of the same length, got ${low.length} and ${high.length}.`,
      );
    }
    this.low = Float32Array.from(low);
    this.high = Float32Array.from(high);
    for (let i = 0; i < this.low.length; i++) {
      if (Number.isNaN(this.low[i]) || Number.isNaN(this.high[i]) || (this.low[i] as number) > (this.high[i] as number)) {
        throw new Error(`Box: need low[${i}] <= high[${i}], got ${this.low[i]} and ${this.high[i]}.`);
      }
    }
    this.shape = [this.low.length];
  }

  /** A random vector of the box (see the class comment for the distributions). */
  sample(): Float32Array {
    const out = new Float32Array(this.low.length);
    const random = this.random;
    for (let i = 0; i < out.length; i++) {
      const low = this.low[i] as number;
      const high = this.high[i] as number;
      const lowBounded = Number.isFinite(low);
      const highBounded = Number.isFinite(high);
      if (lowBounded && highBounded) out[i] = low + (high - low) * random.next();
      else if (!lowBounded && !highBounded) out[i] = random.normal();
      else if (lowBounded) out[i] = low - Math.log(1 - random.next());
      else out[i] = high + Math.log(1 - random.next());
    }
    return out;
  }

  /** True for an array of numbers of the box's length, every component within its bounds. */
  contains(value: unknown): boolean {
    if (!(value instanceof Float32Array || value instanceof Float64Array || Array.isArray(value))) return false;
    const vector = value as ArrayLike<unknown>;
    if (vector.length !== this.low.length) return false;
    for (let i = 0; i < vector.length; i++) {
      const component = vector[i];
      if (typeof component !== 'number' || Number.isNaN(component)) return false;
      if (component < (this.low[i] as number) || component > (this.high[i] as number)) return false;
    }
    return true;
  }

  toString(): string {
    const fmt = (v: Float32Array) => `[${Array.from(v, (x) => (Math.abs(x) >= FLOAT32_MAX ? (x > 0 ? 'max' : '-max') : +x.toPrecision(4))).join(', ')}]`;
    return `Box(${fmt(this.low)}, ${fmt(this.high)}, (${this.shape.join(',')},), float32)`;
  }
}
