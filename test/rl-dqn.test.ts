import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CART_POLE_DQN_CONFIG,
  CART_POLE_OBSERVATION_SCALE,
  DqnAgent,
  Random,
  accelerateDqn,
  ReplayBuffer,
  createQNetwork,
  initBackend,
  make,
  seed,
  softUpdateWeights,
  tf,
  trainDqn,
  unseed,
  type Tensor,
} from 'dlkit';

// A two-state toy MDP with discount 0.9:
//   state 0: action 0 -> state 0, reward 0;  action 1 -> state 1, reward 1
//   state 1: action 0 -> state 0, reward 0;  action 1 -> episode ends, reward 5
// Bellman optimality by hand: V(1) = max(5, 0.9 V(0)), V(0) = max(0.9 V(0), 1 + 0.9 V(1)).
// Try V(1) = 5: V(0) = 1 + 4.5 = 5.5; check 0.9 * 5.5 = 4.95 < 5 and 4.95 < 5.5. So
//   Q(0,0) = 0.9 * 5.5 = 4.95, Q(0,1) = 1 + 0.9 * 5 = 5.5, Q(1,0) = 0.9 * 5.5 = 4.95, Q(1,1) = 5.
const GAMMA = 0.9;
const ANALYTIC_Q = [
  [4.95, 5.5],
  [4.95, 5],
];
const TRANSITIONS = [
  { state: 0, action: 0, reward: 0, next: 0, terminated: false },
  { state: 0, action: 1, reward: 1, next: 1, terminated: false },
  { state: 1, action: 0, reward: 0, next: 0, terminated: false },
  { state: 1, action: 1, reward: 5, next: 0, terminated: true },
];
const oneHot = (state: number) => (state === 0 ? [1, 0] : [0, 1]);

test('tabular Q-learning on the toy MDP converges to the analytic Q-values', () => {
  const random = new Random(0);
  const q = [
    [0, 0],
    [0, 0],
  ];
  for (let i = 0; i < 20_000; i++) {
    const t = TRANSITIONS[random.int(4)] as (typeof TRANSITIONS)[number];
    const row = q[t.state] as number[];
    const target = t.reward + (t.terminated ? 0 : GAMMA * Math.max(...(q[t.next] as number[])));
    row[t.action] = (row[t.action] as number) + 0.1 * (target - (row[t.action] as number));
  }
  for (let s = 0; s < 2; s++) {
    for (let a = 0; a < 2; a++) {
      assert.ok(Math.abs((q[s] as number[])[a] as number - ((ANALYTIC_Q[s] as number[])[a] as number)) < 1e-6, `Q(${s},${a}) = ${(q[s] as number[])[a]}`);
    }
  }
});

test('DQN updates with a target network converge to the analytic Q-values of the toy MDP', async () => {
  await initBackend({ quiet: true });
  seed(11);
  for (const doubleDqn of [false, true]) {
    const agent = new DqnAgent({
      observationSize: 2,
      actionCount: 2,
      hiddenUnits: [16],
      learningRate: 0.02,
      gamma: GAMMA,
      doubleDqn,
      loss: 'mse',
      gradientClipNorm: null,
    });
    const buffer = new ReplayBuffer({ capacity: 4, observationSize: 2 });
    for (const t of TRANSITIONS) buffer.add(oneHot(t.state), t.action, t.reward, oneHot(t.next), t.terminated);
    const batch = buffer.gather([0, 1, 2, 3]);
    // Each hard target update is one step of value iteration (contraction 0.9).
    for (let round = 0; round < 60; round++) {
      for (let i = 0; i < 8; i++) agent.update(batch);
      agent.syncTarget();
    }
    for (let s = 0; s < 2; s++) {
      const values = agent.qValues(oneHot(s));
      for (let a = 0; a < 2; a++) {
        const expected = (ANALYTIC_Q[s] as number[])[a] as number;
        assert.ok(Math.abs((values[a] as number) - expected) < 0.05, `double=${doubleDqn} Q(${s},${a}) = ${values[a]}, expected ${expected}`);
      }
    }
    assert.equal(agent.greedyAction(oneHot(0)), 1);
    assert.equal(agent.greedyAction(oneHot(1)), 1);
    agent.dispose();
  }
  unseed();
});

