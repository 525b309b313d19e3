// The significance tests of evaluate/significance.ts against the cases that
// scripts/reference/significance_cases.py recorded with statsmodels and scipy
// (test/fixtures/significance-cases.json), and the paired bootstrap against
// properties it must have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  mcnemarTest, pairedBootstrap, dieboldMariano, binomialTestPValue, studentTTwoSidedPValue,
  chiSquaredOneSurvival, pick, Random, seed, areaUnderRoc,
} from 'dlkit';
import { repositoryRoot } from './helpers/notebooks';

type McNemarCase = {
  a: number[]; b: number[]; method: 'auto' | 'exact' | 'chi-squared';
  expected: { onlyACorrect: number; onlyBCorrect: number; method: string; statistic: number; pValue: number };
};
type DieboldMarianoCase = {
  lossA: number[]; lossB: number[]; horizon: number; weights: 'rectangular' | 'bartlett'; lags?: number;
  expected: { meanDifference: number; longRunVariance: number; uncorrectedStatistic: number; statistic: number; pValue: number };
};
const cases = JSON.parse(readFileSync(join(repositoryRoot, 'test', 'fixtures', 'significance-cases.json'), 'utf8')) as {
  mcnemar: McNemarCase[];
  binomialTest: { successes: number; trials: number; p: number; pValue: number }[];
  studentT: { t: number; degreesOfFreedom: number; pValue: number }[];
  chiSquaredOne: { x: number; pValue: number }[];
  dieboldMariano: DieboldMarianoCase[];
};

/** |actual - expected| within `relative` of |expected| (or `absolute` for values near 0). */
function close(actual: number, expected: number, relative: number, what: string, absolute = 1e-15): void {
  assert.ok(Math.abs(actual - expected) <= Math.max(relative * Math.abs(expected), absolute), `${what}: ${actual} but the reference is ${expected}`);
}

test('McNemar matches statsmodels (exact and chi-squared with continuity correction) on every recorded case', () => {
  assert.ok(cases.mcnemar.length >= 10);
  for (const [i, c] of cases.mcnemar.entries()) {
    const result = mcnemarTest(c.a, c.b.map((v) => v === 1), { method: c.method });
    assert.equal(result.onlyACorrect, c.expected.onlyACorrect, `case ${i}`);
    assert.equal(result.onlyBCorrect, c.expected.onlyBCorrect, `case ${i}`);
    assert.equal(result.method, c.expected.method, `case ${i}`);
    close(result.statistic, c.expected.statistic, 1e-9, `McNemar case ${i} statistic`);
    close(result.pValue, c.expected.pValue, 1e-7, `McNemar case ${i} p-value`);
  }
  const methods = new Set(cases.mcnemar.map((c) => c.expected.method));
  assert.deepEqual([...methods].sort(), ['chi-squared', 'exact'], 'both forms are covered');
});

test('McNemar: automatic choice at 25 discordant pairs, b = c gives p = 1, clear errors', () => {
  const table = (onlyA: number, onlyB: number, both = 5) => ({
    a: [...Array(both).fill(1), ...Array(onlyA).fill(1), ...Array(onlyB).fill(0)] as number[],
    b: [...Array(both).fill(1), ...Array(onlyA).fill(0), ...Array(onlyB).fill(1)] as number[],
  });
  const t24 = table(10, 14);
  assert.equal(mcnemarTest(t24.a, t24.b).method, 'exact');
  const t25 = table(10, 15);
  assert.equal(mcnemarTest(t25.a, t25.b).method, 'chi-squared');
  // statsmodels gives (0 - 1)^2 / 40 here; the corrected difference is clipped at 0.
  const tied = table(20, 20);
  const result = mcnemarTest(tied.a, tied.b, { method: 'chi-squared' });
  assert.equal(result.statistic, 0);
  assert.equal(result.pValue, 1);
  assert.equal(result.accuracyDifference, 0);
  assert.equal(mcnemarTest(t25.a, t25.b).accuracyDifference, -5 / 30);
  assert.throws(() => mcnemarTest([1, 0], [1]), /2 results for model A but 1 for model B/);
  assert.throws(() => mcnemarTest([], []), /no examples/);
  assert.throws(() => mcnemarTest([1, Number.NaN], [1, 0]), /aCorrect\[1\] is NaN; give booleans or 0\/1/);
  assert.throws(() => mcnemarTest([1, 0], [1, 2]), /bCorrect\[1\] is 2/);
  assert.throws(() => mcnemarTest([1], [1], { method: 'z' as 'exact' }), /method must be/);
});

