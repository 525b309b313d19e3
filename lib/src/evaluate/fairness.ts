/**
 * Group comparisons for a fairness check (chapter 10): per group, how many are
 * approved, and how often loans go bad among all and among the approved.
 */

/** One group of `groupRates` (chapter 10). */
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

/**
 * Approval and default rates per group (chapter 10). `labels` are 0/1 (1 =
 * bad), `approved` the model's decisions; groups are listed in `order` if
 * given, else sorted.
 */
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

/**
 * Labels of numeric bands (chapter 10): with `edges` [30, 45, 60], the bands
 * are "<30", "30-44", "45-59" and "60+" (for whole numbers such as ages).
 */
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

/** The band names `bandLabels` uses for `edges`, in order (chapter 10). */
export function bandNames(edges: readonly number[]): string[] {
  return [`<${edges[0]}`, ...edges.slice(1).map((e, i) => `${edges[i]}-${e - 1}`), `${edges[edges.length - 1]}+`];
}
