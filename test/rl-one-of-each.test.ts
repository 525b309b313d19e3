import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CART_POLE_DQN_CONFIG,
  CART_POLE_OBSERVATION_SCALE,
  DEFAULT_DQN_CONFIG,
  DQN_AGENT_DEFAULTS,
  DQN_HIDDEN_UNITS,
  DQN_LOOP_DEFAULTS,
  DqnAgent,
  RecordEpisodeStatistics,
  clipByGlobalNorm,
  createQNetwork,
  initBackend,
  make,
  runEpisode,
  seed,
  summariseReturns,
  summaryStatistics,
  tf,
  trainDqn,
  unseed,
} from 'dlkit';
import { CartPoleEnv } from 'gym-js';

test('clipByGlobalNorm scales all gradients together to the norm cap and reports the norm before clipping', async () => {
  await initBackend({ quiet: true });
  const before = tf.memory().numTensors;
  const read = (maxNorm: number | null) =>
    tf.tidy(() => {
      // Global norm sqrt(3² + 4² + 12²) = 13.
      const { gradients, globalNorm } = clipByGlobalNorm({ a: tf.tensor1d([3, 4]), b: tf.tensor2d([[12]]) }, maxNorm);
      return {
        a: Array.from(gradients['a']!.dataSync()),
        b: Array.from(gradients['b']!.dataSync()),
        norm: globalNorm.dataSync()[0] as number,
      };
    });
  const clipped = read(1);
  assert.ok(Math.abs(clipped.norm - 13) < 1e-5);
  [...clipped.a, ...clipped.b].forEach((v, i) => assert.ok(Math.abs(v - ([3, 4, 12][i] as number) / 13) < 1e-6, `${clipped.a} ${clipped.b}`));
  // Within bounds (and with clipping off) the gradients pass unchanged, exactly.
  assert.deepEqual(read(13.5), { a: [3, 4], b: [12], norm: clipped.norm });
  assert.deepEqual(read(null), { a: [3, 4], b: [12], norm: clipped.norm });
  assert.equal(tf.memory().numTensors, before);
  const one = tf.scalar(1);
  assert.throws(() => clipByGlobalNorm({ a: one }, 0), /maxNorm must be a positive finite number/);
  assert.throws(() => clipByGlobalNorm({ a: one }, Number.NaN), /maxNorm must be a positive finite number/);
  one.dispose();
  assert.throws(() => clipByGlobalNorm({}, 1), /no gradients/);
  assert.equal(tf.memory().numTensors, before);
});

test('DqnAgent.evaluate plays the episodes runEpisode plays with the greedy policy', async () => {
  await initBackend({ quiet: true });
  seed(3);
  const agent = new DqnAgent({ observationSize: 4, actionCount: 2, hiddenUnits: [8] });
  const evaluation = agent.evaluate(make('CartPole-v1'), 4, { seed: 12 });
  const env = make('CartPole-v1');
  const greedy = (o: Float32Array) => agent.greedyAction(o);
  const episodes = [0, 1, 2, 3].map((i) => runEpisode(env, greedy, { seed: i === 0 ? 12 : undefined }));
  assert.deepEqual(evaluation.returns, episodes.map((e) => e.totalReturn));
  assert.deepEqual(evaluation.lengths, episodes.map((e) => e.length));
  agent.dispose();
  unseed();
});

test('summariseReturns and summaryStatistics share one standard deviation: the sample one (n − 1)', () => {
  const returns = [10, 12, 30, 500, 9];
  const ours = summariseReturns(returns);
  const chapterOne = summaryStatistics(returns);
  assert.ok(Math.abs(ours.std - chapterOne.std) < 1e-12, `${ours.std} vs ${chapterOne.std}`);
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  assert.ok(Math.abs(ours.std - Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1))) < 1e-12);
  assert.ok(Number.isNaN(summariseReturns([7]).std), 'one return has no sample standard deviation');
  assert.throws(() => summariseReturns([]), /no returns/);
});

