"""Reference values for dlkit's interpolated Kneser-Ney language model (lib/src/text/kneser-ney.ts).

A direct, slow implementation of Chen and Goodman's interpolated Kneser-Ney ("An empirical study
of smoothing techniques for language modeling", 1998, eq. 17 with one discount per order and the
lowest order interpolated with the uniform distribution), written from the formula over tuples of
tokens, recursively from the highest order down, with no trie. It fits a small random corpus and
writes test/fixtures/kneser-ney-cases.json: the corpus, probabilities of many (context, token)
pairs (unseen tokens and unseen contexts included) and held-out perplexities, which
test/text-kneser-ney.test.ts checks dlkit against.

The same probabilities are also recorded from NLTK's nltk.lm.KneserNeyInterpolated, with one
discount for all orders (NLTK has a single discount) and two of its quirks worked around:
- its lowest order is N1+(• w) / N1+(• •), with no discount and no uniform part, so a token never
  seen has probability 0; here its estimator's unigram_score is replaced by Chen and Goodman's
  (discounted, interpolated with 1/V);
- its usual pipeline (padded_everygram_pipeline) pads both ends with <s> and </s> and counts every
  n-gram of the padded text, <s> <s> included, which changes the continuation counts; here it is
  given exactly the n-grams (orders 1..n) that end at a real token after n - 1 start markers;
- it maps every word outside its vocabulary to <UNK> while counting, so <s> is put in it.
The script stops if NLTK and the direct implementation disagree.

Run from the repository root with a Python that has nltk (not the project's .venv/), e.g.:

    python3 -m venv /tmp/gptvenv && /tmp/gptvenv/bin/pip install nltk
    /tmp/gptvenv/bin/python scripts/reference/kneser_ney_cases.py
"""
import json
import math
import pathlib
import random

import nltk
from nltk.lm import KneserNeyInterpolated
from nltk.lm.smoothing import KneserNey

START = "<s>"
VOCABULARY = 12  # ids 0..11; 11 never occurs in the training sequences


def fit(sequences, order, discount=None):
    counts = {k: {} for k in range(1, order + 1)}
    for sequence in sequences:
        padded = [START] * (order - 1) + list(sequence)
        for i in range(order - 1, len(padded)):
            gram = tuple(padded[i - order + 1 : i + 1])
            counts[order][gram] = counts[order].get(gram, 0) + 1
    # Continuation counts: each distinct (k+1)-gram (u, h, w) adds one to (h, w).
    for k in range(order - 1, 0, -1):
        for gram in counts[k + 1]:
            counts[k][gram[1:]] = counts[k].get(gram[1:], 0) + 1
    discounts = {}
    for k in range(1, order + 1):
        n1 = sum(1 for c in counts[k].values() if c == 1)
        n2 = sum(1 for c in counts[k].values() if c == 2)
        discounts[k] = discount or (n1 / (n1 + 2 * n2) if n1 > 0 and n2 > 0 else 0.75)
    return counts, discounts


def probability(model, order, context, token):
    counts, discounts = model
    history = ([START] * (order - 1) + list(context))[len(context) :] if order > 1 else []

    def p(k, w):
        if k == 0:
            return 1 / VOCABULARY
        h = tuple(history[len(history) - (k - 1) :]) if k > 1 else ()
        lower = p(k - 1, w)
        grams = [g for g in counts[k] if g[:-1] == h]
        total = sum(counts[k][g] for g in grams)
        if total == 0:
            return lower
        d = discounts[k]
        return max(counts[k].get(h + (w,), 0) - d, 0) / total + d * len(grams) / total * lower

    return p(order, token)


rng = random.Random(20261207)
# A random Markov chain over ids 0..10, so that n-grams repeat.
transition = [[rng.random() ** 3 for _ in range(11)] for _ in range(11)]


def sequence(length):
    out = [rng.randrange(11)]
    while len(out) < length:
        weights = transition[out[-1]]
        out.append(rng.choices(range(11), weights)[0])
    return out


