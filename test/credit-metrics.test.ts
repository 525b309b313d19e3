// Chapter 10's evaluation metrics against small cases computed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  areaUnderRoc, rocCurve, ksStatistic, metricsAtThreshold, bestThreshold, calibrationBins, expectedCalibrationError,
  scoreBands, bootstrapInterval, pick, groupRates, groupCalibration, bandLabels, bandNames, Random,
} from 'dlkit';

// Positives score 0.9, 0.8, 0.6; negatives 0.7, 0.55, 0.1.
const labels = [1, 1, 0, 1, 0, 0];
const scores = [0.9, 0.8, 0.7, 0.6, 0.55, 0.1];

test('AUC: 8 of the 9 positive-negative pairs are ordered right; ties count one half', () => {
  assert.ok(Math.abs(areaUnderRoc(labels, scores) - 8 / 9) < 1e-12);
  assert.equal(areaUnderRoc([1, 0], [0.5, 0.5]), 0.5);
  assert.equal(areaUnderRoc([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.1]), (1 + 1 + 0.5 + 1) / 4);
  assert.equal(areaUnderRoc([0, 1], [0.9, 0.1]), 0);
  assert.throws(() => areaUnderRoc([1, 1], [0.2, 0.3]), /needs both classes/);
  assert.throws(() => areaUnderRoc([1, 2], [0.2, 0.3]), /label 1 is 2/);
  assert.throws(() => areaUnderRoc([1, 0], [0.2]), /2 labels but 1 scores/);
});

test('ROC curve points and the KS statistic by hand', () => {
  const curve = rocCurve(labels, scores);
  assert.deepEqual(curve.truePositiveRate, [0, 1 / 3, 2 / 3, 2 / 3, 1, 1, 1]);
  assert.deepEqual(curve.falsePositiveRate, [0, 0, 0, 1 / 3, 1 / 3, 2 / 3, 1]);
  assert.deepEqual(curve.thresholds, [Infinity, 0.9, 0.8, 0.7, 0.6, 0.55, 0.1]);
  // Trapezoids under the curve give the same area as the rank formula.
  let area = 0;
  for (let k = 1; k < curve.truePositiveRate.length; k++) {
    area += ((curve.falsePositiveRate[k] as number) - (curve.falsePositiveRate[k - 1] as number)) * ((curve.truePositiveRate[k] as number) + (curve.truePositiveRate[k - 1] as number)) / 2;
  }
  assert.ok(Math.abs(area - 8 / 9) < 1e-12);
  const ks = ksStatistic(labels, scores);
  assert.ok(Math.abs(ks.statistic - 2 / 3) < 1e-12);
  assert.equal(ks.threshold, 0.8);
  assert.equal(rocCurve([1, 0, 1], [0.5, 0.5, 0.5]).truePositiveRate.length, 2, 'tied scores make one point');
});

test('precision and recall at a cut-off, and the cost-minimising cut-off', () => {
  const m = metricsAtThreshold(labels, scores, 0.6);
  assert.deepEqual([m.truePositives, m.falsePositives, m.trueNegatives, m.falseNegatives], [3, 1, 2, 0]);
  assert.equal(m.precision, 3 / 4);
  assert.equal(m.recall, 1);
  assert.equal(m.flaggedRate, 4 / 6);
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (message: string) => warnings.push(message);
  try {
    assert.equal(metricsAtThreshold(labels, scores, 2).precision, 0, 'nothing flagged: precision 0, as scikit-learn');
  } finally {
    console.warn = warn;
  }
  assert.match(warnings.join('\n'), /metricsAtThreshold: precision is undefined when nothing is predicted positive/);
  // A missed bad costs 5, a refused good 1: flagging from 0.6 costs 1, from 0.8 costs 5, from 0.55 costs 2.
  const cheapest = bestThreshold(labels, scores, (c) => -(5 * c.falseNegatives + c.falsePositives));
  assert.equal(cheapest.threshold, 0.6);
});

test('calibration bins: mean prediction against observed rate, empty bins left out', () => {
  const bins = calibrationBins([0, 0, 1, 1, 1, 0], [0.05, 0.15, 0.15, 0.85, 0.95, 0.95], { bins: 2 });
  assert.equal(bins.length, 2);
  assert.deepEqual(bins.map((b) => b.count), [3, 3]);
  assert.ok(Math.abs((bins[0]?.meanPredicted as number) - 0.35 / 3) < 1e-12);
  assert.ok(Math.abs((bins[0]?.observedRate as number) - 1 / 3) < 1e-12);
  assert.ok(Math.abs((bins[1]?.meanPredicted as number) - 2.75 / 3) < 1e-12);
  assert.ok(Math.abs((bins[1]?.observedRate as number) - 2 / 3) < 1e-12);
  assert.ok(Math.abs(expectedCalibrationError(bins) - (0.5 * Math.abs(0.35 / 3 - 1 / 3) + 0.5 * Math.abs(2.75 / 3 - 2 / 3))) < 1e-12);
  const ten = calibrationBins([0, 1], [0.05, 1], { bins: 10 });
  assert.deepEqual(ten.map((b) => [b.lower, b.upper]), [[0, 0.1], [0.9, 1]], 'a prediction of exactly 1 lands in the last bin');
  assert.throws(() => calibrationBins([0, 1], [0.5, 1.5]), /probabilities in \[0, 1\]/);
});

