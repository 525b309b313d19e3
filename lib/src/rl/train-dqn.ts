/**
 * The DQN training loop (chapter 9): act epsilon-greedily, store transitions,
 * learn from uniformly sampled batches, update the target network, evaluate
 * greedily now and then and keep the best weights.
 */
import { CART_POLE_OBSERVATION_SCALE, RecordEpisodeStatistics, Wrapper, make, type Env, type EpisodeStatistics } from 'gym-js';
import { DqnAgent, summariseReturns, type DqnAgentOptions, type EvaluationResult } from './dqn';
import { ReplayBuffer } from './replay-buffer';
import { linearSchedule } from './schedules';
import { watchInterrupts, type InterruptWatch } from '../notebook/interrupt';

/** Hyper-parameters of `trainDqn` (chapter 9); every field has a default (`DEFAULT_DQN_CONFIG`), and `CART_POLE_DQN_CONFIG` is the set tuned for CartPole-v1. */
export interface DqnConfig extends Omit<DqnAgentOptions, 'observationSize' | 'actionCount' | 'random'> {
  /** Environment steps to train for at most. */
  totalSteps: number;
  /** Transitions the replay buffer keeps. */
  bufferCapacity: number;
  /** Transitions per gradient step. */
  batchSize: number;
  /** Random-policy steps before the first update. */
  learningStarts: number;
  /** Environment steps between gradient phases. */
  trainFrequency: number;
  /** Gradient steps per phase. */
  gradientSteps: number;
  /** Epsilon at step 0. */
  epsilonStart: number;
  /** Epsilon after the decay. */
  epsilonEnd: number;
  /** Steps over which epsilon decays linearly. */
  epsilonDecaySteps: number;
  /** `'soft'`: Polyak update with `tau` after every gradient phase; `'hard'`: copy every `targetUpdateInterval` steps. */
  targetUpdate: 'soft' | 'hard';
  /** Polyak coefficient of the soft update. */
  tau: number;
  /** Steps between hard updates. */
  targetUpdateInterval: number;
  /** Steps between greedy evaluations (0 turns evaluation off). */
  evaluationInterval: number;
  /** Episodes of the periodic evaluation. */
  evaluationEpisodes: number;
  /** Episodes of the confirming evaluation that decides "solved" (Gymnasium's 100). */
  solveEpisodes: number;
  /** Mean return that counts as solved; defaults to the env spec's threshold (475 for CartPole-v1). */
  rewardThreshold: number | null;
  /** Stop once a confirming evaluation reaches `stopReturn`. */
  stopWhenSolved: boolean;
  /**
   * The confirmed mean return at which to stop; null means the reward threshold.
   * A value above the threshold keeps training a little past "solved" for an
   * agent with a safety margin (the best weights are kept either way).
   */
  stopReturn: number | null;
  /** Restore the weights of the best evaluation at the end. */
  keepBest: boolean;
  /** Episodes in the moving average reported to `onEpisode` (the `RecordEpisodeStatistics` buffer length). */
  movingAverageWindow: number;
  /** Seed of the first training and evaluation resets (the rest follows from the environment generators). */
  seed: number | null;
}

/**
 * The default DQN configuration (chapter 9): Double DQN with a 64-64 network,
 * Adam at 1e-3, the Huber loss (as `DqnAgent`'s default), one gradient step
 * of batch 64 per environment step, a hard target-network copy every 500
 * steps, epsilon from 1 to 0.05 over 10,000 steps, and a greedy evaluation
 * every 2,000 steps.
 */
export const DEFAULT_DQN_CONFIG: DqnConfig = {
  hiddenUnits: [64, 64],
  observationScale: null,
  learningRate: 1e-3,
  gamma: 0.99,
  doubleDqn: true,
  loss: 'huber',
  gradientClipNorm: 10,
  totalSteps: 100_000,
  bufferCapacity: 50_000,
  batchSize: 64,
  learningStarts: 1_000,
  trainFrequency: 1,
  gradientSteps: 1,
  epsilonStart: 1,
  epsilonEnd: 0.05,
  epsilonDecaySteps: 10_000,
  targetUpdate: 'hard',
  tau: 0.005,
  targetUpdateInterval: 500,
  evaluationInterval: 2_000,
  evaluationEpisodes: 10,
  solveEpisodes: 100,
  rewardThreshold: null,
  stopWhenSolved: true,
  stopReturn: null,
  keepBest: true,
  movingAverageWindow: 20,
  seed: null,
};

