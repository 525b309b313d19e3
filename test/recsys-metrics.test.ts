// Chapter 8: rating errors and top-N metrics against hand-computed cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootMeanSquaredError, meanAbsoluteError, precisionAtK, recallAtK, ndcgAtK, topScoring } from 'dlkit';

const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `expected ${expected}, got ${actual}`);

test('RMSE and MAE on a hand-computed case', () => {
  // errors 2, 0, -1: squared 4, 0, 1 -> RMSE sqrt(5/3); absolute 2, 0, 1 -> MAE 1.
  close(rootMeanSquaredError([3, 4, 2], [1, 4, 3]), Math.sqrt(5 / 3));
  close(meanAbsoluteError([3, 4, 2], [1, 4, 3]), 1);
  close(rootMeanSquaredError([4, 4], [4, 4]), 0);
  assert.throws(() => rootMeanSquaredError([1, 2], [1]), /one prediction per actual value/);
  assert.throws(() => meanAbsoluteError([], []), /empty/);
});

test('precision@k, recall@k and NDCG@k on a hand-computed list', () => {
  const relevant = new Set([2, 5]);
  const list = [1, 2, 3];
  close(precisionAtK(list, relevant, 3), 1 / 3);
  close(recallAtK(list, relevant, 3), 1 / 2);
  // DCG: the hit at position 2 gives 1/log2(3); ideal: two hits at positions 1, 2 give 1 + 1/log2(3).
  close(ndcgAtK(list, relevant, 3), 1 / Math.log2(3) / (1 + 1 / Math.log2(3)));
  close(ndcgAtK([2, 5, 9], relevant, 3), 1, );
  close(ndcgAtK([9, 8, 7], relevant, 3), 0);
  // Order matters for NDCG but not for precision.
  assert.ok(ndcgAtK([2, 9, 5], relevant, 3) > ndcgAtK([9, 2, 5], relevant, 3));
  close(precisionAtK([2, 9, 5], relevant, 3), precisionAtK([9, 2, 5], relevant, 3));
  // k cuts the list; a short list counts its gaps as misses.
  close(precisionAtK([2, 5, 9], relevant, 1), 1);
  close(precisionAtK([2], relevant, 4), 1 / 4);
  close(recallAtK([1], new Set(), 1), 0);
  assert.throws(() => precisionAtK(list, relevant, 0), /positive integer/);
});

test('topScoring returns the largest allowed scores, largest first, ties to the smaller index', () => {
  const scores = [0.5, 3, 2, 3, Number.NaN, 9, 1];
  assert.deepEqual(topScoring(scores, () => true, 3), [5, 1, 3]);
  assert.deepEqual(topScoring(scores, (i) => i !== 5, 2), [1, 3]);
  assert.deepEqual(topScoring(scores, () => true, 10), [5, 1, 3, 2, 6, 0], 'NaN is never picked; fewer than asked when fewer exist');
  assert.deepEqual(topScoring(scores, () => true, 0), []);
});
