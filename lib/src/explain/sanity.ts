/**
 * Sanity checks for explanations (chapter 12; Adebayo et al. 2018): a method whose maps agree for trained and random
 * weights shows the input, not the model; the rank correlation measures the agreement.
 */
import type { Numbers } from '../util/numbers';

function ranks(values: Numbers): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number));
  const result = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1] as number] === values[order[start] as number]) end++;
    for (let k = start; k <= end; k++) result[order[k] as number] = (start + end) / 2;
    start = end + 1;
  }
  return result;
}

/** Spearman's rank correlation: Pearson's of the ranks, ties at their average rank. */
export function spearmanCorrelation(a: Numbers, b: Numbers): number {
  if (a.length !== b.length) throw new Error(`spearmanCorrelation: the lists have ${a.length} and ${b.length} entries; give two lists of the same length.`);
  if (a.length < 2) throw new Error('spearmanCorrelation: need at least 2 entries.');
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (ra.length - 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < ra.length; i++) {
    const da = (ra[i] as number) - mean;
    const db = (rb[i] as number) - mean;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) throw new Error('spearmanCorrelation: one list is constant, so its ranks carry no order; the correlation is undefined.');
  return sab / Math.sqrt(saa * sbb);
}
