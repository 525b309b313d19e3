import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seed, rng, Random, tf, initBackend, unseed } from 'dlkit';

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
