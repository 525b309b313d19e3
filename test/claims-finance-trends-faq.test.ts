// What chapters 0, 10, 12 and 13 (and the README) claim, checked against their own code: each
// statement a close reading found unbacked (issue 24) is printed, asserted or tested in the
// chapter, and the wording that overstated it is gone. The numbers themselves are checked when
// the notebooks run (test/notebooks.test.ts); this reads the notebooks' text and code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from './helpers/notebooks';

interface Cell {
  cell_type: string;
  source: string[] | string;
  metadata?: { tags?: string[] };
}

function chapter(name: string): { markdown: string; code: string; solutions: string; cells: Cell[] } {
  const cells = (JSON.parse(readFileSync(join(repositoryRoot, 'notebooks', name), 'utf8')) as { cells: Cell[] }).cells;
  const text = (c: Cell) => (Array.isArray(c.source) ? c.source.join('') : c.source);
  const isSolution = (c: Cell) => c.metadata?.tags?.includes('solution') ?? false;
  return {
    cells,
    markdown: cells.filter((c) => c.cell_type === 'markdown').map(text).join('\n\n'),
    code: cells.filter((c) => c.cell_type === 'code' && !isSolution(c)).map(text).join('\n\n'),
    solutions: cells.filter(isSolution).map(text).join('\n\n'),
  };
}

/** The code names a chapter's summary mentions in backticks: each must appear in the chapter's code. */
function summaryNames(markdown: string): string[] {
  const summary = /^#+ Summary\n([\s\S]*?)(?=^#+ )/m.exec(markdown)?.[1] ?? '';
  return [...summary.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)].map((m) => m[1] as string);
}

test('chapter 10: the class ratio is printed, Gini is defined, coefficients and calibration claims are backed', () => {
  const { markdown, code } = chapter('10_finance_credit_risk.ipynb');
  assert.doesNotMatch(markdown, /almost three good loans/, 'the ratio is about 2.55, not almost three: print it');
  assert.match(code, /good loans per bad one/, 'the good-to-bad ratio is printed');
  assert.match(markdown, /\\text\{Gini\} = 2\\,\\text\{AUC\} - 1/, 'Gini = 2 AUC - 1 is stated');
  assert.match(code, /Gini: 2 \*/, 'and printed');
  // "Relative to the average of the categories" holds only where the split of a one-hot feature's
  // coefficients and the intercept is fixed: the chapter centres them and asserts no prediction changes.
  assert.doesNotMatch(markdown, /for a one-hot column, relative to the average of the categories\./);
  assert.match(code, /centring the category coefficients changes no prediction/);
  assert.match(markdown, /weightDecay[^.]*0/, 'the text says when the L2 penalty would and would not fix the split');
  // "The unweighted one follows the diagonal" is asserted, and the weighted-vs-unweighted gap is tested.
  assert.match(code, /unweightedEce < [\d.]+, `the unweighted model follows the diagonal/);
  assert.match(code, /eceDifference\.lower > 0/);
  for (const name of summaryNames(markdown)) assert.ok(code.includes(name), `the summary names \`${name}\`, which the chapter's code never uses`);
});