test('the binomial test and the t and chi-squared tails match scipy', () => {
  for (const c of cases.binomialTest) close(binomialTestPValue(c.successes, c.trials, c.p), c.pValue, 1e-7, `binomial ${c.successes}/${c.trials} at ${c.p}`);
  for (const c of cases.studentT) close(studentTTwoSidedPValue(c.t, c.degreesOfFreedom), c.pValue, 1e-7, `t ${c.t} on ${c.degreesOfFreedom}`);
  for (const c of cases.chiSquaredOne) close(chiSquaredOneSurvival(c.x), c.pValue, 1e-7, `chi-squared ${c.x}`);
});

test('Diebold-Mariano with the HLN correction matches the published formula (numpy, statsmodels HAC) on every case', () => {
  assert.ok(cases.dieboldMariano.length >= 6);
  for (const [i, c] of cases.dieboldMariano.entries()) {
    const result = dieboldMariano(c.lossA, c.lossB, { horizon: c.horizon, weights: c.weights, ...(c.lags === undefined ? {} : { lags: c.lags }) });
    const e = c.expected;
    close(result.meanDifference, e.meanDifference, 1e-9, `DM case ${i} mean`);
    close(result.longRunVariance, e.longRunVariance, 1e-9, `DM case ${i} long-run variance`);
    close(result.uncorrectedStatistic, e.uncorrectedStatistic, 1e-9, `DM case ${i} statistic`);
    close(result.statistic, e.statistic, 1e-9, `DM case ${i} corrected statistic`);
    close(result.pValue, e.pValue, 1e-7, `DM case ${i} p-value`);
    assert.equal(result.degreesOfFreedom, c.lossA.length - 1);
    assert.equal(result.lags, c.lags ?? c.horizon - 1);
  }
  assert.ok(cases.dieboldMariano.some((c) => c.lags !== undefined && c.lags > c.horizon - 1), 'a Newey-West case with extra lags');
  assert.ok(cases.dieboldMariano.some((c) => c.horizon > 1 && c.weights === 'bartlett'));
  assert.ok(cases.dieboldMariano.some((c) => c.expected.pValue < 1e-4), 'one case with a clear difference');
});

test('Diebold-Mariano: clear errors on bad input', () => {
  assert.throws(() => dieboldMariano([1, 2, 3], [1, 2]), /3 losses for model A but 2 for model B/);
  assert.throws(() => dieboldMariano([], []), /0 days are too few/);
  assert.throws(() => dieboldMariano([1, Number.NaN, 3, 4], [1, 2, 3, 4]), /day 1 has losses NaN and 2; every loss must be a finite number/);
  assert.throws(() => dieboldMariano([1, 2, 3, 4], [0, 1, 2, 3]), /do not vary/);
  assert.throws(() => dieboldMariano([1, 2, 3, 4], [1, 2, 3, 4]), /do not vary/);
  assert.throws(() => dieboldMariano([1, 2, 3, 5], [1, 2, 3, 4], { horizon: 0 }), /horizon must be a positive integer/);
  assert.throws(() => dieboldMariano([1, 2, 3, 5], [1, 2, 3, 4], { horizon: 3 }), /horizon 3 is too long for 4 days/);
  assert.throws(() => dieboldMariano([1, 2, 3, 5], [1, 2, 3, 4], { lags: 2 }), /lags must be a whole number from 0 to below half the 4 days/);
  assert.throws(() => dieboldMariano([1, 2, 3, 5], [1, 2, 3, 4], { lags: -1 }), /lags must be/);
});

