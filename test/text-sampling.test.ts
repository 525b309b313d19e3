// Chapter 13's next-token sampling: top-k never leaves the k best, top-p keeps the smallest set
// whose mass reaches p, temperature 0 (and its limit) is greedy, temperature-1 draws match the
// softmax (a check shown to reject a slightly wrong distribution), seeding, and bad parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random, greedyToken, rng, sampleToken, samplingDistribution, seed } from 'dlkit';

function softmax(logits: number[]): number[] {
  const top = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - top));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}

function frequencies(logits: number[], draws: number, options: Parameters<typeof sampleToken>[1]): number[] {
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < draws; i++) counts[sampleToken(logits, options)]! += 1;
  return counts.map((c) => c / draws);
}

/** True when every frequency is within 4.5 standard errors of its probability (a per-token z test). */
function matches(observed: number[], expected: number[], draws: number): boolean {
  return observed.every((f, i) => {
    const p = expected[i] as number;
    return Math.abs(f - p) <= 4.5 * Math.sqrt((p * (1 - p)) / draws) + 1e-12;
  });
}

test('temperature 1: frequencies of 20,000 draws match the softmax', () => {
  const logits = [2, 1, 0.5, 0, -0.5, -1, -2, 1.5, 0.2, -3];
  const draws = 20000;
  const observed = frequencies(logits, draws, { random: new Random(1) });
  assert.ok(matches(observed, softmax(logits), draws), `frequencies ${observed.map((f) => f.toFixed(4)).join(' ')}`);
  // The same check rejects the softmax at temperature 1.1, so it can tell a wrong sampler.
  const wrong = softmax(logits.map((l) => l / 1.1));
  assert.ok(!matches(observed, wrong, draws), 'the check must reject a distribution 10% too flat');
  assert.deepEqual(Array.from(samplingDistribution(logits)).map((p) => p.toFixed(12)), softmax(logits).map((p) => p.toFixed(12)));
});

test('top-k never samples outside the k most likely tokens', () => {
  const random = new Random(2);
  for (let trial = 0; trial < 50; trial++) {
    const logits = Array.from({ length: 20 }, () => random.normal(0, 2));
    const k = 1 + random.int(5);
    const best = new Set([...logits.keys()].sort((a, b) => (logits[b] as number) - (logits[a] as number)).slice(0, k));
    const seen = new Set<number>();
    for (let i = 0; i < 400; i++) {
      const token = sampleToken(logits, { topK: k, random });
      assert.ok(best.has(token), `top-${k} sampled token ${token}, not one of ${[...best].join(' ')}`);
      seen.add(token);
    }
    if (k === 1) assert.deepEqual([...seen], [greedyToken(logits)]);
  }
  // Within the k best, the draws follow the renormalised softmax.
  const logits = [3, 2.5, 2, -1, 0, 1];
  const kept = softmax([3, 2.5, 2]);
  const observed = frequencies(logits, 20000, { topK: 3, random });
  assert.ok(matches(observed, [...kept, 0, 0, 0], 20000), observed.join(' '));
  // Ties at the k-th place keep the lower index; k above the vocabulary keeps all.
  assert.deepEqual(Array.from(samplingDistribution([1, 0, 0, 0], { topK: 2 })).map((p) => p > 0), [true, true, false, false]);
  assert.ok(Array.from(samplingDistribution([1, 0, 0], { topK: 10 })).every((p) => p > 0));
});

