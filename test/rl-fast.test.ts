import { test } from 'node:test';
import assert from 'node:assert/strict';
// The DQN accelerator (rl-fast/): its plain greedy pass, fused forward passes and flat Adam give the
// readable agent's results, and it says when it cannot speed a network up.
import { CART_POLE_OBSERVATION_SCALE, DqnAgent, DqnFastPaths, JoinedAdam, PlainDenseNetwork, Random, ReplayBuffer, accelerateDqn, clipByGlobalNorm, denseLayers, initBackend, make, seed, tf, unseed, type Tensor } from 'dlkit';

/** The tensor path's choice: the highest value, ties to the lowest index. */
function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let a = 1; a < values.length; a++) if ((values[a] as number) > (values[best] as number)) best = a;
  return best;
}

function randomObservation(random: Random, size: number, spread: number): number[] {
  return Array.from({ length: size }, () => random.uniform(-spread, spread));
}

test('plain greedy actions equal the tensor forward pass on random dense networks, or defer to it', async () => {
  await initBackend({ quiet: true });
  seed(21);
  const random = new Random(22);
  const architectures = [
    { inputs: 4, layers: [{ units: 128, activation: 'relu' }, { units: 128, activation: 'relu' }, { units: 2, activation: 'linear' }] },
    { inputs: 7, layers: [{ units: 33, activation: 'relu6' }, { units: 5, activation: 'linear', useBias: false }] },
    { inputs: 3, layers: [{ units: 4, activation: 'linear' }] },
    { inputs: 6, layers: [{ units: 6, activation: 'linear', useBias: false }, { units: 64, activation: 'relu' }, { units: 3, activation: 'relu' }] },
  ] as const;
  for (const architecture of architectures) {
    const model = tf.sequential();
    architecture.layers.forEach((layer, i) =>
      model.add(tf.layers.dense({ ...layer, inputShape: i === 0 ? [architecture.inputs] : undefined, biasInitializer: 'randomNormal' })),
    );
    const plain = PlainDenseNetwork.from(model);
    assert.ok(plain, `a network of ${architecture.layers.length} dense layers is representable`);
    const before = tf.memory().numTensors;
    let answered = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const observation = randomObservation(random, architecture.inputs, t % 2 === 0 ? 1 : 50);
      const expected = tf.tidy(() => argmax((model.predict(tf.tensor2d(observation, [1, architecture.inputs])) as Tensor).dataSync()));
      const action: number | null = plain.greedyAction(observation);
      if (action === null) continue;
      answered += 1;
      assert.equal(action, expected, `observation ${observation.join(', ')}`);
    }
    // The last architecture ends in a ReLU, whose clipped zeros tie: those are left to the tensor path.
    assert.ok(answered >= trials * (architecture.layers.at(-1)?.activation === 'relu' ? 0.2 : 0.9), `answered ${answered} of ${trials}`);
    assert.equal(tf.memory().numTensors, before, 'no tensors are left behind');
    model.dispose();
  }
  unseed();
});

test('near-ties within float32 rounding are never answered wrongly', async () => {
  await initBackend({ quiet: true });
  seed(41);
  const random = new Random(42);
  // The second output column is the first plus a perturbation of relative size delta: the two Q-values differ by
  // about delta, from well below float32's rounding (about 1e-7 relative) to well above it.
  let answered = 0;
  let deferred = 0;
  for (const delta of [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]) {
    const agent = new DqnAgent({ observationSize: 4, actionCount: 2, hiddenUnits: [128, 128] });
    const output = agent.online.layers.at(-1) as ReturnType<typeof tf.layers.dense>;
    const nearTie = tf.tidy(() => {
      const first = (output.getWeights()[0] as Tensor).slice([0, 0], [128, 1]);
      return [tf.concat([first, tf.mul(first, tf.add(1, tf.mul(delta, tf.randomUniform([128, 1], -1, 1))))], 1), tf.fill([2], 0.25)];
    });
    output.setWeights(nearTie);
    tf.dispose(nearTie);
    const plain = PlainDenseNetwork.from(agent.online);
    for (let t = 0; t < 150; t++) {
      const observation = randomObservation(random, 4, 3);
      const action: number | null = plain?.greedyAction(observation) ?? null;
      if (action === null) {
        deferred += 1;
        continue;
      }
      answered += 1;
      assert.equal(action, argmax(agent.qValues(observation)), `delta ${delta}: observation ${observation.join(', ')}`);
      const viaLayers = tf.tidy(() => argmax((agent.online.predict(tf.tensor2d(observation, [1, 4])) as Tensor).dataSync()));
      assert.equal(action, viaLayers, `delta ${delta}, model.predict: observation ${observation.join(', ')}`);
    }
    agent.dispose();
  }
  // Both outcomes occur: the sharpest perturbations are left to the tensor path, the widest are answered.
  assert.ok(answered > 100 && deferred > 100, `answered ${answered}, deferred ${deferred}`);
  unseed();
});

