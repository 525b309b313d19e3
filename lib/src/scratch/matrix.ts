/** A small row-major dense matrix on `Float64Array` (chapters 3-4): entry (i, j) is `data[i * cols + j]`, one example per row. */
import { Random, rng } from '../util/random';

/** Formats a shape as `rows×cols`, for error messages. */
export function shapeText(matrix: Matrix): string {
  return `${matrix.rows}×${matrix.cols}`;
}

function checkDimension(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`Matrix: ${what} must be a non-negative integer, got ${value}.`);
  }
}

/** A row-major `rows × cols` matrix of float64 numbers. */
export class Matrix {
  readonly data: Float64Array;

  /** A `rows × cols` matrix of zeros, or wrapping `data` (row-major, length rows·cols). */
  constructor(readonly rows: number, readonly cols: number, data?: Float64Array) {
    checkDimension(rows, 'the number of rows');
    checkDimension(cols, 'the number of columns');
    if (data !== undefined && data.length !== rows * cols) {
      throw new Error(`Matrix: a ${rows}×${cols} matrix needs ${rows * cols} values, got ${data.length}.`);
    }
    this.data = data ?? new Float64Array(rows * cols);
  }

  /** `[rows, cols]`, as tfjs writes shapes. */
  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  static zeros(rows: number, cols: number): Matrix {
    return new Matrix(rows, cols);
  }

  /** A matrix whose every entry is `value`. */
  static filled(rows: number, cols: number, value: number): Matrix {
    return new Matrix(rows, cols, new Float64Array(rows * cols).fill(value));
  }

  /** A matrix from nested arrays, one per row; a flat array becomes a column (`n × 1`), the shape of a target `y`. */
  static fromArray(values: ArrayLike<number>[] | ArrayLike<number>): Matrix {
    if (values.length > 0 && typeof values[0] !== 'number') {
      const rowsArray = values as ArrayLike<number>[];
      const cols = rowsArray[0]!.length;
      const matrix = new Matrix(rowsArray.length, cols);
      rowsArray.forEach((row, i) => {
        if (row.length !== cols) {
          throw new Error(`Matrix.fromArray: row ${i} has ${row.length} values but row 0 has ${cols}; every row needs the same length.`);
        }
        for (let j = 0; j < cols; j++) matrix.data[i * cols + j] = row[j]!;
      });
      return matrix;
    }
    const flat = values as ArrayLike<number>;
    return new Matrix(flat.length, 1, Float64Array.from(flat));
  }

  /** Entries drawn from a normal distribution with the given standard deviation, through dlkit's seeded `rng()`. */
  static randomNormal(rows: number, cols: number, standardDeviation = 1, random: Random = rng()): Matrix {
    const matrix = new Matrix(rows, cols);
    for (let k = 0; k < matrix.data.length; k++) matrix.data[k] = random.normal(0, standardDeviation);
    return matrix;
  }

  /** Entries uniform in `[low, high)`, through dlkit's seeded `rng()`. */
  static randomUniform(rows: number, cols: number, low = -1, high = 1, random: Random = rng()): Matrix {
    const matrix = new Matrix(rows, cols);
    for (let k = 0; k < matrix.data.length; k++) matrix.data[k] = random.uniform(low, high);
    return matrix;
  }

  get(i: number, j: number): number {
    this.checkIndex(i, j, 'get');
    return this.data[i * this.cols + j]!;
  }

  set(i: number, j: number, value: number): void {
    this.checkIndex(i, j, 'set');
    this.data[i * this.cols + j] = value;
  }

