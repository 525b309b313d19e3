import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dailyReturns, logReturns, summaryStatistics, normalPdf, normalCurve, loadSp500, numericColumn } from 'dlkit';

const close = (a: number, b: number, tolerance = 1e-12) => Math.abs(a - b) <= tolerance;

test('daily and log returns on a hand-computed price path', () => {
  const prices = [100, 110, 99, 99];
  const simple = dailyReturns(prices);
  assert.equal(simple.length, 3);
  assert.ok(close(simple[0] as number, 0.1));
  assert.ok(close(simple[1] as number, -0.1));
  assert.equal(simple[2], 0);
  const logs = logReturns(prices);
  assert.ok(close(logs[0] as number, Math.log(1.1)));
  assert.ok(close(logs.reduce((s, v) => s + v, 0), Math.log(99 / 100)), 'log returns add up to the log of the total change');
  assert.throws(() => dailyReturns([100]), /at least 2 prices/);
  assert.throws(() => logReturns([100, 0, 3]), /price 1 is 0; prices must be positive/);
  assert.throws(() => dailyReturns([100, Number.NaN]), /price 1 is NaN/);
});

test('summary statistics of a hand-computed sample', () => {
  // 1, 2, 3, 4, 10: mean 4, deviations -3 -2 -1 0 6.
  const s = summaryStatistics([1, 2, 3, 4, 10, Number.NaN]);
  assert.equal(s.count, 5);
  assert.equal(s.missing, 1);
  assert.equal(s.mean, 4);
  const m2 = (9 + 4 + 1 + 0 + 36) / 5; // 10
  const m3 = (-27 - 8 - 1 + 0 + 216) / 5; // 36
  const m4 = (81 + 16 + 1 + 0 + 1296) / 5; // 278.8
  assert.ok(close(s.std, Math.sqrt((m2 * 5) / 4)));
  assert.ok(close(s.skewness, m3 / m2 ** 1.5));
  assert.ok(close(s.excessKurtosis, m4 / (m2 * m2) - 3));
  assert.equal(s.min, 1);
  assert.equal(s.max, 10);
  const symmetric = summaryStatistics([-2, -1, 0, 1, 2]);
  assert.ok(close(symmetric.skewness, 0));
  // Two-point distribution: kurtosis 1, excess -2.
  assert.ok(close(summaryStatistics([-1, 1, -1, 1]).excessKurtosis, -2));
  assert.throws(() => summaryStatistics([1]), /at least 2 values/);
  assert.throws(() => summaryStatistics([1, Infinity]), /value 1 is Infinity/);
});

test('the normal density integrates to 1 and has the right peak', () => {
  assert.ok(close(normalPdf(0), 1 / Math.sqrt(2 * Math.PI)));
  assert.ok(close(normalPdf(3, 3, 2), 1 / (2 * Math.sqrt(2 * Math.PI))));
  const curve = normalCurve(0.5, 0.2, { points: 2001 });
  const step = (curve.x[1] as number) - (curve.x[0] as number);
  const area = curve.y.reduce((s, v) => s + v, 0) * step;
  assert.ok(Math.abs(area - 1) < 1e-3, `area ${area}`);
  assert.equal(curve.x.length, 2001);
  assert.throws(() => normalPdf(0, 0, 0), /std must be positive/);
  assert.throws(() => normalCurve(0, 1, { from: 1, to: 0 }), /from < to/);
});

test('S&P 500 daily returns have fat tails: excess kurtosis far above 0', () => {
  const returns = dailyReturns(numericColumn(loadSp500(), 'close'));
  const s = summaryStatistics(returns);
  assert.equal(s.count, 5104);
  assert.ok(s.excessKurtosis > 5, `excess kurtosis ${s.excessKurtosis}`);
  assert.ok(Math.abs(s.mean) < 0.001, 'the average day moves the index by less than 0.1 %');
  assert.ok(s.std > 0.005 && s.std < 0.03);
  // Under a normal distribution with this std, a move of 5 std or more would
  // happen about once in 3.5 million days; count how often it really happened.
  const extreme = returns.filter((r) => Math.abs(r - s.mean) > 5 * s.std).length;
  assert.ok(extreme >= 10, `${extreme} days beyond 5 standard deviations`);
});