test('the DQN target uses Q_target at the online argmax (Double DQN) or the target max', async () => {
  await initBackend({ quiet: true });
  seed(3);
  // With learning rate tiny, the loss of one update is the loss of the targets computed before it.
  for (const doubleDqn of [false, true]) {
    const agent = new DqnAgent({ observationSize: 2, actionCount: 2, hiddenUnits: [8], gamma: 0.5, doubleDqn, loss: 'mse', learningRate: 1e-9, gradientClipNorm: null });
    // Make online and target differ: the target gets the weights of another random network.
    const other = createQNetwork({ inputSize: 2, actionCount: 2, hiddenUnits: [8] });
    softUpdateWeights(other, agent.target, 1);
    other.dispose();
    const buffer = new ReplayBuffer({ capacity: 1, observationSize: 2 });
    buffer.add([0.3, -0.7], 1, 2, [1, 0.5], false);
    const batch = buffer.gather([0]);
    const qOnlineNext = agent.qValues([1, 0.5]);
    const qTargetNext = tf.tidy(() => (agent.target.apply(tf.tensor2d([1, 0.5], [1, 2])) as Tensor).dataSync());
    const bestOnline = (qOnlineNext[1] as number) > (qOnlineNext[0] as number) ? 1 : 0;
    const nextValue = doubleDqn ? (qTargetNext[bestOnline] as number) : Math.max(qTargetNext[0] as number, qTargetNext[1] as number);
    const target = 2 + 0.5 * nextValue;
    const chosen = agent.qValues([0.3, -0.7])[1] as number;
    const { loss } = agent.update(batch);
    assert.ok(Math.abs(loss - (target - chosen) ** 2) < 1e-4, `double=${doubleDqn}: loss ${loss}, expected ${(target - chosen) ** 2}`);
    agent.dispose();
  }
  unseed();
});

test('gradient clipping caps the global norm and Huber loss is linear for large errors', async () => {
  await initBackend({ quiet: true });
  seed(5);
  const agent = new DqnAgent({ observationSize: 2, actionCount: 2, hiddenUnits: [8], gamma: 0, gradientClipNorm: 0.5, loss: 'huber', learningRate: 1e-9 });
  const buffer = new ReplayBuffer({ capacity: 1, observationSize: 2 });
  buffer.add([1, 1], 0, 1000, [0, 0], true);
  const chosen = agent.qValues([1, 1])[0] as number;
  const { loss, gradientNorm } = agent.update(buffer.gather([0]));
  // Huber with delta 1: |e| - 0.5 for |e| > 1.
  assert.ok(Math.abs(loss - (Math.abs(1000 - chosen) - 0.5)) < 1e-2, `huber loss ${loss}`);
  assert.ok(gradientNorm > 0.5, 'the raw norm is reported before clipping');
  agent.dispose();
  unseed();
});

test('no tensor leaks across many updates, target updates, actions and evaluations', async () => {
  await initBackend({ quiet: true });
  seed(9);
  const env = make('CartPole-v1');
  const agent = DqnAgent.forEnv(env, { hiddenUnits: [32, 32], observationScale: [...CART_POLE_OBSERVATION_SCALE] });
  const buffer = new ReplayBuffer({ capacity: 500, observationSize: 4 });
  let [observation] = env.reset({ seed: 9 });
  for (let i = 0; i < 300; i++) {
    const action = agent.act(observation, 0.5);
    const [next, reward, terminated, truncated] = env.step(action);
    buffer.add(observation, action, reward, next, terminated);
    observation = next;
    if (terminated || truncated) [observation] = env.reset();
  }
  agent.update(buffer.sample(32)); // Adam creates its slots on the first update
  const before = tf.memory().numTensors;
  for (let i = 0; i < 150; i++) {
    agent.update(buffer.sample(32));
    agent.softUpdateTarget(0.01);
    agent.act(observation, 0);
    if (i % 50 === 0) agent.syncTarget();
  }
  agent.evaluate(env, 2);
  const snapshot = agent.snapshot();
  agent.restore(snapshot);
  assert.equal(tf.memory().numTensors, before);
  agent.dispose();
  unseed();
});

test('trainDqn learns CartPole-v1 beyond the random policy in a short run, and rejects unknown config keys', async () => {
  await initBackend({ quiet: true });
  seed(1);
  const env = make('CartPole-v1');
  const before = tf.memory().numTensors;
  const episodes: number[] = [];
  const result = await trainDqn({
    env,
    config: {
      ...CART_POLE_DQN_CONFIG,
      totalSteps: 2000,
      learningStarts: 400,
      epsilonDecaySteps: 1500,
      targetUpdateInterval: 250,
      evaluationInterval: 1000,
      evaluationEpisodes: 3,
      seed: 1,
    },
    onEpisode: (p) => episodes.push(p.episodeReturn),
  });
  assert.equal(result.totalSteps, 2000);
  assert.equal(episodes.length, result.episodes.length);
  assert.equal(result.evaluations.length, 2);
  // Each episode reports the epsilon of the step it ended on: 1 falling linearly to 0.05 over the 1,500
  // decay steps of the config, then 0.05; episode lengths add up to those steps.
  let stepsSoFar = 0;
  for (const p of result.episodes) {
    stepsSoFar += p.episodeLength;
    assert.equal(p.step, stepsSoFar, `episode ${p.episode}`);
    const expected = 0.05 + 0.95 * Math.max(0, 1 - p.step / 1500);
    assert.ok(Math.abs(p.epsilon - expected) < 1e-12, `episode ${p.episode} at step ${p.step}: epsilon ${p.epsilon}, schedule ${expected}`);
  }
  assert.ok(result.episodes.some((p) => p.step < 750) && result.episodes.some((p) => p.step > 1500), 'episodes end both early in the decay and after it');
  const evaluation = result.agent.evaluate(make('CartPole-v1'), 5, { seed: 100 });
  // The random policy averages about 22; the best evaluated weights are restored at the end.
  assert.ok(evaluation.mean > 50, `greedy mean after 2000 steps: ${evaluation.mean}`);
  result.agent.dispose();
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(trainDqn({ env, config: { learningRate: 1, batchsize: 3 } as object }), /unknown config key\(s\) batchsize/);
  unseed();
});

