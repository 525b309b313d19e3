/**
 * Chapter 6's document windows: a long review cut into rows a mini-BERT can
 * read, every piece read at least once, and the review's class from the mean
 * log-probability of its rows; bad input gives clear errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WordPieceTokenizer, documentWindows, documentClasses } from 'dlkit';

const tokenizer = WordPieceTokenizer.train(
  ['one two three four five six seven eight nine ten eleven twelve', 'a short review'],
  { vocabularySize: 120 },
);
const long = 'one two three four five six seven eight nine ten eleven twelve';

test('a short text is one row, equal to encode; a long one is covered piece by piece', () => {
  const windows = documentWindows(tokenizer, ['a short review', long], { maxLength: 7, keepEnd: 2 });
  assert.deepEqual(windows.document.filter((d) => d === 0).length, 1);
  assert.deepEqual(windows.inputIds[0], tokenizer.encode('a short review', { maxLength: 7, keepEnd: 2 }).inputIds);
  const rows = windows.inputIds.filter((_, i) => windows.document[i] === 1);
  // the first row of a text is the view training used (start and end)
  assert.deepEqual(rows[0], tokenizer.encode(long, { maxLength: 7, keepEnd: 2 }).inputIds);
  const pieces = tokenizer.encode(long).inputIds.slice(1, -1);
  const windowPieces = rows.slice(1).map((row) => row.slice(1, -1));
  for (const row of rows) {
    assert.equal(row.length, 7);
    assert.equal(row[0], tokenizer.clsId);
    assert.equal(row[6], tokenizer.sepId);
  }
  // windows side by side (stride 5), the last one ending at the last piece: every piece read, in order
  assert.deepEqual(windowPieces[0], pieces.slice(0, 5));
  assert.deepEqual(windowPieces[1], pieces.slice(5, 10));
  assert.deepEqual(windowPieces[windowPieces.length - 1], pieces.slice(-5));
  const read = new Set<number>();
  windowPieces.forEach((w, k) => {
    const start = Math.min(5 * k, pieces.length - 5);
    assert.deepEqual(w, pieces.slice(start, start + 5));
    for (let i = start; i < start + 5; i++) read.add(i);
  });
  assert.equal(read.size, pieces.length);
  assert.equal(windowPieces.length, Math.ceil(pieces.length / 5));
});

test('a smaller stride overlaps the windows', () => {
  const wide = documentWindows(tokenizer, [long], { maxLength: 7 });
  const overlapping = documentWindows(tokenizer, [long], { maxLength: 7, stride: 2 });
  assert.ok(overlapping.inputIds.length > wide.inputIds.length);
  assert.deepEqual(overlapping.inputIds[2]?.slice(1, 4), overlapping.inputIds[1]?.slice(3, 6));
});

test('documentClasses: argmax of the mean log-probability, not of the mean probability', () => {
  // text 0: two windows lean to class 1 (0.9), one is sure of class 0 (0.999). The mean probability of
  // class 1 is 0.6, but the mean log-probability prefers class 0: one sure window outvotes two leaning ones.
  const probabilities = [0.1, 0.9, 0.1, 0.9, 0.999, 0.001, 0.2, 0.8];
  assert.ok((0.9 + 0.9 + 0.001) / 3 > 0.5);
  assert.deepEqual(Array.from(documentClasses(probabilities, { document: [0, 0, 0, 1], documents: 2 })), [0, 1]);
  // the first row of each text alone: text 0's first window says class 1
  assert.deepEqual(Array.from(documentClasses(probabilities, { document: [0, 0, 0, 1], documents: 2 }, { firstRowOnly: true })), [1, 1]);
  // rows may come in any order
  assert.deepEqual(Array.from(documentClasses([0.2, 0.8, 0.1, 0.9], { document: [1, 0], documents: 2 })), [1, 1]);
});

test('bad input: clear errors', () => {
  assert.throws(() => documentWindows(tokenizer, [long], { maxLength: 2 }), /maxLength must be a whole number of at least 3/);
  assert.throws(() => documentWindows(tokenizer, [long], { maxLength: 7, stride: 6 }), /stride must be a whole number from 1 to maxLength - 2 = 5/);
  assert.throws(() => documentWindows(tokenizer, [long], { maxLength: 7, stride: 0 }), /stride/);
  assert.throws(() => documentClasses([0.5, 0.5, 0.5], { document: [0, 0], documents: 1 }), /one row of class probabilities per window/);
  assert.throws(() => documentClasses([0.5, 0.5], { document: [3], documents: 1 }), /names text 3/);
  assert.throws(() => documentClasses([0.5, 0.5], { document: [0], documents: 2 }), /text 1 has no window/);
});
