import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seed, rng, nextSeed, make, Random, tf, initBackend, unseed } from 'dlkit';

test('seed() makes tfjs initialisers and the shared generator repeat', async () => {
  await initBackend({ quiet: true });
  seed(42);
  const first = [rng().next(), ...tf.randomNormal([3]).dataSync()];
  seed(42);
  const second = [rng().next(), ...tf.randomNormal([3]).dataSync()];
  assert.deepEqual(first, second);
  seed(43);
  assert.notDeepEqual([rng().next(), ...tf.randomNormal([3]).dataSync()], first);
  unseed();
});

test('Random.shuffle is a permutation and Random rejects bad arguments', () => {
  const r = new Random(7);
  const values = r.shuffle([...Array(50).keys()]);
  assert.deepEqual([...values].sort((a, b) => a - b), [...Array(50).keys()]);
  assert.throws(() => r.int(0), /positive integer/);
  assert.throws(() => new Random(Number.NaN), /finite/);
});

// The draws below were printed by the code before gym-js stopped owning the book's generator (it replaced
// Math.random itself and seeded unseeded environments from it); dlkit's seed() must give the same numbers, so
// that every chapter's seeded output stays as it was.
test('seed(n) reaches Math.random, nextSeed and unseeded environments and spaces, draw for draw as before', () => {
  seed(2024);
  const before = [Math.random(), nextSeed()];
  const env = make('CartPole-v1');
  const [observation] = env.reset();
  const actions = Array.from({ length: 8 }, () => env.actionSpace.sample());
  const after = [rng().next(), Math.random()];
  unseed();
  assert.deepEqual(before, [0.7480556755326688, 2083823591]);
  assert.deepEqual(Array.from(observation), [-0.04551328718662262, 0.030748704448342323, -0.047721266746520996, 0.020720841363072395]);
  assert.deepEqual(actions, [0, 1, 1, 1, 0, 0, 1, 1]);
  assert.deepEqual(after, [0.5655984445475042, 0.3722495387773961]);
});
