/** The environment checker (chapter 9), as Gymnasium's `check_env`: random play against the API contract agents rely on. */
import { describeValue } from './describe';
import { Env, type ResetResult, type StepResult } from './env';
import { Box, Discrete, Space } from './spaces';
import { make, registeredEnvIds } from './registry';

/** Options of `checkEnv`. */
export interface CheckOptions {
  /** The seed of the determinism checks (default 123). */
  seed?: number;
  /** Random steps to play (default 300). */
  steps?: number;
  /** Builds a fresh, never-reset copy of the environment, for the "step before reset" check. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  fresh?: () => Env<any, any>;
}

/** What `checkEnv` verified. */
export interface CheckReport {
  /** The environment's id or class name. */
  name: string;
  /** One line per check that passed. */
  passed: string[];
  /** Suspicious but legal behaviour. */
  warnings: string[];
}

const isPlainObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;

function sameValue(a: unknown, b: unknown): boolean {
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
    return true;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  return Object.is(a, b);
}

const show = describeValue;

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/**
 * Checks that `env` follows the API: spaces are spaces; `reset` and `step` return the right tuples and types; observations
 * lie in the space (Box: `Float32Array`); a seed repeats exactly; invalid actions and (with `fresh`) a step before reset
 * throw. Returns what passed; throws one error listing every problem.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function checkEnv(env: Env<any, any>, options: CheckOptions = {}): CheckReport {
  const seed = options.seed ?? 123;
  const steps = options.steps ?? 300;
  const name = env?.spec?.id ?? env?.constructor?.name ?? String(env);
  const report: CheckReport = { name, passed: [], warnings: [] };
  const problems: string[] = [];
  const check = (label: string, body: () => void) => {
    try {
      body();
      report.passed.push(label);
    } catch (error) {
      problems.push(`${label}: ${(error as Error).message}`);
    }
  };
  const fail = (message: string): never => {
    throw new Error(message);
  };

  if (!(env instanceof Env)) {
    throw new Error(`checkEnv: expected an Env (for example make("CartPole-v1")), got ${describeType(env)}.`);
  }
  const observationSpace: Space<unknown> = env.observationSpace;
  const actionSpace: Space<unknown> = env.actionSpace;

  check('the action and observation spaces are Space instances', () => {
    if (!(actionSpace instanceof Space)) fail(`actionSpace is ${describeType(actionSpace)}, not a Space such as Discrete or Box`);
    if (!(observationSpace instanceof Space)) fail(`observationSpace is ${describeType(observationSpace)}, not a Space such as Box`);
  });

  const checkObservation = (observation: unknown, where: string) => {
    if (observationSpace instanceof Box && !(observation instanceof Float32Array)) {
      fail(`${where} returned an observation of type ${describeType(observation)}; a Box space holds Float32Array observations`);
    }
    if (!observationSpace.contains(observation)) {
      fail(`${where} returned ${show(observation)}, which is outside the observation space ${observationSpace.toString()}`);
    }
  };
  const checkReset = (result: ResetResult<unknown>, where: string) => {
    if (!Array.isArray(result) || result.length !== 2) fail(`${where} must return [observation, info], got ${describeType(result)}`);
    checkObservation(result[0], where);
    if (!isPlainObject(result[1])) fail(`${where} must return a plain object as info, got ${describeType(result[1])}`);
  };
  const checkStep = (result: StepResult<unknown>, where: string) => {
    if (!Array.isArray(result) || result.length !== 5) {
      fail(`${where} must return [observation, reward, terminated, truncated, info], got ${describeType(result)} of length ${(result as unknown[])?.length}`);
    }
    const [observation, reward, terminated, truncated, info] = result;
    checkObservation(observation, where);
    if (typeof reward !== 'number' || !Number.isFinite(reward)) fail(`${where} returned reward ${String(reward)}; it must be a finite number`);
    if (typeof terminated !== 'boolean') fail(`${where} returned terminated of type ${describeType(terminated)}; it must be a boolean`);
    if (typeof truncated !== 'boolean') fail(`${where} returned truncated of type ${describeType(truncated)}; it must be a boolean`);
    if (!isPlainObject(info)) fail(`${where} returned info of type ${describeType(info)}; it must be a plain object`);
  };

  check('reset returns [observation, info] with the observation inside the observation space', () => {
    checkReset(env.reset({ seed }), `reset({ seed: ${seed} })`);
    checkReset(env.reset(), 'reset()');
  });

  check('reset with the same seed gives the same observation', () => {
    const [first] = env.reset({ seed });
    const [second] = env.reset({ seed });
    if (!sameValue(first, second)) fail(`reset({ seed: ${seed} }) gave ${show(first)} and then ${show(second)}`);
    const [other] = env.reset({ seed: seed + 1 });
    if (sameValue(first, other)) report.warnings.push(`reset({ seed: ${seed} }) and reset({ seed: ${seed + 1} }) gave the same observation`);
  });

  // One random action sequence, then replayed twice from the same seed.
  actionSpace.seed(seed);
  const actions = Array.from({ length: steps }, () => actionSpace.sample());

  const play = () => {
    const trace: unknown[] = [];
    env.reset({ seed });
    let sinceReset = 0;
    for (let i = 0; i < steps; i++) {
      const result = env.step(actions[i]);
      checkStep(result, `step(${show(actions[i])}) at step ${i}`);
      trace.push(result[0], result[1], result[2], result[3]);
      sinceReset += 1;
      if (result[2] || result[3]) {
        env.reset();
        sinceReset = 0;
      }
    }
    return { trace, sinceReset };
  };

  let firstTrace: unknown[] = [];
  check(`${steps} random steps return well-typed results with observations inside the observation space`, () => {
    firstTrace = play().trace;
  });

  check('the same seed and the same actions give the same observations, rewards and flags', () => {
    const secondTrace = play().trace;
    for (let i = 0; i < firstTrace.length; i++) {
      if (!sameValue(firstTrace[i], secondTrace[i])) {
        const what = ['observation', 'reward', 'terminated', 'truncated'][i % 4];
        fail(`at step ${Math.floor(i / 4)} the ${what} was ${show(firstTrace[i])} in the first run and ${show(secondTrace[i])} in the second`);
      }
    }
  });

  check('returned observations are fresh arrays (changing one does not change the environment)', () => {
    const [observation] = env.reset({ seed });
    if (ArrayBuffer.isView(observation)) {
      const copy = Array.from(observation as unknown as ArrayLike<number>);
      (observation as unknown as number[])[0] = 1e6;
      const [again] = env.reset({ seed });
      if (!sameValue(Array.from(again as unknown as ArrayLike<number>), copy)) fail('writing into an observation changed the next reset');
    }
  });

  if (actionSpace instanceof Discrete) {
    const invalid: unknown[] = [actionSpace.start + actionSpace.n, actionSpace.start - 1, actionSpace.start + 0.5, Number.NaN, String(actionSpace.start), null];
    check(`invalid actions (${invalid.map(show).join(', ')}) throw errors with a message`, () => {
      for (const action of invalid) {
        env.reset({ seed });
        let threw = false;
        try {
          env.step(action);
        } catch (error) {
          threw = true;
          if (!(error instanceof Error) || error.message.trim() === '') fail(`step(${show(action)}) threw without a message`);
        }
        if (!threw) fail(`step(${show(action)}) was accepted, but it is not in ${actionSpace.toString()}`);
      }
    });
  }

  if (options.fresh) {
    const makeFresh = options.fresh;
    check('step before reset throws an error that says to call reset', () => {
      const fresh = makeFresh();
      let message = '';
      try {
        fresh.step(fresh.actionSpace.sample());
      } catch (error) {
        message = (error as Error).message;
      }
      if (message === '') fail('step() on a never-reset environment was accepted');
      if (!/reset/i.test(message)) fail(`the error "${message}" does not mention reset()`);
    });
  }

  env.reset({ seed });
  if (problems.length > 0) {
    throw new Error(`checkEnv(${name}) found ${problems.length} problem(s):\n- ${problems.join('\n- ')}`);
  }
  return report;
}

/** Runs `checkEnv` on every registered environment and returns the reports. */
export function checkRegisteredEnvs(options: Omit<CheckOptions, 'fresh'> = {}): CheckReport[] {
  return registeredEnvIds().map((id) => checkEnv(make(id), { ...options, fresh: () => make(id) }));
}
