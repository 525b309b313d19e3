/**
 * Walk-forward evaluation (chapter 11): train on the past, test on the next
 * window, move forward, repeat. Unlike a random split, no test day is ever
 * earlier than a training day.
 */

/** One fold: train on positions [0, trainEnd), test on [testStart, testEnd) (chapter 11). */
export interface WalkForwardFold {
  fold: number;
  trainEnd: number;
  testStart: number;
  testEnd: number;
}

/**
 * Expanding-window folds over `n` time steps (chapter 11): the first fold
 * trains on `initialTrain` steps and tests on the next `testSize`; each later
 * fold adds the previous test window to the training data. `gap` steps are
 * skipped between training and test (default 0). At most `maxFolds` folds
 * (the last ones) are returned.
 */
export function walkForwardFolds(n: number, options: { initialTrain: number; testSize: number; gap?: number; maxFolds?: number }): WalkForwardFold[] {
  const { initialTrain, testSize } = options;
  const gap = options.gap ?? 0;
  for (const [name, value] of [['initialTrain', initialTrain], ['testSize', testSize]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`walkForwardFolds: ${name} must be a positive integer, got ${value}.`);
  }
  if (!Number.isInteger(gap) || gap < 0) throw new Error(`walkForwardFolds: gap must be a non-negative integer, got ${gap}.`);
  if (initialTrain + gap + testSize > n) {
    throw new Error(`walkForwardFolds: ${initialTrain} training + ${gap} gap + ${testSize} test steps do not fit in a series of ${n}; shorten them.`);
  }
  const folds: WalkForwardFold[] = [];
  for (let trainEnd = initialTrain; trainEnd + gap + testSize <= n; trainEnd += testSize) {
    folds.push({ fold: folds.length + 1, trainEnd, testStart: trainEnd + gap, testEnd: trainEnd + gap + testSize });
  }
  const kept = options.maxFolds !== undefined ? folds.slice(-options.maxFolds) : folds;
  return kept.map((f, i) => ({ ...f, fold: i + 1 }));
}
