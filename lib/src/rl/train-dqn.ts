/**
 * The DQN training loop (chapter 9): act epsilon-greedily, store transitions, learn from sampled batches, update
 * the target network, evaluate greedily now and then, keep the best weights.
 */
import { RecordEpisodeStatistics, Wrapper, make, type Env, type EpisodeStatistics } from 'gym-js';
import { meanOf } from '../util/statistics';
import { checkPositiveIntegers } from '../util/validate';
import { DQN_AGENT_DEFAULTS, DqnAgent, type DqnAgentSettings } from './dqn';
import { EvaluationScoreboard, type EvaluationProgress, type EvaluationResult } from './evaluation';
import { ReplayBuffer } from './replay-buffer';
import { linearSchedule } from './schedules';
import { CART_POLE_OBSERVATION_SCALE } from './observation-scale';
import { watchInterrupts } from '../notebook/interrupt';

/** The training loop's settings; `DQN_LOOP_DEFAULTS` holds their defaults. */
export interface DqnLoopSettings {
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
  /** The confirmed mean return at which to stop (null: the threshold); above it, training goes on past "solved" for a margin. */
  stopReturn: number | null;
  /** Restore the weights of the best evaluation at the end. */
  keepBest: boolean;
  /** Episodes in the moving average reported to `onEpisode` (the `RecordEpisodeStatistics` buffer length). */
  movingAverageWindow: number;
  /** Seed of the first training and evaluation resets (the rest follows from the environment generators). */
  seed: number | null;
}

/** The loop's defaults: 1,000 random steps, batch 64 each step, target copy every 500, epsilon 1 → 0.05 over 10,000. */
export const DQN_LOOP_DEFAULTS: Readonly<DqnLoopSettings> = Object.freeze({
  totalSteps: 100_000, bufferCapacity: 50_000, batchSize: 64, learningStarts: 1_000, trainFrequency: 1, gradientSteps: 1,
  epsilonStart: 1, epsilonEnd: 0.05, epsilonDecaySteps: 10_000,
  targetUpdate: 'hard', tau: 0.005, targetUpdateInterval: 500,
  evaluationInterval: 2_000, evaluationEpisodes: 10, solveEpisodes: 100, rewardThreshold: null,
  stopWhenSolved: true, stopReturn: null, keepBest: true, movingAverageWindow: 20, seed: null,
});

/** Everything `trainDqn` can be told: the agent's settings and the loop's. */
export interface DqnConfig extends DqnAgentSettings, DqnLoopSettings {}

/** The default configuration of `trainDqn`: `DQN_AGENT_DEFAULTS` and `DQN_LOOP_DEFAULTS`. */
export const DEFAULT_DQN_CONFIG: DqnConfig = { ...DQN_AGENT_DEFAULTS, ...DQN_LOOP_DEFAULTS };

/** CartPole-v1's configuration (`{ ...CART_POLE_DQN_CONFIG, seed }`): defaults, its observation scale, stop at 495. */
export const CART_POLE_DQN_CONFIG: DqnConfig = { ...DEFAULT_DQN_CONFIG, observationScale: [...CART_POLE_OBSERVATION_SCALE], stopReturn: 495 };

/** Reported after every training episode. */
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
  totalSteps: number;
  elapsedSeconds: number;
  /** The best evaluation score and its step, or null without evaluations. */
  best: { step: number; score: number } | null;
  /** True when `control.stopTraining` ended training before `totalSteps`. */
  stoppedEarly: boolean;
  /** Where an interrupt (the stop button) ended training; the agent keeps that step's weights, not the best. */
  interrupted?: { episode: number; step: number };
}

/** Stops `trainDqn` from a callback or another cell, like `Trainer.stopTraining`. */
export interface DqnTrainingControl {
  /** Set to true to stop after the current step (the best weights are still restored with `keepBest`). */
  stopTraining: boolean;
}

