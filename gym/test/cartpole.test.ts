import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CartPoleEnv, Random, make } from 'gym-js';

// Gymnasium's constants, written out again here so that the expected values
// below do not come from the environment under test.
const GRAVITY = 9.8;
const MASS_CART = 1.0;
const MASS_POLE = 0.1;
const TOTAL_MASS = MASS_CART + MASS_POLE; // 1.1
const HALF_LENGTH = 0.5;
const POLE_MASS_LENGTH = MASS_POLE * HALF_LENGTH; // 0.05
const FORCE = 10.0;
const TAU = 0.02;

/** One step of the cart-pole equations, by hand (Florian 2007, as coded in Gymnasium). */
function expectedStep(state: number[], action: number, integrator: 'euler' | 'semi-implicit euler' = 'euler'): number[] {
  const [x, xDot, theta, thetaDot] = state as [number, number, number, number];
  const force = action === 1 ? FORCE : -FORCE;
  const temp = (force + POLE_MASS_LENGTH * thetaDot * thetaDot * Math.sin(theta)) / TOTAL_MASS;
  const thetaAcc =
    (GRAVITY * Math.sin(theta) - Math.cos(theta) * temp) /
    (HALF_LENGTH * (4 / 3 - (MASS_POLE * Math.cos(theta) * Math.cos(theta)) / TOTAL_MASS));
  const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * Math.cos(theta)) / TOTAL_MASS;
  if (integrator === 'euler') {
    return [x + TAU * xDot, xDot + TAU * xAcc, theta + TAU * thetaDot, thetaDot + TAU * thetaAcc];
  }
  const newXDot = xDot + TAU * xAcc;
  const newThetaDot = thetaDot + TAU * thetaAcc;
  return [x + TAU * newXDot, newXDot, theta + TAU * newThetaDot, newThetaDot];
}

function assertClose(actual: ArrayLike<number>, expected: number[], tolerance: number, label: string): void {
  assert.equal(actual.length, expected.length, label);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs((actual[i] as number) - (expected[i] as number)) <= tolerance,
      `${label}[${i}]: got ${actual[i]}, expected ${expected[i]}`,
    );
  }
}

test('from rest, pushing right gives the accelerations derived by hand', () => {
  // theta = 0, so sin = 0 and cos = 1:
  //   temp = 10 / 1.1 = 100/11
  //   thetaAcc = (0 - 100/11) / (0.5 * (4/3 - 0.1/1.1)) = -(100/11) / (41/66) = -600/41
  //   xAcc = 100/11 - 0.05 * (-600/41) / 1.1 = 100/11 + 300/451 = 400/41
  // Euler: x and theta keep their old velocities (0); velocities gain tau * acceleration.
  const env = new CartPoleEnv();
  env.reset({ seed: 0 });
  env.state = [0, 0, 0, 0];
  const [observation, reward, terminated, truncated, info] = env.step(1);
  const expected = [0, (0.02 * 400) / 41, 0, (-0.02 * 600) / 41];
  assertClose(env.state as Float64Array, expected, 1e-15, 'state');
  assert.ok(Math.abs((env.state as Float64Array)[1] - 0.1951219512195122) < 1e-15);
  assert.ok(Math.abs((env.state as Float64Array)[3] + 0.2926829268292683) < 1e-15);
  assert.ok(observation instanceof Float32Array);
  assert.deepEqual(Array.from(observation), expected.map(Math.fround));
  assert.equal(reward, 1);
  assert.equal(terminated, false);
  assert.equal(truncated, false);
  assert.deepEqual(info, {});

  // Pushing left from rest is the mirror image.
  env.state = [0, 0, 0, 0];
  env.step(0);
  assertClose(env.state as Float64Array, [0, -8 / 41, 0, 12 / 41], 1e-15, 'mirror');
});

