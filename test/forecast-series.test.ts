// Chapter 11's forecasting tools: no look-ahead, walk-forward folds, GARCH recovery, forecast scores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  laggedWindows, trailingMean, checkIncreasingDates, walkForwardFolds, fitGarch, simulateGarch, garchVariances, Random,
  rootMeanSquaredError, directionalAccuracy, binomialTestPValue, qlike, qlikeLosses, longFlatStrategy, leastSquares, dickeyFuller,
} from 'dlkit';

test('features use only the past: changing future values never changes an earlier feature', () => {
  const generator = new Random(1);
  const series = Array.from({ length: 200 }, () => generator.normal());
  const windows = laggedWindows(series, 10);
  const means = trailingMean(series, 20);
  const cut = 120;
  const changed = series.map((v, i) => (i >= cut ? v + 100 * generator.normal() : v));
  const windowsAfter = laggedWindows(changed, 10);
  const meansAfter = trailingMean(changed, 20);
  windows.targetIndex.forEach((t, k) => {
    if (t <= cut) assert.deepEqual(windowsAfter.inputs[k], windows.inputs[k], `inputs for t=${t}`);
    assert.ok(windows.inputs[k]!.length === 10 && windows.inputs[k]![9] === series[t - 1]);
  });
  for (let t = 0; t <= cut; t++) assert.ok(Object.is(meansAfter[t], means[t]), `trailing mean at ${t}`);
  assert.ok(Math.abs(means[20]! - series.slice(0, 20).reduce((s, v) => s + v, 0) / 20) < 1e-12);
  assert.ok(Number.isNaN(means[19]!));
});

test('a window longer than the series, a bad value, unsorted dates: clear errors', () => {
  assert.throws(() => laggedWindows([1, 2, 3], 3), /window of 3 values needs a series longer than that, but the series has 3/);
  assert.throws(() => laggedWindows([1, Number.NaN, 3, 4], 2), /value 1 of the series is NaN/);
  assert.throws(() => trailingMean([1, 2], 5), /not shorter than the series/);
  assert.throws(() => checkIncreasingDates(['2020-01-02', '2020-01-03', '2020-01-03']), /not in increasing order at position 2/);
  checkIncreasingDates(['2020-01-02', '2020-01-03']);
});

test('walk-forward folds never let a test step into training, and cover the tail in order', () => {
  const folds = walkForwardFolds(1000, { initialTrain: 500, testSize: 100, gap: 5 });
  assert.equal(folds.length, 4);
  for (const f of folds) {
    assert.equal(f.testStart, f.trainEnd + 5, 'the gap separates training and test');
    // Training positions are 0 .. trainEnd - 1, test positions testStart .. testEnd - 1: no test step is trained on.
    assert.ok(f.trainEnd <= f.testStart && f.testStart < f.testEnd);
  }
  folds.slice(1).forEach((f, k) => assert.equal(f.testStart, folds[k]!.testEnd, 'test windows follow each other'));
  assert.deepEqual(folds.map((f) => f.trainEnd), [500, 600, 700, 800]);
  assert.deepEqual(walkForwardFolds(1000, { initialTrain: 500, testSize: 100, maxFolds: 2 }).map((f) => [f.fold, f.testStart]), [[1, 800], [2, 900]]);
  assert.throws(() => walkForwardFolds(100, { initialTrain: 90, testSize: 20 }), /do not fit in a series of 100/);
});

test('fitGarch recovers the parameters of a simulated GARCH(1,1) series', () => {
  const truth = { omega: 0.05, alpha: 0.1, beta: 0.85 };
  const { returns, variances } = simulateGarch(truth, 8000, new Random(42));
  const fit = fitGarch(returns);
  assert.ok(Math.abs(fit.alpha - truth.alpha) < 0.03, `alpha ${fit.alpha}`);
  assert.ok(Math.abs(fit.beta - truth.beta) < 0.05, `beta ${fit.beta}`);
  assert.ok(Math.abs(fit.unconditionalVariance - 1) < 0.3, `unconditional variance ${fit.unconditionalVariance}`);
  // The fitted one-step variances track the true ones closely.
  const fitted = garchVariances(returns, fit).slice(0, returns.length);
  const correlation = (() => {
    const n = 7000;
    const a = fitted.slice(1000, 1000 + n);
    const b = variances.slice(1000, 1000 + n);
    const ma = a.reduce((s, v) => s + v, 0) / n;
    const mb = b.reduce((s, v) => s + v, 0) / n;
    let sab = 0, saa = 0, sbb = 0;
    for (let i = 0; i < n; i++) { sab += (a[i]! - ma) * (b[i]! - mb); saa += (a[i]! - ma) ** 2; sbb += (b[i]! - mb) ** 2; }
    return sab / Math.sqrt(saa * sbb);
  })();
  assert.ok(correlation > 0.95, `correlation ${correlation}`);
  assert.throws(() => fitGarch(returns.slice(0, 50)), /too few/);
  assert.throws(() => garchVariances(returns, { omega: 0.1, alpha: 0.5, beta: 0.6 }), /alpha \+ beta < 1/);
});