test('chapter 10: per age band, the model is checked for calibration within the group, with intervals', () => {
  const { markdown, code } = chapter('10_finance_credit_risk.ipynb');
  assert.match(code, /groupCalibration\(ageBands, y\.test, unweightedTestScores/);
  assert.match(code, /differenceLower/);
  assert.match(markdown, /within-group calibration/i);
  assert.doesNotMatch(markdown, /Does the approval rate follow the observed default rate \(a model that is \*accurate\* per group\)/, 'approval rates do not show accuracy per group');
});

test("chapters 10 and 12: each 'A beats B' verdict comes from a paired test of the difference", () => {
  const finance = chapter('10_finance_credit_risk.ipynb').code;
  assert.match(finance, /intervals\.difference\.lower > 0/, 'MLP against logistic regression: paired bootstrap of the AUC difference');
  assert.match(finance, /rateMinusOurs\.lower > 0/, "Lending Club's interest rate against our model: paired bootstrap");
  assert.doesNotMatch(finance, /rateAuc > ourBestLoanAuc/, 'no verdict from two point estimates (one of them chosen on the test split)');
  const trends = chapter('12_trends_and_challenges.ipynb').code;
  assert.match(trends, /attackDifference\.lower > 0/, 'the membership attack on the plain against the private model: paired bootstrap');
  assert.match(trends, /mcnemarTest\(\s*correctOnTest\['MoE 8 x 32, top-2, balance 0\.1'\]!, correctOnTest\['dense, 64 hidden'\]!/, 'MoE against dense: McNemar on the same test images');
  assert.match(trends, /mcnemarTest\(plain\.testCorrect, noisiest\.testCorrect\)/, 'the accuracy cost of DP-SGD: McNemar');
  const solutions = chapter('12_trends_and_challenges.ipynb').solutions;
  assert.doesNotMatch(solutions, /accuracy usually drops a little/, 'exercise 2 tests top-1 against top-2 instead of predicting it');
  assert.match(solutions, /mcnemarTest\(switchCorrect/);
});

test('chapter 12: DP-SGD samples batches as its accountant assumes, and the text says what the seeded noise means', () => {
  const { markdown, code, solutions } = chapter('12_trends_and_challenges.ipynb');
  assert.match(code, /poissonSample\(privateCount, samplingRate\)/);
  assert.match(code, /expectedBatchSize: privateBatch/);
  assert.doesNotMatch(code, /privateTrain\.shuffle\(\)/, 'no shuffled fixed batches');
  assert.match(markdown, /Poisson sampling/);
  assert.match(markdown, /Chua et al\. 2024/);
  assert.match(markdown, /cryptographically secure/);
  assert.doesNotMatch(markdown, /the same \$\\sigma\$ on 60,000 examples gives a far smaller \$\\varepsilon\$ \(chapter 13, Q6\)/, 'Q6 uses another sigma and batch');
  assert.match(markdown, /Exercise 3 computes the like-for-like case/);
  assert.match(solutions, /Math\.round\(n \/ privateBatch\)/, 'exercise 3 counts steps as the Poisson loop does (1/q per epoch)');
  assert.match(markdown, /Rényi divergence of order \$\\alpha\$/, 'the Rényi order is explained');
});

test('chapter 12: the scaling, compute and sanity-check claims say what was measured', () => {
  const { markdown, code, solutions } = chapter('12_trends_and_challenges.ipynb');
  assert.doesNotMatch(markdown, /a few thousand images/, 'full mode trains on 20,000 images; the count is printed');
  assert.match(code, /training images \$\{mnist\.train\.size\}/);
  assert.match(markdown, /not training to convergence/);
  assert.match(code, /\(not to convergence\)/);
  assert.match(markdown, /non-embedding/);
  assert.match(code, /cpuCores\(\)/, 'peak FLOP/s counts physical cores');
  assert.doesNotMatch(code, /cores: cpus\.length/, 'not os.cpus(), which lists hardware threads');
  assert.match(markdown, /Spearman rank correlation\*\*[^.]*ranks/, 'Spearman correlation is explained');
  assert.match(solutions, /halfFit\.floor > floorFit\.floor/, "exercise 1 checks whether less data raised the floor");
  assert.doesNotMatch(solutions, /^\/\/ Less data raises the floor/m, 'no unchecked conclusion');
});

test('chapter 14 (the FAQ): epsilon is read as a likelihood-ratio bound, computed', () => {
  const { markdown, code } = chapter('14_faq.ipynb');
  assert.doesNotMatch(markdown, /single-digit \$\\varepsilon\$ is a meaningful guarantee/i);
  assert.match(code, /\[1, 3, 8, guarantee\.epsilon\]\.map/);
  assert.match(code, /Math\.exp\(epsilon\)/);
});

test('chapter 0 and the README say how to turn quick mode on and off', () => {
  const setup = chapter('00_setup.ipynb');
  const readme = readFileSync(join(repositoryRoot, 'README.md'), 'utf8');
  for (const [where, text] of [['chapter 0', setup.markdown], ['README', readme]] as const) {
    assert.match(text, /DLKIT_QUICK=1 npm start/, `${where}: how to start the book in quick mode`);
    assert.match(text, /process\.env\.DLKIT_QUICK = '1'/, `${where}: how to switch one running kernel`);
    assert.match(text, /`1`, `true` or `yes`/, `${where}: which values turn it on`);
  }
  assert.match(setup.code, /isQuickMode\(\)/);
  // The values the text names are the ones lib/src/util/quick.ts accepts.
  const quick = readFileSync(join(repositoryRoot, 'lib', 'src', 'util', 'quick.ts'), 'utf8');
  assert.match(quick, /value === '1' \|\| value === 'true' \|\| value === 'yes'/);
});
