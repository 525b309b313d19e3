/**
 * The DQN agent (chapter 9; Mnih et al. 2015): online and target Q-networks, Adam, epsilon-greedy, Huber loss,
 * Double DQN targets (van Hasselt et al. 2016), gradient clipping; and the accelerator's interface.
 */
import { tf, type Sequential, type Tensor, type Tensor2D } from '../backend/tf';
import type { Optimizer, Scalar, Variable } from '@tensorflow/tfjs';
import { rng, type Random } from '../util/random';
import { Discrete, type Env } from 'gym-js';
import { checkClipNorm, clipByGlobalNorm } from '../train/gradient-clip';
import { DQN_HIDDEN_UNITS, createQNetwork, copyWeights, restoreWeights, softUpdateWeights, weightSnapshot } from './q-network';
import type { TransitionBatch } from './replay-buffer';
import { greedyEpisodes, summariseReturns, type EvaluationResult } from './evaluation';

/** What an accelerator may do for a `DqnAgent`: the same results, faster; `greedyAction` and `q` may decline (null). */
export interface DqnAccelerator {
  /** The greedy action for one checked observation, or null to leave it to the agent's tensors. */
  greedyAction(observation: ArrayLike<number>): number | null;
  /** `network.apply(observations)` (the agent's online or target network), or null to leave it to `apply`. */
  q(network: Sequential, observations: Tensor2D): Tensor | null;
  /** An optimiser with the arithmetic of `tf.train.adam(agent.learningRate)`, used instead of it. */
  optimizer: Pick<Optimizer, 'applyGradients' | 'dispose'>;
}

/** The agent's hyper-parameters; `DQN_AGENT_DEFAULTS` holds their defaults. */
export interface DqnAgentSettings {
  /** Hidden layers of the Q-network. */
  hiddenUnits: readonly number[];
  /** Adam's learning rate. */
  learningRate: number;
  /** Discount factor. */
  gamma: number;
  /** Target `r + gamma * Q_target(s', argmax_a Q_online(s', a))` instead of `max_a Q_target(s', a)`. */
  doubleDqn: boolean;
  /** `'huber'` (delta 1) or `'mse'`. */
  loss: 'huber' | 'mse';
  /** Rescale the gradients when their global norm exceeds this; null turns clipping off. */
  gradientClipNorm: number | null;
  /** Fixed per-feature factors for the observations (see `createQNetwork`); null for none. */
  observationScale: readonly number[] | null;
  /** Builds an accelerator for the agent (e.g. `accelerateDqn`); null: the agent's own tensor code. */
  accelerator: ((agent: DqnAgent) => DqnAccelerator) | null;
}

/** The agent's defaults: `DQN_HIDDEN_UNITS`, Adam at 1e-3, discount 0.99, Double DQN, Huber loss, gradient norm 10. */
export const DQN_AGENT_DEFAULTS: Readonly<DqnAgentSettings> = Object.freeze({
  hiddenUnits: DQN_HIDDEN_UNITS, learningRate: 1e-3, gamma: 0.99, doubleDqn: true,
  loss: 'huber', gradientClipNorm: 10, observationScale: null, accelerator: null,
});

/** Options of `new DqnAgent(...)`: the sizes, any settings to change, and a generator. */
export interface DqnAgentOptions extends Partial<DqnAgentSettings> {
  /** Length of an observation (4 for CartPole). */
  observationSize: number;
  /** Number of discrete actions (2 for CartPole). */
  actionCount: number;
  /** Generator for exploration; defaults to the shared `rng()`. */
  random?: Random;
}

export interface UpdateResult {
  loss: number;
  /** Global gradient norm before clipping. */
  gradientNorm: number;
}

/** A DQN agent: online and target Q-networks and their Adam optimiser. */
export class DqnAgent {
  /** The network that acts and is trained. */
  readonly online: Sequential;
  /** The slowly-updated copy that computes bootstrap targets. */
  readonly target: Sequential;
  readonly observationSize: number;
  readonly actionCount: number;
  readonly learningRate: number;
  readonly gamma: number;
  readonly doubleDqn: boolean;
  readonly loss: 'huber' | 'mse';
  readonly gradientClipNorm: number | null;
  readonly accelerator: DqnAccelerator | null;
  /** Gradient updates done so far. */
  updates = 0;
  private readonly optimizer: Pick<Optimizer, 'applyGradients' | 'dispose'>;
  private readonly random: Random | null;
  private disposed = false;

