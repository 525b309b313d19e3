/**
 * Similarity for collaborative filtering (chapter 8): cosine, its mean-centred versions over co-rated entries,
 * and all pairs of users or items at once on sparse rows, never building the user × item matrix.
 */
import { columnMeans, positionInRow, rowMeans, transposeRows, type SparseRows } from './sparse-rows';
import { checkPositiveIntegers } from '../util/validate';

/** Cosine similarity a·b / (|a| |b|) in [-1, 1]; 0 for a zero vector. scipy's `cosine` distance is 1 minus it. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`cosineSimilarity: the vectors have ${a.length} and ${b.length} entries; they must be equally long.`);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let k = 0; k < a.length; k++) {
    const x = a[k] as number;
    const y = b[k] as number;
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new Error(`cosineSimilarity: entry ${k} is ${x} and ${y}; use meanCentredCosine for vectors with missing (NaN) ratings.`);
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/** The mean of the entries that are not NaN (not rated); 0 when none is. */
function meanOfRated(v: ArrayLike<number>): number {
  let sum = 0;
  let count = 0;
  for (let k = 0; k < v.length; k++) if (!Number.isNaN(v[k] as number)) (sum += v[k] as number), count++;
  return count === 0 ? 0 : sum / count;
}

/**
 * Mean-centred cosine of two rating vectors with NaN for missing: each centred by its own mean, the cosine
 * over co-rated entries only ("not rated" is never a 0). 0 when nothing is shared or one is constant on it.
 */
export function meanCentredCosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`meanCentredCosine: the vectors have ${a.length} and ${b.length} entries; they must be equally long.`);
  const meanA = meanOfRated(a);
  const meanB = meanOfRated(b);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let k = 0; k < a.length; k++) {
    const x = a[k] as number;
    const y = b[k] as number;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    dot += (x - meanA) * (y - meanB);
    normA += (x - meanA) ** 2;
    normB += (y - meanB) ** 2;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/**
 * Adjusted cosine of items `a` and `b` (Sarwar et al. 2001) in a users × items `matrix` (NaN: not rated):
 * ratings centred by their user's mean, the cosine over users who rated both; 0 when none did.
 */
export function adjustedCosine(matrix: readonly ArrayLike<number>[], a: number, b: number): number {
  const columns = matrix[0]?.length ?? 0;
  if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0 && a < columns && b < columns)) {
    throw new Error(`adjustedCosine: items must be column indices in 0..${columns - 1}, got ${a} and ${b}.`);
  }
  let dot = 0;
  let normA = 0;
  let normB = 0;
  matrix.forEach((row, u) => {
    if (row.length !== columns) throw new Error(`adjustedCosine: row ${u} has ${row.length} entries, row 0 has ${columns}; the matrix must be rectangular.`);
    const x = row[a] as number;
    const y = row[b] as number;
    if (Number.isNaN(x) || Number.isNaN(y)) return;
    const mean = meanOfRated(row);
    dot += (x - mean) * (y - mean);
    normA += (x - mean) ** 2;
    normB += (y - mean) ** 2;
  });
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

export interface SimilarityOptions {
  /** Keep a pair only when its two rows share at least this many columns (default 1). */
  minimumOverlap?: number;
  /** Shrinks a similarity on few co-rated entries: similarity × n / (n + shrinkage), n the overlap (default 0). */
  shrinkage?: number;
  /** What each rating is centred by (default 'rows'): its row's mean, its column's (adjusted cosine of items), none. */
  centring?: 'rows' | 'columns' | 'none';
}

/** Similarities of every pair of rows as sparse rows: row `a` lists the rows sharing `minimumOverlap` columns, ascending. */
export class SimilarityMatrix {
  readonly size: number;
  readonly pointers: Int32Array;
  readonly neighbours: Int32Array;
  readonly values: Float32Array;
  readonly overlaps: Int32Array;

  /** Wraps the arrays; `similarities()` builds them. */
  constructor(parts: { size: number; pointers: Int32Array; neighbours: Int32Array; values: Float32Array; overlaps: Int32Array }) {
    this.size = parts.size;
    this.pointers = parts.pointers;
    this.neighbours = parts.neighbours;
    this.values = parts.values;
    this.overlaps = parts.overlaps;
  }

  /** Number of stored pairs (each unordered pair counts twice, once per row). */
  get pairs(): number {
    return this.neighbours.length;
  }

  /** Similarity of rows `a` and `b`; 0 when they share too few columns. Binary search. */
  get(a: number, b: number): number {
    const at = this.position(a, b);
    return at < 0 ? 0 : (this.values[at] as number);
  }

  /** Number of columns rows `a` and `b` share, if stored; 0 otherwise. */
  overlap(a: number, b: number): number {
    const at = this.position(a, b);
    return at < 0 ? 0 : (this.overlaps[at] as number);
  }

