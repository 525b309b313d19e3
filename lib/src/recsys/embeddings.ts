/** Looking at learned embeddings (chapter 8): principal components of a set of vectors, to draw them in 2-D. */
import { Random } from '../util/random';

/** Rows projected on their first `count` principal components (seeded power iteration), and their variance shares. */
export function principalComponents(rows: readonly ArrayLike<number>[], count = 2): { projected: number[][]; explained: number[]; components: number[][] } {
  if (rows.length < 2) throw new Error(`principalComponents: need at least 2 rows, got ${rows.length}.`);
  const d = (rows[0] as ArrayLike<number>).length;
  if (rows.some((r) => r.length !== d)) throw new Error('principalComponents: every row must have the same length.');
  if (!Number.isInteger(count) || count < 1 || count > d) throw new Error(`principalComponents: count must be an integer from 1 to ${d}, got ${count}.`);
  const n = rows.length;
  const mean = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += (r[j] as number) / n;
  const covariance = Array.from({ length: d }, () => new Float64Array(d));
  for (const r of rows) {
    for (let a = 0; a < d; a++) {
      const x = (r[a] as number) - (mean[a] as number);
      const row = covariance[a] as Float64Array;
      for (let b = 0; b < d; b++) row[b] += (x * ((r[b] as number) - (mean[b] as number))) / (n - 1);
    }
  }
  const total = covariance.reduce((s, row, j) => s + (row[j] as number), 0);
  const generator = new Random(20240601);
  const components: number[][] = [];
  const explained: number[] = [];
  for (let c = 0; c < count; c++) {
    let v = Array.from({ length: d }, () => generator.normal());
    let eigenvalue = 0;
    for (let iteration = 0; iteration < 500; iteration++) {
      const w = covariance.map((row) => row.reduce((s, x, j) => s + x * (v[j] as number), 0));
      const norm = Math.hypot(...w);
      if (norm === 0) break;
      const next = w.map((x) => x / norm);
      const change = next.reduce((s, x, j) => s + Math.abs(x - (v[j] as number)), 0);
      v = next;
      eigenvalue = norm;
      if (change < 1e-10) break;
    }
    components.push(v);
    explained.push(total > 0 ? eigenvalue / total : 0);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) (covariance[a] as Float64Array)[b] -= eigenvalue * (v[a] as number) * (v[b] as number);
  }
  const projected = rows.map((r) => components.map((v) => v.reduce((s, x, j) => s + x * ((r[j] as number) - (mean[j] as number)), 0)));
  return { projected, explained, components };
}
