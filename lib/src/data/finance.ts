/**
 * Stock prices for chapter 1: the S&P 500 daily from 3 January 2000 to 17 April 2020 (5,105 days) from vega-datasets
 * (no licence stated for the data: datasets/sp500/README.md), and returns.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DataFrame } from 'danfojs-node';
import type { Numbers } from '../util/numbers';
import { ColumnSpec, readCsvTable, tableToDataFrame } from './tables';

/** Columns of vega-datasets' sp500-2000.csv. */
export const SP500_COLUMNS: ColumnSpec[] = [
  { name: 'date', kind: 'date' },
  { name: 'open', kind: 'number' },
  { name: 'high', kind: 'number' },
  { name: 'low', kind: 'number' },
  { name: 'close', kind: 'number' },
  { name: 'adjclose', kind: 'number' },
  { name: 'volume', kind: 'number' },
];

/** Trading days in vega-datasets 3.x' sp500-2000.csv. */
export const SP500_ROWS = 5105;

const SP500_RESTORE =
  'It ships with the npm package vega-datasets (a dependency of dlkit): run `npm install` in the repository, or pass the path of a copy to loadSp500(path).';

/** Where `loadSp500()` looks for sp500-2000.csv: inside every node_modules/vega-datasets Node would search. */
export function sp500Candidates(): string[] {
  return (require.resolve.paths('vega-datasets') ?? []).map((folder) => join(folder, 'vega-datasets', 'data', 'sp500-2000.csv'));
}

/** The S&P 500 daily prices as a DataFrame, oldest first: `date` (midnight UTC), `open` ... `adjclose`, `volume`. */
export function loadSp500(path?: string): DataFrame {
  let file = path;
  if (file === undefined) {
    const candidates = sp500Candidates();
    file = candidates.find((candidate) => existsSync(candidate));
    if (file === undefined) {
      throw new Error(`loadSp500: cannot find vega-datasets' data/sp500-2000.csv; looked in ${candidates.join(', ')}. ${SP500_RESTORE}`);
    }
  }
  const table = readCsvTable(file, SP500_COLUMNS, {
    what: 'loadSp500',
    restoreHint: SP500_RESTORE,
    minimumRows: 2,
    expectedRows: path === undefined ? SP500_ROWS : undefined,
  });
  const dates = table.values['date'] as Date[];
  for (let i = 1; i < dates.length; i++) {
    if ((dates[i] as Date).getTime() <= (dates[i - 1] as Date).getTime()) {
      throw new Error(`loadSp500: ${file}: the dates are not in increasing order at data row ${i + 1} (${(dates[i] as Date).toISOString().slice(0, 10)}); the file is corrupt. ${SP500_RESTORE}`);
    }
  }
  return tableToDataFrame(table);
}

/** `of(p_t / p_(t−1))` for each day after the first, once the prices are checked to be positive. */
function returnsOf(prices: Numbers, what: string, of: (ratio: number) => number): number[] {
  if (prices.length < 2) throw new Error(`${what}: needs at least 2 prices to compute a return, got ${prices.length}.`);
  for (let i = 0; i < prices.length; i++) {
    const p = prices[i] as number;
    if (!(Number.isFinite(p) && p > 0)) throw new Error(`${what}: price ${i} is ${p}; prices must be positive numbers.`);
  }
  return Array.from({ length: prices.length - 1 }, (_, i) => of((prices[i + 1] as number) / (prices[i] as number)));
}

/** Simple daily returns r_t = p_t / p_(t−1) − 1 (one fewer than the prices). */
export function dailyReturns(prices: Numbers): number[] {
  return returnsOf(prices, 'dailyReturns', (ratio) => ratio - 1);
}

/** Log returns ln(p_t / p_(t−1)); they add up over days to ln(p_last / p_first). */
export function logReturns(prices: Numbers): number[] {
  return returnsOf(prices, 'logReturns', Math.log);
}
