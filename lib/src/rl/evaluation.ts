/** Greedy evaluation of a DQN agent (chapter 9): greedy episodes, their summary, and `trainDqn`'s scoreboard. */
import { runEpisode, type Env } from 'gym-js';
import { meanOf, standardDeviationOf } from '../util/statistics';
import { checkPositiveIntegers } from '../util/validate';
import type { InterruptWatch } from '../notebook/interrupt';
import type { DqnAgent } from './dqn';
import type { DqnLoopSettings } from './train-dqn';

/** Greedy-evaluation statistics. */
export interface EvaluationResult {
  returns: number[];
  lengths: number[];
  mean: number;
  std: number;
  min: number;
  max: number;
}

/** Mean, sample standard deviation (n − 1, as `summaryStatistics`; NaN for one return), min and max of returns. */
export function summariseReturns(returns: number[], lengths: number[] = []): EvaluationResult {
  if (returns.length === 0) throw new Error('summariseReturns: no returns to summarise; play at least one episode.');
  const mean = meanOf(returns);
  return { returns, lengths, mean, std: standardDeviationOf(returns, mean), min: Math.min(...returns), max: Math.max(...returns) };
}

/** Plays `episodes` greedy episodes, yielding each return and length; the first reset uses `seed` when given. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function* greedyEpisodes(agent: Pick<DqnAgent, 'greedyAction'>, env: Env<any, number>, episodes: number, seed?: number) {
  checkPositiveIntegers('evaluate', { episodes });
  const policy = (observation: ArrayLike<number>) => agent.greedyAction(observation);
  for (let e = 0; e < episodes; e++) {
    yield runEpisode(env, policy, { seed: e === 0 ? seed : undefined, maxSteps: 1_000_000, record: false });
  }
}

/** Reported after every greedy evaluation. */
export interface EvaluationProgress {
  step: number;
  /** Mean over `evaluationEpisodes` episodes. */
  mean: number;
  /** Mean over `solveEpisodes` episodes when the quick evaluation reached the threshold, else null. */
  confirmedMean: number | null;
  /** The score kept for "best": the confirmed mean when there is one, else the quick mean. */
  score: number;
  solved: boolean;
  elapsedSeconds: number;
}

/** `trainDqn`'s record of evaluations (confirmed at the threshold): best score and weights, the solve, when to stop. */
export class EvaluationScoreboard {
  readonly evaluations: EvaluationProgress[] = [];
  best: { step: number; score: number } | null = null;
  bestWeights: Float32Array[] | null = null;
  /** The first confirming evaluation that reached the threshold, with its step and wall time. */
  solved: { step: number; seconds: number; evaluation: EvaluationResult } | null = null;
  /** True once a confirmed mean reached `stopReturn` (or the threshold) with `stopWhenSolved`. */
  done = false;
  private seed: number | undefined;

  /** `threshold` is the mean return that counts as solved, `seed` the first evaluation's first reset. */
  constructor(
    private readonly agent: Pick<DqnAgent, 'greedyAction' | 'snapshot'>,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    private readonly env: Env<any, number>,
    private readonly options: Omit<DqnLoopSettings, 'seed'> & { threshold: number | null; seed: number | null },
  ) {
    this.seed = options.seed ?? undefined;
  }

  /** `episodes` greedy episodes, checking for an interrupt after each; null when interrupted. */
  private async play(episodes: number, interrupts: InterruptWatch): Promise<EvaluationResult | null> {
    const returns: number[] = [];
    const lengths: number[] = [];
    for (const episode of greedyEpisodes(this.agent, this.env, episodes, this.seed)) {
      this.seed = undefined;
      returns.push(episode.totalReturn);
      lengths.push(episode.length);
      if (await interrupts.shouldStop()) return null;
    }
    return summariseReturns(returns, lengths);
  }

  /** Evaluates the agent at `step` and records the result; null when an interrupt stopped the evaluation. */
  async evaluate(step: number, seconds: () => number, interrupts: InterruptWatch): Promise<EvaluationProgress | null> {
    const { threshold, evaluationEpisodes, solveEpisodes, keepBest, stopWhenSolved, stopReturn } = this.options;
    const quick = await this.play(evaluationEpisodes, interrupts);
    if (quick === null) return null;
    const confirming = threshold !== null && quick.mean >= threshold ? await this.play(solveEpisodes, interrupts) : null;
    if (interrupts.requested) return null;
    const confirmedMean = confirming?.mean ?? null;
    const score = confirmedMean ?? quick.mean;
    const solved = threshold !== null && confirmedMean !== null && confirmedMean >= threshold;
    if (this.best === null || score > this.best.score) {
      this.best = { step, score };
      if (keepBest) this.bestWeights = this.agent.snapshot();
    }
    const progress: EvaluationProgress = { step, mean: quick.mean, confirmedMean, score, solved, elapsedSeconds: seconds() };
    this.evaluations.push(progress);
    if (solved && this.solved === null) this.solved = { step, seconds: seconds(), evaluation: confirming as EvaluationResult };
    const stopAt = stopReturn ?? threshold;
    this.done = stopWhenSolved && this.solved !== null && confirmedMean !== null && stopAt !== null && confirmedMean >= stopAt;
    return progress;
  }
}
