import { test } from 'node:test';
import assert from 'node:assert/strict';
// The example of gym/README.md ("Registering an environment"), kept working here.
import { Box, Discrete, Env, checkEnv, checkResetArguments, envSpec, make, register, registeredEnvIds, runEpisode } from 'gym-js';
import type { ResetArguments, ResetResult, StepResult } from 'gym-js';

/** Walk left or right along a corridor of `length` cells; reaching the right end pays 1 and ends the episode. */
class CorridorEnv extends Env<Float32Array, number> {
  readonly actionSpace = new Discrete(2);
  readonly observationSpace: Box;
  private position = 0;

  constructor(readonly length = 5) {
    super();
    this.observationSpace = new Box([0], [length - 1]);
  }

  reset(args?: ResetArguments): ResetResult<Float32Array> {
    const { seed } = checkResetArguments(args, 'CorridorEnv.reset');
    this.seedGenerator(seed);
    this.position = this.random.int(this.length - 1);
    return [Float32Array.of(this.position), {}];
  }

  step(action: number): StepResult<Float32Array> {
    if (!this.actionSpace.contains(action)) {
      throw new Error(`CorridorEnv.step: the action must be 0 (left) or 1 (right), got ${String(action)}.`);
    }
    this.position = Math.max(0, this.position + (action === 1 ? 1 : -1));
    const terminated = this.position === this.length - 1;
    return [Float32Array.of(this.position), terminated ? 1 : 0, terminated, false, {}];
  }

  /** Lets `make('Corridor-v0').unwrapped` have this class's type (with `KnownEnvs`, below). */
  override get unwrapped(): CorridorEnv {
    return this;
  }
}

declare module 'gym-js' {
  interface KnownEnvs {
    'Corridor-v0': CorridorEnv;
  }
}

test('a new environment registers, is made with its time limit and spec, and passes the checker', () => {
  register({
    id: 'Corridor-v0',
    entryPoint: (kwargs) => new CorridorEnv(kwargs['length'] as number | undefined),
    maxEpisodeSteps: 50,
    rewardThreshold: 1,
  });
  assert.ok(registeredEnvIds().includes('Corridor-v0'));
  const env = make('Corridor-v0', { length: 8 });
  assert.deepEqual(env.spec, { id: 'Corridor-v0', maxEpisodeSteps: 50, rewardThreshold: 1, kwargs: { length: 8 } });
  assert.deepEqual(envSpec('Corridor-v0').maxEpisodeSteps, 50);
  assert.equal((env.unwrapped as CorridorEnv).length, 8);
  // With KnownEnvs extended (above), make('Corridor-v0') is typed: no cast needed.
  const typed: CorridorEnv = make('Corridor-v0').unwrapped;
  assert.equal(typed.length, 5);
  const report = checkEnv(env);
  assert.ok(report.passed.length > 3, report.passed.join('\n'));
  // Always right reaches the end; always left is cut off by the time limit.
  assert.equal(runEpisode(env, () => 1, { seed: 0 }).totalReturn, 1);
  const left = runEpisode(env, () => 0, { seed: 0 });
  assert.deepEqual([left.length, left.truncated, left.terminated], [50, true, false]);
  assert.throws(() => env.reset(3 as unknown as object), /reset\(\{ seed: 3 \}\)/);
  assert.throws(() => register({ id: 'corridor', entryPoint: () => new CorridorEnv(), maxEpisodeSteps: null, rewardThreshold: null }), /ids look like "Name-v0"/);
});
