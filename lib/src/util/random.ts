/**
 * Seeded randomness for the whole book (chapter 0 introduces it): `seed(n)`,
 * the shared generator `rng()` and `nextSeed()`. The generator class `Random`
 * comes from gym-js, whose environments and spaces each own one.
 *
 * TensorFlow.js draws its own seeds from `Math.random()` whenever an op or an
 * initialiser is not given one, so `seed(n)` also replaces `Math.random` with
 * the shared generator: after it, weight initialisers, dropout masks, dataset
 * shuffles and the environments that were not given a seed of their own (they
 * draw theirs from `Math.random()`) all repeat exactly for the same `n` on the
 * same backend.
 */
import { Random } from 'gym-js';

export { Random };

const nativeMathRandom = Math.random;
let globalRandom = new Random(Date.now());
let currentSeed: number | null = null;

/**
 * Seeds every source of randomness the book uses (chapter 0): `Math.random`
 * (and so TensorFlow.js initialisers, dropout and random ops, and unseeded
 * environments), `rng()` used by datasets, and `nextSeed()`.
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
