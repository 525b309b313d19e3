// Chapter 12: DP-SGD, its privacy accountant, membership inference, power-law fits and the mixture-of-experts layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  tf, seed, Random, cpuCores, dpSgdStep, poissonSample, perExampleGradients, sampledGaussianRdp, dpSgdEpsilon, lossThresholdAttack, fitPowerLaw, powerLawLeaveOneOut,
  peakFlopsEstimate,
  MixtureOfExperts, MixtureOfExpertsClassifier, measureMatmulThroughput, spearmanCorrelation, reportResult, parseResults, type Scalar, type Tensor,
} from 'dlkit';
import type { Variable } from '@tensorflow/tfjs';

function logisticProblem(): { w: Variable; b: Variable; x: Tensor; y: Tensor; loss: (x: Tensor, y: Tensor) => Scalar } {
  const w = tf.variable(tf.tensor2d([[0.5], [-1], [2]]), true, `dp_w_${Math.random()}`);
  const b = tf.variable(tf.scalar(0.1), true, `dp_b_${Math.random()}`);
  const x = tf.randomNormal([16, 3], 0, 3, 'float32', 5);
  const y = tf.tensor2d(Array.from({ length: 16 }, (_, i) => [i % 2]));
  const loss = (xi: Tensor, yi: Tensor) => tf.losses.sigmoidCrossEntropy(yi, tf.add(tf.matMul(xi, w), b)) as Scalar;
  return { w, b, x, y, loss };
}

test('per-example clipping bounds every example\'s gradient norm, and only large gradients are changed', () => {
  const p = logisticProblem();
  const before = tf.memory().numTensors;
  const raw = perExampleGradients(p.loss, [p.w, p.b], p.x, p.y, null);
  const clipNorm = 0.5;
  const clipped = perExampleGradients(p.loss, [p.w, p.b], p.x, p.y, clipNorm);
  const norm = (g: Record<string, Tensor>) => tf.tidy(() => Math.sqrt(Object.values(g).reduce((s, t) => s + (tf.sum(tf.square(t)).dataSync()[0] as number), 0)));
  assert.ok(raw.norms.some((n) => n > clipNorm) && raw.norms.some((n) => n < clipNorm), `the test needs norms on both sides of the bound: ${raw.norms}`);
  clipped.gradients.forEach((g, i) => {
    const n = norm(g);
    assert.ok(n <= clipNorm + 1e-5, `example ${i}: norm ${n} exceeds ${clipNorm}`);
    assert.ok(Math.abs(norm(raw.gradients[i]!) - raw.norms[i]!) < 1e-4, 'the reported norm is the norm before clipping');
    if (raw.norms[i]! < clipNorm) assert.ok(Math.abs(n - raw.norms[i]!) < 1e-5, 'a small gradient is left alone');
  });
  for (const g of [...raw.gradients, ...clipped.gradients]) tf.dispose(Object.values(g));
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  tf.dispose([p.w, p.b, p.x, p.y]);
});

test('DP-SGD with zero noise and no clipping equals plain minibatch SGD; with noise it differs', () => {
  const p = logisticProblem();
  const q = logisticProblem();
  const before = tf.memory().numTensors;
  const result = dpSgdStep(p.loss, [p.w, p.b], p.x, p.y, { learningRate: 0.3, clipNorm: Infinity, noiseMultiplier: 0 });
  tf.tidy(() => {
    const { grads } = tf.variableGrads(() => q.loss(q.x, q.y), [q.w, q.b]);
    q.w.assign(tf.sub(q.w, tf.mul(grads[q.w.name]!, 0.3)));
    q.b.assign(tf.sub(q.b, tf.mul(grads[q.b.name]!, 0.3)));
  });
  assert.equal(result.clipped, 0);
  const difference = (a: Tensor, b: Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number);
  assert.ok(difference(p.w, q.w) < 1e-5 && difference(p.b, q.b) < 1e-5, 'same update as SGD on the mean loss');
  const start = p.w.clone();
  seed(3);
  dpSgdStep(p.loss, [p.w, p.b], p.x, p.y, { learningRate: 0.3, clipNorm: 1, noiseMultiplier: 0 });
  const clippedOnly = p.w.clone();
  p.w.assign(start);
  dpSgdStep(p.loss, [p.w, p.b], p.x, p.y, { learningRate: 0.3, clipNorm: 1, noiseMultiplier: 4 });
  assert.ok(difference(p.w, clippedOnly) > 0.01, 'noise moves the update');
  tf.dispose([start, clippedOnly]);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  assert.throws(() => dpSgdStep(p.loss, [p.w], p.x, p.y, { learningRate: 0.1, clipNorm: Infinity, noiseMultiplier: 1 }), /noise needs a finite clipNorm/);
  tf.dispose([p.w, p.b, p.x, p.y, q.w, q.b, q.x, q.y]);
});