test('general states follow the equations step by step (Euler and semi-implicit Euler)', () => {
  const starts = [
    [0.1, -0.2, 0.05, 0.3],
    [-1.3, 0.7, -0.12, -0.9],
    [2.0, 1.5, 0.18, 1.2],
  ];
  for (const integrator of ['euler', 'semi-implicit euler'] as const) {
    const env = new CartPoleEnv({ kinematicsIntegrator: integrator });
    env.reset({ seed: 1 });
    for (const start of starts) {
      env.state = start;
      let expected = start;
      for (const action of [0, 1, 1, 0, 1]) {
        expected = expectedStep(expected, action, integrator);
        env.step(action);
        assertClose(env.state as Float64Array, expected, 1e-12, `${integrator} from ${start.join(',')}`);
      }
    }
  }
  // One semi-implicit step written out: from rest the new velocities move the positions at once.
  const env = new CartPoleEnv({ kinematicsIntegrator: 'semi-implicit euler' });
  env.reset({ seed: 2 });
  env.state = [0, 0, 0, 0];
  env.step(1);
  assertClose(env.state as Float64Array, [0.02 * (8 / 41), 8 / 41, 0.02 * (-12 / 41), -12 / 41], 1e-15, 'semi-implicit from rest');
});

test('termination at 12 degrees or |x| > 2.4, reward 1 on the terminating step, then 0 with one warning', () => {
  const env = new CartPoleEnv();
  env.reset({ seed: 3 });
  const threshold = (12 * 2 * Math.PI) / 360; // 0.20943951...
  // theta + 0.02 * thetaDot = 0.2 + 0.02 * 1 = 0.22 > threshold.
  env.state = [0, 0, 0.2, 1];
  const [, reward, terminated] = env.step(1);
  assert.ok(0.22 > threshold);
  assert.equal(terminated, true);
  assert.equal(reward, 1);

  const warnings: string[] = [];
  const originalWarn = console.warn;
  console.warn = (message: string) => warnings.push(message);
  try {
    const [, rewardAfter, stillTerminated] = env.step(0);
    const [, rewardLater] = env.step(0);
    assert.equal(stillTerminated, true);
    assert.equal(rewardAfter, 0);
    assert.equal(rewardLater, 0);
    assert.equal(warnings.length, 1, 'warns once');
    assert.match(warnings[0] as string, /reset\(\)/);
  } finally {
    console.warn = originalWarn;
  }
  assert.equal(env.stepsBeyondTerminated, 2);

  // Cart position: x + 0.02 * xDot = 2.39 + 0.02 * 1 = 2.41 > 2.4.
  env.reset({ seed: 3 });
  env.state = [2.39, 1, 0, 0];
  assert.equal(env.step(1)[2], true);
  env.reset({ seed: 3 });
  env.state = [-2.39, -1, 0, 0];
  assert.equal(env.step(0)[2], true);
  // Just inside: 2.3 + 0.02 * 1 = 2.32.
  env.reset({ seed: 3 });
  env.state = [2.3, 1, 0, 0];
  assert.equal(env.step(1)[2], false);
});

test('Sutton and Barto reward: 0 per step, -1 on termination and after it', () => {
  const env = new CartPoleEnv({ suttonBartoReward: true });
  env.reset({ seed: 4 });
  assert.equal(env.step(1)[1], 0);
  env.state = [0, 0, 0.2, 1];
  assert.deepEqual(env.step(1).slice(1, 3), [-1, true]);
  const originalWarn = console.warn;
  console.warn = () => {};
  try {
    assert.equal(env.step(1)[1], -1);
  } finally {
    console.warn = originalWarn;
  }
});

test('reset draws the state uniformly in (-0.05, 0.05), or in options { low, high }, repeatably per seed', () => {
  const env = new CartPoleEnv();
  const [first] = env.reset({ seed: 42 });
  const [again] = env.reset({ seed: 42 });
  assert.deepEqual(Array.from(first), Array.from(again));
  assert.ok(Array.from(first).every((v) => v > -0.05 && v < 0.05));
  assert.deepEqual(Array.from(first), Array.from(env.state as Float64Array).map(Math.fround));
  const [wide] = env.reset({ seed: 42, options: { low: 0, high: 1 } });
  assert.ok(Array.from(wide).every((v) => v >= 0 && v < 1));
  assert.throws(() => env.reset({ options: { low: 1, high: 0 } }), /lower bound \(1\) must not exceed the upper bound \(0\)/);
  assert.throws(() => env.reset({ options: { low: 'a' } }), /finite numbers/);
  // Without a seed the generator continues: a second episode differs from the first.
  env.reset({ seed: 42 });
  const [next] = env.reset();
  assert.notDeepEqual(Array.from(next), Array.from(first));
});