test('observationScale is a fixed first layer: the network sees scaled inputs and only the rest trains', async () => {
  await initBackend({ quiet: true });
  seed(4);
  const before = tf.memory().numTensors;
  const scaled = createQNetwork({ inputSize: 2, actionCount: 2, hiddenUnits: [3], inputScale: [10, 0.5] });
  const plain = createQNetwork({ inputSize: 2, actionCount: 2, hiddenUnits: [3] });
  // Give the plain network the scaled network's trainable layers: its output on (1, 4) must equal the scaled one on (0.1, 8).
  plain.layers.forEach((layer, i) => layer.setWeights((scaled.layers[i + 1] as typeof layer).getWeights()));
  const a = tf.tidy(() => Array.from((scaled.predict(tf.tensor2d([[0.1, 8]])) as Tensor).dataSync()));
  const b = tf.tidy(() => Array.from((plain.predict(tf.tensor2d([[1, 4]])) as Tensor).dataSync()));
  a.forEach((v, i) => assert.ok(Math.abs(v - (b[i] as number)) < 1e-5, `${a} vs ${b}`));
  assert.equal(scaled.trainableWeights.length, 4);
  assert.equal(scaled.weights.length, 5);
  assert.throws(() => createQNetwork({ inputSize: 2, actionCount: 2, inputScale: [1] }), /inputScale must hold 2 finite non-zero numbers/);
  // The agent's frozen target network copies the scaled network layer by layer.
  const agent = new DqnAgent({ observationSize: 2, actionCount: 2, hiddenUnits: [3], observationScale: [10, 0.5] });
  const q = agent.qValues([0.1, 8]);
  const t = tf.tidy(() => Array.from((agent.target.predict(tf.tensor2d([[0.1, 8]])) as Tensor).dataSync()));
  assert.deepEqual(Array.from(q), t);
  agent.dispose();
  scaled.dispose();
  plain.dispose();
  assert.equal(tf.memory().numTensors, before);
  unseed();
});

test('agents reject wrong observation sizes and unsuitable environments', async () => {
  await initBackend({ quiet: true });
  const agent = new DqnAgent({ observationSize: 4, actionCount: 2, hiddenUnits: [4] });
  assert.throws(() => agent.qValues([1, 2]), /expected an observation of 4 numbers, got 2/);
  agent.dispose();
  assert.throws(() => agent.qValues([1, 2, 3, 4]), /disposed/);
  assert.throws(() => new DqnAgent({ observationSize: 4, actionCount: 2, gamma: 2 }), /gamma must be in \[0, 1\]/);
  // an infinite or non-positive clip norm is refused when the agent is made, not at its first update
  for (const gradientClipNorm of [Infinity, 0, -1, NaN]) {
    assert.throws(() => new DqnAgent({ observationSize: 4, actionCount: 2, gradientClipNorm }), /DqnAgent: gradientClipNorm must be a positive finite number \(null for no clipping\)/);
  }
  assert.throws(() => createQNetwork({ inputSize: 4, actionCount: 1 }), /actionCount must be an integer >= 2/);
  assert.throws(() => new DqnAgent({ observationSize: 4, actionCount: 2, accelerator: true as never }), /accelerator must be a function .* or null, got true/);
});

test('greedyAction rejects a wrong observation size with the same message with and without the accelerator', async () => {
  await initBackend({ quiet: true });
  for (const accelerator of [accelerateDqn, null]) {
    const label = accelerator ? 'accelerated' : 'plain agent';
    const agent = new DqnAgent({ observationSize: 4, actionCount: 2, hiddenUnits: [4], accelerator });
    assert.throws(() => agent.greedyAction([1, 2]), /DqnAgent: expected an observation of 4 numbers, got 2/, label);
    assert.throws(() => agent.greedyAction([1, 2, 3, 4, 5]), /DqnAgent: expected an observation of 4 numbers, got 5/, label);
    assert.equal(agent.greedyAction([1, 2, 3, 4]), agent.greedyAction(Float32Array.of(1, 2, 3, 4)));
    agent.dispose();
    assert.throws(() => agent.greedyAction([1, 2, 3, 4]), /disposed/, label);
  }
});