test('CART_POLE_DQN_CONFIG is the whole configuration, with the observation scale that lives beside CartPoleEnv', () => {
  assert.deepEqual(Object.keys(CART_POLE_DQN_CONFIG).sort(), Object.keys(DEFAULT_DQN_CONFIG).sort());
  assert.deepEqual(CART_POLE_DQN_CONFIG.observationScale, [...CART_POLE_OBSERVATION_SCALE]);
  // The scale is one over the range of each feature; the angle's range is CartPole's termination angle.
  const env = new CartPoleEnv();
  assert.ok(Math.abs(1 / (CART_POLE_OBSERVATION_SCALE[0] as number) - env.xThreshold) < 1e-12);
  assert.ok(Math.abs(1 / (CART_POLE_OBSERVATION_SCALE[2] as number) - env.thetaThresholdRadians) < 1e-3);
  assert.ok(Object.isFrozen(CART_POLE_OBSERVATION_SCALE));
});

test('DqnAgent and trainDqn default to the same loss (Huber); an agent plus agent options in config is an error', async () => {
  await initBackend({ quiet: true });
  seed(2);
  const agent = new DqnAgent({ observationSize: 4, actionCount: 2, hiddenUnits: [8] });
  assert.equal(agent.loss, 'huber');
  assert.equal(DEFAULT_DQN_CONFIG.loss, agent.loss);
  const env = make('CartPole-v1');
  await assert.rejects(
    trainDqn({ env, agent, config: { loss: 'mse', learningRate: 0.1, totalSteps: 10 } }),
    /config sets agent option\(s\) loss, learningRate, but an agent was passed/,
  );
  await assert.rejects(trainDqn({ env, agent, config: { ...CART_POLE_DQN_CONFIG, seed: 1 } }), /agent option\(s\) hiddenUnits/);
  // Training-loop keys alone continue training the agent given.
  const result = await trainDqn({ env, agent, config: { totalSteps: 50, learningStarts: 20, batchSize: 8, evaluationInterval: 0, seed: 1 } });
  assert.equal(result.agent, agent);
  assert.ok(agent.updates > 0);
  agent.dispose();
  unseed();
});

test('trainDqn reports episodes through RecordEpisodeStatistics: returns, lengths and the moving average agree', async () => {
  await initBackend({ quiet: true });
  seed(4);
  const config = { totalSteps: 400, learningStarts: 400, evaluationInterval: 0, movingAverageWindow: 3, hiddenUnits: [8], seed: 4 };
  const result = await trainDqn({ env: make('CartPole-v1'), config });
  assert.ok(result.episodes.length > 5);
  result.episodes.forEach((p, i) => {
    const window = result.episodes.slice(Math.max(0, i - 2), i + 1).map((q) => q.episodeReturn);
    assert.ok(Math.abs(p.movingAverage - window.reduce((a, b) => a + b, 0) / window.length) < 1e-9);
    assert.equal(p.episodeReturn, p.episodeLength, 'CartPole pays 1 per step');
    assert.equal(p.episode, i + 1);
  });
  assert.equal(result.episodes.at(-1)!.step, result.episodes.reduce((sum, p) => sum + p.episodeLength, 0));
  // An environment already recording its statistics is refused up front, with a message.
  await assert.rejects(
    trainDqn({ env: new RecordEpisodeStatistics(make('CartPole-v1')), config }),
    /pass the environment without RecordEpisodeStatistics/,
  );
  result.agent.dispose();
  unseed();
});

test('one constant sizes the Q-network: createQNetwork, DqnAgent and trainDqn all default to DQN_HIDDEN_UNITS', async () => {
  await initBackend({ quiet: true });
  const units = (model: { layers: { getConfig(): object }[] }) => model.layers.map((l) => (l.getConfig() as { units: number }).units);
  const network = createQNetwork({ inputSize: 4, actionCount: 2 });
  const agent = new DqnAgent({ observationSize: 4, actionCount: 2 });
  assert.deepEqual(units(network), [...DQN_HIDDEN_UNITS, 2]);
  assert.deepEqual(units(agent.online), [...DQN_HIDDEN_UNITS, 2]);
  assert.deepEqual(DEFAULT_DQN_CONFIG.hiddenUnits, DQN_HIDDEN_UNITS);
  assert.deepEqual(CART_POLE_DQN_CONFIG.hiddenUnits, DQN_HIDDEN_UNITS);
  network.dispose();
  agent.dispose();
  // The config is the agent's settings and the loop's, each key in exactly one of them.
  const agentKeys = Object.keys(DQN_AGENT_DEFAULTS);
  const loopKeys = Object.keys(DQN_LOOP_DEFAULTS);
  assert.deepEqual(agentKeys.filter((k) => loopKeys.includes(k)), []);
  assert.deepEqual([...agentKeys, ...loopKeys].sort(), Object.keys(DEFAULT_DQN_CONFIG).sort());
});