test('denseLayers reads sizes, activations and the weight variables of a dense Sequential, and refuses anything else', async () => {
  await initBackend({ quiet: true });
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 5, activation: 'relu', inputShape: [3] }), tf.layers.dense({ units: 2, useBias: false })],
  });
  const layers = denseLayers(model, ['linear', 'relu']);
  assert.ok(layers, 'a dense model with allowed activations is read');
  assert.deepEqual(
    layers.map(({ inputs, outputs, activation, bias }) => ({ inputs, outputs, activation, hasBias: bias !== null })),
    [
      { inputs: 3, outputs: 5, activation: 'relu', hasBias: true },
      { inputs: 5, outputs: 2, activation: 'linear', hasBias: false },
    ],
  );
  // The layers' own variables, not copies: later weight changes are seen through them.
  const [first, second] = model.layers;
  assert.equal(layers[0]?.kernel, first?.weights[0]);
  assert.equal(layers[0]?.bias, first?.weights[1]);
  assert.equal(layers[1]?.kernel, second?.weights[0]);
  // An activation outside the allowed list, a layer that is not Dense, or no layers at all: null.
  assert.equal(denseLayers(model, ['linear']), null);
  const dropout = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3] }), tf.layers.dropout({ rate: 0.5 }), tf.layers.dense({ units: 2 })] });
  assert.equal(denseLayers(dropout, ['linear']), null);
  assert.equal(denseLayers(tf.sequential(), ['linear']), null);
  // The agent's Q-network, with its fixed scaling layer first, is read whole.
  const agent = new DqnAgent({ observationSize: 4, actionCount: 2, hiddenUnits: [8], observationScale: [...CART_POLE_OBSERVATION_SCALE] });
  assert.deepEqual(denseLayers(agent.online, ['linear', 'relu'])?.map((l) => [l.inputs, l.outputs, l.activation]), [[4, 4, 'linear'], [4, 8, 'relu'], [8, 2, 'linear']]);
  agent.dispose();
  model.dispose();
  dropout.dispose();
});

test('networks the plain pass cannot represent are refused, and exact ties are left to the tensor path', async () => {
  await initBackend({ quiet: true });
  const tanh = tf.sequential({ layers: [tf.layers.dense({ units: 8, activation: 'tanh', inputShape: [4] }), tf.layers.dense({ units: 2 })] });
  assert.equal(PlainDenseNetwork.from(tanh), null);
  const dropout = tf.sequential({ layers: [tf.layers.dense({ units: 8, inputShape: [4] }), tf.layers.dropout({ rate: 0.5 }), tf.layers.dense({ units: 2 })] });
  assert.equal(PlainDenseNetwork.from(dropout), null);
  tanh.dispose();
  dropout.dispose();

  // Two identical output columns: every observation is an exact tie, which only the tensor path may break.
  const agent = new DqnAgent({ observationSize: 3, actionCount: 2, hiddenUnits: [8], accelerator: accelerateDqn });
  const output = agent.online.layers.at(-1) as ReturnType<typeof tf.layers.dense>;
  const [kernel, bias] = output.getWeights();
  const sameColumns = tf.tidy(() => tf.tile((kernel as Tensor).slice([0, 0], [8, 1]), [1, 2]));
  output.setWeights([sameColumns, tf.zerosLike(bias as Tensor)]);
  assert.equal(agent.greedyAction([0.5, -1, 2]), 0);
  assert.deepEqual((agent.accelerator as DqnFastPaths).greedyActionPaths, { plain: 0, tensor: 1 });
  assert.equal(PlainDenseNetwork.from(agent.online)?.greedyAction([0.5, -1, 2]), null);
  // A NaN observation gives NaN Q-values: the tensor path's argmax says 0, and so does the agent.
  assert.equal(agent.greedyAction([Number.NaN, 0, 0]), argmax(agent.qValues([Number.NaN, 0, 0])));
  tf.dispose(sameColumns); // getWeights returns the variables' own tensors: not ours to dispose.
  agent.dispose();
});

