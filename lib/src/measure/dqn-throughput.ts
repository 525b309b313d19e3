/** DQN speed (chapter 9): updates per second, the latency of one action, environment steps per second while learning. */
import { Random } from '../util/random';
import { measureRate, RateSummary } from '../util/timing';
import { DQN_HIDDEN_UNITS, DqnAgent, ReplayBuffer } from '../rl/index';
import { accelerateDqn } from '../rl-fast/index';
import { make } from 'gym-js';

export type DqnWorkload = 'update' | 'act' | 'agent';

/** DQN speed (batches of 64, the chapter's network and `accelerateDqn`): 'update', 'agent' in steps/s, 'act' in µs. */
export async function measureDqnThroughput(options: {
  what: DqnWorkload;
  size?: 'full' | 'smoke';
  warmup?: number;
  repetitions?: number;
  /** Hidden layers of the Q-network, default `DQN_HIDDEN_UNITS`. */
  hiddenUnits?: readonly number[];
  /** Give the agent `accelerateDqn` (default true); false times the agent's own tensor code. */
  accelerate?: boolean;
}): Promise<RateSummary & { unit: string }> {
  const smoke = options.size === 'smoke';
  const random = new Random(7);
  const agent = new DqnAgent({
    observationSize: 4,
    actionCount: 2,
    hiddenUnits: options.hiddenUnits ?? DQN_HIDDEN_UNITS,
    random,
    accelerator: options.accelerate === false ? null : accelerateDqn,
  });
  const buffer = new ReplayBuffer({ capacity: 10_000, observationSize: 4, random });
  const env = make('CartPole-v1');
  try {
    let [observation] = env.reset({ seed: 1 });
    for (let i = 0; i < 2_000; i++) {
      const action = random.int(2);
      const [next, reward, terminated, truncated] = env.step(action);
      buffer.add(observation, action, reward, next, terminated);
      [observation] = terminated || truncated ? env.reset() : [next];
    }
    const timing = { warmup: options.warmup ?? 1, repetitions: options.repetitions ?? 3 };
    if (options.what === 'update') {
      const steps = smoke ? 5 : 200;
      return { unit: 'steps/s', ...(await measureRate(() => {
        for (let i = 0; i < steps; i++) agent.update(buffer.sample(64));
        return steps;
      }, timing)) };
    }
    if (options.what === 'act') {
      const calls = smoke ? 50 : 5_000;
      const rates = await measureRate(() => {
        for (let i = 0; i < calls; i++) agent.greedyAction(observation);
        return calls;
      }, timing);
      // Calls per second, turned into microseconds per call: the fastest rate is the lowest latency.
      return { unit: 'µs', median: 1e6 / rates.median, min: 1e6 / rates.max, max: 1e6 / rates.min, repetitions: rates.repetitions };
    }
    const steps = smoke ? 20 : 1_000;
    return { unit: 'steps/s', ...(await measureRate(() => {
      for (let i = 0; i < steps; i++) {
        const action = agent.act(observation, 0.1);
        const [next, reward, terminated, truncated] = env.step(action);
        buffer.add(observation, action, reward, next, terminated);
        agent.update(buffer.sample(64));
        [observation] = terminated || truncated ? env.reset() : [next];
      }
      return steps;
    }, timing)) };
  } finally {
    agent.dispose();
    env.close?.();
  }
}
