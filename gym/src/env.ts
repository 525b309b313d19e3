/**
 * The environment interface (chapter 9), Gymnasium's `Env`: `reset()` per episode, then `step(action)` until
 * `terminated` (the task ended: no future reward) or `truncated` (cut short from outside, e.g. a time limit).
 */
import { describeTyped } from './describe';
import { Random, unseededSeed } from './random';
import type { Space } from './spaces';

/** The free-form dictionary an environment returns next to observations. */
export type Info = Record<string, unknown>;

/** What `reset` returns: the first observation and an info dictionary. */
export type ResetResult<Observation> = [observation: Observation, info: Info];

/** What `step` returns: `[observation, reward, terminated, truncated, info]`. */
export type StepResult<Observation> = [
  observation: Observation,
  reward: number,
  terminated: boolean,
  truncated: boolean,
  info: Info,
];

/** Arguments of `reset`: a seed for the environment's generator and env-specific options. */
export interface ResetArguments {
  /** Reseeds the environment's generator (a non-negative integer up to `Number.MAX_SAFE_INTEGER`); later resets without a seed continue its sequence. */
  seed?: number;
  /** Environment-specific options, e.g. CartPole's `{ low, high }` bounds of the initial state. */
  options?: Record<string, unknown>;
}

/**
 * Checks `reset`'s argument: nothing, or `{ seed?, options? }` with a non-negative integer seed. `reset(42)` is an error
 * saying to write `reset({ seed: 42 })`; `caller` names the method in the message.
 */
export function checkResetArguments(args: unknown, caller = 'reset'): ResetArguments {
  if (args === undefined) return {};
  if (typeof args === 'number' || typeof args === 'bigint') {
    throw new Error(
      `${caller}: got ${describeTyped(args)}; pass the seed inside an object, reset({ seed: ${String(args)} }) ` +
        '(Gymnasium: reset(seed=...)).',
    );
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new Error(`${caller}: expected nothing or an object { seed?, options? }, got ${describeTyped(args)}.`);
  }
  const known = ['seed', 'options'];
  for (const key of Object.keys(args)) {
    if (!known.includes(key)) throw new Error(`${caller}: unknown key "${key}"; reset takes { ${known.join(', ')} }.`);
  }
  const { seed, options } = args as ResetArguments;
  checkSeed(seed, caller);
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new Error(`${caller}: options must be an object of environment-specific settings, got ${describeTyped(options)}.`);
  }
  return args as ResetArguments;
}

/** Throws unless `seed` is undefined or a non-negative safe integer, the seeds Gymnasium accepts. */
function checkSeed(seed: unknown, caller: string): asserts seed is number | undefined {
  if (seed === undefined) return;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(
      `${caller}: seed must be a non-negative integer up to Number.MAX_SAFE_INTEGER (as in Gymnasium), ` +
        `or left out; got ${describeTyped(seed)}.`,
    );
  }
}

/** How `make` built an environment, Gymnasium's `EnvSpec`. */
export interface EnvSpec {
  /** The registry id, e.g. `CartPole-v1`. */
  id: string;
  /** The `TimeLimit` that `make` wraps around the environment, or null for none. */
  maxEpisodeSteps: number | null;
  /** The mean return over 100 consecutive episodes at which the task counts as solved, or null. */
  rewardThreshold: number | null;
  /** The keyword arguments the environment was built with. */
  kwargs: Record<string, unknown>;
}

/** Rendering facts of an environment. */
export interface EnvMetadata {
  /** Frames per second of the simulation, used by animations. */
  renderFps: number;
}

/**
 * The base of every environment: subclasses set the spaces and implement `step` and `reset` (first
 * `checkResetArguments`, then `seedGenerator`).
 */
export abstract class Env<Observation, Action> {
  /** The legal actions. */
  abstract readonly actionSpace: Space<Action>;
  /** The possible observations. */
  abstract readonly observationSpace: Space<Observation>;
  private generator: Random | null = null;
  private specValue: EnvSpec | null = null;
  private metadataValue: EnvMetadata = { renderFps: 30 };

  /** Set by `make`: the id, time limit and reward threshold (null for an environment built by hand). */
  get spec(): EnvSpec | null {
    return this.specValue;
  }

  set spec(value: EnvSpec | null) {
    this.specValue = value;
  }

  /** Rendering facts. */
  get metadata(): EnvMetadata {
    return this.metadataValue;
  }

  set metadata(value: EnvMetadata) {
    this.metadataValue = value;
  }

  /** Starts a new episode and returns its first observation. */
  abstract reset(args?: ResetArguments): ResetResult<Observation>;

  /** Applies one action; returns `[observation, reward, terminated, truncated, info]`. */
  abstract step(action: Action): StepResult<Observation>;

  /** The environment's own generator (Gymnasium's `np_random`), seeded by `reset({ seed })`. */
  get random(): Random {
    if (this.generator === null) this.generator = new Random(unseededSeed());
    return this.generator;
  }

  /**
   * Reseeds the generator with `seed` (a non-negative safe integer, all bits used); unseeded, it seeds from
   * `Math.random()` on first use.
   */
  protected seedGenerator(seed: number | undefined): void {
    checkSeed(seed, `${this.constructor.name}.reset`);
    if (seed === undefined) return;
    this.generator = new Random(seed);
  }

  /** The innermost environment, below every wrapper. */
  get unwrapped(): Env<Observation, Action> {
    return this;
  }

  /** One frame of the current state as an SVG string; environments without a renderer throw. */
  render(): string {
    throw new Error(`${this.constructor.name} has no renderer; only environments such as CartPole draw themselves.`);
  }

  /** Frees resources; the base environment holds none. */
  close(): void {}

  /** A short description such as `TimeLimit<CartPoleEnv<CartPole-v1>>`. */
  toString(): string {
    return this.spec ? `${this.constructor.name}<${this.spec.id}>` : this.constructor.name;
  }
}
