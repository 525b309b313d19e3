import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Box,
  CartPoleEnv,
  Discrete,
  Env,
  FLOAT32_MAX,
  RecordEpisodeStatistics,
  TimeLimit,
  cartPoleAnimationSvg,
  episodeAnimationHtml,
  checkEnv,
  checkRegisteredEnvs,
  episodeReturns,
  make,
  randomPolicy,
  registeredEnvIds,
  runEpisode,
  type ResetArguments,
  type ResetResult,
  type StepResult,
} from 'gym-js';

test('Discrete samples integers in range, repeatably after seed(n)', () => {
  const space = new Discrete(3);
  space.seed(5);
  const first = Array.from({ length: 50 }, () => space.sample());
  space.seed(5);
  assert.deepEqual(Array.from({ length: 50 }, () => space.sample()), first);
  assert.deepEqual([...new Set(first)].sort(), [0, 1, 2]);
  assert.ok(space.contains(2));
  assert.ok(!space.contains(3) && !space.contains(-1) && !space.contains(1.5) && !space.contains('1'));
  assert.equal(new Discrete(2, 5).sample() >= 5, true);
  assert.throws(() => new Discrete(0), /positive integer/);
});

test('Box samples inside its bounds and checks shape and bounds', () => {
  const box = new Box([-1, 0, -Infinity, -Infinity], [1, Infinity, 2, Infinity]);
  box.seed(1);
  for (let i = 0; i < 100; i++) {
    const x = box.sample();
    assert.ok(x instanceof Float32Array);
    assert.ok(box.contains(x), `sample ${Array.from(x)} outside`);
  }
  assert.ok(!box.contains(new Float32Array(3)));
  assert.ok(!box.contains(Float32Array.of(2, 0, 0, 0)));
  assert.ok(!box.contains(Float32Array.of(0, 0, Number.NaN, 0)));
  assert.ok(box.contains([0, 1, 1, 1]));
  assert.throws(() => new Box([1], [0]), /low\[0\] <= high\[0\]/);
  const cartPole = new CartPoleEnv().observationSpace;
  assert.equal(cartPole.high[1], Math.fround(FLOAT32_MAX));
  assert.ok(cartPole.contains(cartPole.sample()));
});

test('the checker passes on every registered environment', () => {
  const reports = checkRegisteredEnvs();
  assert.deepEqual(
    reports.map((r) => r.name),
    registeredEnvIds(),
  );
  assert.ok(registeredEnvIds().includes('CartPole-v1') && registeredEnvIds().includes('CartPole-v0'));
  for (const report of reports) {
    assert.ok(report.passed.length >= 8, `${report.name}: ${report.passed.join('; ')}`);
    assert.deepEqual(report.warnings, []);
  }
  // Also on other options of CartPole.
  checkEnv(make('CartPole-v1', { suttonBartoReward: true, kinematicsIntegrator: 'semi-implicit euler' }));
});

/** A deliberately broken environment: wrong types, observations out of bounds, accepts any action, ignores seeds. */
class BrokenEnv extends Env<Float32Array, number> {
  readonly actionSpace = new Discrete(2);
  readonly observationSpace = new Box([-1], [1]);
  reset(_args: ResetArguments = {}): ResetResult<Float32Array> {
    return [Float32Array.of(1.5 + Math.random()), {}];
  }
  step(_action: number): StepResult<Float32Array> {
    return [Float32Array.of(0), 1, 0 as unknown as boolean, false, {}];
  }
}

test('the checker reports every problem of a broken environment clearly', () => {
  assert.throws(
    () => checkEnv(new BrokenEnv()),
    (error: Error) => {
      assert.match(error.message, /checkEnv\(BrokenEnv\) found \d+ problem/);
      assert.match(error.message, /outside the observation space Box/);
      assert.match(error.message, /terminated of type number; it must be a boolean/);
      assert.match(error.message, /step\(2\) was accepted/);
      assert.match(error.message, /reset\(\{ seed: 123 \}\) gave/);
      return true;
    },
  );
  assert.throws(() => checkEnv({} as Env<unknown, unknown>), /expected an Env/);
});

