/** Lending Club loans of early 2016 (chapter 10), modeldata's `lending_club`: 9,857, 22 features, `Class` (5 % bad). */
import type { DataFrame } from 'danfojs-node';
import { readGoodBadTable } from './credit';
import { ColumnSpec, datasetFile, tableToDataFrame, type CsvTable } from './tables';

const NUMBER_COLUMNS = [
  'funded_amnt', 'int_rate', 'annual_inc', 'delinq_2yrs', 'inq_last_6mths', 'revol_util', 'acc_now_delinq', 'open_il_6m', 'open_il_12m',
  'open_il_24m', 'total_bal_il', 'all_util', 'inq_fi', 'inq_last_12m', 'delinq_amnt', 'num_il_tl', 'total_il_high_credit_limit',
];

/** Columns of lending_club.csv, in file order. */
export const LENDING_CLUB_COLUMNS: ColumnSpec[] = [
  'funded_amnt', 'term', 'int_rate', 'sub_grade', 'addr_state', 'verification_status', 'annual_inc', 'emp_length', 'delinq_2yrs', 'inq_last_6mths',
  'revol_util', 'acc_now_delinq', 'open_il_6m', 'open_il_12m', 'open_il_24m', 'total_bal_il', 'all_util', 'inq_fi', 'inq_last_12m', 'delinq_amnt',
  'num_il_tl', 'total_il_high_credit_limit', 'Class',
].map((name) => ({ name, kind: NUMBER_COLUMNS.includes(name) ? ('number' as const) : ('text' as const) }));

/** Loans in lending_club.csv. */
export const LENDING_CLUB_ROWS = 9857;

/** The file `loadLendingClub()` reads by default: `<datasets>/lending_club/lending_club.csv`. */
export function lendingClubPath(): string {
  return datasetFile('lending_club', 'lending_club.csv');
}

const LENDING_CLUB_RESTORE =
  'Restore it with `git checkout -- datasets/lending_club/lending_club.csv`, or rebuild it with `Rscript datasets/lending_club/convert.R` ' +
  '(needs apt-get install r-base-core r-cran-modeldata); set DLKIT_DATASETS to the folder holding lending_club/lending_club.csv, or pass a path.';

function readLendingClub(path: string | undefined, what: string): CsvTable {
  return readGoodBadTable(
    { path, defaultPath: lendingClubPath(), columns: LENDING_CLUB_COLUMNS, rows: LENDING_CLUB_ROWS, restoreHint: LENDING_CLUB_RESTORE, outcome: 'Class' },
    what,
  );
}

/** The Lending Club loans as a DataFrame (`Class` 'good' or 'bad'); the default file must hold all rows. */
export function loadLendingClub(path?: string): DataFrame {
  return tableToDataFrame(readLendingClub(path, 'loadLendingClub'));
}

/** One Lending Club loan as a typed row. */
export interface LendingClubLoan {
  /** The label (`Class` in the file). */
  status: 'good' | 'bad';
  fundedAmount: number;
  /** 36 or 60 monthly payments. */
  termMonths: 36 | 60;
  /** Interest rate in %, set by Lending Club's own risk model. */
  interestRate: number;
  /** Lending Club's risk sub-grade, A1 to G5. */
  subGrade: string;
  state: string;
  verificationStatus: string;
  /** Self-reported annual income in dollars; `null` when the file says 0 (not stated). */
  annualIncome: number | null;
  /** True when no income was stated: the explicit missing-income indicator. */
  incomeMissing: boolean;
  /** Employment length as in the file: emp_lt_1, emp_1 ... emp_9, emp_ge_10, emp_unk. */
  employmentLength: string;
  delinquenciesTwoYears: number;
  inquiriesSixMonths: number;
  revolvingUtilisation: number;
  accountsNowDelinquent: number;
  openInstalmentSixMonths: number;
  openInstalmentTwelveMonths: number;
  openInstalmentTwentyFourMonths: number;
  instalmentBalance: number;
  allUtilisation: number;
  financeInquiries: number;
  inquiriesTwelveMonths: number;
  delinquentAmount: number;
  instalmentAccounts: number;
  instalmentCreditLimit: number;
}

/** The loans as typed rows; a stated income of 0 becomes `annualIncome: null`, `incomeMissing: true`. */
export function loadLendingClubLoans(path?: string): LendingClubLoan[] {
  const table = readLendingClub(path, 'loadLendingClubLoans');
  const n = (name: string) => table.values[name] as number[];
  const s = (name: string) => table.values[name] as string[];
  return s('Class').map((label, i) => {
    const term = s('term')[i] as string;
    if (term !== 'term_36' && term !== 'term_60') throw new Error(`loadLendingClubLoans: ${table.path}: data row ${i + 1} has term "${term}"; expected term_36 or term_60.`);
    const income = n('annual_inc')[i] as number;
    return {
      status: label as 'good' | 'bad',
      fundedAmount: n('funded_amnt')[i] as number,
      termMonths: term === 'term_36' ? 36 : 60,
      interestRate: n('int_rate')[i] as number,
      subGrade: s('sub_grade')[i] as string,
      state: s('addr_state')[i] as string,
      verificationStatus: s('verification_status')[i] as string,
      annualIncome: income > 0 ? income : null,
      incomeMissing: !(income > 0),
      employmentLength: s('emp_length')[i] as string,
      delinquenciesTwoYears: n('delinq_2yrs')[i] as number,
      inquiriesSixMonths: n('inq_last_6mths')[i] as number,
      revolvingUtilisation: n('revol_util')[i] as number,
      accountsNowDelinquent: n('acc_now_delinq')[i] as number,
      openInstalmentSixMonths: n('open_il_6m')[i] as number,
      openInstalmentTwelveMonths: n('open_il_12m')[i] as number,
      openInstalmentTwentyFourMonths: n('open_il_24m')[i] as number,
      instalmentBalance: n('total_bal_il')[i] as number,
      allUtilisation: n('all_util')[i] as number,
      financeInquiries: n('inq_fi')[i] as number,
      inquiriesTwelveMonths: n('inq_last_12m')[i] as number,
      delinquentAmount: n('delinq_amnt')[i] as number,
      instalmentAccounts: n('num_il_tl')[i] as number,
      instalmentCreditLimit: n('total_il_high_credit_limit')[i] as number,
    };
  });
}
