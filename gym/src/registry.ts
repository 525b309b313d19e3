/** The environment registry (chapter 9), Gymnasium's `register` / `make`. */
import { Env, type EnvSpec } from './env';
import { CartPoleEnv, type CartPoleOptions } from './cartpole';
import { TimeLimit } from './wrappers';

/** How to build a registered environment. */
export interface RegistryEntry {
  id: string;
  /** Builds the bare environment from keyword arguments. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  entryPoint: (kwargs: Record<string, unknown>) => Env<any, any>;
  /** Default `TimeLimit`, or null for none. */
  maxEpisodeSteps: number | null;
  /** Mean return over 100 episodes that counts as solved, or null. */
  rewardThreshold: number | null;
  /** Default keyword arguments. */
  kwargs?: Record<string, unknown>;
}

const registry = new Map<string, RegistryEntry>();

/** Adds an environment to the registry; re-registering an id replaces it. */
export function register(entry: RegistryEntry): void {
  if (!/^[A-Za-z][\w:./-]*-v\d+$/.test(entry.id)) {
    throw new Error(`register: ids look like "Name-v0" (a name, a dash, v and a version number), got "${entry.id}".`);
  }
  registry.set(entry.id, entry);
}

/** The ids of every registered environment, sorted. */
export function registeredEnvIds(): string[] {
  return [...registry.keys()].sort();
}

/** The spec `make(id)` would attach, without building the environment. */
export function envSpec(id: string): EnvSpec {
  const entry = lookUp(id);
  return { id, maxEpisodeSteps: entry.maxEpisodeSteps, rewardThreshold: entry.rewardThreshold, kwargs: { ...entry.kwargs } };
}

function lookUp(id: string): RegistryEntry {
  const entry = registry.get(id);
  if (entry) return entry;
  const known = registeredEnvIds();
  const name = id.replace(/-v\d+$/, '');
  const versions = known.filter((k) => k.replace(/-v\d+$/, '') === name);
  const hint = versions.length > 0 ? ` "${name}" exists in versions ${versions.join(', ')}.` : '';
  throw new Error(`make: no environment with id "${id}".${hint} Known ids: ${known.join(', ')}.`);
}

/** The environments `make` knows with their types. */
export interface KnownEnvs {
  'CartPole-v0': CartPoleEnv;
  'CartPole-v1': CartPoleEnv;
}

/** Keyword arguments of `make`: the time limit plus the environment's own options. */
export type MakeOptions = { maxEpisodeSteps?: number | null } & Record<string, unknown>;

/**
 * Builds a registered environment, wrapped in `TimeLimit(maxEpisodeSteps)` if its spec has one, with `env.spec` set:
 * CartPole-v1 500 steps and threshold 475, CartPole-v0 200 and 195.
 */
export function make<Id extends keyof KnownEnvs>(
  id: Id,
  options?: { maxEpisodeSteps?: number | null } & CartPoleOptions,
): TimeLimit<KnownEnvs[Id]>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function make(id: string, options?: MakeOptions): Env<any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function make(id: string, options: object = {}): Env<any, any> {
  if (typeof id !== 'string') {
    throw new Error(`make: the id must be a string such as "CartPole-v1", got ${typeof id}.`);
  }
  const entry = lookUp(id);
  const { maxEpisodeSteps: limitOption, ...rest } = options as MakeOptions;
  const kwargs = { ...entry.kwargs, ...rest };
  const env = entry.entryPoint(kwargs);
  const maxEpisodeSteps = limitOption === undefined ? entry.maxEpisodeSteps : limitOption;
  const spec: EnvSpec = { id, maxEpisodeSteps, rewardThreshold: entry.rewardThreshold, kwargs };
  const wrapped = maxEpisodeSteps === null ? env : new TimeLimit(env, maxEpisodeSteps);
  wrapped.spec = spec;
  return wrapped;
}

register({
  id: 'CartPole-v0',
  entryPoint: (kwargs) => new CartPoleEnv(kwargs as CartPoleOptions),
  maxEpisodeSteps: 200,
  rewardThreshold: 195,
});

register({
  id: 'CartPole-v1',
  entryPoint: (kwargs) => new CartPoleEnv(kwargs as CartPoleOptions),
  maxEpisodeSteps: 500,
  rewardThreshold: 475,
});
