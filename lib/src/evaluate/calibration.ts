/** Calibration (chapter 10): does "20 % risk" mean one in five? Mean prediction against observed rate per bin. */
import { checkBinaryScores } from './roc';
import { checkPositiveIntegers } from '../util/validate';

/** One bin of a calibration table. */
export type CalibrationBin = {
  /** Predictions in [lower, upper) (the last bin includes 1). */
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
};

/** Equal-width bins of predicted probabilities in [0, 1] (empty ones left out), or equal counts with `strategy: 'quantile'`. */
export function calibrationBins(
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  options: { bins?: number; strategy?: 'uniform' | 'quantile' } = {},
): CalibrationBin[] {
  checkBinaryScores(labels, probabilities, 'calibrationBins');
  const bins = options.bins ?? 10;
  checkPositiveIntegers('calibrationBins', { bins });
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i] as number;
    if (p < 0 || p > 1) throw new Error(`calibrationBins: prediction ${i} is ${p}; calibration needs probabilities in [0, 1].`);
  }
  let edges: number[];
  if ((options.strategy ?? 'uniform') === 'uniform') {
    edges = Array.from({ length: bins + 1 }, (_, k) => k / bins);
  } else {
    const sorted = Array.from(probabilities).sort((a, b) => a - b);
    edges = Array.from({ length: bins + 1 }, (_, k) => (k === bins ? 1 : (sorted[Math.floor((k * sorted.length) / bins)] as number)));
    edges[0] = 0;
  }
  const result: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const lower = edges[b] as number;
    const upper = edges[b + 1] as number;
    let count = 0;
    let sum = 0;
    let events = 0;
    for (let i = 0; i < probabilities.length; i++) {
      const p = probabilities[i] as number;
      if (p >= lower && (p < upper || (b === bins - 1 && p <= upper))) {
        count++;
        sum += p;
        events += labels[i] as number;
      }
    }
    if (count > 0) result.push({ lower, upper, count, meanPredicted: sum / count, observedRate: events / count });
  }
  return result;
}

/** The expected calibration error: the count-weighted mean of |mean predicted - observed rate| over the bins. */
export function expectedCalibrationError(bins: readonly CalibrationBin[]): number {
  const total = bins.reduce((s, b) => s + b.count, 0);
  return bins.reduce((s, b) => s + (b.count / total) * Math.abs(b.meanPredicted - b.observedRate), 0);
}
