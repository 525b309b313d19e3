// Chapter 13's interpolated Kneser-Ney language model: probabilities computed by hand for a
// 2-gram and a 3-gram model, a direct Python implementation of Chen and Goodman's formula
// and NLTK (scripts/reference/kneser_ney_cases.py, test/fixtures/kneser-ney-cases.json), distributions
// that sum to 1 for every context, and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KneserNeyLanguageModel, Random } from 'dlkit';
import { repositoryRoot } from './helpers/notebooks';

const reference = JSON.parse(readFileSync(join(repositoryRoot, 'test', 'fixtures', 'kneser-ney-cases.json'), 'utf8')) as {
  vocabularySize: number;
  train: number[][];
  heldOut: number[][];
  cases: { order: number; discounts: number[]; probes: { context: number[]; probabilities: number[] }[]; heldOutPerplexity: number }[];
  nltk: { version: string; cases: { order: number; discount: number; probes: { context: number[]; probabilities: number[] }[] }[] };
};

// The sequence a b a c (ids 0 1 0 2) in a vocabulary of 4 (d = 3 is never seen), D = 0.5.
// Bigrams after the start marker S: (S a) (a b) (b a) (a c).
// Unigram continuation counts: a follows S and b (2), b follows a (1), c follows a (1): 4 in all,
// 3 different tokens, so P1(w) = (max(N(w) - 0.5, 0) + 0.5 · 3 · 1/4) / 4:
// P1(a) = 1.875/4 = 0.46875, P1(b) = P1(c) = 0.875/4 = 0.21875, P1(d) = 0.375/4 = 0.09375.
test('a 2-gram model by hand', () => {
  const model = KneserNeyLanguageModel.fit([[0, 1, 0, 2]], { order: 2, vocabularySize: 4, discount: 0.5 });
  const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-15, `${actual} vs ${expected}`);
  // After a (seen twice, followed by b and c): P(b | a) = (0.5 + 0.5 · 2 · P1(b)) / 2.
  close(model.probability([0], 1), (0.5 + 0.21875) / 2);
  close(model.probability([0], 0), 0.46875 / 2);
  close(model.probability([0], 3), 0.09375 / 2);
  // At the start (S seen once, followed by a): P(a | S) = 0.5 + 0.5 · P1(a).
  close(model.probability([], 0), 0.5 + 0.5 * 0.46875);
  // d was never a context: its order adds nothing and P1 is left.
  close(model.probability([3], 0), 0.46875);
  close(model.logProbability([0], 1), Math.log((0.5 + 0.21875) / 2));
  // Held-out perplexity of "a b": exp(-(ln P(a | S) + ln P(b | a)) / 2).
  close(model.perplexity([[0, 1]]), Math.exp(-(Math.log(0.734375) + Math.log(0.359375)) / 2));
});

// The same sequence with order 3: trigrams (S S a) (S a b) (a b a) (b a c). Their suffixes
// (S a) (a b) (b a) (a c) are each seen after one token, so the order-2 level is the bigram model
// above (P2(b | a) = 0.359375, P2(a | b) = 0.5 + 0.5 · P1(a) = 0.734375, P2(c | b) = 0.5 · P1(c)).
test('a 3-gram model by hand', () => {
  const model = KneserNeyLanguageModel.fit([[0, 1, 0, 2]], { order: 3, vocabularySize: 4, discount: 0.5 });
  const close = (actual: number, expected: number): void => assert.ok(Math.abs(actual - expected) < 1e-15, `${actual} vs ${expected}`);
  close(model.probability([0], 1), 0.5 + 0.5 * 0.359375); // (S a) then b
  close(model.probability([0, 1], 0), 0.5 + 0.5 * 0.734375); // (a b) then a
  close(model.probability([0, 1], 2), 0.5 * 0.5 * 0.21875); // (a b) then c
  close(model.probability([2, 0], 1), 0.359375); // (c a) never seen: the 2-gram level (a) answers
  close(model.probability([3, 3], 3), 0.09375); // nothing seen: the unigram level answers
});

test('agrees with a direct Python implementation of Chen and Goodman formula', () => {
  for (const c of reference.cases) {
    const model = KneserNeyLanguageModel.fit(reference.train, { order: c.order, vocabularySize: reference.vocabularySize });
    model.discounts.forEach((d, k) => assert.ok(Math.abs(d - (c.discounts[k] as number)) < 1e-15, `order ${c.order} discount ${k + 1}`));
    for (const probe of c.probes) {
      const row = model.distribution(probe.context);
      probe.probabilities.forEach((p, w) => {
        assert.ok(Math.abs((row[w] as number) - p) < 1e-12, `order ${c.order}, P(${w} | ${probe.context.join(' ')}): ${row[w]} vs ${p}`);
      });
    }
    assert.ok(Math.abs(model.perplexity(reference.heldOut) - c.heldOutPerplexity) < 1e-9, `order ${c.order} perplexity`);
  }
});

