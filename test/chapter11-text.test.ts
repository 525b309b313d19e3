// Chapter 11's claims that a reader checked against the code (issue 24): what is stationary, what
// the AR(5) is fitted on, when the trading rule trades, what each volatility model sees, how
// variance forecasts are compared, and that the exercises' solutions answer their questions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from './helpers/notebooks';

type Cell = { cell_type: string; source: string[] | string; metadata?: { tags?: string[] } };
const cells = (JSON.parse(readFileSync(join(repositoryRoot, 'notebooks', '11_finance_stock_forecasting.ipynb'), 'utf8')) as { cells: Cell[] }).cells;
const text = (cell: Cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);
const markdown = cells.filter((c) => c.cell_type === 'markdown').map(text).join('\n');
const code = cells.filter((c) => c.cell_type === 'code' && !c.metadata?.tags?.includes('solution')).map(text).join('\n');
const solution = (n: number) => text(cells.find((c) => text(c).startsWith(`// Exercise ${n}`)) as Cell);

test('chapter 11: returns are called (weakly) stationary with a time-varying conditional variance', () => {
  assert.doesNotMatch(`${markdown}\n${code}`, /not in the variance/, 'volatility clustering is not non-stationarity');
  assert.match(markdown, /\(weakly\) stationary/);
  assert.match(markdown, /conditional variance/);
  assert.match(markdown, /unconditional variance \$\\omega \/ \(1 - \\alpha - \\beta\)\$/);
  assert.match(code, /simulateGarch\(/, 'a stationary GARCH is simulated to show it');
});

test('chapter 11: the AR(5) is said to be fitted on the training windows the code gives it', () => {
  const ar = /\*\*linear autoregression\*\* AR\(5\)[^\n]*/.exec(markdown)?.[0] ?? '';
  assert.doesNotMatch(ar, /fitted by least squares on the fold's training days;/);
  assert.match(ar, /`maxTrainingWindows`/);
  assert.match(code, /\.slice\(-maxTrainingWindows\)/);
  assert.match(code, /leastSquares\(trainInputs/);
});

test('chapter 11: the long/flat rule trades a day after its signal, and the text says so', () => {
  assert.match(code, /longFlatStrategy\(nextDay\(/);
  assert.match(markdown, /trades a day later/);
  assert.match(markdown, /signal's own close/);
});

test('chapter 11: the volatility comparison says what each model sees and tests QLIKE differences', () => {
  assert.match(markdown, /LSTM sees 20 days at a time/);
  assert.match(markdown, /\*every\* earlier squared return/);
  assert.doesNotMatch(markdown, /sees the same information/);
  assert.match(code, /dieboldMariano\(losses\[/);
  assert.match(code, /qlikeLosses\(/);
  assert.doesNotMatch(code, /% lower/, 'QLIKE levels have a floor: compare differences, not ratios');
  assert.match(markdown, /Patton's \(2011\)/);
  assert.match(code, /realised\.filter\(\(v\) => v === 0\)/, 'the zero-return days are counted');
});

test('chapter 11: the solutions of exercises 1 and 3 answer in words decided by the printed numbers', () => {
  const one = solution(1);
  assert.match(one, /rules end above buy-and-hold/);
  assert.match(one, /falls \?/, 'the sentence follows the numbers');
  const three = solution(3);
  assert.match(three, /dieboldMariano\(/);
  assert.match(three, /meanDifference < 0 \? 'the lower' : 'the higher'/);
  assert.match(three, /pValue < 0\.05 \? '' : 'not '/);
});