test('score bands: riskiest first, bad rates and the cumulative share of bads', () => {
  const bands = scoreBands(labels, scores, 3);
  assert.deepEqual(bands.map((b) => b.bad), [2, 1, 0]);
  assert.deepEqual(bands.map((b) => b.badRate), [1, 0.5, 0]);
  assert.deepEqual(bands.map((b) => b.cumulativeBadShare), [2 / 3, 1, 1]);
  assert.deepEqual(bands.map((b) => [b.maxScore, b.minScore]), [[0.9, 0.8], [0.7, 0.6], [0.55, 0.1]]);
  assert.equal(bands[0]?.lift, 2);
  assert.throws(() => scoreBands(labels, scores, 7), /bands must be an integer from 1 to the number of samples/);
});

test('bootstrap: the interval of a mean covers the truth, repeats with its seed, and keeps strata', () => {
  const generator = new Random(7);
  const values = Array.from({ length: 400 }, () => generator.normal(2, 1));
  const mean = (indices: Int32Array) => pick(values, indices).reduce((s, v) => s + v, 0) / indices.length;
  const interval = bootstrapInterval(values.length, mean, { resamples: 500, seed: 1 });
  assert.ok(interval.lower < interval.estimate && interval.estimate < interval.upper);
  assert.ok(interval.lower < 2 && 2 < interval.upper, `[${interval.lower}, ${interval.upper}]`);
  // Standard error of a mean of 400 unit-variance draws: 0.05.
  assert.ok(Math.abs(interval.standardError - 0.05) < 0.01, `${interval.standardError}`);
  assert.deepEqual(bootstrapInterval(values.length, mean, { resamples: 500, seed: 1 }), interval);
  const strataLabels = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  const positivesKept = bootstrapInterval(10, (idx) => pick(strataLabels, idx).reduce((s, v) => s + v, 0), { resamples: 200, seed: 2, strata: strataLabels });
  assert.equal(positivesKept.lower, 1);
  assert.equal(positivesKept.upper, 1);
});

test('group rates and age bands by hand', () => {
  assert.deepEqual(bandLabels([18, 29, 30, 44, 45, 70], [30, 45]), ['<30', '<30', '30-44', '30-44', '45+', '45+']);
  assert.deepEqual(bandNames([30, 45, 60]), ['<30', '30-44', '45-59', '60+']);
  const rates = groupRates(['a', 'a', 'a', 'b', 'b'], [1, 0, 0, 1, 0], [false, true, false, true, true]);
  assert.deepEqual(rates[0], { group: 'a', count: 3, approvalRate: 1 / 3, defaultRate: 1 / 3, approvedDefaultRate: 0, goodRefusedRate: 0.5 });
  assert.deepEqual(rates[1], { group: 'b', count: 2, approvalRate: 1, defaultRate: 0.5, approvedDefaultRate: 0.5, goodRefusedRate: 0 });
  assert.throws(() => groupRates(['a'], [1, 0], [true, true]), /one of each per applicant/);
});

test('within-group calibration: a calibrated group\'s difference interval covers 0, an overstated group\'s lies above it', () => {
  const generator = new Random(31);
  const groups: string[] = [];
  const labels: number[] = [];
  const probabilities: number[] = [];
  for (let i = 0; i < 1200; i++) {
    const p = 0.05 + 0.5 * generator.next();
    const group = i % 2 === 0 ? 'calibrated' : 'overstated';
    groups.push(group);
    labels.push(generator.next() < p ? 1 : 0);
    // The model adds 0.2 to the overstated group's true probability.
    probabilities.push(group === 'calibrated' ? p : p + 0.2);
  }
  const table = groupCalibration(groups, labels, probabilities, { order: ['calibrated', 'overstated'], resamples: 500, seed: 4 });
  const [calibrated, overstated] = table;
  assert.equal(calibrated!.count, 600);
  assert.ok(calibrated!.differenceLower < 0 && calibrated!.differenceUpper > 0, JSON.stringify(calibrated));
  assert.ok(overstated!.differenceLower > 0.1 && overstated!.differenceUpper < 0.3, JSON.stringify(overstated));
  for (const g of table) {
    assert.ok(Math.abs(g.difference - (g.meanPredicted - g.observedRate)) < 1e-12);
    assert.ok(g.observedLower <= g.observedRate && g.observedRate <= g.observedUpper);
  }
  assert.deepEqual(groupCalibration(groups, labels, probabilities, { resamples: 50, seed: 9 }), groupCalibration(groups, labels, probabilities, { resamples: 50, seed: 9 }), 'repeats with its seed');
  assert.throws(() => groupCalibration(['a'], [1], [1.5]), /probabilities in \[0, 1\]/);
  assert.throws(() => groupCalibration(['a', 'b'], [1], [0.5]), /one of each per applicant/);
  assert.throws(() => groupCalibration(['a'], [1], [0.5], { order: ['a', 'b'] }), /group "b" has no members/);
});