test('agrees with NLTK KneserNeyInterpolated (one discount, its unigram quirk patched)', () => {
  for (const c of reference.nltk.cases) {
    const model = KneserNeyLanguageModel.fit(reference.train, { order: c.order, vocabularySize: reference.vocabularySize, discount: c.discount });
    for (const probe of c.probes) {
      const row = model.distribution(probe.context);
      probe.probabilities.forEach((p, w) => {
        assert.ok(Math.abs((row[w] as number) - p) < 1e-12, `order ${c.order}, P(${w} | ${probe.context.join(' ')}): ${row[w]} vs NLTK ${p}`);
      });
    }
  }
});

test('probabilities sum to 1 over the vocabulary for every context, seen or not', () => {
  for (const order of [1, 2, 3, 4, 5]) {
    const model = KneserNeyLanguageModel.fit(reference.train, { order, vocabularySize: reference.vocabularySize });
    const contexts: number[][] = [[], [11], [11, 11, 11, 11], [0, 1, 2, 3, 4, 5, 6]];
    for (const sequence of [...reference.train, ...reference.heldOut]) {
      for (let i = 0; i <= sequence.length; i++) contexts.push(sequence.slice(0, i));
    }
    for (const context of contexts) {
      const row = model.distribution(context);
      const sum = row.reduce((s, p) => s + p, 0);
      assert.ok(Math.abs(sum - 1) < 1e-9, `order ${order}, context ${context.join(' ')}: sum ${sum}`);
      assert.ok(row.every((p) => p > 0), 'every token, the unseen one too, has a probability above 0');
    }
  }
});

test('a 2-gram model on 30,000 tokens equals the formula computed here with plain Maps', () => {
  // Large enough for the model's hash tables to grow many times (they start at 1,024 slots).
  const size = 600;
  const random = new Random(27);
  const sequences = Array.from({ length: 300 }, () => {
    const sequence = [random.int(size)];
    while (sequence.length < 100) sequence.push(random.next() < 0.5 ? (sequence.at(-1)! * 7 + 3) % 500 : random.int(500));
    return sequence;
  });
  const D = 0.6;
  const model = KneserNeyLanguageModel.fit(sequences, { order: 2, vocabularySize: size, discount: D });
  const START = -1;
  const bigrams = new Map<string, number>();
  for (const s of sequences) s.forEach((w, i) => bigrams.set(`${i === 0 ? START : s[i - 1]} ${w}`, (bigrams.get(`${i === 0 ? START : s[i - 1]} ${w}`) ?? 0) + 1));
  const continuation = new Map<number, number>();
  const contextTotal = new Map<number, number>();
  const contextTypes = new Map<number, number>();
  for (const [key, count] of bigrams) {
    const [h, w] = key.split(' ').map(Number) as [number, number];
    continuation.set(w, (continuation.get(w) ?? 0) + 1);
    contextTotal.set(h, (contextTotal.get(h) ?? 0) + count);
    contextTypes.set(h, (contextTypes.get(h) ?? 0) + 1);
  }
  const unigram = (w: number): number => (Math.max((continuation.get(w) ?? 0) - D, 0) + (D * continuation.size) / size) / bigrams.size;
  for (const h of [START, 0, 3, 24, 171, 499, 500, 599]) {
    const total = contextTotal.get(h);
    const row = model.distribution(h === START ? [] : [h]);
    for (let w = 0; w < size; w++) {
      const expected = total === undefined ? unigram(w)
        : (Math.max((bigrams.get(`${h} ${w}`) ?? 0) - D, 0) + D * (contextTypes.get(h) as number) * unigram(w)) / total;
      assert.ok(Math.abs((row[w] as number) - expected) < 1e-15, `P(${w} | ${h}): ${row[w]} vs ${expected}`);
    }
  }
  assert.equal(model.trainingTokens, 30000);
});

test('bad input gets errors that say what to do', () => {
  assert.throws(() => KneserNeyLanguageModel.fit([[0, 1]], { order: 0, vocabularySize: 4 }), /order must be a whole number from 1 to 8/);
  assert.throws(() => KneserNeyLanguageModel.fit([[0, 1]], { order: 3, vocabularySize: 0 }), /vocabularySize/);
  assert.throws(() => KneserNeyLanguageModel.fit([[0, 4]], { order: 3, vocabularySize: 4 }), /sequence 0 holds 4 at position 1; .*0 to 3/);
  assert.throws(() => KneserNeyLanguageModel.fit([[]], { order: 3, vocabularySize: 4 }), /no tokens/);
  assert.throws(() => KneserNeyLanguageModel.fit([[0, 1]], { order: 2, vocabularySize: 4, discount: 1.5 }), /discount must be/);
  assert.throws(() => KneserNeyLanguageModel.fit([[0, 1]], { order: 2, vocabularySize: 4, discount: [0.5] }), /2 of them/);
  const model = KneserNeyLanguageModel.fit([[0, 1]], { order: 2, vocabularySize: 4 });
  assert.throws(() => model.probability([0], 7), /the token holds 7/);
  assert.throws(() => model.probability([0.5], 1), /the context holds 0.5/);
  assert.throws(() => model.perplexity([[]]), /no tokens/);
});
