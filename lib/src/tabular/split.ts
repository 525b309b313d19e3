/** Train / validation / test splits keeping the class balance (chapter 10); each `Partition` knows which split it is. */
import { Random, nextSeed } from '../util/random';

export type SplitName = 'train' | 'validation' | 'test';

/** Rows of one split, with their positions in the full table. */
export interface Partition<T> {
  readonly split: SplitName;
  readonly rows: readonly T[];
  /** Position of each row in the table that was split. */
  readonly indices: readonly number[];
}

export interface StratifiedSplit<T> {
  train: Partition<T>;
  validation: Partition<T>;
  test: Partition<T>;
}

/** Train, validation, test split in each class of `classOf(row)` (`fractions` 0.2, 0.2); same `seed`, same split. */
export function stratifiedSplit<T>(
  rows: readonly T[],
  classOf: (row: T) => string | number,
  options: { validation?: number; test?: number; seed?: number } = {},
): StratifiedSplit<T> {
  const validationShare = options.validation ?? 0.2;
  const testShare = options.test ?? 0.2;
  for (const [name, share] of [['validation', validationShare], ['test', testShare]] as const) {
    if (!(share >= 0 && share < 1)) throw new Error(`stratifiedSplit: the ${name} fraction must be in [0, 1), got ${share}.`);
  }
  if (!(validationShare + testShare < 1)) {
    throw new Error(`stratifiedSplit: validation (${validationShare}) and test (${testShare}) leave nothing to train on; their sum must be below 1.`);
  }
  if (rows.length === 0) throw new Error('stratifiedSplit: there are no rows to split.');
  const generator = new Random(options.seed ?? nextSeed());
  const byClass = new Map<string | number, number[]>();
  rows.forEach((row, i) => {
    const key = classOf(row);
    if (key === undefined || key === null || (typeof key === 'number' && Number.isNaN(key))) {
      throw new Error(`stratifiedSplit: row ${i} has no class (${String(key)}); give every row a label before splitting.`);
    }
    const members = byClass.get(key) ?? [];
    members.push(i);
    byClass.set(key, members);
  });
  const parts: Record<SplitName, number[]> = { train: [], validation: [], test: [] };
  for (const key of [...byClass.keys()].sort()) {
    const members = generator.shuffle([...(byClass.get(key) as number[])]);
    const testCount = Math.round(testShare * members.length);
    const validationCount = Math.round(validationShare * members.length);
    parts.test.push(...members.slice(0, testCount));
    parts.validation.push(...members.slice(testCount, testCount + validationCount));
    parts.train.push(...members.slice(testCount + validationCount));
  }
  const make = (split: SplitName): Partition<T> => {
    const indices = parts[split].sort((a, b) => a - b);
    return { split, indices, rows: indices.map((i) => rows[i] as T) };
  };
  return { train: make('train'), validation: make('validation'), test: make('test') };
}