train = [sequence(rng.randint(3, 20)) for _ in range(40)]
held_out = [sequence(rng.randint(3, 20)) for _ in range(6)]
held_out[0][2] = 11  # a token never seen in training
held_out[1][0] = 11

cases = []
for order in (1, 2, 3, 4):
    model = fit(train, order)
    probes = []
    contexts = [[], [3], [3, 5], [10, 2, 7], [11], [0, 11], [4, 4, 4, 4]]
    contexts += [s[: rng.randint(0, len(s))] for s in train[:8]]
    for context in contexts:
        row = [probability(model, order, context, w) for w in range(VOCABULARY)]
        assert abs(sum(row) - 1) < 1e-12, (order, context, sum(row))
        probes.append({"context": context, "probabilities": row})
    log_likelihood = 0.0
    n = 0
    for s in held_out:
        for i in range(len(s)):
            log_likelihood += math.log(probability(model, order, s[:i], s[i]))
            n += 1
    cases.append({
        "order": order,
        "discounts": [model[1][k] for k in range(1, order + 1)],
        "probes": probes,
        "heldOutPerplexity": math.exp(-log_likelihood / n),
    })

class ChenGoodmanUnigram(KneserNey):
    """NLTK's Kneser-Ney estimator with Chen and Goodman's lowest order: discounted, plus D · N1+(• •) types / V."""

    def unigram_score(self, word):
        bigrams = self.counts[2]
        continuation = sum(1 for context in bigrams.keys() if bigrams[context][word] > 0)
        total = sum(sum(1 for c in bigrams[context].values() if c > 0) for context in bigrams.keys())
        types = len({w for context in bigrams.keys() for w, c in bigrams[context].items() if c > 0})
        return (max(continuation - self.discount, 0) + self.discount * types / VOCABULARY) / total


class PatchedKneserNeyInterpolated(KneserNeyInterpolated):
    def __init__(self, order, discount):
        super().__init__(order, discount=discount)
        self.estimator = ChenGoodmanUnigram(self.vocab, self.counts, order, discount=discount)


def ending_ngrams(sequence, order):
    """Every n-gram (orders 1..n) that ends at a token of the sequence, after n - 1 start markers."""
    padded = [START] * (order - 1) + [str(t) for t in sequence]
    return [tuple(padded[i - k + 1 : i + 1]) for i in range(order - 1, len(padded)) for k in range(1, order + 1)]


NLTK_DISCOUNT = 0.3
nltk_cases = []
for order in (2, 3, 4):
    lm = PatchedKneserNeyInterpolated(order, NLTK_DISCOUNT)
    lm.fit([ending_ngrams(s, order) for s in train], vocabulary_text=[START] + [str(t) for t in range(VOCABULARY)])
    direct = fit(train, order, NLTK_DISCOUNT)
    probes = []
    for context in [[], [3], [3, 5], [10, 2, 7], [11], [0, 11]] + [s[:5] for s in train[:6]]:
        history = tuple(([START] * (order - 1) + [str(t) for t in context])[len(context) :])
        row = [lm.unmasked_score(str(w), history) for w in range(VOCABULARY)]
        mine = [probability(direct, order, context, w) for w in range(VOCABULARY)]
        if max(abs(a - b) for a, b in zip(row, mine)) > 1e-12:
            raise SystemExit(f"NLTK and the direct implementation disagree at order {order}, context {context}: {row} vs {mine}")
        probes.append({"context": context, "probabilities": row})
    nltk_cases.append({"order": order, "discount": NLTK_DISCOUNT, "probes": probes})

out = {
    "generatedBy": "scripts/reference/kneser_ney_cases.py",
    "vocabularySize": VOCABULARY,
    "train": train,
    "heldOut": held_out,
    "cases": cases,
    "nltk": {"version": nltk.__version__, "cases": nltk_cases},
}
path = pathlib.Path("test/fixtures/kneser-ney-cases.json")
path.write_text(json.dumps(out) + "\n", encoding="utf-8")
print(f"wrote {path}: {len(cases)} orders, perplexities {[round(c['heldOutPerplexity'], 3) for c in cases]}")