const mean = (values: ArrayLike<number>, indices: Int32Array) => {
  let s = 0;
  for (let k = 0; k < indices.length; k++) s += values[indices[k] as number] as number;
  return s / indices.length;
};

test('paired bootstrap: the interval covers a known difference, identical models give p = 1, right vs wrong gives the smallest p', () => {
  seed(11);
  const generator = new Random(5);
  // A right on 80 % of 500 examples, B on 70 %, independently: the true difference is 0.10.
  let covered = 0;
  for (let run = 0; run < 20; run++) {
    const a = Array.from({ length: 500 }, () => (generator.uniform() < 0.8 ? 1 : 0));
    const b = Array.from({ length: 500 }, () => (generator.uniform() < 0.7 ? 1 : 0));
    const result = pairedBootstrap(a, b, mean, { resamples: 400, seed: run });
    assert.ok(result.lower <= result.difference && result.difference <= result.upper);
    if (result.lower <= 0.1 && 0.1 <= result.upper) covered++;
  }
  // A 95 % interval misses the truth about 1 time in 20; 16 or fewer covered would be odd.
  assert.ok(covered >= 17, `the 95 % interval covered the true difference in ${covered} of 20 runs`);

  const same = Array.from({ length: 200 }, () => (generator.uniform() < 0.5 ? 1 : 0));
  assert.equal(pairedBootstrap(same, [...same], mean, { resamples: 300 }).pValue, 1);
  const right = new Array<number>(200).fill(1);
  const wrong = new Array<number>(200).fill(0);
  const extreme = pairedBootstrap(right, wrong, mean, { resamples: 999 });
  assert.equal(extreme.difference, 1);
  assert.equal(extreme.pValue, 2 / 1000);
  assert.equal(pairedBootstrap(wrong, right, mean, { resamples: 999 }).pValue, 2 / 1000, 'two-sided');
});

test('paired bootstrap: pairing removes the shared variation, reproducible by seed, works with AUC and strata', () => {
  const generator = new Random(8);
  // Both models share a large per-example difficulty; B is a little worse on every example.
  const difficulty = Array.from({ length: 300 }, () => 5 * generator.normal());
  const lossA = difficulty.map((d) => d * d + generator.uniform());
  const lossB = lossA.map((l) => l + 0.05 + 0.01 * generator.normal());
  const paired = pairedBootstrap(lossA, lossB, mean, { resamples: 500, seed: 1 });
  assert.ok(paired.pValue < 0.01, `paired p-value ${paired.pValue}`);
  assert.ok(paired.upper < 0, 'A has the smaller loss');
  assert.deepEqual(pairedBootstrap(lossA, lossB, mean, { resamples: 500, seed: 1 }), paired);
  // Scores of a good and a useless classifier: AUC difference clearly above 0.
  const labels = Array.from({ length: 200 }, (_, i) => i % 2);
  const good = labels.map((y) => y + 0.8 * generator.normal());
  const useless = labels.map(() => generator.normal());
  const auc = (scores: number[], indices: Int32Array) => areaUnderRoc(pick(labels, indices), pick(scores, indices));
  const result = pairedBootstrap(good, useless, auc, { resamples: 300, seed: 2, strata: labels });
  assert.ok(result.difference > 0.2 && result.lower > 0 && result.pValue < 0.01, JSON.stringify(result));
  assert.throws(() => pairedBootstrap([1, 2], [1], mean), /2 values for model A but 1 for model B/);
  assert.throws(() => pairedBootstrap([], [], mean), /no examples/);
  assert.throws(() => pairedBootstrap([1, Number.NaN], [1, 2], mean), /returned NaN on the full sample/);
});