test('Poisson sampling: batch sizes are Binomial(n, q), every example joins with probability q, and empty batches occur', () => {
  const n = 200;
  const q = 0.05;
  const draws = 4000;
  const generator = new Random(11);
  const sizes: number[] = [];
  const joined = new Array<number>(n).fill(0);
  for (let d = 0; d < draws; d++) {
    const batch = poissonSample(n, q, generator);
    sizes.push(batch.length);
    for (let k = 0; k < batch.length; k++) {
      joined[batch[k]!]!++;
      if (k > 0) assert.ok(batch[k]! > batch[k - 1]!, 'indices in increasing order, no repeats');
    }
  }
  const mean = sizes.reduce((s, v) => s + v, 0) / draws;
  const variance = sizes.reduce((s, v) => s + (v - mean) ** 2, 0) / (draws - 1);
  // Binomial(200, 0.05): mean 10, variance 9.5. Tolerances are about 5 standard errors of each estimate.
  assert.ok(Math.abs(mean - n * q) < 5 * Math.sqrt((n * q * (1 - q)) / draws), `mean batch size ${mean}, expected ${n * q}`);
  assert.ok(Math.abs(variance - n * q * (1 - q)) < 5 * n * q * (1 - q) * Math.sqrt(2 / draws), `batch size variance ${variance}, expected ${n * q * (1 - q)}`);
  const perExample = draws * q;
  const spread = 5 * Math.sqrt(draws * q * (1 - q));
  assert.ok(joined.every((c) => Math.abs(c - perExample) < spread), 'each example joins about q of the batches');
  // Small data, small q: most batches are empty, with probability (1 - q)^n.
  const small = new Random(12);
  let empty = 0;
  for (let d = 0; d < draws; d++) if (poissonSample(20, 0.01, small).length === 0) empty++;
  const expectedEmpty = 0.99 ** 20;
  assert.ok(Math.abs(empty / draws - expectedEmpty) < 5 * Math.sqrt((expectedEmpty * (1 - expectedEmpty)) / draws), `empty share ${empty / draws}, expected ${expectedEmpty}`);
  assert.deepEqual(Array.from(poissonSample(50, 0.3, new Random(5))), Array.from(poissonSample(50, 0.3, new Random(5))), 'seeded: the same batch again');
  assert.equal(poissonSample(30, 0).length, 0);
  assert.equal(poissonSample(30, 1).length, 30);
  assert.throws(() => poissonSample(30, 1.5), /samplingRate must be in \[0, 1\]/);
  assert.throws(() => poissonSample(-1, 0.1), /count must be a non-negative integer/);
});

