/** Compressed sparse rows of chapter 8's ratings and similarities: building, transposing, binary search, means. */

type Values = Float32Array | Float64Array;

/** Compressed sparse rows: row `r` holds the columns `indices[pointers[r] .. pointers[r + 1])`, ascending, with their values. */
export interface SparseRows<V extends Values = Float32Array> {
  rows: number;
  columns: number;
  pointers: Int32Array;
  indices: Int32Array;
  values: V;
}

/** Entries grouped by row with a counting sort; within a row they keep the order they were given in. */
function groupByRow<V extends Values>(rowOf: Int32Array, columnOf: Int32Array, values: V, rows: number, columns: number): SparseRows<V> {
  const pointers = new Int32Array(rows + 1);
  for (let k = 0; k < rowOf.length; k++) pointers[(rowOf[k] as number) + 1]++;
  for (let r = 0; r < rows; r++) pointers[r + 1] += pointers[r] as number;
  const next = pointers.slice(0, rows);
  const indices = new Int32Array(rowOf.length);
  const out = new (values.constructor as new (length: number) => V)(rowOf.length);
  for (let k = 0; k < rowOf.length; k++) {
    const at = next[rowOf[k] as number]++ as number;
    indices[at] = columnOf[k] as number;
    out[at] = values[k] as number;
  }
  return { rows, columns, pointers, indices, values: out };
}

/** The same matrix stored by column: row `c` of the result lists the rows that hold column `c`, ascending. */
export function transposeRows<V extends Values>(matrix: SparseRows<V>): SparseRows<V> {
  const rowOf = new Int32Array(matrix.indices.length);
  for (let r = 0; r < matrix.rows; r++) rowOf.fill(r, matrix.pointers[r] as number, matrix.pointers[r + 1] as number);
  return groupByRow(matrix.indices, rowOf, matrix.values, matrix.columns, matrix.rows);
}

/** Sparse rows from entries (`values[k]` at `rowOf[k]`, `columnOf[k]`): grouped by column, then transposed, so each row is ascending. */
export function sparseRowsFromEntries<V extends Values>(rowOf: Int32Array, columnOf: Int32Array, values: V, rows: number, columns: number): SparseRows<V> {
  return transposeRows(groupByRow(columnOf, rowOf, values, columns, rows));
}

/** Where column `column` is stored in row `row` (an index into `indices`), or -1 when the row does not hold it. Binary search. */
export function positionInRow(pointers: Int32Array, indices: Int32Array, row: number, column: number): number {
  let low = pointers[row] as number;
  let high = (pointers[row + 1] as number) - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const found = indices[middle] as number;
    if (found === column) return middle;
    if (found < column) low = middle + 1;
    else high = middle - 1;
  }
  return -1;
}

/** Each row's mean value; 0 for an empty row. */
export function rowMeans(rows: SparseRows<Values>): Float64Array {
  const means = new Float64Array(rows.rows);
  for (let r = 0; r < rows.rows; r++) {
    const start = rows.pointers[r] as number;
    const end = rows.pointers[r + 1] as number;
    let sum = 0;
    for (let k = start; k < end; k++) sum += rows.values[k] as number;
    means[r] = end > start ? sum / (end - start) : 0;
  }
  return means;
}

/** Each column's mean value; 0 for an empty column. For item rows: each user's mean rating. */
export function columnMeans(rows: SparseRows<Values>): Float64Array {
  const sums = new Float64Array(rows.columns);
  const counts = new Int32Array(rows.columns);
  for (let k = 0; k < rows.indices.length; k++) {
    sums[rows.indices[k] as number] += rows.values[k] as number;
    counts[rows.indices[k] as number]++;
  }
  return sums.map((sum, c) => ((counts[c] as number) > 0 ? sum / (counts[c] as number) : 0));
}
