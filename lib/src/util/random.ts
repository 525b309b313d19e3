/**
 * Seeded randomness for the whole book (chapter 0 introduces it). The
 * generator and the shared seed live in gym-js, so that `seed(n)` reaches the
 * environments' and spaces' generators too; dlkit re-exports them from here
 * so that its own folders import `../util/random` as before.
 */
export { Random, seed, unseed, currentGlobalSeed, rng, nextSeed } from 'gym-js';