test('DP-SGD with an expected batch size divides by it, whatever the batch drew; an empty batch is a noise-only step of the right scale', () => {
  const before = tf.memory().numTensors;
  const dimension = 2000;
  const w = tf.tidy(() => tf.variable(tf.zeros([1, dimension]), true, `dp_poisson_w_${Math.random()}`));
  const loss = (x: Tensor) => tf.sum(tf.mul(w, x)) as Scalar;
  // Four examples, no clipping, no noise, expected batch 8: the step is half the mean gradient's.
  const x = tf.tidy(() => tf.mul(tf.ones([4, dimension]), tf.tensor2d([[1], [2], [3], [4]])));
  const y = tf.zeros([4]);
  const result = dpSgdStep(loss, [w], x, y, { learningRate: 1, clipNorm: Infinity, noiseMultiplier: 0, expectedBatchSize: 8 });
  assert.equal(result.batchSize, 4);
  const moved = tf.tidy(() => Array.from(w.dataSync()));
  assert.ok(moved.every((v) => Math.abs(v - -(1 + 2 + 3 + 4) / 8) < 1e-6), `step ${moved[0]}, expected ${-10 / 8}`);
  // An empty batch: the update is N(0, (sigma C)^2) / expected batch size per coordinate.
  tf.tidy(() => w.assign(tf.zeros([1, dimension])));
  const none = tf.zeros([0, dimension]);
  const noLabels = tf.zeros([0]);
  seed(21);
  const sigma = 3;
  const clipNorm = 2;
  const expectedBatchSize = 10;
  const step = dpSgdStep(loss, [w], none, noLabels, { learningRate: 1, clipNorm, noiseMultiplier: sigma, expectedBatchSize });
  assert.equal(step.batchSize, 0);
  assert.ok(Number.isNaN(step.loss), 'no examples, no loss');
  const values = Array.from(w.dataSync());
  const mean = values.reduce((s, v) => s + v, 0) / dimension;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (dimension - 1));
  const wanted = (sigma * clipNorm) / expectedBatchSize;
  assert.ok(Math.abs(std - wanted) < 0.07 * wanted, `noise-only step has standard deviation ${std}, expected ${wanted}`);
  // Without noise an empty batch changes nothing.
  tf.tidy(() => w.assign(tf.zeros([1, dimension])));
  dpSgdStep(loss, [w], none, noLabels, { learningRate: 1, clipNorm, noiseMultiplier: 0, expectedBatchSize });
  assert.equal(tf.tidy(() => tf.max(tf.abs(w)).dataSync()[0]), 0);
  assert.throws(() => dpSgdStep(loss, [w], none, noLabels, { learningRate: 1, clipNorm, noiseMultiplier: sigma }), /batch is empty; with Poisson sampling/);
  assert.throws(() => dpSgdStep(loss, [w], x, y, { learningRate: 1, clipNorm, noiseMultiplier: sigma, expectedBatchSize: 0 }), /expectedBatchSize must be a positive number/);
  tf.dispose([w, x, y, none, noLabels]);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
});

test('the RDP of the sampled Gaussian matches its definition, integrated numerically, and the Gaussian mechanism in closed form', () => {
  assert.ok(Math.abs(sampledGaussianRdp(1, 2, 5) - 5 / 8) < 1e-12, 'q = 1: alpha / (2 sigma^2)');
  // Definition: D_alpha(mu || mu0) with mu = (1-q) N(0, s^2) + q N(1, s^2), mu0 = N(0, s^2), by the trapezoid rule.
  for (const [q, sigma, alpha] of [[0.01, 1.1, 8], [0.1, 2, 4], [0.05, 0.8, 16]] as const) {
    const normal = (z: number, mean: number) => Math.exp(-((z - mean) ** 2) / (2 * sigma * sigma)) / (sigma * Math.sqrt(2 * Math.PI));
    let integral = 0;
    const h = 1e-3;
    for (let z = -30 * sigma; z <= 30 * sigma + 1; z += h) {
      const p0 = normal(z, 0);
      integral += p0 * (((1 - q) * p0 + q * normal(z, 1)) / p0) ** alpha * h;
    }
    const byDefinition = Math.log(integral) / (alpha - 1);
    const computed = sampledGaussianRdp(q, sigma, alpha);
    assert.ok(Math.abs(computed - byDefinition) < 1e-6 * Math.max(1, byDefinition), `q=${q} sigma=${sigma} alpha=${alpha}: ${computed} vs ${byDefinition}`);
  }
  const base = dpSgdEpsilon({ samplingRate: 256 / 60000, noiseMultiplier: 1.1, steps: 60 * 235, delta: 1e-5 });
  assert.ok(base.epsilon > 0 && Number.isFinite(base.epsilon));
  assert.ok(dpSgdEpsilon({ samplingRate: 256 / 60000, noiseMultiplier: 2, steps: 60 * 235, delta: 1e-5 }).epsilon < base.epsilon, 'more noise, smaller epsilon');
  assert.ok(dpSgdEpsilon({ samplingRate: 256 / 60000, noiseMultiplier: 1.1, steps: 120 * 235, delta: 1e-5 }).epsilon > base.epsilon, 'more steps, larger epsilon');
  assert.ok(dpSgdEpsilon({ samplingRate: 256 / 60000, noiseMultiplier: 1.1, steps: 60 * 235, delta: 1e-7 }).epsilon > base.epsilon, 'smaller delta, larger epsilon');
  assert.throws(() => sampledGaussianRdp(0.1, 0, 4), /with no noise there is no privacy guarantee/);
  assert.throws(() => dpSgdEpsilon({ samplingRate: 0.1, noiseMultiplier: 1, steps: 10, delta: 2 }), /delta must be in \(0, 1\)/);
});