export interface TrainDqnArguments {
  /** The training environment (e.g. `make('CartPole-v1')`). */
  env: Env<Float32Array, number>;
  /** Overrides of `DEFAULT_DQN_CONFIG`. */
  config?: Partial<DqnConfig>;
  /** Continue training this agent instead of building one; `config` may then hold no agent settings (`loss`, `learningRate`, ...). */
  agent?: DqnAgent;
  /** The environment for greedy evaluations; by default `make(env.spec.id)`. */
  evaluationEnv?: Env<Float32Array, number>;
  onEpisode?: (progress: EpisodeProgress, control: DqnTrainingControl) => void;
  onEvaluation?: (progress: EvaluationProgress, control: DqnTrainingControl) => void;
  /** Set `control.stopTraining = true` (here or in a callback) to stop; created if not given. */
  control?: DqnTrainingControl;
}

/** The config checked and split into the agent's settings and the loop's. */
function splitConfig(args: TrainDqnArguments): { agentSettings: Partial<DqnAgentSettings>; loop: DqnLoopSettings } {
  const given = Object.entries(args.config ?? {});
  const unknown = given.filter(([key]) => !(key in DEFAULT_DQN_CONFIG)).map(([key]) => key);
  if (unknown.length > 0) {
    throw new Error(`trainDqn: unknown config key(s) ${unknown.join(', ')}. Known keys: ${Object.keys(DEFAULT_DQN_CONFIG).join(', ')}.`);
  }
  const agentSettings = Object.fromEntries(given.filter(([key]) => key in DQN_AGENT_DEFAULTS));
  if (args.agent !== undefined && Object.keys(agentSettings).length > 0) {
    throw new Error(
      `trainDqn: config sets agent option(s) ${Object.keys(agentSettings).join(', ')}, but an agent was passed, which already has its own. ` +
        'Remove them from config to continue training that agent, or leave out agent to build a new one from config.',
    );
  }
  const loop: DqnLoopSettings = { ...DQN_LOOP_DEFAULTS, ...Object.fromEntries(given.filter(([key]) => key in DQN_LOOP_DEFAULTS)) };
  const { totalSteps, bufferCapacity, batchSize, trainFrequency, gradientSteps, movingAverageWindow } = loop;
  checkPositiveIntegers('trainDqn: config', { totalSteps, bufferCapacity, batchSize, trainFrequency, gradientSteps, movingAverageWindow });
  return { agentSettings, loop };
}

/** The environment for evaluations: the one given, else a fresh copy of `env` (null when evaluation is off). */
function evaluationEnvFor(args: TrainDqnArguments, loop: DqnLoopSettings): Env<Float32Array, number> | null {
  if (loop.evaluationInterval <= 0) return null;
  if (args.evaluationEnv) return args.evaluationEnv;
  const spec = args.env.spec;
  if (!spec) throw new Error('trainDqn: pass evaluationEnv (a second copy of the environment) when env was not built by make().');
  return make(spec.id, { ...spec.kwargs, maxEpisodeSteps: spec.maxEpisodeSteps }) as Env<Float32Array, number>;
}

