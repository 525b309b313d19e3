import { test } from 'node:test';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { make, randomPolicy, runEpisode, showEpisodeAnimation } from 'dlkit';
import * as gym from 'gym-js';

test('outside a notebook showEpisodeAnimation displays nothing, or writes the page to a file', () => {
  const env = make('CartPole-v1');
  env.actionSpace.seed(2);
  const episode = runEpisode(env, randomPolicy(env), { seed: 2 });
  const file = join(tmpdir(), `dlkit-rl-animation-${process.pid}.html`);
  showEpisodeAnimation(episode.observations, { file });
  const page = readFileSync(file, 'utf8');
  rmSync(file);
  assert.match(page, /^<!doctype html>.*<svg/s);
  assert.ok(page.includes(gym.cartPoleAnimationSvg(episode.observations)), 'the page holds gym-js drawing of the episode');
});

test('dlkit re-exports gym-js: one make, one CartPoleEnv, one shared generator', async () => {
  const dlkit = await import('dlkit');
  assert.equal(dlkit.make, gym.make);
  assert.equal(dlkit.CartPoleEnv, gym.CartPoleEnv);
  assert.equal(dlkit.Random, gym.Random);
  // seed() from dlkit reaches the environments' generators in gym-js.
  dlkit.seed(11);
  const [first] = gym.make('CartPole-v1').reset();
  dlkit.seed(11);
  const [second] = gym.make('CartPole-v1').reset();
  dlkit.unseed();
  assert.deepEqual(Array.from(first), Array.from(second));
});