test('the accountant reproduces the epsilons TensorFlow Privacy publishes for its MNIST DP-SGD tutorial', () => {
  // tensorflow/privacy, tutorials/README.md, "Select Parameters": N = 60,000, batch 256, delta = 1e-5,
  // steps = epochs * 60000 // 256 (mnist_dpsgd_tutorial.py), RDP accountant. Its orders include fractional
  // ones (1.1, 1.2, ...), ours are integers, so ours may be a little larger, never smaller by more than rounding.
  for (const [noiseMultiplier, epochs, published] of [[1.3, 15, 1.19], [1.1, 60, 3.01], [0.7, 45, 7.1]] as const) {
    const { epsilon } = dpSgdEpsilon({ samplingRate: 256 / 60000, noiseMultiplier, steps: Math.floor((epochs * 60000) / 256), delta: 1e-5 });
    assert.ok(epsilon > published - 0.006 && epsilon < published * 1.01, `sigma ${noiseMultiplier}, ${epochs} epochs: ${epsilon} vs published ${published}`);
  }
});

test('the loss-threshold membership attack: perfect on separated losses, near chance on identical ones', () => {
  const separated = lossThresholdAttack([0.1, 0.2, 0.05], [1, 2, 0.9]);
  assert.equal(separated.auc, 1);
  assert.equal(separated.advantage, 1);
  const same = Array.from({ length: 200 }, (_, i) => (i * 37) % 101);
  const chance = lossThresholdAttack(same, [...same].reverse());
  assert.ok(Math.abs(chance.auc - 0.5) < 1e-9 && chance.advantage < 0.05, JSON.stringify(chance));
  assert.throws(() => lossThresholdAttack([], [1]), /at least one member/);
});

test('a power-law fit recovers the exponent and coefficient of synthetic data, with and without a floor', () => {
  const x = [1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6];
  const plain = fitPowerLaw(x, x.map((v) => 7 * v ** -0.35));
  assert.ok(Math.abs(plain.exponent - 0.35) < 1e-9 && Math.abs(plain.coefficient - 7) < 1e-6 && plain.rSquared > 0.999999);
  const withFloor = fitPowerLaw(x, x.map((v) => 0.4 + 30 * v ** -0.5), { withFloor: true });
  assert.ok(Math.abs(withFloor.exponent - 0.5) < 0.03, `exponent ${withFloor.exponent}`);
  assert.ok(Math.abs(withFloor.floor - 0.4) < 0.01, `floor ${withFloor.floor}`);
  const noFloor = fitPowerLaw(x, x.map((v) => 0.4 + 30 * v ** -0.5));
  assert.ok(noFloor.exponent < 0.4, 'ignoring the floor flattens the exponent (why the option exists)');
  assert.throws(() => fitPowerLaw([1, 2], [1, 2]), /at least 3 points/);
  assert.throws(() => fitPowerLaw([1, 2, 0], [1, 2, 3]), /must be positive/);
  assert.equal(peakFlopsEstimate({ cores: 2, gigahertz: 3 }), 2 * 3e9 * 32);
});

test('leave-one-out of a power-law fit: a steady family keeps its exponent, a family decided by one size does not', () => {
  const x = [3e3, 1e4, 3e4, 6e4, 1e5];
  const steady = powerLawLeaveOneOut(x, x.map((v) => 2 + 40 * v ** -0.3), { withFloor: true });
  assert.equal(steady.exponents.length, x.length);
  assert.ok(steady.low > 0.2 && steady.high < 0.4, `steady family: alpha from ${steady.low} to ${steady.high}`);
  // Losses like chapter 13's family at one small budget: in 5.60-5.89, not monotone in size.
  const noisy = [5.89, 5.6, 5.75, 5.66, 5.7];
  const all = fitPowerLaw(x, noisy, { withFloor: true });
  const out = powerLawLeaveOneOut(x, noisy, { withFloor: true });
  assert.ok(all.exponent > 0, 'the fit on all five sizes still reports a positive alpha');
  assert.ok(out.low <= 0 || out.high > 10 * Math.max(out.low, 1e-9), `one size decides it: alpha from ${out.low} to ${out.high}`);
  for (let i = 0; i < x.length; i++) {
    const keep = (_: number, j: number) => j !== i;
    assert.equal(out.exponents[i], fitPowerLaw(x.filter(keep), noisy.filter(keep), { withFloor: true }).exponent);
  }
  assert.throws(() => powerLawLeaveOneOut([1, 2, 3], [3, 2, 1]), /at least 4 points/);
  assert.throws(() => powerLawLeaveOneOut([1, 2, 3, 4], [3, 2, 1]), /one loss per x/);
});