  constructor(options: DqnAgentOptions) {
    const given = Object.entries(options).filter(([, value]) => value !== undefined);
    const settings: DqnAgentSettings = { ...DQN_AGENT_DEFAULTS, ...Object.fromEntries(given) };
    this.observationSize = options.observationSize;
    this.actionCount = options.actionCount;
    this.gamma = settings.gamma;
    if (!(this.gamma >= 0 && this.gamma <= 1)) throw new Error(`DqnAgent: gamma must be in [0, 1], got ${this.gamma}.`);
    this.doubleDqn = settings.doubleDqn;
    this.loss = settings.loss;
    if (this.loss !== 'huber' && this.loss !== 'mse') throw new Error(`DqnAgent: loss must be 'huber' or 'mse', got '${String(this.loss)}'.`);
    this.gradientClipNorm = settings.gradientClipNorm;
    if (this.gradientClipNorm !== null) checkClipNorm(this.gradientClipNorm, 'DqnAgent: gradientClipNorm', 'null');
    this.learningRate = settings.learningRate;
    if (!(this.learningRate > 0)) throw new Error(`DqnAgent: learningRate must be positive, got ${this.learningRate}.`);
    const network = { inputSize: this.observationSize, actionCount: this.actionCount, hiddenUnits: settings.hiddenUnits };
    this.online = createQNetwork({ ...network, inputScale: settings.observationScale, name: 'online' });
    this.target = createQNetwork({ ...network, inputScale: settings.observationScale, name: 'target' });
    this.target.trainable = false;
    copyWeights(this.online, this.target);
    this.random = options.random ?? null;
    if (settings.accelerator !== null && typeof settings.accelerator !== 'function') {
      throw new Error(`DqnAgent: accelerator must be a function that builds one for the agent (e.g. accelerateDqn) or null, got ${String(settings.accelerator)}.`);
    }
    this.accelerator = settings.accelerator?.(this) ?? null;
    this.optimizer = this.accelerator?.optimizer ?? tf.train.adam(this.learningRate);
  }

  /** Builds an agent sized for `env` (a Discrete action space and a one-dimensional observation space). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  static forEnv(env: Env<any, any>, options: Omit<DqnAgentOptions, 'observationSize' | 'actionCount'> = {}): DqnAgent {
    const actionSpace = env.actionSpace;
    if (!(actionSpace instanceof Discrete) || actionSpace.start !== 0) {
      throw new Error(`DqnAgent.forEnv: DQN needs a Discrete action space starting at 0, got ${String(actionSpace)}.`);
    }
    const shape = (env.observationSpace as { shape?: readonly number[] }).shape;
    if (!shape || shape.length !== 1) {
      throw new Error(`DqnAgent.forEnv: DQN here needs vector observations (a one-dimensional Box), got ${String(env.observationSpace)}.`);
    }
    return new DqnAgent({ ...options, observationSize: shape[0] as number, actionCount: actionSpace.n });
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('DqnAgent: this agent was disposed; create a new one.');
  }

  private checkObservation(observation: ArrayLike<number>): void {
    this.checkAlive();
    if (observation.length !== this.observationSize) {
      throw new Error(`DqnAgent: expected an observation of ${this.observationSize} numbers, got ${observation.length}.`);
    }
  }

  /** The Q-values of `network` for a batch of observations (through the accelerator when it has one). */
  private q(network: Sequential, observations: Tensor2D): Tensor {
    return this.accelerator?.q(network, observations) ?? (network.apply(observations) as Tensor);
  }

  /** The online network's Q-values for one observation. */
  qValues(observation: ArrayLike<number>): Float32Array {
    this.checkObservation(observation);
    return tf.tidy(() => this.q(this.online, tf.tensor2d(observation as Float32Array, [1, this.observationSize])).dataSync() as Float32Array);
  }

  /** The action with the highest Q-value, ties to the lowest index. */
  greedyAction(observation: ArrayLike<number>): number {
    this.checkObservation(observation);
    const fast = this.accelerator?.greedyAction(observation) ?? null;
    if (fast !== null) return fast;
    return tf.tidy(() => {
      const q = this.q(this.online, tf.tensor2d(observation as Float32Array, [1, this.observationSize]));
      return tf.argMax(q, 1).dataSync()[0] as number;
    });
  }

