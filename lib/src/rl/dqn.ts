/**
 * The DQN agent (chapter 9, Mnih et al. 2015): an online Q-network that acts
 * and learns, a target network that provides stable bootstrap targets,
 * epsilon-greedy exploration, Huber loss, optional Double DQN targets
 * (van Hasselt et al. 2016) and gradient clipping by global norm.
 */
import { tf } from '../backend/tf';
import type { Sequential, Tensor, Tensor2D } from '../backend/tf';
import type { Scalar, Variable } from '@tensorflow/tfjs';
import { rng, type Random } from '../util/random';
import { Discrete, runEpisode, type Env } from 'gym-js';
import { checkClipNorm, globalNormScale } from '../train/gradient-clip';
import { FlatAdam } from './flat-adam';
import { createQNetwork, copyWeights, denseLayers, restoreWeights, softUpdateWeights, weightSnapshot } from './q-network';
import type { TransitionBatch } from './replay-buffer';
import { PlainDenseNetwork } from './plain-dense-network';

/** Options of `new DqnAgent(...)` (chapter 9). */
export interface DqnAgentOptions {
  /** Length of an observation (4 for CartPole). */
  observationSize: number;
  /** Number of discrete actions (2 for CartPole). */
  actionCount: number;
  /** Hidden layers of the Q-network, default `[128, 128]`. */
  hiddenUnits?: number[];
  /** Adam's learning rate, default 1e-3. */
  learningRate?: number;
  /** Discount factor, default 0.99. */
  gamma?: number;
  /** Target `r + gamma * Q_target(s', argmax_a Q_online(s', a))` instead of `max_a Q_target(s', a)`. Default true. */
  doubleDqn?: boolean;
  /** `'huber'` (default, delta 1) or `'mse'`. */
  loss?: 'huber' | 'mse';
  /** Rescale the gradients when their global norm exceeds this; null turns clipping off. Default 10. */
  gradientClipNorm?: number | null;
  /** Fixed per-feature factors for the observations (see `createQNetwork`); null for none. */
  observationScale?: number[] | null;
  /** Generator for exploration; defaults to the shared `rng()`. */
  random?: Random;
  /**
   * Pick greedy actions with a plain TypeScript forward pass on a copy of the
   * weights (`PlainDenseNetwork`), which gives the tensor path's action and
   * falls back to it when a near-tie leaves it unsure. Default true; false
   * always uses tensors.
   */
  plainGreedyActions?: boolean;
}

/** What one `update` did (chapter 9). */
export interface UpdateResult {
  loss: number;
  /** Global gradient norm before clipping. */
  gradientNorm: number;
}

/** Greedy-evaluation statistics (chapter 9). */
export interface EvaluationResult {
  returns: number[];
  lengths: number[];
  mean: number;
  /** Sample standard deviation (divides by n − 1, as `summaryStatistics` does); NaN for a single return. */
  std: number;
  min: number;
  max: number;
}

/**
 * Summarises a list of returns (chapter 9): mean, sample standard deviation
 * (n − 1 in the denominator, the same convention as chapter 1's
 * `summaryStatistics`; NaN when there is only one return), min and max.
 */
export function summariseReturns(returns: number[], lengths: number[] = []): EvaluationResult {
  if (returns.length === 0) throw new Error('summariseReturns: no returns to summarise; play at least one episode.');
  const n = returns.length;
  const mean = returns.reduce((a, b) => a + b, 0) / n;
  const variance = n < 2 ? Number.NaN : returns.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  return { returns, lengths, mean, std: Math.sqrt(variance), min: Math.min(...returns), max: Math.max(...returns) };
}

/** Activations `tf.fused.matMul` applies itself. */
const FUSABLE_ACTIVATIONS = ['linear', 'relu', 'elu', 'relu6', 'sigmoid'] as const;

/** A dense layer as the tensors a fused matrix product needs. */
interface FusedDenseLayer {
  kernel: Tensor2D;
  bias?: Tensor;
  activation: (typeof FUSABLE_ACTIVATIONS)[number];
}

/** The model's layers as fused dense layers, or null if any layer is not a plain dense layer. */
function fusedDenseLayers(model: Sequential): FusedDenseLayer[] | null {
  const layers = denseLayers(model, FUSABLE_ACTIVATIONS);
  return layers && layers.map(({ kernel, bias, activation }) => ({ kernel: kernel.read() as Tensor2D, bias: bias?.read(), activation }));
}