test('mixture of experts: k experts per input, gates summing to 1, balance loss 1 when uniform and larger when skewed', () => {
  seed(12);
  const layer = new MixtureOfExperts({ inputs: 6, outputs: 3, experts: 4, expertHidden: 5, topK: 2 });
  const before = tf.memory().numTensors;
  const x = tf.randomNormal([32, 6], 0, 1, 'float32', 9);
  const { gates, probabilities } = layer.route(x);
  const rows = gates.arraySync() as number[][];
  rows.forEach((row) => {
    assert.equal(row.filter((g) => g > 0).length, 2, 'exactly k experts per input');
    assert.ok(Math.abs(row.reduce((s, g) => s + g, 0) - 1) < 1e-5, 'gates sum to 1');
  });
  assert.equal(layer.countParams(), layer.trainableVariables.reduce((s, v) => s + v.size, 0), 'parameter count matches the variables');
  assert.ok(!('parameters' in layer), 'one name for the number of weights: countParams()');
  assert.equal(layer.flopsPerInput, 2 * 6 * 4 + 2 * 2 * (6 * 5 + 5 * 3));
  const stats = layer.routingStatistics(x);
  assert.equal(stats.assignments.reduce((s, v) => s + v, 0), 64, 'n * k assignments');
  const router = layer.router.clone();
  tf.tidy(() => layer.router.assign(tf.zeros(layer.router.shape)));
  const uniform = layer.apply(x);
  assert.ok(Math.abs((uniform.balanceLoss.dataSync()[0] as number) - 1) < 1e-5, 'uniform routing: balance loss 1');
  tf.tidy(() => layer.router.assign(tf.tensor2d(Array.from({ length: 6 }, () => [0, 0, 0, 50]))));
  const positive = tf.abs(x);
  const skewed = layer.apply(positive);
  assert.ok((skewed.balanceLoss.dataSync()[0] as number) > 1.5, 'one favoured expert: balance loss above 1');
  layer.router.assign(router);
  tf.dispose([x, gates, probabilities, uniform.output, uniform.balanceLoss, uniform.probabilities, uniform.gates, skewed.output, skewed.balanceLoss, skewed.probabilities, skewed.gates, router, positive]);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
  layer.dispose();
  assert.throws(() => new MixtureOfExperts({ inputs: 6, outputs: 3, experts: 2, expertHidden: 5, topK: 3 }), /topK \(3\) cannot exceed/);
});

test('a mixture-of-experts classifier learns a small task, and its balance loss pulls routing towards uniform', () => {
  seed(13);
  const x = tf.randomNormal([128, 4], 0, 1, 'float32', 21);
  const y = tf.tidy(() => tf.cast(tf.greater(tf.sum(x, 1), 0), 'int32'));
  const run = (balanceWeight: number) => {
    seed(14);
    const model = new MixtureOfExpertsClassifier({ inputs: 4, outputs: 8, experts: 4, expertHidden: 8, topK: 1, classes: 2, balanceWeight });
    const optimizer = tf.train.adam(0.03);
    const accuracy = () => tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(model.predict(x), 1), y), 'float32')).dataSync()[0] as number);
    const first = accuracy();
    for (let step = 0; step < 60; step++) optimizer.minimize(() => model.loss({ x, y }, true).loss, false, model.trainableVariables);
    const last = accuracy();
    const counts = model.layer.routingStatistics(x).assignments;
    optimizer.dispose();
    model.dispose();
    return { first, last, largestShare: Math.max(...counts) / 128 };
  };
  const balanced = run(1);
  assert.ok(balanced.last > 0.9 && balanced.last > balanced.first, `training accuracy ${balanced.first} -> ${balanced.last}`);
  const unbalanced = run(0);
  assert.ok(balanced.largestShare < 0.3 && balanced.largestShare < unbalanced.largestShare,
    `the balance loss spreads the inputs more evenly (largest share ${balanced.largestShare} with it, ${unbalanced.largestShare} without; uniform 0.25)`);
  tf.dispose([x, y]);
});

