/**
 * Typed rows to a model's matrix (chapter 10): numbers (optionally log-) standardised, a missing number the training
 * median plus a 0/1 "missing" column, categories one-hot; all learned from the training split only.
 */
import { medianOf } from '../util/statistics';
import { StandardScaler } from './scaler';
import type { Partition, SplitName } from './split';

/** How one field of a row becomes columns. */
export interface FeatureSpec {
  /** The field of the row. */
  name: string;
  /** 'number': one standardised column (plus a missing indicator if needed); 'category': one 0/1 column per value seen in training. */
  kind: 'number' | 'category';
  /** Apply `log(1 + x)` before standardising (for skewed amounts of money, which must be >= 0). */
  log?: boolean;
}

/** The columns that came from one field, e.g. every one-hot column of `home`. */
export interface FeatureGroup {
  feature: string;
  columns: number[];
}

/** The label a missing category gets. */
export const MISSING_CATEGORY = '(missing)';

interface NumberPlan {
  kind: 'number';
  name: string;
  log: boolean;
  median: number;
  indicator: boolean;
  column: number;
}

interface CategoryPlan {
  kind: 'category';
  name: string;
  categories: string[];
  first: number;
}

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value));
}


/** One-hot, missing indicators and standardisation fitted on the training split: `TabularEncoder.fit(split.train, features)`. */
export class TabularEncoder {
  readonly fittedOn: SplitName;

  private constructor(
    private readonly plans: (NumberPlan | CategoryPlan)[],
    /** Names of the output columns, e.g. `income`, `income missing`, `home=rent`. */
    readonly columnNames: string[],
    /** Which output columns each field produced (for permutation importance and per-feature attributions). */
    readonly groups: FeatureGroup[],
    readonly scaler: StandardScaler,
    private readonly numberColumns: number[],
  ) {
    this.fittedOn = scaler.fittedOn;
  }

  /** Learns the encoding from the training partition. */
  static fit<T extends object>(train: Partition<T>, features: readonly FeatureSpec[]): TabularEncoder {
    if (!train || !Array.isArray(train.rows) || typeof train.split !== 'string') {
      throw new Error('TabularEncoder.fit: pass a Partition (e.g. stratifiedSplit(...).train), so that the encoder knows which split it learns from.');
    }
    if (train.split !== 'train') {
      throw new Error(
        `TabularEncoder.fit: refusing to fit on the ${train.split} split. Medians, means, standard deviations and categories learnt there would leak ` +
          'information from the data the model is judged on. Fit on the training split and transform the other splits with that encoder.',
      );
    }
    if (train.rows.length === 0) throw new Error('TabularEncoder.fit: the training split is empty.');
    if (features.length === 0) throw new Error('TabularEncoder.fit: no features given; list the fields to encode.');
    const plans: (NumberPlan | CategoryPlan)[] = [];
    const columnNames: string[] = [];
    const groups: FeatureGroup[] = [];
    const numberColumns: number[] = [];
    for (const spec of features) {
      const raw = train.rows.map((row) => (row as Record<string, unknown>)[spec.name]);
      if (!train.rows.some((row) => spec.name in (row as object))) {
        throw new Error(`TabularEncoder.fit: the rows have no field "${spec.name}"; their fields are ${Object.keys(train.rows[0] as object).join(', ')}.`);
      }
      if (spec.kind === 'number') {
        const present = raw.filter((v) => !isMissing(v)).map((v, i) => TabularEncoder.toNumber(v, spec, i, 'fit'));
        if (present.length === 0) throw new Error(`TabularEncoder.fit: "${spec.name}" is missing in every training row; drop it.`);
        const indicator = present.length < raw.length;
        const plan: NumberPlan = { kind: 'number', name: spec.name, log: spec.log ?? false, median: medianOf(present), indicator, column: columnNames.length };
        plans.push(plan);
        numberColumns.push(columnNames.length);
        columnNames.push(spec.name);
        const group = [plan.column];
        if (indicator) {
          group.push(columnNames.length);
          columnNames.push(`${spec.name} missing`);
        }
        groups.push({ feature: spec.name, columns: group });
      } else if (spec.kind === 'category') {
        const categories = [...new Set(raw.map((v) => (isMissing(v) ? MISSING_CATEGORY : String(v))))].sort();
        const first = columnNames.length;
        plans.push({ kind: 'category', name: spec.name, categories, first });
        for (const c of categories) columnNames.push(`${spec.name}=${c}`);
        groups.push({ feature: spec.name, columns: categories.map((_, k) => first + k) });
      } else {
        throw new Error(`TabularEncoder.fit: feature "${(spec as FeatureSpec).name}" has kind "${String((spec as FeatureSpec).kind)}"; use 'number' or 'category'.`);
      }
    }
    const encoder = new TabularEncoder(plans, columnNames, groups, new StandardScaler({ mean: [], std: [], fittedOn: 'train' }), numberColumns);
    const unscaled = encoder.encode(train.rows);
    const scaler = StandardScaler.fit(unscaled.map((row) => numberColumns.map((j) => row[j] as number)), train.split);
    return new TabularEncoder(plans, columnNames, groups, scaler, numberColumns);
  }

  private static toNumber(value: unknown, spec: FeatureSpec, row: number, what: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Error(`TabularEncoder.${what}: row ${row}, field "${spec.name}" should be a number, found ${JSON.stringify(value)}.`);
    }
    if (spec.log && value < 0) throw new Error(`TabularEncoder.${what}: row ${row}, field "${spec.name}" is ${value}; a log-transformed field must be >= 0.`);
    return spec.log ? Math.log1p(value) : value;
  }

  /** Fills, flags and one-hot encodes, without standardising. */
  private encode(rows: readonly object[]): number[][] {
    return rows.map((row, i) => {
      const out = new Array<number>(this.columnNames.length).fill(0);
      for (const plan of this.plans) {
        const value = (row as Record<string, unknown>)[plan.name];
        if (plan.kind === 'number') {
          if (isMissing(value)) {
            if (!plan.indicator) {
              throw new Error(
                `TabularEncoder.transform: row ${i} has no "${plan.name}", but no training row lacked it, so there is no missing indicator to set. ` +
                  'Fill the value, or refit with training data that shows missing values.',
              );
            }
            out[plan.column] = plan.median;
            out[plan.column + 1] = 1;
          } else {
            out[plan.column] = TabularEncoder.toNumber(value, { name: plan.name, kind: 'number', log: plan.log }, i, 'transform');
          }
        } else {
          const k = plan.categories.indexOf(isMissing(value) ? MISSING_CATEGORY : String(value));
          if (k >= 0) out[plan.first + k] = 1; // a category never seen in training: all its columns stay 0
        }
      }
      return out;
    });
  }

  /** The model's input matrix, `columnNames.length` columns; an unseen category gives zeros in all its columns. */
  transform(rows: readonly object[] | Partition<object>): number[][] {
    this.scaler.checkFittedOnTraining('TabularEncoder.transform');
    const list = Array.isArray(rows) ? (rows as readonly object[]) : (rows as Partition<object>).rows;
    const encoded = this.encode(list);
    const scaled = this.scaler.transform(encoded.map((row) => this.numberColumns.map((j) => row[j] as number)));
    encoded.forEach((row, i) => this.numberColumns.forEach((j, k) => (row[j] = (scaled[i] as number[])[k] as number)));
    return encoded;
  }
}