/** Trains a DQN agent; async only to yield every 100 ms (notebook output, the stop button): the work is synchronous. */
export async function trainDqn(args: TrainDqnArguments): Promise<DqnTrainingResult> {
  const { agentSettings, loop } = splitConfig(args);
  for (let inner: Env<unknown, unknown> = args.env; inner instanceof Wrapper; inner = inner.env) {
    if (inner instanceof RecordEpisodeStatistics) {
      throw new Error('trainDqn: pass the environment without RecordEpisodeStatistics; trainDqn records the episodes itself (result.episodes).');
    }
  }
  const evaluationEnv = evaluationEnvFor(args, loop);
  const agent = args.agent ?? DqnAgent.forEnv(args.env, agentSettings);
  const buffer = new ReplayBuffer({ capacity: loop.bufferCapacity, observationSize: agent.observationSize });
  const epsilonAt = linearSchedule(loop.epsilonStart, loop.epsilonEnd, loop.epsilonDecaySteps);
  const scoreboard = evaluationEnv && new EvaluationScoreboard(agent, evaluationEnv, {
    ...loop,
    threshold: loop.rewardThreshold ?? args.env.spec?.rewardThreshold ?? null,
    seed: loop.seed === null ? null : loop.seed + 1,
  });
  const start = performance.now();
  const seconds = () => (performance.now() - start) / 1000;
  const control = args.control ?? { stopTraining: false };
  control.stopTraining = false;
  const interrupts = watchInterrupts();
  // Episode returns and lengths, and the moving average of the returns, come from Gymnasium's wrapper.
  const env = new RecordEpisodeStatistics(args.env, loop.movingAverageWindow);
  let [observation] = loop.seed === null ? env.reset() : env.reset({ seed: loop.seed });
  const episodes: EpisodeProgress[] = [];
  let losses: number[] = [];
  let step = 0;
  let interrupted: { episode: number; step: number } | undefined;

  while (step < loop.totalSteps && !control.stopTraining && !scoreboard?.done) {
    if (await interrupts.shouldStop()) {
      interrupted = { episode: episodes.length + 1, step };
      break;
    }
    step += 1;
    const learning = step > loop.learningStarts;
    const epsilon = epsilonAt(step);
    const action = learning ? agent.act(observation, epsilon) : env.actionSpace.sample();
    const [next, reward, terminated, truncated, info] = env.step(action);
    // Only termination cuts the bootstrap; a time-limit truncation still has a future.
    buffer.add(observation, action, reward, next, terminated);
    observation = next;
    if (learning && step % loop.trainFrequency === 0) {
      for (let g = 0; g < loop.gradientSteps; g++) losses.push(agent.update(buffer.sample(loop.batchSize)).loss);
      if (loop.targetUpdate === 'soft') agent.softUpdateTarget(loop.tau);
    }
    if (learning && loop.targetUpdate === 'hard' && step % loop.targetUpdateInterval === 0) agent.syncTarget();

    if (terminated || truncated) {
      const { r, l } = info['episode'] as EpisodeStatistics;
      const elapsed = seconds();
      const progress: EpisodeProgress = {
        episode: env.episodeCount,
        step,
        episodeReturn: r,
        episodeLength: l,
        epsilon,
        movingAverage: meanOf(env.returnQueue),
        loss: meanOf(losses),
        stepsPerSecond: step / Math.max(elapsed, 1e-9),
        elapsedSeconds: elapsed,
      };
      episodes.push(progress);
      args.onEpisode?.(progress, control);
      [observation] = env.reset();
      losses = [];
    }
    if (scoreboard && learning && step % loop.evaluationInterval === 0) {
      const evaluation = await scoreboard.evaluate(step, seconds, interrupts);
      if (evaluation === null) {
        interrupted = { episode: episodes.length + 1, step };
        break;
      }
      args.onEvaluation?.(evaluation, control);
    }
  }
  if (loop.keepBest && scoreboard?.bestWeights && !interrupted) agent.restore(scoreboard.bestWeights);
  if (interrupted) console.log(`trainDqn: interrupted at episode ${interrupted.episode}, step ${interrupted.step}; the agent keeps the weights of step ${interrupted.step}.`);
  if (evaluationEnv && evaluationEnv !== args.evaluationEnv) evaluationEnv.close();
  const solved = scoreboard?.solved ?? null;
  return {
    agent,
    episodes,
    evaluations: scoreboard?.evaluations ?? [],
    solved: solved !== null,
    stepsToSolve: solved?.step ?? null,
    secondsToSolve: solved?.seconds ?? null,
    solveEvaluation: solved?.evaluation ?? null,
    totalSteps: step,
    elapsedSeconds: seconds(),
    best: scoreboard?.best ?? null,
    stoppedEarly: control.stopTraining,
    ...(interrupted ? { interrupted } : {}),
  };
}