test('top-p samples only from the smallest set whose mass reaches p', () => {
  const probabilities = [0.05, 0.5, 0.15, 0.2, 0.1];
  const logits = probabilities.map(Math.log);
  // Ranked: 0.5 (token 1), 0.2 (3), 0.15 (2), 0.1 (4), 0.05 (0).
  const cases: [number, number[]][] = [[0.3, [1]], [0.65, [1, 3]], [0.8, [1, 3, 2]], [0.9, [1, 3, 2, 4]], [0.97, [1, 3, 2, 4, 0]]];
  const random = new Random(3);
  for (const [p, set] of cases) {
    const distribution = samplingDistribution(logits, { topP: p });
    const mass = set.reduce((s, i) => s + (probabilities[i] as number), 0);
    distribution.forEach((q, i) => {
      const expected = set.includes(i) ? (probabilities[i] as number) / mass : 0;
      assert.ok(Math.abs(q - expected) < 1e-12, `p = ${p}, token ${i}: ${q} vs ${expected}`);
    });
    const observed = frequencies(logits, 5000, { topP: p, random });
    observed.forEach((f, i) => assert.equal(f > 0, set.includes(i), `p = ${p}: token ${i} drawn with frequency ${f}`));
  }
  // Top-k first, then top-p on what is left: of 0.5 and 0.2 (renormalised 0.714, 0.286), p = 0.6 keeps token 1.
  assert.deepEqual(Array.from(samplingDistribution(logits, { topK: 2, topP: 0.6 })), [0, 1, 0, 0, 0]);
});

test('temperature 0 is greedy and small temperatures tend to it', () => {
  const random = new Random(4);
  for (let trial = 0; trial < 20; trial++) {
    const logits = Float32Array.from({ length: 50 }, () => random.normal(0, 1));
    const best = greedyToken(logits);
    assert.equal(sampleToken(logits, { temperature: 0, random }), best);
    assert.equal(samplingDistribution(logits, { temperature: 0 })[best], 1);
    const sorted = [...logits].sort((a, b) => b - a);
    const gap = (sorted[0] as number) - (sorted[1] as number);
    // At temperature gap / 50 the runner-up is e^-50 as likely as the best (and 48 others less).
    for (let i = 0; i < 100; i++) assert.equal(sampleToken(logits, { temperature: gap / 50, random }), best);
    const nearGreedy = samplingDistribution(logits, { temperature: gap / 50 });
    assert.ok((nearGreedy[best] as number) > 1 - 1e-18 * 50 - 1e-12);
  }
  assert.equal(greedyToken([0, 2, 2, 1]), 1, 'ties go to the first index');
  assert.equal(greedyToken([-Infinity, -5, -Infinity]), 1);
});

test('draws come from dlkit seed: the same seed gives the same tokens', () => {
  const logits = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
  seed(42);
  const first = Array.from({ length: 50 }, () => sampleToken(logits, { topK: 4, temperature: 0.8 }));
  seed(42);
  const second = Array.from({ length: 50 }, () => sampleToken(logits, { topK: 4, temperature: 0.8 }));
  assert.deepEqual(first, second);
  assert.ok(new Set(first).size > 1);
  seed(42);
  assert.equal(rng().next() < 1, true);
});

test('bad parameters and bad logits get errors that say what is allowed', () => {
  const logits = [1, 2, 3];
  assert.throws(() => sampleToken(logits, { temperature: -1 }), /temperature must be a finite number of at least 0 \(0 means greedy/);
  assert.throws(() => sampleToken(logits, { temperature: NaN }), /temperature/);
  assert.throws(() => sampleToken(logits, { temperature: Infinity }), /temperature/);
  assert.throws(() => sampleToken(logits, { topK: 0 }), /topK must be a whole number of at least 1/);
  assert.throws(() => sampleToken(logits, { topK: 1.5 }), /topK/);
  assert.throws(() => sampleToken(logits, { topP: 0 }), /topP must be in \(0, 1\]/);
  assert.throws(() => sampleToken(logits, { topP: 1.01 }), /topP must be in \(0, 1\]/);
  assert.throws(() => sampleToken([], {}), /empty/);
  assert.throws(() => sampleToken([1, NaN], {}), /logit 1 is NaN/);
  assert.throws(() => sampleToken([-Infinity, -Infinity], {}), /every logit is -Infinity/);
  assert.throws(() => greedyToken(null as unknown as number[]), /expected an array of logits/);
  assert.equal(sampleToken([-Infinity, 0, -Infinity], { random: new Random(5) }), 1, '-Infinity masks tokens out');
});
