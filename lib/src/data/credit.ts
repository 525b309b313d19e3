/** Loan applicants (chapters 1, 10): modeldata's `credit_data`, 4,454 of them, 13 features, the outcome `Status`. */
import type { DataFrame } from 'danfojs-node';
import { ColumnSpec, datasetFile, readCsvTable, tableToDataFrame, type CsvTable } from './tables';

/** Columns of credit_data.csv; the optional ones have missing values. */
export const CREDIT_COLUMNS: ColumnSpec[] = [
  { name: 'Status', kind: 'text' },
  { name: 'Seniority', kind: 'number' },
  { name: 'Home', kind: 'text', optional: true },
  { name: 'Time', kind: 'number' },
  { name: 'Age', kind: 'number' },
  { name: 'Marital', kind: 'text', optional: true },
  { name: 'Records', kind: 'text' },
  { name: 'Job', kind: 'text', optional: true },
  { name: 'Expenses', kind: 'number' },
  { name: 'Income', kind: 'number', optional: true },
  { name: 'Assets', kind: 'number', optional: true },
  { name: 'Debt', kind: 'number', optional: true },
  { name: 'Amount', kind: 'number' },
  { name: 'Price', kind: 'number' },
];

/** Applicants in credit_data.csv. */
export const CREDIT_ROWS = 4454;

/** The file `loadCredit()` reads by default: `<datasets>/credit/credit_data.csv`. */
export function creditDataPath(): string {
  return datasetFile('credit', 'credit_data.csv');
}

const CREDIT_RESTORE =
  'Restore it with `git checkout -- datasets/credit/credit_data.csv`, or rebuild it with `Rscript datasets/credit/convert.R` ' +
  '(needs apt-get install r-base-core r-cran-modeldata); set DLKIT_DATASETS to the folder holding credit/credit_data.csv, or pass a path to loadCredit(path).';

/** The credit data as a DataFrame (`Status` 'good' or 'bad'; missing numbers NaN, text null); the default file must hold all rows. */
export function loadCredit(path?: string): DataFrame {
  return tableToDataFrame(readCreditTable(path, 'loadCredit'));
}

function readCreditTable(path: string | undefined, what: string): CsvTable {
  return readGoodBadTable(
    { path, defaultPath: creditDataPath(), columns: CREDIT_COLUMNS, rows: CREDIT_ROWS, restoreHint: CREDIT_RESTORE, outcome: 'Status' },
    what,
  );
}

/** Where a credit table lives and what it holds, for `readGoodBadTable`. */
export interface GoodBadTableSource {
  /** The reader's own file, or undefined for the copy in the repository (`defaultPath`, which must have `rows` rows). */
  path: string | undefined;
  defaultPath: string;
  columns: ColumnSpec[];
  rows: number;
  /** How to get the repository's copy back when it is missing or damaged. */
  restoreHint: string;
  /** The outcome column, every value of which must be 'good' or 'bad'. */
  outcome: string;
}

/** Reads a credit table whose outcome is 'good' or 'bad' (`credit_data.csv`, `lending_club.csv`); errors name the file and the fix. */
export function readGoodBadTable(source: GoodBadTableSource, what: string): CsvTable {
  const file = source.path ?? source.defaultPath;
  const table = readCsvTable(file, source.columns, {
    what,
    restoreHint: source.path === undefined ? source.restoreHint : `Check the path, or call ${what}() without one to read the copy in the repository.`,
    expectedRows: source.path === undefined ? source.rows : undefined,
  });
  const outcome = table.values[source.outcome] as string[];
  const odd = outcome.findIndex((s) => s !== 'good' && s !== 'bad');
  if (odd >= 0) throw new Error(`${what}: ${file}: data row ${odd + 1} has ${source.outcome} "${outcome[odd]}"; it must be "good" or "bad".`);
  return table;
}

/** One applicant of credit_data.csv as a typed row; a missing value is `null`, never a filled-in number. */
export interface CreditApplicant {
  /** The label: 'bad' if the loan ran into trouble. */
  status: 'good' | 'bad';
  seniority: number;
  home: string | null;
  time: number;
  age: number;
  marital: string | null;
  records: string;
  job: string | null;
  expenses: number;
  /** `null` for the 381 applicants who stated no income. */
  income: number | null;
  assets: number | null;
  debt: number | null;
  amount: number;
  price: number;
}

/** The credit data as typed rows, `null` where the file has no value. */
export function loadCreditApplicants(path?: string): CreditApplicant[] {
  const table = readCreditTable(path, 'loadCreditApplicants');
  const number = (name: string, i: number) => {
    const value = (table.values[name] as number[])[i] as number;
    return Number.isNaN(value) ? null : value;
  };
  const text = (name: string, i: number) => (table.values[name] as (string | null)[])[i] ?? null;
  return (table.values['Status'] as string[]).map((status, i) => ({
    status: status as 'good' | 'bad',
    seniority: number('Seniority', i) as number,
    home: text('Home', i),
    time: number('Time', i) as number,
    age: number('Age', i) as number,
    marital: text('Marital', i),
    records: text('Records', i) as string,
    job: text('Job', i),
    expenses: number('Expenses', i) as number,
    income: number('Income', i),
    assets: number('Assets', i),
    debt: number('Debt', i),
    amount: number('Amount', i) as number,
    price: number('Price', i) as number,
  }));
}