test('gym-js leaves Math.random alone; unseeded environments and spaces take their seed from it', () => {
  const platform = Math.random;
  const run = () => {
    const env = make('CartPole-v1');
    const [observation] = env.reset();
    return [...Array.from(observation), ...Array.from({ length: 10 }, () => env.actionSpace.sample())];
  };
  try {
    const seeded = () => {
      const generator = new Random(7);
      Math.random = () => generator.next();
      return run();
    };
    assert.deepEqual(seeded(), seeded());
    // The same program with another seed for Math.random starts elsewhere.
    const other = new Random(8);
    Math.random = () => other.next();
    assert.notDeepEqual(run(), seeded());
    Math.random = platform;
    run();
    assert.equal(Math.random, platform, 'making, resetting and sampling do not replace Math.random');
  } finally {
    Math.random = platform;
  }
});

test('each environment has its own generator: drawing from one does not move another', () => {
  const first = make('CartPole-v1');
  const second = make('CartPole-v1');
  const alone = make('CartPole-v1');
  first.reset({ seed: 3 });
  second.reset({ seed: 3 });
  alone.reset({ seed: 3 });
  for (let i = 0; i < 5; i++) first.reset(); // first draws five more starts
  assert.deepEqual(Array.from(second.reset()[0]), Array.from(alone.reset()[0]));
});

test('bad input throws errors that say what to do', () => {
  const fresh = new CartPoleEnv();
  assert.throws(() => fresh.step(0), /call reset\(\) before step\(\)/);
  const env = make('CartPole-v1');
  env.reset({ seed: 0 });
  assert.throws(() => env.step(2), /action 2 is outside the action space Discrete\(2\); use 0 \(push left\) or 1 \(push right\)/);
  assert.throws(() => env.step(-1), /outside the action space/);
  assert.throws(() => env.step(0.5), /must be an integer/);
  assert.throws(() => env.step('1' as unknown as number), /must be a number/);
  assert.throws(() => new CartPoleEnv({ kinematicsIntegrator: 'rk4' as 'euler' }), /'euler' or 'semi-implicit euler'/);
  assert.throws(() => new CartPoleEnv({ gravity: 3 } as object), /unknown option "gravity"/);
  assert.throws(() => {
    env.unwrapped.state = [1, 2, 3];
  }, /four finite numbers/);
  assert.throws(() => make('CartPole-v7'), /no environment with id "CartPole-v7".*versions CartPole-v0, CartPole-v1.*Known ids: CartPole-v0, CartPole-v1/);
  assert.throws(() => make('MountainCar-v0'), /Known ids: CartPole-v0, CartPole-v1/);
});

