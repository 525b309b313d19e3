/** Running a policy in an environment (chapter 9), one recorded episode at a time. */
import type { Env } from './env';

/** A policy: picks an action from an observation. */
export type Policy<Observation, Action> = (observation: Observation) => Action;

/** What happened in one episode. */
export interface EpisodeRecord<Observation, Action> {
  /** The observations from the first (after reset) to the last (after the final step). */
  observations: Observation[];
  actions: Action[];
  rewards: number[];
  /** The sum of rewards. */
  totalReturn: number;
  /** Steps taken. */
  length: number;
  /** True when the episode ended by termination (the pole fell), false when it was cut off. */
  terminated: boolean;
  truncated: boolean;
}

/** Plays one episode with `policy` until it terminates or is truncated; `maxSteps` guards environments without a time limit. */
export function runEpisode<Observation, Action>(
  env: Env<Observation, Action>,
  policy: Policy<Observation, Action>,
  options: { seed?: number; maxSteps?: number; record?: boolean } = {},
): EpisodeRecord<Observation, Action> {
  const maxSteps = options.maxSteps ?? 100_000;
  const record = options.record ?? true;
  let [observation] = options.seed === undefined ? env.reset() : env.reset({ seed: options.seed });
  const episode: EpisodeRecord<Observation, Action> = {
    observations: record ? [observation] : [],
    actions: [],
    rewards: [],
    totalReturn: 0,
    length: 0,
    terminated: false,
    truncated: false,
  };
  while (episode.length < maxSteps) {
    const action = policy(observation);
    const [next, reward, terminated, truncated] = env.step(action);
    episode.totalReturn += reward;
    episode.length += 1;
    if (record) {
      episode.observations.push(next);
      episode.actions.push(action);
      episode.rewards.push(reward);
    }
    observation = next;
    if (terminated || truncated) {
      episode.terminated = terminated;
      episode.truncated = truncated;
      return episode;
    }
  }
  episode.truncated = true;
  return episode;
}

/** The policy that ignores the observation and samples the action space, the baseline of every RL experiment. */
export function randomPolicy<Observation, Action>(env: Env<Observation, Action>): Policy<Observation, Action> {
  return () => env.actionSpace.sample();
}

/** Returns of `episodes` episodes of `policy`, the first reset seeded with `seed` when given. */
export function episodeReturns<Observation, Action>(
  env: Env<Observation, Action>,
  policy: Policy<Observation, Action>,
  episodes: number,
  options: { seed?: number } = {},
): number[] {
  if (!Number.isInteger(episodes) || episodes <= 0) {
    throw new Error(`episodeReturns: episodes must be a positive integer, got ${episodes}.`);
  }
  const returns: number[] = [];
  for (let i = 0; i < episodes; i++) {
    const seed = i === 0 ? options.seed : undefined;
    returns.push(runEpisode(env, policy, { seed, record: false }).totalReturn);
  }
  return returns;
}
