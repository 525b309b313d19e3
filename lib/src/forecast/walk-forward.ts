/** Walk-forward evaluation (chapter 11): train on the past, test on the next window, move on; no test day precedes a training day. */
import { checkPositiveIntegers } from '../util/validate';

/** One fold: train on positions [0, trainEnd), test on [testStart, testEnd). */
export interface WalkForwardFold {
  fold: number;
  trainEnd: number;
  testStart: number;
  testEnd: number;
}

/** Expanding folds: train on `initialTrain` steps, test on the next `testSize` (after `gap`); at most `maxFolds`. */
export function walkForwardFolds(n: number, options: { initialTrain: number; testSize: number; gap?: number; maxFolds?: number }): WalkForwardFold[] {
  const { initialTrain, testSize } = options;
  const gap = options.gap ?? 0;
  checkPositiveIntegers('walkForwardFolds', { initialTrain, testSize });
  if (!Number.isInteger(gap) || gap < 0) throw new Error(`walkForwardFolds: gap must be a non-negative integer, got ${gap}.`);
  if (initialTrain + gap + testSize > n) {
    throw new Error(`walkForwardFolds: ${initialTrain} training + ${gap} gap + ${testSize} test steps do not fit in a series of ${n}; shorten them.`);
  }
  const folds: WalkForwardFold[] = [];
  for (let trainEnd = initialTrain; trainEnd + gap + testSize <= n; trainEnd += testSize) {
    folds.push({ fold: folds.length + 1, trainEnd, testStart: trainEnd + gap, testEnd: trainEnd + gap + testSize });
  }
  return (options.maxFolds !== undefined ? folds.slice(-options.maxFolds) : folds).map((f, i) => ({ ...f, fold: i + 1 }));
}