/**
 * The configuration that solves CartPole-v1 (chapter 9), complete, so that a
 * chapter writes `{ ...CART_POLE_DQN_CONFIG, seed }`: the defaults (the
 * Huber loss among them) plus CartPole's observation scale, training on past
 * the threshold (475) until 100 greedy episodes average at least 495.
 */
export const CART_POLE_DQN_CONFIG: DqnConfig = {
  ...DEFAULT_DQN_CONFIG,
  observationScale: [...CART_POLE_OBSERVATION_SCALE],
  stopReturn: 495,
};

/** The keys of `DqnConfig` that configure the agent itself, not the training loop. */
const AGENT_OPTION_KEYS: Record<keyof Omit<DqnAgentOptions, 'observationSize' | 'actionCount' | 'random'>, true> = {
  hiddenUnits: true,
  observationScale: true,
  learningRate: true,
  gamma: true,
  doubleDqn: true,
  loss: true,
  gradientClipNorm: true,
  plainGreedyActions: true,
};

/** Reported after every training episode (chapter 9). */
export interface EpisodeProgress {
  /** Episode number, from 1. */
  episode: number;
  /** Environment steps so far. */
  step: number;
  episodeReturn: number;
  episodeLength: number;
  epsilon: number;
  /** Mean return of the last `movingAverageWindow` episodes. */
  movingAverage: number;
  /** Mean loss of the updates during the episode (NaN before learning starts). */
  loss: number;
  /** Environment steps per second since the start, evaluations included. */
  stepsPerSecond: number;
  elapsedSeconds: number;
}

/** Reported after every greedy evaluation (chapter 9). */
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

/** What `trainDqn` returns (chapter 9). */
export interface DqnTrainingResult {
  /** The trained agent, with the best evaluated weights when `keepBest`. */
  agent: DqnAgent;
  episodes: EpisodeProgress[];
  evaluations: EvaluationProgress[];
  /** True when a confirming evaluation reached the threshold. */
  solved: boolean;
  /** Environment steps when it was solved, else null. */
  stepsToSolve: number | null;
  /** Wall time when it was solved, else null. */
  secondsToSolve: number | null;
  /** The confirming evaluation that solved it, else null. */
  solveEvaluation: EvaluationResult | null;
  /** Environment steps taken. */
  totalSteps: number;
  elapsedSeconds: number;
  /** The best evaluation score and its step, or null without evaluations. */
  best: { step: number; score: number } | null;
  /** True when `control.stopTraining` ended training before `totalSteps`. */
  stoppedEarly: boolean;
  /**
   * Where an interrupt (the stop button) ended training: the agent keeps the
   * weights of that step (the best weights are not restored).
   */
  interrupted?: { episode: number; step: number };
}

/** Stops `trainDqn` from a callback or another cell, like `Trainer.stopTraining` (chapter 9). */
export interface DqnTrainingControl {
  /** Set to true to stop after the current step (the best weights are still restored with `keepBest`). */
  stopTraining: boolean;
}

/** Arguments of `trainDqn` (chapter 9). */
export interface TrainDqnArguments {
  /** The training environment (e.g. `make('CartPole-v1')`). */
  env: Env<Float32Array, number>;
  /** Overrides of `DEFAULT_DQN_CONFIG`. */
  config?: Partial<DqnConfig>;
  /** Continue training this agent instead of building one; `config` may then hold no agent options (`loss`, `learningRate`, ...). */
  agent?: DqnAgent;
  /** The environment for greedy evaluations; by default `make(env.spec.id)`. */
  evaluationEnv?: Env<Float32Array, number>;
  /** Called after every episode. */
  onEpisode?: (progress: EpisodeProgress, control: DqnTrainingControl) => void;
  /** Called after every evaluation. */
  onEvaluation?: (progress: EvaluationProgress, control: DqnTrainingControl) => void;
  /** Set `control.stopTraining = true` (here or in a callback) to stop; created if not given. */
  control?: DqnTrainingControl;
}

