/** A binary scorer's ROC curve, AUC and Kolmogorov-Smirnov statistic (chapter 10); labels 0/1, higher score = more likely 1. */

/** Checks labels and scores and counts the classes. */
export function checkBinaryScores(labels: ArrayLike<number>, scores: ArrayLike<number>, what: string): { positives: number; negatives: number } {
  if (labels.length !== scores.length) throw new Error(`${what}: ${labels.length} labels but ${scores.length} scores; give one score per label.`);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    if (y !== 0 && y !== 1) throw new Error(`${what}: label ${i} is ${y}; labels must be 0 or 1 (1 = the event, e.g. a bad loan).`);
    if (!Number.isFinite(scores[i] as number)) throw new Error(`${what}: score ${i} is ${scores[i]}; every score must be a finite number.`);
    positives += y;
  }
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) {
    throw new Error(`${what}: needs both classes, got ${positives} positives and ${negatives} negatives.`);
  }
  return { positives, negatives };
}

/** Points of a ROC curve, from (0, 0) to (1, 1). */
export interface RocCurve {
  falsePositiveRate: number[];
  truePositiveRate: number[];
  /** The cut-off of each point: "flag score >= threshold" (Infinity for the first point). */
  thresholds: number[];
}

/** The ROC curve: for every distinct score as cut-off, the true-positive rate against the false-positive rate. */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): RocCurve {
  const { positives, negatives } = checkBinaryScores(labels, scores, 'rocCurve');
  const order = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const curve: RocCurve = { falsePositiveRate: [0], truePositiveRate: [0], thresholds: [Infinity] };
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    if (labels[i] === 1) tp++;
    else fp++;
    const next = order[k + 1];
    if (next === undefined || scores[next] !== scores[i]) {
      curve.truePositiveRate.push(tp / positives);
      curve.falsePositiveRate.push(fp / negatives);
      curve.thresholds.push(scores[i] as number);
    }
  }
  return curve;
}

/** AUC: P(a random positive scores above a random negative), ties half (Mann-Whitney, from average ranks). */
export function areaUnderRoc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const { positives, negatives } = checkBinaryScores(labels, scores, 'areaUnderRoc');
  const order = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let rankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1] as number] === scores[order[start] as number]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) if (labels[order[k] as number] === 1) rankSum += averageRank;
    start = end + 1;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The Kolmogorov-Smirnov statistic max(TPR − FPR) over cut-offs, and its cut-off. */
export function ksStatistic(labels: ArrayLike<number>, scores: ArrayLike<number>): { statistic: number; threshold: number } {
  const curve = rocCurve(labels, scores);
  let best = { statistic: 0, threshold: Infinity };
  curve.truePositiveRate.forEach((tpr, k) => {
    const gap = tpr - (curve.falsePositiveRate[k] as number);
    if (gap > best.statistic + 1e-12) best = { statistic: gap, threshold: curve.thresholds[k] as number };
  });
  return best;
}
