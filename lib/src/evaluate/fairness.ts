/** Group comparisons for a fairness check (chapter 10): approval and bad rates per group, and within-group calibration. */
import { bootstrapInterval, pick } from './bootstrap';
import { meanOf } from '../util/statistics';

/** One group of `groupRates`. */
export type GroupRates = {
  group: string;
  count: number;
  /** Share of the group the model approves. */
  approvalRate: number;
  /** Observed share of bad loans in the group. */
  defaultRate: number;
  /** Observed share of bad loans among the approved of the group (NaN if none approved). */
  approvedDefaultRate: number;
  /** Share of the group's good payers that the model refuses. */
  goodRefusedRate: number;
};

/** Approval and default rates per group; `labels` 0/1 (1 = bad), groups in `order` if given, else sorted. */
export function groupRates(groups: readonly string[], labels: ArrayLike<number>, approved: readonly boolean[], order?: readonly string[]): GroupRates[] {
  if (groups.length !== labels.length || approved.length !== labels.length) {
    throw new Error(`groupRates: ${groups.length} groups, ${labels.length} labels and ${approved.length} decisions; give one of each per applicant.`);
  }
  const names = order ? [...order] : [...new Set(groups)].sort();
  return names.map((group) => {
    let count = 0;
    let bad = 0;
    let accepted = 0;
    let acceptedBad = 0;
    let good = 0;
    let goodRefused = 0;
    for (let i = 0; i < groups.length; i++) {
      if (groups[i] !== group) continue;
      count++;
      const y = labels[i] as number;
      bad += y;
      if (approved[i]) {
        accepted++;
        acceptedBad += y;
      }
      if (y === 0) {
        good++;
        if (!approved[i]) goodRefused++;
      }
    }
    return {
      group,
      count,
      approvalRate: accepted / count,
      defaultRate: bad / count,
      approvedDefaultRate: accepted > 0 ? acceptedBad / accepted : Number.NaN,
      goodRefusedRate: good > 0 ? goodRefused / good : Number.NaN,
    };
  });
}

/** Labels of whole-number bands: `edges` [30, 45, 60] give "<30", "30-44", "45-59", "60+". */
export function bandLabels(values: ArrayLike<number>, edges: readonly number[]): string[] {
  if (edges.length === 0 || edges.some((e, i) => i > 0 && e <= (edges[i - 1] as number))) {
    throw new Error(`bandLabels: edges must be a non-empty increasing list, got [${edges.join(', ')}].`);
  }
  const names = bandNames(edges);
  return Array.from(values, (v) => {
    if (!Number.isFinite(v)) throw new Error(`bandLabels: value ${v} is not a number; bands need numbers.`);
    let k = 0;
    while (k < edges.length && v >= (edges[k] as number)) k++;
    return names[k] as string;
  });
}

/** The band names `bandLabels` uses for `edges`, in order. */
export function bandNames(edges: readonly number[]): string[] {
  return [`<${edges[0]}`, ...edges.slice(1).map((e, i) => `${edges[i]}-${e - 1}`), `${edges[edges.length - 1]}+`];
}

/** One group of `groupCalibration`. */
export type GroupCalibration = {
  group: string;
  count: number;
  /** Mean predicted probability of the event in the group. */
  meanPredicted: number;
  /** Observed share of events in the group, with its bootstrap interval. */
  observedRate: number;
  observedLower: number;
  observedUpper: number;
  /** meanPredicted − observedRate (positive: the model overstates the group's risk), with its bootstrap interval. */
  difference: number;
  differenceLower: number;
  differenceUpper: number;
};

/** Within-group calibration: mean predicted vs observed rate per group, bootstrap intervals of rate and difference. */
export function groupCalibration(
  groups: readonly string[],
  labels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  options: { order?: readonly string[]; resamples?: number; confidence?: number; seed?: number } = {},
): GroupCalibration[] {
  if (groups.length !== labels.length || probabilities.length !== labels.length) {
    throw new Error(`groupCalibration: ${groups.length} groups, ${labels.length} labels and ${probabilities.length} probabilities; give one of each per applicant.`);
  }
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    const p = probabilities[i] as number;
    if (y !== 0 && y !== 1) throw new Error(`groupCalibration: label ${i} is ${y}; labels must be 0 or 1 (1 = the event).`);
    if (!(p >= 0 && p <= 1)) throw new Error(`groupCalibration: probability ${i} is ${p}; calibration needs probabilities in [0, 1] (not scores or logits).`);
  }
  const names = options.order ? [...options.order] : [...new Set(groups)].sort();
  const intervalOptions = { resamples: options.resamples, confidence: options.confidence, seed: options.seed };
  return names.map((group) => {
    const members = groups.flatMap((g, i) => (g === group ? [i] : []));
    if (members.length === 0) throw new Error(`groupCalibration: group "${group}" has no members; leave it out of order.`);
    const y = members.map((i) => labels[i] as number);
    const p = members.map((i) => probabilities[i] as number);
    const observed = bootstrapInterval(members.length, (idx) => meanOf(pick(y, idx)), intervalOptions);
    const difference = bootstrapInterval(members.length, (idx) => meanOf(pick(p, idx)) - meanOf(pick(y, idx)), intervalOptions);
    return {
      group,
      count: members.length,
      meanPredicted: meanOf(p),
      observedRate: observed.estimate,
      observedLower: observed.lower,
      observedUpper: observed.upper,
      difference: difference.estimate,
      differenceLower: difference.lower,
      differenceUpper: difference.upper,
    };
  });
}
