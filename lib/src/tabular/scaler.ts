/**
 * Standardisation fitted on the training split only (chapter 10): a scaler records `fittedOn`, and `transform` refuses
 * one fitted on any other split, whose statistics carry the rows the model is judged on.
 */
import type { SplitName } from './split';

/** Column means and standard deviations, and the split they come from. */
export class StandardScaler {
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly fittedOn: SplitName;

  constructor(statistics: { mean: readonly number[]; std: readonly number[]; fittedOn: SplitName }) {
    if (statistics.mean.length !== statistics.std.length) {
      throw new Error(`StandardScaler: ${statistics.mean.length} means but ${statistics.std.length} standard deviations; give one of each per column.`);
    }
    this.mean = [...statistics.mean];
    this.std = statistics.std.map((s) => (s > 0 && Number.isFinite(s) ? s : 1));
    this.fittedOn = statistics.fittedOn;
  }

  /** Fits on the rows of a matrix; `fittedOn` has no default, so the choice stays visible. A constant column gets std 1. */
  static fit(rows: readonly (readonly number[])[], fittedOn: SplitName): StandardScaler {
    if (rows.length === 0) throw new Error('StandardScaler.fit: no rows; fit on the training split.');
    const width = (rows[0] as readonly number[]).length;
    const mean = new Array<number>(width).fill(0);
    const square = new Array<number>(width).fill(0);
    rows.forEach((row, i) => {
      if (row.length !== width) throw new Error(`StandardScaler.fit: row ${i} has ${row.length} values, row 0 has ${width}; every row needs the same columns.`);
      row.forEach((v, j) => {
        if (!Number.isFinite(v)) throw new Error(`StandardScaler.fit: row ${i}, column ${j} is ${v}; fill or flag missing values before scaling.`);
        mean[j] = (mean[j] as number) + v;
      });
    });
    for (let j = 0; j < width; j++) mean[j] = (mean[j] as number) / rows.length;
    for (const row of rows) row.forEach((v, j) => (square[j] = (square[j] as number) + (v - (mean[j] as number)) ** 2));
    return new StandardScaler({ mean, std: square.map((s) => Math.sqrt(s / rows.length)), fittedOn });
  }

  /** Throws unless the scaler was fitted on the training split. */
  checkFittedOnTraining(what = 'StandardScaler'): void {
    if (this.fittedOn !== 'train') {
      throw new Error(
        `${what}: this scaler was fitted on the ${this.fittedOn} split, so its means and standard deviations carry information from data the model ` +
          'must not see while it is built (leakage). Fit it on the training split and use that one scaler for every split.',
      );
    }
  }

  /** `(x - mean) / std`, column by column; refuses a scaler not fitted on the training split. */
  transform(rows: readonly (readonly number[])[]): number[][] {
    this.checkFittedOnTraining('StandardScaler.transform');
    return rows.map((row, i) => {
      if (row.length !== this.mean.length) throw new Error(`StandardScaler.transform: row ${i} has ${row.length} values, the scaler was fitted on ${this.mean.length} columns.`);
      return row.map((v, j) => (v - (this.mean[j] as number)) / (this.std[j] as number));
    });
  }
}
