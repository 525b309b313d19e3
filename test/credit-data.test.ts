// Chapter 10's data: typed rows of credit_data and lending_club, bad files, the stratified split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCreditApplicants, loadLendingClub, loadLendingClubLoans, lendingClubPath, creditDataPath, stratifiedSplit, LENDING_CLUB_ROWS, CREDIT_ROWS } from 'dlkit';

const scratch = mkdtempSync(join(tmpdir(), 'dlkit-credit-'));
function tempFile(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

test('loadCreditApplicants: 4,454 typed rows, missing income is null (381 of them), never a number', () => {
  const rows = loadCreditApplicants();
  assert.equal(rows.length, CREDIT_ROWS);
  assert.equal(rows.filter((r) => r.income === null).length, 381);
  assert.equal(rows.filter((r) => r.status === 'bad').length, 1254);
  assert.ok(rows.every((r) => r.income === null || (typeof r.income === 'number' && Number.isFinite(r.income))));
  assert.ok(rows.every((r) => typeof r.age === 'number' && r.age >= 18));
  assert.deepEqual(rows[0], {
    status: 'good', seniority: 9, home: 'rent', time: 60, age: 30, marital: 'married', records: 'no', job: 'freelance',
    expenses: 73, income: 129, assets: 0, debt: 0, amount: 800, price: 846,
  });
});

test('loadLendingClubLoans: 9,857 loans, 517 bad, zero income flagged as missing', () => {
  const loans = loadLendingClubLoans();
  assert.equal(loans.length, LENDING_CLUB_ROWS);
  assert.equal(loans.filter((l) => l.status === 'bad').length, 517);
  const missing = loans.filter((l) => l.incomeMissing);
  assert.equal(missing.length, 2);
  assert.ok(missing.every((l) => l.annualIncome === null));
  assert.ok(loans.every((l) => l.incomeMissing || (l.annualIncome as number) > 0));
  assert.ok(loans.every((l) => l.termMonths === 36 || l.termMonths === 60));
  assert.equal(loans[0]?.subGrade, 'C4');
  assert.deepEqual(loadLendingClub().shape, [LENDING_CLUB_ROWS, 23]);
});

test('bad files: a missing column and a non-numeric value are reported with the file and the fix', () => {
  const creditLines = readFileSync(creditDataPath(), 'utf8').split('\n');
  const header = (creditLines[0] as string).split(',');
  const withoutIncome = creditLines.slice(0, 20).map((line) => line.split(',').filter((_, j) => header[j] !== 'Income').join(','));
  const noIncome = tempFile('no-income.csv', withoutIncome.join('\n') + '\n');
  assert.throws(() => loadCreditApplicants(noIncome), (e: Error) => e.message.includes('lacks the column Income') && e.message.includes(noIncome));
  const bad = [...creditLines.slice(0, 5)];
  bad[3] = (bad[3] as string).replace(/^(good|bad),\d+,/, '$1,ten,');
  const nonNumeric = tempFile('non-numeric.csv', bad.join('\n') + '\n');
  assert.throws(() => loadCreditApplicants(nonNumeric), /line 4: column "Seniority" should hold a number, found "ten"/);
  const loanLines = readFileSync(lendingClubPath(), 'utf8').split('\n').slice(0, 6);
  loanLines[2] = (loanLines[2] as string).replace(/,good$/, ',maybe');
  assert.throws(() => loadLendingClubLoans(tempFile('class.csv', loanLines.join('\n') + '\n')), /data row 2 has Class "maybe"; it must be "good" or "bad"/);
  assert.throws(() => loadLendingClubLoans(join(scratch, 'nothing.csv')), /no file at/);
});

test('stratifiedSplit keeps the class shares, covers every row once, and repeats with its seed', () => {
  const rows = loadCreditApplicants();
  const split = stratifiedSplit(rows, (r) => r.status, { validation: 0.2, test: 0.2, seed: 3 });
  const all = [...split.train.indices, ...split.validation.indices, ...split.test.indices].sort((a, b) => a - b);
  assert.deepEqual(all, rows.map((_, i) => i));
  const badShare = (part: { rows: readonly { status: string }[] }) => part.rows.filter((r) => r.status === 'bad').length / part.rows.length;
  const overall = 1254 / 4454;
  for (const part of [split.train, split.validation, split.test]) assert.ok(Math.abs(badShare(part) - overall) < 0.002, `${part.split}: ${badShare(part)}`);
  assert.equal(split.test.rows.length, Math.round(0.2 * 1254) + Math.round(0.2 * 3200));
  assert.deepEqual(stratifiedSplit(rows, (r) => r.status, { seed: 3 }).test.indices, split.test.indices);
  assert.notDeepEqual(stratifiedSplit(rows, (r) => r.status, { seed: 4 }).test.indices, split.test.indices);
  assert.equal(split.test.split, 'test');
  assert.throws(() => stratifiedSplit(rows, (r) => r.status, { validation: 0.5, test: 0.5 }), /leave nothing to train on/);
});
