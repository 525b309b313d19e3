import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadSp500,
  loadCredit,
  creditDataPath,
  datasetsDirectory,
  parseCsvText,
  readCsvTable,
  numericColumn,
  dateColumn,
  textColumn,
  describeColumns,
  CREDIT_ROWS,
  SP500_ROWS,
} from 'dlkit';

const scratch = mkdtempSync(join(tmpdir(), 'dlkit-tables-'));
function tempFile(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

test('loadSp500 reads 5,105 trading days with parsed dates, oldest first', () => {
  const prices = loadSp500();
  assert.deepEqual(prices.shape, [SP500_ROWS, 7]);
  assert.equal(SP500_ROWS, 5105);
  assert.deepEqual(prices.columns, ['date', 'open', 'high', 'low', 'close', 'adjclose', 'volume']);
  const dates = dateColumn(prices, 'date');
  assert.ok(dates[0] instanceof Date);
  assert.equal(dates[0]?.toISOString(), '2000-01-03T00:00:00.000Z');
  assert.equal(dates[dates.length - 1]?.toISOString().slice(0, 10), '2020-04-17');
  const close = numericColumn(prices, 'close');
  assert.ok(Math.abs((close[0] as number) - 1455.219971) < 1e-6);
  const high = numericColumn(prices, 'high');
  const low = numericColumn(prices, 'low');
  assert.ok(close.every((c, i) => c <= (high[i] as number) + 1e-6 && c >= (low[i] as number) - 1e-6), 'every close lies between the low and the high');
});

test('loadCredit reads 4,454 applicants with 14 columns and keeps missing values missing', () => {
  const credit = loadCredit();
  assert.deepEqual(credit.shape, [CREDIT_ROWS, 14]);
  assert.equal(credit.columns[0], 'Status');
  const status = textColumn(credit, 'Status');
  assert.equal(status.filter((s) => s === 'bad').length, 1254);
  assert.equal(status.filter((s) => s === 'good').length, 3200);
  const income = numericColumn(credit, 'Income');
  assert.equal(income.filter((v) => Number.isNaN(v)).length, 381);
  const summary = Object.fromEntries(describeColumns(credit).map((row) => [row.column, row]));
  assert.equal(summary['Home']?.missing, 6);
  assert.equal(summary['Marital']?.missing, 1);
  assert.equal(summary['Job']?.missing, 2);
  assert.equal(summary['Assets']?.missing, 47);
  assert.equal(summary['Debt']?.missing, 18);
  assert.equal(summary['Age']?.min, 18);
  assert.equal(summary['Age']?.max, 68);
});

test('the datasets folder is found from the package and can be overridden with DLKIT_DATASETS', () => {
  assert.ok(creditDataPath().endsWith(join('datasets', 'credit', 'credit_data.csv')));
  const saved = process.env['DLKIT_DATASETS'];
  try {
    const folder = join(scratch, 'elsewhere');
    process.env['DLKIT_DATASETS'] = folder;
    assert.equal(datasetsDirectory(), folder);
    assert.throws(() => loadCredit(), (error: Error) => {
      assert.match(error.message, /no file at .*elsewhere.*credit_data\.csv/);
      assert.match(error.message, /Rscript datasets\/credit\/convert\.R/);
      assert.match(error.message, /DLKIT_DATASETS/);
      return true;
    });
    // A cut-off copy in the override folder: the row count gives it away.
    mkdirSync(join(folder, 'credit'), { recursive: true });
    const lines = readFileSync(join(saved ?? join(__dirname, '..', '..', 'datasets'), 'credit', 'credit_data.csv'), 'utf8').split('\n');
    writeFileSync(join(folder, 'credit', 'credit_data.csv'), lines.slice(0, 101).join('\n') + '\n');
    assert.throws(() => loadCredit(), /has 100 data rows, expected 4454/);
  } finally {
    if (saved === undefined) delete process.env['DLKIT_DATASETS'];
    else process.env['DLKIT_DATASETS'] = saved;
  }
});

test('a missing or empty file says where it looked and how to get it back', () => {
  assert.throws(() => loadCredit(join(scratch, 'nope.csv')), /loadCredit: no file at .*nope\.csv/);
  assert.throws(() => loadSp500(join(scratch, 'nope.csv')), /loadSp500: no file at .*nope\.csv.*vega-datasets/);
  assert.throws(() => loadCredit(tempFile('empty.csv', '')), /is empty; expected a header line with columns Status,Seniority/);
  assert.throws(() => loadSp500(scratch), /is a folder, not a CSV file/);
});

test('a wrong header names the missing columns', () => {
  const path = tempFile('wrong-header.csv', 'Date,Open,High,Low,Close,Volume\n2000-01-03,1,2,0.5,1.5,100\n');
  assert.throws(() => loadSp500(path), /lacks the columns date, open, high, low, close, adjclose, volume/);
  const credit = tempFile('credit-missing-price.csv', 'Status,Seniority,Home,Time,Age,Marital,Records,Job,Expenses,Income,Assets,Debt,Amount\n');
  assert.throws(() => loadCredit(credit), /lacks the column Price;/);
});

test('a cut-off line, a bad number, a bad date or a bad label is reported with its line', () => {
  const header = 'date,open,high,low,close,adjclose,volume\n';
  const good = '2000-01-03,1469.25,1478,1438.36,1455.22,1455.22,931800000\n';
  assert.throws(() => loadSp500(tempFile('short.csv', header + good + '2000-01-04,1455.2,1455.2')), /line 3 has 3 fields but the header has 7; the file is cut off or corrupt/);
  assert.throws(() => loadSp500(tempFile('bad-number.csv', header + good + '2000-01-04,abc,1,1,1,1,1\n')), /line 3: column "open" should hold a number, found "abc"/);
  assert.throws(() => loadSp500(tempFile('bad-date.csv', header + good + '01/04/2000,1,1,1,1,1,1\n')), /line 3: column "date" should hold a date written YYYY-MM-DD, found "01\/04\/2000"/);
  assert.throws(() => loadSp500(tempFile('bad-day.csv', header + good + '2000-02-30,1,1,1,1,1,1\n')), /YYYY-MM-DD, found "2000-02-30"/);
  assert.throws(() => loadSp500(tempFile('missing-close.csv', header + good + '2000-01-04,1,1,1,,1,1\n')), /line 3: column "close" is empty/);
  assert.throws(() => loadSp500(tempFile('unordered.csv', header + good + good)), /not in increasing order/);
  assert.throws(() => loadSp500(tempFile('one-row.csv', header + good)), /has 1 data rows, expected at least 2/);
  const creditHeader = 'Status,Seniority,Home,Time,Age,Marital,Records,Job,Expenses,Income,Assets,Debt,Amount,Price\n';
  assert.throws(() => loadCredit(tempFile('bad-status.csv', creditHeader + 'maybe,9,rent,60,30,married,no,freelance,73,129,0,0,800,846\n')), /Status "maybe"; it must be "good" or "bad"/);
});

test('a small credit file with missing values loads: NaN for numbers, null for text', () => {
  const path = tempFile(
    'credit-small.csv',
    'Status,Seniority,Home,Time,Age,Marital,Records,Job,Expenses,Income,Assets,Debt,Amount,Price\r\n' +
      'good,9,rent,60,30,married,no,freelance,73,,0,0,800,846\r\n' +
      'bad,10,,36,46,married,yes,freelance,90,200,3000,0,2000,2985\r\n',
  );
  const credit = loadCredit(path);
  assert.deepEqual(credit.shape, [2, 14]);
  assert.ok(Number.isNaN(numericColumn(credit, 'Income')[0]));
  assert.equal(textColumn(credit, 'Home')[1], null);
  assert.throws(() => dateColumn(credit, 'Home'), /does not hold dates/);
  assert.throws(() => numericColumn(credit, 'Status'), /not numeric/);
  assert.throws(() => numericColumn(credit, 'Salary'), /no column "Salary"/);
});

test('the CSV reader handles quotes, CRLF and a byte-order mark, and rejects an unclosed quote', () => {
  const records = parseCsvText('\ufeffa,b\r\n"x, y","say ""hi"""\n1,2');
  assert.deepEqual(records.map((r) => r.fields), [['a', 'b'], ['x, y', 'say "hi"'], ['1', '2']]);
  assert.deepEqual(records.map((r) => r.line), [1, 2, 3]);
  assert.throws(() => parseCsvText('a,b\n"x,1\n'), /quoted field opened on line 2 is never closed/);
  const table = readCsvTable(tempFile('quoted.csv', 'name,value\n"a, b",3\n'), [{ name: 'name', kind: 'text' }, { name: 'value', kind: 'number' }]);
  assert.deepEqual(table.values['name'], ['a, b']);
  assert.deepEqual(table.values['value'], [3]);
});
