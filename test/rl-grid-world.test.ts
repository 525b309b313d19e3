import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GridWorld, gridWorldFigure } from 'dlkit';
import type { GridMove } from 'dlkit';

const options = { rows: 4, columns: 4, goal: [0, 3], pit: [1, 3], wall: [1, 1], stepReward: -0.04 } as const;

test('a grid world move: the step reward, the goal and the pit, and a bump into the edge or the wall stays', () => {
  const world = new GridWorld(options);
  assert.deepEqual(world.step([3, 0], '→'), { next: [3, 1], reward: -0.04 });
  assert.deepEqual(world.step([3, 0], '↓'), { next: [3, 0], reward: -0.04 }, 'off the grid: stay');
  assert.deepEqual(world.step([3, 0], '←'), { next: [3, 0], reward: -0.04 });
  assert.deepEqual(world.step([2, 1], '↑'), { next: [2, 1], reward: -0.04 }, 'into the wall: stay');
  assert.deepEqual(world.step([0, 2], '→'), { next: [0, 3], reward: 1 });
  assert.deepEqual(world.step([2, 3], '↑'), { next: [1, 3], reward: -1 });
  assert.ok(world.isTerminal([0, 3]) && world.isTerminal([1, 3]) && !world.isTerminal([1, 1]));
  assert.ok(world.isWall([1, 1]) && !world.isWall([0, 0]));
  assert.deepEqual(world.table(0.5), [0, 1, 2, 3].map(() => [0.5, 0.5, 0.5, 0.5]));
  const free = new GridWorld({ ...options, stepReward: 0, goalReward: 10 });
  assert.deepEqual(free.step([3, 0], '↑'), { next: [2, 0], reward: 0 });
  assert.equal(free.step([0, 2], '→').reward, 10);
});

test('a grid world rejects cells outside the grid, shared cells and unknown moves', () => {
  assert.throws(() => new GridWorld({ ...options, goal: [0, 4] }), /the goal \[0, 4\] is outside the 4 × 4 grid/);
  assert.throws(() => new GridWorld({ ...options, wall: [0, 3] }), /three different cells/);
  assert.throws(() => new GridWorld({ ...options, rows: 0 }), /GridWorld: rows must be a positive integer, got 0/);
  const world = new GridWorld(options);
  assert.throws(() => world.step([5, 0], '↑'), /outside the 4 × 4 grid/);
  assert.throws(() => world.step([0, 0], 'up' as GridMove), /unknown move "up"/);
});

test('the grid world figure: values as colours, an arrow and value per free cell, goal, pit and wall outlined and blank', () => {
  const world = new GridWorld(options);
  const values = world.table(0).map((row, r) => row.map((_, c) => r - c));
  const policy = values.map((row) => row.map((): GridMove | null => '→'));
  const figure = gridWorldFigure(world, values, policy, { title: 'test grid' });
  const trace = figure.traces[0]!;
  const z = trace['z'] as (number | null)[][];
  assert.equal(z[0]![3], null, 'the goal has no value of its own');
  assert.equal(z[1]![1], null, 'nor the wall');
  assert.equal(z[3]![0], 3);
  const text = trace['text'] as string[][];
  assert.match(text[3]![0]!, /→<\/span><br>3\.00/);
  assert.match(text[0]![3]!, /goal \+1/);
  assert.match(text[1]![3]!, /pit −1/);
  assert.equal((figure.layout['shapes'] as unknown[]).length, 3, 'goal, pit and wall outlined');
  assert.throws(() => gridWorldFigure(world, values.slice(1), policy), /4 rows of 4/);
});
