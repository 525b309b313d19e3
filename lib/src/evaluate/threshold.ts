/** Decisions at a cut-off (chapter 10): flag when the score is at or above it, and count what that gets right and wrong. */
import { checkBinaryScores } from './roc';
import { precisionOf } from '../util/statistics';

/** Counts and rates at one cut-off. */
export type ThresholdMetrics = {
  threshold: number;
  truePositives: number;
  falsePositives: number;
  trueNegatives: number;
  falseNegatives: number;
  /** Of the flagged, the share that are positives (0, with a warning, if none is flagged, as in scikit-learn). */
  precision: number;
  /** Of the positives, the share flagged (the true-positive rate). */
  recall: number;
  falsePositiveRate: number;
  /** Share of all samples flagged. */
  flaggedRate: number;
  accuracy: number;
};

/** Precision, recall and the confusion counts when flagging `score >= threshold`. */
export function metricsAtThreshold(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number): ThresholdMetrics {
  const { positives, negatives } = checkBinaryScores(labels, scores, 'metricsAtThreshold');
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < labels.length; i++) {
    if ((scores[i] as number) >= threshold) {
      if (labels[i] === 1) tp++;
      else fp++;
    }
  }
  const n = labels.length;
  return {
    threshold,
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: negatives - fp,
    falseNegatives: positives - tp,
    precision: precisionOf(tp, fp, 'metricsAtThreshold'),
    recall: tp / positives,
    falsePositiveRate: fp / negatives,
    flaggedRate: (tp + fp) / n,
    accuracy: (tp + negatives - fp) / n,
  };
}

/** The observed score that maximises `objective` (e.g. minus the cost of mistakes): choose it on validation, apply it to test. */
export function bestThreshold(labels: ArrayLike<number>, scores: ArrayLike<number>, objective: (metrics: ThresholdMetrics) => number): ThresholdMetrics {
  checkBinaryScores(labels, scores, 'bestThreshold');
  const candidates = [...new Set(Array.from(scores))].sort((a, b) => a - b);
  let best: ThresholdMetrics | null = null;
  let bestValue = -Infinity;
  for (const threshold of candidates) {
    const metrics = metricsAtThreshold(labels, scores, threshold);
    const value = objective(metrics);
    if (value > bestValue) {
      bestValue = value;
      best = metrics;
    }
  }
  return best as ThresholdMetrics;
}
