"""Reference values for dlkit's interpolated Kneser-Ney language model (lib/src/text/kneser-ney.ts).

A direct, slow implementation of Chen and Goodman's interpolated Kneser-Ney ("An empirical study
of smoothing techniques for language modeling", 1998, eq. 17 with one discount per order and the
lowest order interpolated with the uniform distribution), written from the formula over tuples of
tokens, recursively from the highest order down, with no trie. It fits a small random corpus and
writes test/fixtures/kneser-ney-cases.json: the corpus, probabilities of many (context, token)
pairs (unseen tokens and unseen contexts included) and held-out perplexities, which
test/text-kneser-ney.test.ts checks dlkit against.

NLTK's nltk.lm.KneserNeyInterpolated is not used as the reference: its lowest order is the
uniform distribution itself (an order-n model has no unigram level), its vocabulary adds <UNK>,
<s> and </s>, it pads sequences at both ends and uses a single fixed discount (0.1 by default),
so its numbers answer a different model.

Plain Python 3, no packages: python3 scripts/reference/kneser_ney_cases.py (from the repository root).
"""
import json
import math
import pathlib
import random

START = "<s>"
VOCABULARY = 12  # ids 0..11; 11 never occurs in the training sequences


def fit(sequences, order):
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
        discounts[k] = n1 / (n1 + 2 * n2) if n1 > 0 and n2 > 0 else 0.75
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

out = {
    "generatedBy": "scripts/reference/kneser_ney_cases.py",
    "vocabularySize": VOCABULARY,
    "train": train,
    "heldOut": held_out,
    "cases": cases,
}
path = pathlib.Path("test/fixtures/kneser-ney-cases.json")
path.write_text(json.dumps(out) + "\n", encoding="utf-8")
print(f"wrote {path}: {len(cases)} orders, perplexities {[round(c['heldOutPerplexity'], 3) for c in cases]}")