  private position(a: number, b: number): number {
    if (!(a >= 0 && a < this.size && b >= 0 && b < this.size)) throw new Error(`SimilarityMatrix: rows must be indices in 0..${this.size - 1}, got ${a} and ${b}.`);
    return positionInRow(this.pointers, this.neighbours, a, b);
  }

  /** The `count` rows most similar to `a`, most similar first. */
  mostSimilar(a: number, count: number): { index: number; similarity: number; overlap: number }[] {
    const found: { index: number; similarity: number; overlap: number }[] = [];
    for (let k = this.pointers[a] as number; k < (this.pointers[a + 1] as number); k++) {
      found.push({ index: this.neighbours[k] as number, similarity: this.values[k] as number, overlap: this.overlaps[k] as number });
    }
    return found.sort((x, y) => y.similarity - x.similarity || x.index - y.index).slice(0, count);
  }
}

/**
 * Mean-centred cosine of every pair of rows of a sparse rating matrix (`byUser()` for users, `byItem()` for
 * items): `meanCentredCosine` with 'rows', `adjustedCosine` with 'columns' on `byItem()`. It walks stored
 * ratings only: the cost is Σ over columns of (ratings in the column)², not rows² × columns.
 */
export function similarities(rows: SparseRows, options: SimilarityOptions = {}): SimilarityMatrix {
  const minimumOverlap = options.minimumOverlap ?? 1;
  const shrinkage = options.shrinkage ?? 0;
  checkPositiveIntegers('similarities', { minimumOverlap });
  if (!(shrinkage >= 0)) throw new Error(`similarities: shrinkage must be >= 0, got ${shrinkage}.`);
  const centring = options.centring ?? 'rows';
  if (centring !== 'rows' && centring !== 'columns' && centring !== 'none') {
    throw new Error(`similarities: centring must be 'rows', 'columns' or 'none', got ${String(centring)}.`);
  }
  const centred = new Float64Array(rows.values.length);
  if (centring === 'rows') {
    const means = rowMeans(rows);
    for (let r = 0; r < rows.rows; r++) {
      for (let k = rows.pointers[r] as number; k < (rows.pointers[r + 1] as number); k++) centred[k] = (rows.values[k] as number) - (means[r] as number);
    }
  } else if (centring === 'columns') {
    const means = columnMeans(rows);
    for (let k = 0; k < rows.values.length; k++) centred[k] = (rows.values[k] as number) - (means[rows.indices[k] as number] as number);
  } else {
    centred.set(rows.values);
  }
  const columns = transposeRows({ ...rows, values: centred });
  const dot = new Float64Array(rows.rows);
  const normA = new Float64Array(rows.rows);
  const normB = new Float64Array(rows.rows);
  const count = new Int32Array(rows.rows);
  const touched = new Int32Array(rows.rows);
  const pointers = new Int32Array(rows.rows + 1);
  let neighbours = new Int32Array(1024);
  let values = new Float32Array(1024);
  let overlaps = new Int32Array(1024);
  let stored = 0;
  for (let a = 0; a < rows.rows; a++) {
    let touchedCount = 0;
    for (let k = rows.pointers[a] as number; k < (rows.pointers[a + 1] as number); k++) {
      const c = rows.indices[k] as number;
      const x = centred[k] as number;
      for (let m = columns.pointers[c] as number; m < (columns.pointers[c + 1] as number); m++) {
        const b = columns.indices[m] as number;
        if (b === a) continue;
        const y = columns.values[m] as number;
        if (count[b] === 0) touched[touchedCount++] = b;
        count[b]++;
        dot[b] += x * y;
        normA[b] += x * x;
        normB[b] += y * y;
      }
    }
    const found = touched.subarray(0, touchedCount).sort();
    if (stored + touchedCount > neighbours.length) {
      const size = Math.max(neighbours.length * 2, stored + touchedCount);
      const grow = <T extends Int32Array | Float32Array>(old: T, make: (n: number) => T): T => {
        const next = make(size);
        next.set(old.subarray(0, stored) as never);
        return next;
      };
      neighbours = grow(neighbours, (n) => new Int32Array(n));
      values = grow(values, (n) => new Float32Array(n));
      overlaps = grow(overlaps, (n) => new Int32Array(n));
    }
    for (const b of found) {
      const n = count[b] as number;
      if (n >= minimumOverlap) {
        const denominator = Math.sqrt((normA[b] as number) * (normB[b] as number));
        const cosine = denominator === 0 ? 0 : (dot[b] as number) / denominator;
        neighbours[stored] = b;
        values[stored] = shrinkage > 0 ? (cosine * n) / (n + shrinkage) : cosine;
        overlaps[stored] = n;
        stored++;
      }
      dot[b] = 0;
      normA[b] = 0;
      normB[b] = 0;
      count[b] = 0;
    }
    pointers[a + 1] = stored;
  }
  return new SimilarityMatrix({
    size: rows.rows,
    pointers,
    neighbours: neighbours.slice(0, stored),
    values: values.slice(0, stored),
    overlaps: overlaps.slice(0, stored),
  });
}