test('forecast scores by hand: RMSE, direction, binomial test, QLIKE, long/flat with costs', () => {
  assert.equal(rootMeanSquaredError([1, 2], [1, 4]), Math.sqrt(2));
  assert.deepEqual(directionalAccuracy([0.1, -0.2, 0.3, 0.5], [0.2, 0.1, -0.1, 0]), { hits: 1, days: 3, accuracy: 1 / 3 });
  // 9 heads of 10: P(X>=9) + P(X<=1) = 22/1024.
  assert.ok(Math.abs(binomialTestPValue(9, 10) - 22 / 1024) < 1e-12);
  assert.ok(Math.abs(binomialTestPValue(5, 10) - 1) < 1e-12);
  assert.equal(qlike([1, 2], [1, 2]), 0);
  assert.ok(Math.abs(qlike([1], [2]) - (2 - Math.log(2) - 1)) < 1e-12);
  assert.deepEqual(qlikeLosses([1, 2], [1, 2]), [0, 0]);
  // A zero realised value is floored: the floor moves each model's level by about -log(floor),
  // but the difference between two models on that day stays log(fA / fB).
  const levels = [1e-12, 1e-8].map((floor) => qlikeLosses([1, 4], [0, 0], floor));
  assert.ok(levels[0]![0]! - levels[1]![0]! > 9, 'the level depends on the floor');
  for (const day of levels) assert.ok(Math.abs(day[1]! - day[0]! - Math.log(4)) < 1e-7);
  assert.throws(() => qlikeLosses([1], [-1]), /realised value 0 is -1/);
  assert.throws(() => qlikeLosses([0], [1]), /forecast 0 is 0/);
  const strategy = longFlatStrategy([true, true, false, true], [0.1, -0.1, 0.5, 0.1], 0.01);
  // buy (x0.99) +10% -10%, sell (x0.99), flat, buy (x0.99) +10%
  const expected = 0.99 * 1.1 * 0.9 * 0.99 * 0.99 * 1.1;
  assert.ok(Math.abs(strategy.wealth[3]! - expected) < 1e-12);
  assert.equal(strategy.trades, 3);
  assert.equal(strategy.daysLong, 3);
});

test('least squares and the Dickey-Fuller statistic tell a random walk from a stationary series', () => {
  const fit = leastSquares([[0], [1], [2], [3]], [1, 3, 5, 7.5]);
  assert.ok(Math.abs(fit.coefficients[1]! - 2.15) < 1e-9 && Math.abs(fit.coefficients[0]! - 0.9) < 1e-9);
  const generator = new Random(3);
  let rejectedWalks = 0;
  for (let run = 0; run < 20; run++) {
    const noise = Array.from({ length: 1000 }, () => generator.normal());
    let level = 0;
    const walk = noise.map((e) => (level += e));
    assert.ok(dickeyFuller(noise).statistic < -10, 'white noise is clearly stationary');
    if (dickeyFuller(walk).statistic < -2.86) rejectedWalks++;
  }
  // At the 5 % level about 1 walk in 20 is wrongly called stationary.
  assert.ok(rejectedWalks <= 4, `${rejectedWalks} of 20 random walks called stationary`);
});

test('the small Transformer learns to copy the last step of a window with the Trainer, without leaking tensors', async () => {
  const { tf, seed, Trainer, sequenceTransformer } = await import('dlkit');
  seed(4);
  const generator = new Random(9);
  const windows = Array.from({ length: 512 }, () => Array.from({ length: 8 }, () => [generator.normal()]));
  const x = tf.tensor3d(windows);
  const y = tf.tensor2d(windows.map((w) => [w[7]![0]!]));
  const model = sequenceTransformer({ length: 8, width: 16, hidden: 32 });
  assert.ok(model.countParams() > 1000);
  const before = tf.memory().numTensors;
  const result = await new Trainer(model, { learningRate: 0.01, metrics: [] }).fit({ x, y }, { epochs: 15, batchSize: 64, plot: false });
  const first = result.history[0]!.loss;
  const last = result.history[result.history.length - 1]!.loss;
  assert.ok(last < 0.2 * first, `loss ${first} -> ${last}`);
  assert.ok(tf.memory().numTensors <= before + 2 * model.trainableVariables.length + 2, 'only optimiser slots are added');
  assert.throws(() => model.predict(tf.zeros([2, 5, 1])), /expected windows of shape \[batch, 8, 1\]/);
  model.dispose();
  tf.dispose([x, y]);
});
