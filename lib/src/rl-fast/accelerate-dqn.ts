/**
 * The DQN accelerator (chapter 9): same results, faster, on small dense Q-networks: plain greedy actions, one fused
 * product per layer, `JoinedAdam` over all variables. Other networks keep the agent's tensor code (it says so once).
 */
import { tf, type Sequential, type Tensor, type Tensor2D } from '../backend/tf';
import type { DqnAccelerator, DqnAgent } from '../rl/dqn';
import { JoinedAdam } from '../train/joined-adam';
import { PlainDenseNetwork, denseLayers, type DenseLayerWeights } from './plain-dense-network';

/** Activations `tf.fused.matMul` applies itself. */
const FUSABLE_ACTIVATIONS = ['linear', 'relu', 'elu', 'relu6', 'sigmoid'] as const;

/** What the accelerator needs of a `DqnAgent`: its networks and learning rate. */
type AgentNetworks = Pick<DqnAgent, 'online' | 'target' | 'learningRate'>;

/** Fall-back messages already printed: each is printed once per process. */
const printed = new Set<string>();

export class DqnFastPaths implements DqnAccelerator {
  readonly optimizer: JoinedAdam;
  /** Greedy actions answered by the plain pass, and left to the agent's tensors (near-ties, other networks). */
  readonly greedyActionPaths = { plain: 0, tensor: 0 };
  private readonly plain: PlainDenseNetwork | null;
  private readonly fused: Map<Sequential, DenseLayerWeights<(typeof FUSABLE_ACTIVATIONS)[number]>[] | null>;

  constructor(agent: AgentNetworks) {
    this.optimizer = new JoinedAdam(agent.learningRate);
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

  /** The forward pass as one fused product per dense layer on the layers' own variables: cheaper than `model.apply`. */
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

/** Speeds up a DQN agent (the agent option or `trainDqn` key `accelerator`): same actions, losses and weights, bit for bit. */
export function accelerateDqn(agent: AgentNetworks): DqnFastPaths {
  return new DqnFastPaths(agent);
}