/** A DQN agent: online and target Q-networks and their Adam optimiser (chapter 9). */
export class DqnAgent {
  /** The network that acts and is trained. */
  readonly online: Sequential;
  /** The slowly-updated copy that computes bootstrap targets. */
  readonly target: Sequential;
  readonly observationSize: number;
  readonly actionCount: number;
  readonly gamma: number;
  readonly doubleDqn: boolean;
  readonly loss: 'huber' | 'mse';
  readonly gradientClipNorm: number | null;
  /** Gradient updates done so far. */
  updates = 0;
  private readonly optimizer: FlatAdam;
  private readonly random: Random | null;
  private readonly variables: Variable[];
  private disposed = false;
  private readonly fused = new Map<'online' | 'target', FusedDenseLayer[] | null>();
  private readonly plain: PlainDenseNetwork | null;
  /** Greedy actions chosen so far by the plain forward pass and by the tensor path (chapter 9). */
  readonly greedyActionPaths = { plain: 0, tensor: 0 };

  constructor(options: DqnAgentOptions) {
    this.observationSize = options.observationSize;
    this.actionCount = options.actionCount;
    this.gamma = options.gamma ?? 0.99;
    if (!(this.gamma >= 0 && this.gamma <= 1)) throw new Error(`DqnAgent: gamma must be in [0, 1], got ${this.gamma}.`);
    this.doubleDqn = options.doubleDqn ?? true;
    this.loss = options.loss ?? 'huber';
    if (this.loss !== 'huber' && this.loss !== 'mse') throw new Error(`DqnAgent: loss must be 'huber' or 'mse', got '${String(this.loss)}'.`);
    this.gradientClipNorm = options.gradientClipNorm === undefined ? 10 : options.gradientClipNorm;
    if (this.gradientClipNorm !== null) checkClipNorm(this.gradientClipNorm, 'DqnAgent: gradientClipNorm', 'null');
    const learningRate = options.learningRate ?? 1e-3;
    if (!(learningRate > 0)) throw new Error(`DqnAgent: learningRate must be positive, got ${learningRate}.`);
    const network = {
      inputSize: this.observationSize,
      actionCount: this.actionCount,
      hiddenUnits: options.hiddenUnits,
      inputScale: options.observationScale ?? null,
    };
    this.online = createQNetwork({ ...network, name: 'online' });
    this.target = createQNetwork({ ...network, name: 'target' });
    this.target.trainable = false;
    copyWeights(this.online, this.target);
    this.variables = this.online.trainableWeights.map((w) => w.read() as Variable);
    this.optimizer = new FlatAdam(this.variables, learningRate);
    this.random = options.random ?? null;
    this.plain = options.plainGreedyActions === false ? null : PlainDenseNetwork.from(this.online);
  }

  /** Builds an agent sized for `env` (a Discrete action space and a one-dimensional observation space) (chapter 9). */
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

  /** The online network's Q-values for one observation (one forward pass, one read). */
  qValues(observation: ArrayLike<number>): Float32Array {
    this.checkObservation(observation);
    return this.onlineQValues(observation);
  }

  /** `qValues` for an observation already checked. */
  private onlineQValues(observation: ArrayLike<number>): Float32Array {
    return tf.tidy(() => {
      const input = tf.tensor2d(observation as Float32Array, [1, this.observationSize]);
      return this.forward('online', input).dataSync() as Float32Array;
    });
  }

  /**
   * A network's forward pass as one fused matrix product per dense layer, on
   * the layers' own weight variables (so it always sees the latest weights,
   * and gradients flow to them). For the small Q-networks this is about twice
   * as fast as `model.apply`, whose per-layer bookkeeping costs more than the
   * arithmetic; a model with other layers falls back to `apply`.
   */
  private forward(which: 'online' | 'target', input: Tensor): Tensor {
    const model = which === 'online' ? this.online : this.target;
    if (!this.fused.has(which)) this.fused.set(which, fusedDenseLayers(model));
    const layers = this.fused.get(which);
    if (!layers) return model.apply(input) as Tensor;
    let x = input;
    for (const layer of layers) {
      x = tf.fused.matMul({ a: x as Tensor2D, b: layer.kernel, bias: layer.bias, activation: layer.activation });
    }
    return x;
  }