test("the agent's plain greedy actions follow its weights through training, restore and setWeights", async () => {
  await initBackend({ quiet: true });
  seed(31);
  const agent = new DqnAgent({
    observationSize: 4,
    actionCount: 2,
    hiddenUnits: [32, 32],
    learningRate: 0.05,
    observationScale: [...CART_POLE_OBSERVATION_SCALE],
    accelerator: accelerateDqn,
  });
  const paths = (agent.accelerator as DqnFastPaths).greedyActionPaths;
  const random = new Random(32);
  const observations = Array.from({ length: 300 }, () => randomObservation(random, 4, 2));
  const tensorActions = () => observations.map((o) => argmax(agent.qValues(o)));
  const check = (stage: string) => {
    const expected = tensorActions();
    const before = tf.memory().numTensors;
    const actual = observations.map((o) => agent.greedyAction(o));
    assert.equal(tf.memory().numTensors, before, `${stage}: acting leaves no tensors behind`);
    actual.forEach((a, i) => assert.equal(a, expected[i], `${stage}: observation ${i}`));
    return expected;
  };
  const initial = check('initial weights');
  const snapshot = agent.snapshot();

  // Rewards that favour action 1 in one half of the space and action 0 in the other move many greedy actions.
  const buffer = new ReplayBuffer({ capacity: 256, observationSize: 4, random });
  for (let i = 0; i < 256; i++) {
    const o = randomObservation(random, 4, 2);
    const action = random.int(2);
    buffer.add(o, action, (o[0] as number) > 0 === (action === 1) ? 5 : -5, o, true);
  }
  for (let i = 0; i < 30; i++) agent.update(buffer.sample(64));
  const trained = check('after 30 updates');
  assert.ok(trained.some((a, i) => a !== initial[i]), 'training changed some greedy actions (so stale weights would be caught)');

  agent.restore(snapshot);
  assert.deepEqual(check('after restore'), initial);

  // Weights set from outside the agent (here the negated output layer, which swaps the preferences).
  const output = agent.online.layers.at(-1) as ReturnType<typeof tf.layers.dense>;
  const negated = output.getWeights().map((w) => tf.neg(w));
  output.setWeights(negated);
  const swapped = check('after setWeights');
  assert.ok(swapped.some((a, i) => a !== initial[i]), 'setWeights changed some greedy actions');
  tf.dispose(negated);

  agent.syncTarget();
  check('after a target sync');
  assert.ok(paths.plain > paths.tensor * 10, `plain ${paths.plain}, tensor ${paths.tensor}`);
  agent.dispose();
  unseed();
});

test("the accelerator's Adam (JoinedAdam) steps bit for bit as clipByGlobalNorm then tf.train.adam, with and without clipping", async () => {
  await initBackend({ quiet: true });
  seed(51);
  const shapes = [[4, 128], [128], [128, 128], [128], [128, 2], [2]];
  for (const maxNorm of [null, 0.5]) {
    const start = shapes.map((shape) => tf.randomNormal(shape, 0, 0.3));
    const flat = start.map((t) => tf.variable(t.clone()));
    const reference = start.map((t) => tf.variable(t.clone()));
    const flatAdam = new JoinedAdam(0.01);
    const adam = tf.train.adam(0.01);
    for (let step = 0; step < 5; step++) {
      const gradients = shapes.map((shape) => tf.randomNormal(shape, 0, 2));
      tf.tidy(() => {
        const clipped = (variables: { name: string }[]) =>
          clipByGlobalNorm(Object.fromEntries(variables.map((v, i) => [v.name, gradients[i] as Tensor])), maxNorm).gradients;
        flatAdam.applyGradients(clipped(flat));
        adam.applyGradients(clipped(reference) as Parameters<typeof adam.applyGradients>[0]);
      });
      tf.dispose(gradients);
    }
    flat.forEach((v, i) => assert.deepEqual(v.dataSync(), (reference[i] as Tensor).dataSync(), `maxNorm ${maxNorm}: variable ${i} differs`));
    // The weights moved (so equal is not trivially "both unchanged").
    assert.ok(tf.tidy(() => tf.any(tf.notEqual(flat[0] as Tensor, start[0] as Tensor)).dataSync()[0] === 1));
    flatAdam.dispose();
    adam.dispose();
    tf.dispose([...start, ...flat, ...reference]);
  }
  unseed();
});