test('cpuCores counts physical cores, not hardware threads: two threads per core, two sockets, and no core ids', () => {
  const block = (processor: number, socket: number, core: number) =>
    `processor\t: ${processor}\nmodel name\t: Test CPU\nphysical id\t: ${socket}\nsiblings\t: 4\ncore id\t\t: ${core}\ncpu cores\t: 2\n`;
  const hyperthreaded = [block(0, 0, 0), block(1, 0, 1), block(2, 0, 0), block(3, 0, 1)].join('\n');
  assert.deepEqual([cpuCores(hyperthreaded).logical, cpuCores(hyperthreaded).physical], [4, 2]);
  const twoSockets = [block(0, 0, 0), block(1, 0, 1), block(2, 1, 0), block(3, 1, 1)].join('\n');
  assert.equal(cpuCores(twoSockets).physical, 4, 'core ids repeat across sockets');
  const noCoreIds = 'processor\t: 0\nmodel name\t: ARM\n\nprocessor\t: 1\nmodel name\t: ARM\n';
  assert.equal(cpuCores(noCoreIds).physical, null);
  assert.match(cpuCores(noCoreIds).source, /only hardware threads/);
  const here = cpuCores();
  assert.ok(here.logical >= 1 && (here.physical === null || here.physical <= here.logical), JSON.stringify(here));
});

test('measureMatmulThroughput reports 2 n^3 FLOPs per product and the rate of one product in the median time', async () => {
  const before = tf.memory().numTensors;
  const result = await measureMatmulThroughput({ size: 64, repetitions: 2 });
  assert.equal(result.flopsPerProduct, 2 * 64 ** 3);
  // The rate is the product's FLOPs over its time (a unit slip, ms for s, or FLOPs per batch, fails here).
  assert.ok(result.seconds > 0 && result.seconds < 60, `one 64x64 product took ${result.seconds} s`);
  assert.ok(Math.abs(result.flopsPerSecond * result.seconds - result.flopsPerProduct) <= 1e-9 * result.flopsPerProduct, `${result.flopsPerSecond} FLOP/s over ${result.seconds} s`);
  assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
});

test('Spearman rank correlation: 1 for any increasing map, -1 reversed, ties averaged, clear errors', () => {
  const a = [0.1, 5, 2, 9, 3];
  assert.ok(Math.abs(spearmanCorrelation(a, a.map((v) => Math.exp(v))) - 1) < 1e-12, 'monotone transform keeps the ranks');
  assert.ok(Math.abs(spearmanCorrelation(a, a.map((v) => -v)) + 1) < 1e-12);
  // Ties: [1, 1, 2] has ranks [0.5, 0.5, 2]; against [1, 2, 3] the Pearson correlation of ranks is sqrt(3)/2.
  assert.ok(Math.abs(spearmanCorrelation([1, 1, 2], [1, 2, 3]) - Math.sqrt(3) / 2) < 1e-12);
  assert.throws(() => spearmanCorrelation([1, 2], [1]), /same length/);
  assert.throws(() => spearmanCorrelation([1, 1, 1], [1, 2, 3]), /constant/);
});

test('headline results: reportResult prints one RESULT line that parseResults reads back; bad values are refused', () => {
  const logged: string[] = [];
  const original = console.log;
  console.log = (line: string) => logged.push(line);
  try {
    reportResult('test accuracy, LeNet', 0.9876, 'accuracy');
    reportResult('verdict', 'solved');
  } finally {
    console.log = original;
  }
  const parsed = parseResults(['some output', ...logged, 'RESULT {not json', 'RESULT {"value": 3}'].join('\n'));
  assert.deepEqual(parsed, [{ name: 'test accuracy, LeNet', value: 0.9876, unit: 'accuracy' }, { name: 'verdict', value: 'solved', unit: '' }]);
  assert.throws(() => reportResult('loss', Number.NaN), /not a finite number/);
  assert.throws(() => reportResult(' ', 1), /give the result a name/);
});