test('reset accepts what Gymnasium accepts as a seed: a non-negative integer, all of it', () => {
  const start = (seed: number) => Array.from(new CartPoleEnv().reset({ seed })[0]);
  // The whole integer reaches the generator: seeds that agree in their low 32 bits start differently.
  assert.notDeepEqual(start(0), start(2 ** 32));
  assert.notDeepEqual(start(5), start(5 + 2 ** 40));
  assert.notDeepEqual(start(2 ** 32 - 1), start(2 ** 33 - 1));
  assert.deepEqual(start(Number.MAX_SAFE_INTEGER), start(Number.MAX_SAFE_INTEGER));
  assert.ok(start(Number.MAX_SAFE_INTEGER).every((v) => v > -0.05 && v < 0.05));
  // Seeds below 2^32 keep the starts they always had (the chapters' numbers do not move).
  const generator = new Random(42);
  assert.deepEqual(start(42), Array.from({ length: 4 }, () => Math.fround(generator.uniform(-0.05, 0.05))));
  const env = new CartPoleEnv();
  for (const bad of [-1, 1.5, 1e20, 2 ** 53, Number.NaN, Infinity]) {
    assert.throws(() => env.reset({ seed: bad }), /seed must be a non-negative integer up to Number.MAX_SAFE_INTEGER/, `seed ${bad}`);
  }
  assert.throws(() => env.reset({ seed: '42' as unknown as number }), /seed must be a non-negative integer.*got string "42"/);
  assert.throws(() => env.reset({ seed: 42n as unknown as number }), /seed must be a non-negative integer.*got bigint 42n/);
  // The same checks through make's wrappers.
  assert.throws(() => make('CartPole-v1').reset({ seed: -1 }), /non-negative integer/);
});

test('reset(42) is an error that says to write reset({ seed: 42 }); unknown reset keys are errors too', () => {
  const env = new CartPoleEnv();
  assert.throws(() => env.reset(42 as unknown as object), /reset\(\{ seed: 42 \}\)/);
  assert.throws(() => make('CartPole-v1').reset(7 as unknown as object), /reset\(\{ seed: 7 \}\)/);
  assert.throws(() => env.reset({ sed: 1 } as object), /unknown key "sed".*seed, options/);
  assert.throws(() => env.reset({ options: 3 } as unknown as object), /options must be an object/);
  // The documented forms still work.
  env.reset();
  env.reset({});
  env.reset({ seed: 0, options: { low: -0.01, high: 0.01 } });
});

test('bad actions and states are described as they are: 1n is a bigint, NaN is NaN', () => {
  const env = new CartPoleEnv();
  env.reset({ seed: 0 });
  assert.throws(() => env.step(1n as unknown as number), /the action must be a number, 0 \(push left\) or 1 \(push right\), got bigint 1n/);
  assert.throws(() => {
    env.state = [0, Number.NaN, 0, 0];
  }, /four finite numbers \[x, xDot, theta, thetaDot\], got \[0, NaN, 0, 0\]/);
  assert.throws(() => {
    env.state = [0, Infinity, 0, 0];
  }, /got \[0, Infinity, 0, 0\]/);
});

test('make attaches the spec and the time limit; unwrapped reaches the float64 state', () => {
  const v1 = make('CartPole-v1');
  assert.equal(v1.spec?.maxEpisodeSteps, 500);
  assert.equal(v1.spec?.rewardThreshold, 475);
  assert.equal(v1.maxEpisodeSteps, 500);
  const v0 = make('CartPole-v0');
  assert.equal(v0.spec?.maxEpisodeSteps, 200);
  assert.equal(v0.spec?.rewardThreshold, 195);
  assert.equal(v1.toString(), 'TimeLimit<CartPoleEnv<CartPole-v1>>');
  v1.reset({ seed: 0 });
  assert.ok(v1.unwrapped instanceof CartPoleEnv);
  assert.ok(v1.unwrapped.state instanceof Float64Array);
  const sutton = make('CartPole-v1', { suttonBartoReward: true });
  assert.equal(sutton.unwrapped.suttonBartoReward, true);
  assert.equal(make('CartPole-v1', { maxEpisodeSteps: 50 }).spec?.maxEpisodeSteps, 50);
});

test('render draws one SVG frame with the pole tilted by theta', () => {
  const env = new CartPoleEnv();
  assert.throws(() => env.render(), /reset\(\)/);
  env.reset({ seed: 0 });
  env.state = [1.2, 0, Math.PI / 18, 0];
  const svg = env.render();
  assert.match(svg, /^<svg [^>]*width="600" height="400"/);
  // x = 1.2 m at 125 px per metre from the centre 300: 450 px; 10 degrees of tilt.
  assert.match(svg, /translate\(450,292\.5\)/);
  assert.match(svg, /rotate\(10\)/);
  assert.match(svg, /<\/svg>$/);
});