test('an accelerated agent acts, learns and evaluates bit for bit as the readable agent', async () => {
  await initBackend({ quiet: true });
  const run = (accelerator: typeof accelerateDqn | null) => {
    seed(61);
    const agent = new DqnAgent({ observationSize: 4, actionCount: 2, observationScale: [...CART_POLE_OBSERVATION_SCALE], accelerator, random: new Random(62) });
    const buffer = new ReplayBuffer({ capacity: 1_000, observationSize: 4, random: new Random(63) });
    const env = make('CartPole-v1');
    let [observation] = env.reset({ seed: 64 });
    const actions: number[] = [];
    const losses: number[] = [];
    let before = 0;
    for (let step = 0; step < 600; step++) {
      const action = agent.act(observation, step < 100 ? 1 : 0.1);
      const [next, reward, terminated, truncated] = env.step(action);
      buffer.add(observation, action, reward, next, terminated);
      [observation] = terminated || truncated ? env.reset() : [next];
      actions.push(action);
      if (step < 100) continue;
      losses.push(agent.update(buffer.sample(32)).loss);
      if (step % 100 === 0) agent.syncTarget();
      if (step === 100) before = tf.memory().numTensors; // the optimiser has made its state
    }
    const returns = agent.evaluate(make('CartPole-v1'), 3, { seed: 65 }).returns;
    const q = Array.from(agent.qValues([0.1, -0.2, 0.03, 0.4]));
    const weights = agent.snapshot();
    const kept = tf.memory().numTensors - before;
    agent.dispose();
    unseed();
    return { actions, losses, returns, q, weights, kept };
  };
  const readable = run(null);
  const fast = run(accelerateDqn);
  assert.deepEqual(fast.actions, readable.actions, 'the same actions');
  assert.deepEqual(fast.losses, readable.losses, 'the same losses');
  assert.deepEqual(fast.returns, readable.returns, 'the same greedy episodes');
  assert.deepEqual(fast.q, readable.q, 'the same Q-values');
  fast.weights.forEach((w, i) => assert.deepEqual(w, readable.weights[i], `weight ${i}`));
  // Learning happened (so equal is not "both unchanged"), and neither leaks tensors.
  assert.ok(new Set(readable.losses).size > 100 && new Set(readable.actions).size === 2);
  assert.deepEqual([readable.kept, fast.kept], [0, 0]);
});

test('accelerateDqn says once when it falls back to the tensor code, and for what', async () => {
  await initBackend({ quiet: true });
  const warned: string[] = [];
  const warn = console.warn;
  console.warn = (message: string) => warned.push(message);
  try {
    // tanh: neither the plain pass nor the fused products apply; elu: only the plain pass does not.
    const outcomes = ['tanh', 'tanh', 'elu'].map((activation) => {
      const model = tf.sequential({
        layers: [tf.layers.dense({ units: 8, activation: activation as 'tanh' | 'elu', inputShape: [4] }), tf.layers.dense({ units: 2 })],
      });
      const fast = accelerateDqn({ online: model, target: model, learningRate: 1e-3 });
      const outcome = [fast.greedyAction([0.1, 0.2, 0.3, 0.4]), tf.tidy(() => fast.q(model, tf.zeros([1, 4])) !== null)];
      fast.optimizer.dispose();
      model.dispose();
      return outcome;
    });
    assert.deepEqual(warned.map((m) => /tensor code for (.*?):/.exec(m)?.[1]), ['greedy actions and forward passes', 'greedy actions']);
    assert.match(warned[0] as string, /this Q-network is Dense\(tanh\) -> Dense\(linear\)/);
    assert.deepEqual(outcomes, [[null, false], [null, false], [null, true]]);
  } finally {
    console.warn = warn;
  }
});
