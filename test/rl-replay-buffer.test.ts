import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random, ReplayBuffer, linearSchedule } from 'dlkit';

test('the replay buffer wraps around and overwrites the oldest transitions', () => {
  const buffer = new ReplayBuffer({ capacity: 3, observationSize: 2 });
  for (let i = 0; i < 5; i++) buffer.add([i, -i], i % 2, i * 10, [i + 1, -i - 1], i === 4);
  assert.equal(buffer.size, 3);
  assert.equal(buffer.totalAdded, 5);
  assert.equal(buffer.nextIndex, 2);
  // Slots: 0 <- transition 3, 1 <- transition 4, 2 <- transition 2.
  assert.deepEqual(
    [0, 1, 2].map((slot) => buffer.get(slot).reward),
    [30, 40, 20],
  );
  const newest = buffer.get(1);
  assert.deepEqual(Array.from(newest.observation), [4, -4]);
  assert.deepEqual(Array.from(newest.nextObservation), [5, -5]);
  assert.equal(newest.action, 0);
  assert.equal(newest.terminated, true);
  assert.equal(buffer.get(0).terminated, false);
  const batch = buffer.gather([1, 2]);
  assert.deepEqual(Array.from(batch.observations), [4, -4, 2, -2]);
  assert.deepEqual(Array.from(batch.terminated), [1, 0]);
  assert.deepEqual(Array.from(batch.actions), [0, 0]);
  buffer.clear();
  assert.equal(buffer.size, 0);
});

test('sampling is uniform over the stored transitions and repeats with the same generator', () => {
  const make = () => new ReplayBuffer({ capacity: 10, observationSize: 1, random: new Random(3) });
  const buffer = make();
  for (let i = 0; i < 14; i++) buffer.add([i], 0, i, [i + 1], false);
  const counts = new Map<number, number>();
  const batch = buffer.sample(20_000);
  for (const reward of batch.rewards) counts.set(reward, (counts.get(reward) ?? 0) + 1);
  // Only the last 10 transitions (rewards 4..13) remain, each drawn about 2000 times.
  assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  for (const count of counts.values()) assert.ok(Math.abs(count - 2000) < 200, `count ${count}`);
  // Each row is one consistent transition.
  for (let row = 0; row < 100; row++) {
    assert.equal(batch.observations[row], batch.rewards[row]);
    assert.equal(batch.nextObservations[row], (batch.rewards[row] as number) + 1);
  }
  const again = make();
  for (let i = 0; i < 14; i++) again.add([i], 0, i, [i + 1], false);
  assert.deepEqual(Array.from(again.sample(20_000).rewards), Array.from(batch.rewards));
});

test('bad input to the replay buffer throws clear errors', () => {
  assert.throws(() => new ReplayBuffer({ capacity: 0, observationSize: 4 }), /capacity must be a positive integer/);
  const buffer = new ReplayBuffer({ capacity: 4, observationSize: 2 });
  assert.throws(() => buffer.sample(8), /buffer is empty/);
  assert.throws(() => buffer.add([1, 2, 3], 0, 0, [1, 2], false), /must have 2 numbers, got 3 and 2/);
  assert.throws(() => buffer.add([1, 2], 0.5, 0, [1, 2], false), /action must be an integer/);
  buffer.add([1, 2], 1, 0, [1, 2], false);
  assert.throws(() => buffer.sample(0), /batchSize must be a positive integer/);
  assert.throws(() => buffer.get(1), /index must be an integer in \[0, 1\)/);
});

test('the linear epsilon schedule goes from start to end and stays there', () => {
  const epsilon = linearSchedule(1, 0.05, 1000);
  assert.equal(epsilon(0), 1);
  assert.ok(Math.abs(epsilon(500) - 0.525) < 1e-12);
  assert.equal(epsilon(1000), 0.05);
  assert.equal(epsilon(5000), 0.05);
  assert.throws(() => linearSchedule(1, 0, 0), /positive number of steps/);
});
