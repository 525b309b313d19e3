/**
 * Seeded randomness for the whole book (chapter 0): `seed(n)`, the shared generator `rng()` and
 * `nextSeed()`, on gym-js' `Random`. TensorFlow.js draws unseeded initialisers and ops from
 * `Math.random()`, so `seed(n)` also replaces `Math.random`: runs repeat exactly on the same backend.
 */
import { Random } from 'gym-js';

export { Random };

const nativeMathRandom = Math.random;
let globalRandom = new Random(Date.now());

/** Seeds `Math.random` (so TensorFlow.js and unseeded environments), `rng()` and `nextSeed()`. */
export function seed(n: number): void {
  globalRandom = new Random(n);
  Math.random = () => globalRandom.next();
}

/** Undoes `seed()`: `Math.random` is the platform's again. */
export function unseed(): void {
  Math.random = nativeMathRandom;
  globalRandom = new Random(Date.now());
}

/** The shared generator that `seed()` resets. */
export function rng(): Random {
  return globalRandom;
}

/** A fresh integer seed drawn from the shared generator, for tfjs ops and initialisers. */
export function nextSeed(): number {
  return globalRandom.seedInt();
}