test('TimeLimit truncates after maxEpisodeSteps; termination is not truncation', () => {
  const env = new TimeLimit(new CartPoleEnv(), 5);
  env.reset({ seed: 0 });
  const flags: boolean[] = [];
  for (let i = 0; i < 5; i++) {
    env.unwrapped.state = [0, 0, 0, 0];
    flags.push(env.step(i % 2)[3]);
  }
  assert.deepEqual(flags, [false, false, false, false, true]);
  assert.equal(env.elapsedSteps, 5);
  env.reset();
  assert.equal(env.elapsedSteps, 0);
  const v1 = make('CartPole-v1');
  v1.reset({ seed: 0 });
  let steps = 0;
  let truncated = false;
  while (!truncated) {
    v1.unwrapped.state = [0, 0, 0, 0]; // keep the pole up by hand
    truncated = v1.step(steps % 2)[3];
    steps += 1;
  }
  assert.equal(steps, 500);
  assert.throws(() => new TimeLimit(new CartPoleEnv(), 0), /positive integer/);
});

test('RecordEpisodeStatistics puts { r, l, t } in info when an episode ends', () => {
  const env = new RecordEpisodeStatistics(make('CartPole-v1'));
  const policy = randomPolicy(env);
  env.actionSpace.seed(0);
  const episodes: { r: number; l: number; t: number }[] = [];
  env.reset({ seed: 0 });
  let total = 0;
  let length = 0;
  while (episodes.length < 3) {
    const [, reward, terminated, truncated, info] = env.step(policy(new Float32Array(4)));
    total += reward;
    length += 1;
    if (terminated || truncated) {
      const statistics = info['episode'] as { r: number; l: number; t: number };
      assert.equal(statistics.r, total);
      assert.equal(statistics.l, length);
      assert.ok(statistics.t >= 0);
      episodes.push(statistics);
      total = 0;
      length = 0;
      env.reset();
    } else {
      assert.ok(!('episode' in info));
    }
  }
  assert.deepEqual(env.returnQueue, episodes.map((e) => e.r));
  assert.deepEqual(env.lengthQueue, episodes.map((e) => e.l));
  assert.equal(env.episodeCount, 3);
  assert.equal(env.spec?.id, 'CartPole-v1');
  assert.ok(env.unwrapped instanceof CartPoleEnv);
});

test('the random policy averages about 22 steps on CartPole-v1, and runs repeat per seed', () => {
  const env = make('CartPole-v1');
  env.actionSpace.seed(1);
  const returns = episodeReturns(env, randomPolicy(env), 300, { seed: 1 });
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  assert.ok(mean > 17 && mean < 28, `random mean ${mean}`);
  env.actionSpace.seed(1);
  assert.deepEqual(episodeReturns(env, randomPolicy(env), 300, { seed: 1 }), returns);
});

test('an episode animates as one self-contained SVG with SMIL keyframes', () => {
  const env = make('CartPole-v1');
  env.actionSpace.seed(2);
  const episode = runEpisode(env, randomPolicy(env), { seed: 2 });
  assert.equal(episode.observations.length, episode.length + 1);
  const svg = cartPoleAnimationSvg(episode.observations, { caption: 'random <policy>' });
  assert.match(svg, /<animateTransform attributeName="transform" type="translate"/);
  assert.match(svg, /type="rotate"/);
  assert.match(svg, /repeatCount="indefinite"/);
  assert.match(svg, /random &lt;policy&gt;/);
  assert.doesNotMatch(svg, /<script|https?:\/\/(?!www\.w3\.org)/);
  const translate = /type="translate" values="([^"]*)"/.exec(svg)?.[1] ?? '';
  assert.equal(translate.split(';').length, episode.observations.length + 25);
  assert.match(episodeAnimationHtml(episode.observations), /^<div/);
  assert.throws(() => cartPoleAnimationSvg([]), /no frames/);
});