  private checkIndex(i: number, j: number, what: string): void {
    if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= this.rows || j >= this.cols) {
      throw new Error(`Matrix.${what}: index (${i}, ${j}) is outside a ${shapeText(this)} matrix.`);
    }
  }

  /** Nested arrays, one per row. */
  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols)));
    return out;
  }

  /** A copy that shares nothing with this matrix. */
  clone(): Matrix {
    return new Matrix(this.rows, this.cols, this.data.slice());
  }

  /** Throws unless `other` has exactly this shape; `what` names the operation in the message. */
  assertSameShape(other: Matrix, what: string): void {
    if (other.rows !== this.rows || other.cols !== this.cols) {
      throw new Error(`${what}: shapes ${shapeText(this)} and ${shapeText(other)} differ; both operands must have the same shape.`);
    }
  }

  /** The matrix product `this · other`: (m×n)·(n×p) → m×p. */
  matmul(other: Matrix): Matrix {
    if (this.cols !== other.rows) {
      throw new Error(
        `Matrix.matmul: cannot multiply ${shapeText(this)} by ${shapeText(other)}; ` +
          `the left's column count (${this.cols}) must equal the right's row count (${other.rows}).`,
      );
    }
    const out = new Matrix(this.rows, other.cols);
    const a = this.data;
    const b = other.data;
    const c = out.data;
    const n = this.cols;
    const p = other.cols;
    // i-k-j order: the inner loop walks rows of `other` and `out` contiguously.
    for (let i = 0; i < this.rows; i++) {
      const outOffset = i * p;
      for (let k = 0; k < n; k++) {
        const aik = a[i * n + k]!;
        const otherOffset = k * p;
        for (let j = 0; j < p; j++) c[outOffset + j]! += aik * b[otherOffset + j]!;
      }
    }
    return out;
  }

  /** The transpose: `n × m` from `m × n`. */
  transpose(): Matrix {
    const out = new Matrix(this.cols, this.rows);
    for (let i = 0; i < this.rows; i++) {
      for (let j = 0; j < this.cols; j++) out.data[j * this.rows + i] = this.data[i * this.cols + j]!;
    }
    return out;
  }

  /** Entry-wise `this + other`; shapes must match. */
  add(other: Matrix): Matrix {
    this.assertSameShape(other, 'Matrix.add');
    return this.zip(other, (a, b) => a + b);
  }

  /** Entry-wise `this − other`; shapes must match. */
  subtract(other: Matrix): Matrix {
    this.assertSameShape(other, 'Matrix.subtract');
    return this.zip(other, (a, b) => a - b);
  }

  /** The Hadamard (entry-wise) product `this ⊙ other`; shapes must match. */
  hadamard(other: Matrix): Matrix {
    this.assertSameShape(other, 'Matrix.hadamard');
    return this.zip(other, (a, b) => a * b);
  }

  /** Adds a `1 × cols` row vector to every row: the `+ b` of `XW + b`. */
  addRowVector(row: Matrix): Matrix {
    if (row.rows !== 1 || row.cols !== this.cols) {
      throw new Error(
        `Matrix.addRowVector: expected a 1×${this.cols} row vector to add to each row of a ${shapeText(this)} matrix, got ${shapeText(row)}.`,
      );
    }
    const out = this.clone();
    for (let i = 0; i < this.rows; i++) {
      for (let j = 0; j < this.cols; j++) out.data[i * this.cols + j]! += row.data[j]!;
    }
    return out;
  }

  scale(factor: number): Matrix {
    return this.map((v) => v * factor);
  }

  map(fn: (value: number, row: number, col: number) => number): Matrix {
    const out = new Matrix(this.rows, this.cols);
    for (let i = 0; i < this.rows; i++) {
      for (let j = 0; j < this.cols; j++) out.data[i * this.cols + j] = fn(this.data[i * this.cols + j]!, i, j);
    }
    return out;
  }

  private zip(other: Matrix, fn: (a: number, b: number) => number): Matrix {
    const out = new Matrix(this.rows, this.cols);
    for (let k = 0; k < this.data.length; k++) out.data[k] = fn(this.data[k]!, other.data[k]!);
    return out;
  }

  /** The sum down each column, a `1 × cols` row: sums over the examples of a batch, as `∂L/∂b` needs. */
  columnSums(): Matrix {
    const out = new Matrix(1, this.cols);
    for (let i = 0; i < this.rows; i++) {
      for (let j = 0; j < this.cols; j++) out.data[j]! += this.data[i * this.cols + j]!;
    }
    return out;
  }

  /** The sum along each row, a `rows × 1` column. */
  rowSums(): Matrix {
    const out = new Matrix(this.rows, 1);
    for (let i = 0; i < this.rows; i++) {
      let total = 0;
      for (let j = 0; j < this.cols; j++) total += this.data[i * this.cols + j]!;
      out.data[i] = total;
    }
    return out;
  }

  sum(): number {
    let total = 0;
    for (let k = 0; k < this.data.length; k++) total += this.data[k]!;
    return total;
  }

  /** The Frobenius norm √(Σ entries²). */
  norm(): number {
    let total = 0;
    for (let k = 0; k < this.data.length; k++) total += this.data[k]! * this.data[k]!;
    return Math.sqrt(total);
  }

  /** The largest |this − other| over all entries; shapes must match. */
  maxAbsDifference(other: Matrix): number {
    this.assertSameShape(other, 'Matrix.maxAbsDifference');
    let worst = 0;
    for (let k = 0; k < this.data.length; k++) worst = Math.max(worst, Math.abs(this.data[k]! - other.data[k]!));
    return worst;
  }

  /** A new matrix made of the listed rows, in that order: a mini-batch. */
  selectRows(indices: ArrayLike<number>): Matrix {
    const out = new Matrix(indices.length, this.cols);
    for (let r = 0; r < indices.length; r++) {
      const i = indices[r]!;
      if (!Number.isInteger(i) || i < 0 || i >= this.rows) {
        throw new Error(`Matrix.selectRows: row index ${i} is outside a ${shapeText(this)} matrix.`);
      }
      out.data.set(this.data.subarray(i * this.cols, (i + 1) * this.cols), r * this.cols);
    }
    return out;
  }

  /** Column `j` as a plain array, e.g. one feature for a plot. */
  column(j: number): number[] {
    if (!Number.isInteger(j) || j < 0 || j >= this.cols) {
      throw new Error(`Matrix.column: column ${j} is outside a ${shapeText(this)} matrix.`);
    }
    return Array.from({ length: this.rows }, (_, i) => this.data[i * this.cols + j]!);
  }

  /** A short text form, e.g. for `console.log`. */
  toString(digits = 4): string {
    const lines = this.toArray().map((row) => `  [${row.map((v) => v.toFixed(digits)).join(', ')}]`);
    return `Matrix ${shapeText(this)} [\n${lines.join('\n')}\n]`;
  }
}