  /** Epsilon-greedy: a uniformly random action with probability `epsilon`, else the greedy one. */
  act(observation: ArrayLike<number>, epsilon: number): number {
    const random = this.random ?? rng();
    if (epsilon > 0 && random.next() < epsilon) return random.int(this.actionCount);
    return this.greedyAction(observation);
  }

  /**
   * One gradient step: y = r + gamma · (1 − terminated) · Q_target(s', a*), a* = argmax Q_online(s') (Double DQN) or
   * argmax Q_target(s'); Huber (or squared) error against Q_online(s, a), gradient clipped to `gradientClipNorm`.
   */
  update(batch: TransitionBatch): UpdateResult {
    this.checkAlive();
    const n = batch.size;
    const d = this.observationSize;
    if (batch.observations.length !== n * d || batch.nextObservations.length !== n * d) {
      throw new Error(`DqnAgent.update: the batch's observations must hold ${n} x ${d} numbers.`);
    }
    const [loss, norm] = tf.tidy(() => {
      const observations = tf.tensor2d(batch.observations, [n, d]);
      const nextObservations = tf.tensor2d(batch.nextObservations, [n, d]);
      const actionMask = tf.oneHot(tf.tensor1d(batch.actions, 'int32'), this.actionCount);
      const notTerminated = tf.sub(1, tf.tensor1d(batch.terminated));
      const nextTarget = this.q(this.target, nextObservations);
      const nextValues = this.doubleDqn
        ? tf.sum(tf.mul(nextTarget, tf.oneHot(tf.argMax(this.q(this.online, nextObservations), 1), this.actionCount)), 1)
        : tf.max(nextTarget, 1);
      // The targets are computed outside variableGrads: no gradient flows through them.
      const targets = tf.add(tf.tensor1d(batch.rewards), tf.mul(tf.mul(notTerminated, this.gamma), nextValues));
      const variables = this.online.trainableWeights.map((w) => w.read() as Variable);
      const { value, grads } = tf.variableGrads(() => {
        const chosen = tf.sum(tf.mul(this.q(this.online, observations), actionMask), 1);
        return (this.loss === 'huber' ? tf.losses.huberLoss(targets, chosen) : tf.losses.meanSquaredError(targets, chosen)) as Scalar;
      }, variables);
      const { gradients, globalNorm } = clipByGlobalNorm(grads, this.gradientClipNorm);
      this.optimizer.applyGradients(gradients);
      return [value, globalNorm];
    });
    const [lossValue, normValue] = [loss, norm].map((t) => t.dataSync()[0] as number);
    tf.dispose([loss, norm]);
    this.updates += 1;
    return { loss: lossValue as number, gradientNorm: normValue as number };
  }

  /** Hard target update: the target network becomes a copy of the online network. */
  syncTarget(): void {
    this.checkAlive();
    copyWeights(this.online, this.target);
  }

  /** Soft (Polyak) target update: `target = tau * online + (1 - tau) * target`. */
  softUpdateTarget(tau: number): void {
    this.checkAlive();
    softUpdateWeights(this.online, this.target, tau);
  }

  /** The online weights as typed arrays, e.g. to keep the best checkpoint. */
  snapshot(): Float32Array[] {
    return weightSnapshot(this.online);
  }

  /** Loads a snapshot into both networks. */
  restore(snapshot: Float32Array[]): void {
    this.checkAlive();
    restoreWeights(this.online, snapshot);
    copyWeights(this.online, this.target);
  }

  /** Plays `episodes` greedy episodes and summarises their returns; the first reset uses `options.seed`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  evaluate(env: Env<any, number>, episodes: number, options: { seed?: number } = {}): EvaluationResult {
    this.checkAlive();
    const played = [...greedyEpisodes(this, env, episodes, options.seed)];
    return summariseReturns(played.map((e) => e.totalReturn), played.map((e) => e.length));
  }

  /** Frees the networks' and the optimiser's tensors. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.online.dispose();
    this.target.dispose();
    this.optimizer.dispose();
  }
}