  /**
   * The action with the highest Q-value (ties go to the lowest index): by the
   * plain forward pass when the network allows it and it is sure, else from
   * `qValues` (chapter 9).
   */
  greedyAction(observation: ArrayLike<number>): number {
    this.checkObservation(observation);
    if (this.plain) {
      const action = this.plain.greedyAction(observation);
      if (action !== null) {
        this.greedyActionPaths.plain += 1;
        return action;
      }
    }
    this.greedyActionPaths.tensor += 1;
    const q = this.onlineQValues(observation);
    let best = 0;
    for (let a = 1; a < q.length; a++) if ((q[a] as number) > (q[best] as number)) best = a;
    return best;
  }

  /** Epsilon-greedy: a uniformly random action with probability `epsilon`, else the greedy one. */
  act(observation: ArrayLike<number>, epsilon: number): number {
    const random = this.random ?? rng();
    if (epsilon > 0 && random.next() < epsilon) return random.int(this.actionCount);
    return this.greedyAction(observation);
  }

  /**
   * One gradient step on a batch (chapter 9): targets
   * `y = r + gamma * (1 - terminated) * Q_target(s', a*)` with
   * `a* = argmax Q_online(s')` (Double DQN) or `argmax Q_target(s')`, then
   * the Huber (or squared) error between `Q_online(s, a)` and `y`, with the
   * gradient rescaled to at most `gradientClipNorm`.
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
      const rewards = tf.tensor1d(batch.rewards);
      const notTerminated = tf.sub(1, tf.tensor1d(batch.terminated));
      const nextTarget = this.forward('target', nextObservations);
      let nextValues: Tensor;
      if (this.doubleDqn) {
        const nextOnline = this.forward('online', nextObservations);
        const nextActions = tf.oneHot(tf.argMax(nextOnline, 1), this.actionCount);
        nextValues = tf.sum(tf.mul(nextTarget, nextActions), 1);
      } else {
        nextValues = tf.max(nextTarget, 1);
      }
      const targets = tf.add(rewards, tf.mul(tf.mul(notTerminated, this.gamma), nextValues));
      const { value, grads } = tf.variableGrads(() => {
        const q = this.forward('online', observations);
        const chosen = tf.sum(tf.mul(q, actionMask), 1);
        return (this.loss === 'huber' ? tf.losses.huberLoss(targets, chosen) : tf.losses.meanSquaredError(targets, chosen)) as Scalar;
      }, this.variables);
      // Adam over all the variables at once; the same arithmetic as clipByGlobalNorm then tf.train.adam, bit for bit.
      const gradients = this.variables.map((v) => grads[v.name] as Tensor);
      const { globalNorm, scale } = globalNormScale(gradients, this.gradientClipNorm);
      this.optimizer.applyGradients(gradients, scale ?? undefined);
      return [value, globalNorm];
    });
    const lossValue = (loss.dataSync() as Float32Array)[0] as number;
    const normValue = (norm.dataSync() as Float32Array)[0] as number;
    loss.dispose();
    norm.dispose();
    this.updates += 1;
    return { loss: lossValue, gradientNorm: normValue };
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

  /**
   * Plays `episodes` episodes greedily (no exploration) and returns their
   * returns (chapter 9). The first reset uses `options.seed` when given.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  evaluate(env: Env<any, number>, episodes: number, options: { seed?: number } = {}): EvaluationResult {
    this.checkAlive();
    if (!Number.isInteger(episodes) || episodes <= 0) {
      throw new Error(`DqnAgent.evaluate: episodes must be a positive integer, got ${episodes}.`);
    }
    const returns: number[] = [];
    const lengths: number[] = [];
    const policy = (observation: ArrayLike<number>) => this.greedyAction(observation);
    for (let e = 0; e < episodes; e++) {
      const seed = e === 0 ? options.seed : undefined;
      const episode = runEpisode(env, policy, { seed, maxSteps: 1_000_000, record: false });
      returns.push(episode.totalReturn);
      lengths.push(episode.length);
    }
    return summariseReturns(returns, lengths);
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