/** `agent.evaluate`, one episode at a time so that an interrupt stops it; null when interrupted. */
async function evaluateUnlessInterrupted(
  agent: DqnAgent,
  env: Env<Float32Array, number>,
  episodes: number,
  options: { seed?: number },
  interrupts: InterruptWatch,
): Promise<EvaluationResult | null> {
  const returns: number[] = [];
  const lengths: number[] = [];
  for (let e = 0; e < episodes; e++) {
    const one = agent.evaluate(env, 1, e === 0 ? options : {});
    returns.push(...one.returns);
    lengths.push(...one.lengths);
    if (await interrupts.shouldStop()) return null;
  }
  return summariseReturns(returns, lengths);
}

/**
 * Trains a DQN agent (chapter 9). Asynchronous only so that notebook output
 * (live plots) can flush and an interrupt (the stop button) can arrive: it
 * yields to the event loop every 100 ms at a step boundary; the work itself is
 * synchronous.
 */
export async function trainDqn(args: TrainDqnArguments): Promise<DqnTrainingResult> {
  const { env, onEpisode, onEvaluation } = args;
  const unknown = Object.keys(args.config ?? {}).filter((k) => !(k in DEFAULT_DQN_CONFIG));
  if (unknown.length > 0) {
    throw new Error(`trainDqn: unknown config key(s) ${unknown.join(', ')}. Known keys: ${Object.keys(DEFAULT_DQN_CONFIG).join(', ')}.`);
  }
  const agentKeys = Object.keys(args.config ?? {}).filter((k) => k in AGENT_OPTION_KEYS);
  if (args.agent !== undefined && agentKeys.length > 0) {
    throw new Error(
      `trainDqn: config sets agent option(s) ${agentKeys.join(', ')}, but an agent was passed, which already has its own. ` +
        'Remove them from config to continue training that agent, or leave out agent to build a new one from config.',
    );
  }
  for (let inner: Env<unknown, unknown> = env; inner instanceof Wrapper; inner = inner.env) {
    if (inner instanceof RecordEpisodeStatistics) {
      throw new Error('trainDqn: pass the environment without RecordEpisodeStatistics; trainDqn records the episodes itself (result.episodes).');
    }
  }
  const config: DqnConfig = { ...DEFAULT_DQN_CONFIG, ...args.config };
  for (const key of ['totalSteps', 'bufferCapacity', 'batchSize', 'trainFrequency', 'gradientSteps', 'movingAverageWindow'] as const) {
    if (!Number.isInteger(config[key]) || config[key] <= 0) {
      throw new Error(`trainDqn: config.${key} must be a positive integer, got ${config[key]}.`);
    }
  }
  const threshold = config.rewardThreshold ?? env.spec?.rewardThreshold ?? null;
  let evaluationEnv = args.evaluationEnv ?? null;
  if (evaluationEnv === null && config.evaluationInterval > 0) {
    if (!env.spec) throw new Error('trainDqn: pass evaluationEnv (a second copy of the environment) when env was not built by make().');
    evaluationEnv = make(env.spec.id, { ...env.spec.kwargs, maxEpisodeSteps: env.spec.maxEpisodeSteps }) as Env<Float32Array, number>;
  }
  const agent = args.agent ?? DqnAgent.forEnv(env, config);
  const observationSize = agent.observationSize;
  const buffer = new ReplayBuffer({ capacity: config.bufferCapacity, observationSize });
  const epsilonAt = linearSchedule(config.epsilonStart, config.epsilonEnd, config.epsilonDecaySteps);

  const start = performance.now();
  const seconds = () => (performance.now() - start) / 1000;
  const episodes: EpisodeProgress[] = [];
  const evaluations: EvaluationProgress[] = [];
  let best: { step: number; score: number } | null = null;
  let bestWeights: Float32Array[] | null = null;
  let solved = false;
  let stepsToSolve: number | null = null;
  let secondsToSolve: number | null = null;
  let solveEvaluation: EvaluationResult | null = null;
  let firstEvaluation = true;

  // Episode returns and lengths, and the moving average of the returns, come from Gymnasium's wrapper.
  const recorded = new RecordEpisodeStatistics(env, config.movingAverageWindow);
  let [observation] = config.seed === null ? recorded.reset() : recorded.reset({ seed: config.seed });
  let lossSum = 0;
  let lossCount = 0;
  let step = 0;
  const control = args.control ?? { stopTraining: false };
  control.stopTraining = false;
  const interrupts = watchInterrupts();
  let interrupted: { episode: number; step: number } | undefined;

  while (step < config.totalSteps && !control.stopTraining) {
    if (await interrupts.shouldStop()) {
      interrupted = { episode: episodes.length + 1, step };
      break;
    }
    step += 1;
    const epsilon = epsilonAt(step);
    const action = step <= config.learningStarts ? recorded.actionSpace.sample() : agent.act(observation, epsilon);
    const [next, reward, terminated, truncated, info] = recorded.step(action);
    // Only termination cuts the bootstrap; a time-limit truncation still has a future.
    buffer.add(observation, action, reward, next, terminated);
    observation = next;

    if (step > config.learningStarts && step % config.trainFrequency === 0) {
      for (let g = 0; g < config.gradientSteps; g++) {
        const { loss } = agent.update(buffer.sample(config.batchSize));
        lossSum += loss;
        lossCount += 1;
      }
      if (config.targetUpdate === 'soft') agent.softUpdateTarget(config.tau);
    }
    if (config.targetUpdate === 'hard' && step > config.learningStarts && step % config.targetUpdateInterval === 0) {
      agent.syncTarget();
    }

    if (terminated || truncated) {
      const statistics = info['episode'] as EpisodeStatistics;
      const recentReturns = recorded.returnQueue;
      const elapsed = seconds();
      const progress: EpisodeProgress = {
        episode: recorded.episodeCount,
        step,
        episodeReturn: statistics.r,
        episodeLength: statistics.l,
        epsilon,
        movingAverage: recentReturns.reduce((a, b) => a + b, 0) / recentReturns.length,
        loss: lossCount > 0 ? lossSum / lossCount : Number.NaN,
        stepsPerSecond: step / Math.max(elapsed, 1e-9),
        elapsedSeconds: elapsed,
      };
      episodes.push(progress);
      onEpisode?.(progress, control);
      [observation] = recorded.reset();
      lossSum = 0;
      lossCount = 0;
    }

    if (evaluationEnv && config.evaluationInterval > 0 && step > config.learningStarts && step % config.evaluationInterval === 0) {
      const seedOption = firstEvaluation && config.seed !== null ? { seed: config.seed + 1 } : {};
      firstEvaluation = false;
      const quick = await evaluateUnlessInterrupted(agent, evaluationEnv, config.evaluationEpisodes, seedOption, interrupts);
      let confirmedMean: number | null = null;
      let confirming: EvaluationResult | null = null;
      if (quick !== null && threshold !== null && quick.mean >= threshold) {
        confirming = await evaluateUnlessInterrupted(agent, evaluationEnv, config.solveEpisodes, {}, interrupts);
        confirmedMean = confirming?.mean ?? null;
      }
      if (quick === null || interrupts.requested) {
        interrupted = { episode: episodes.length + 1, step };
        break;
      }
      const score = confirmedMean ?? quick.mean;
      const nowSolved = threshold !== null && confirmedMean !== null && confirmedMean >= threshold;
      if (config.keepBest && (best === null || score > best.score)) {
        best = { step, score };
        bestWeights = agent.snapshot();
      } else if (!config.keepBest && (best === null || score > best.score)) {
        best = { step, score };
      }
      const evaluation: EvaluationProgress = { step, mean: quick.mean, confirmedMean, score, solved: nowSolved, elapsedSeconds: seconds() };
      evaluations.push(evaluation);
      onEvaluation?.(evaluation, control);
      if (nowSolved && !solved) {
        solved = true;
        stepsToSolve = step;
        secondsToSolve = seconds();
        solveEvaluation = confirming;
      }
      const stopAt = config.stopReturn ?? threshold;
      if (config.stopWhenSolved && solved && confirmedMean !== null && stopAt !== null && confirmedMean >= stopAt) break;
    }
  }
  if (config.keepBest && bestWeights !== null && !interrupted) agent.restore(bestWeights);
  if (interrupted) console.log(`trainDqn: interrupted at episode ${interrupted.episode}, step ${interrupted.step}; the agent keeps the weights of step ${interrupted.step}.`);
  if (evaluationEnv && evaluationEnv !== args.evaluationEnv) evaluationEnv.close();
  return {
    agent,
    episodes,
    evaluations,
    solved,
    stepsToSolve,
    secondsToSolve,
    solveEvaluation,
    totalSteps: step,
    elapsedSeconds: seconds(),
    best,
    stoppedEarly: control.stopTraining,
    ...(interrupted ? { interrupted } : {}),
  };
}
