/**
 * The DQN accelerator (chapter 9): `accelerateDqn` gives a `DqnAgent` the
 * same results in less time on its small dense Q-networks. Greedy actions come
 * from a plain TypeScript pass (`PlainDenseNetwork`), forward passes are one
 * fused matrix product per layer, and Adam runs over all variables at once
 * (`FlatAdam`). A network it cannot speed up keeps the agent's tensor code,
 * and it says so, once.
 */
import { tf } from '../backend/tf';
import type { Sequential, Tensor, Tensor2D } from '../backend/tf';
import type { Variable } from '@tensorflow/tfjs';
import type { DqnAccelerator, DqnAgent } from '../rl/dqn';
import { FlatAdam } from './flat-adam';
import { PlainDenseNetwork, denseLayers, type DenseLayerWeights } from './plain-dense-network';

/** Activations `tf.fused.matMul` applies itself. */
const FUSABLE_ACTIVATIONS = ['linear', 'relu', 'elu', 'relu6', 'sigmoid'] as const;

/** What the accelerator needs of a `DqnAgent`: its networks and learning rate. */
type AgentNetworks = Pick<DqnAgent, 'online' | 'target' | 'learningRate'>;

/** Fall-back messages already printed: each is printed once per process. */
const printed = new Set<string>();

/** The accelerator `accelerateDqn` builds (chapter 9). */
export class DqnFastPaths implements DqnAccelerator {
  readonly optimizer: FlatAdam;
  /** Greedy actions answered by the plain pass, and left to the agent's tensors (near-ties, other networks). */
  readonly greedyActionPaths = { plain: 0, tensor: 0 };
  private readonly plain: PlainDenseNetwork | null;
  private readonly fused: Map<Sequential, DenseLayerWeights<(typeof FUSABLE_ACTIVATIONS)[number]>[] | null>;

  constructor(agent: AgentNetworks) {
    this.optimizer = new FlatAdam(agent.online.trainableWeights.map((w) => w.read() as Variable), agent.learningRate);
    this.plain = PlainDenseNetwork.from(agent.online);
    this.fused = new Map([agent.online, agent.target].map((network) => [network, denseLayers(network, FUSABLE_ACTIVATIONS)]));
    const slow = [this.plain ? '' : 'greedy actions', this.fused.get(agent.online) ? '' : 'forward passes'].filter(Boolean);
    if (slow.length > 0) {
      const layers = agent.online.layers.map((l) => `${l.getClassName()}(${String((l.getConfig() as { activation?: string }).activation ?? '')})`);
      const message =
        `accelerateDqn: falling back to the agent's tensor code for ${slow.join(' and ')}: it speeds up stacks of Dense layers ` +
        `with linear or ReLU activations only, and this Q-network is ${layers.join(' -> ')}.`;
      if (!printed.has(message)) console.warn(message);
      printed.add(message);
    }
  }

  greedyAction(observation: ArrayLike<number>): number | null {
    const action = this.plain?.greedyAction(observation) ?? null;
    this.greedyActionPaths[action === null ? 'tensor' : 'plain'] += 1;
    return action;
  }

  /**
   * The forward pass as one fused matrix product per dense layer, on the
   * layers' own weight variables (so gradients flow to them): cheaper than
   * `model.apply`, whose per-layer bookkeeping costs more than the arithmetic
   * on these sizes.
   */
  q(network: Sequential, observations: Tensor2D): Tensor | null {
    const layers = this.fused.get(network);
    if (!layers) return null;
    let x: Tensor = observations;
    for (const { kernel, bias, activation } of layers) {
      x = tf.fused.matMul({ a: x as Tensor2D, b: kernel.read() as Tensor2D, bias: bias?.read(), activation });
    }
    return x;
  }
}

/**
 * Speeds up a DQN agent (chapter 9): pass it as the agent option (or
 * `trainDqn` config key) `accelerator`. Same actions, losses and weights as
 * the agent alone, bit for bit (see `test/rl-fast.test.ts`).
 */
export function accelerateDqn(agent: AgentNetworks): DqnFastPaths {
  return new DqnFastPaths(agent);
}
