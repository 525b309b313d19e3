"""Reference values for dlkit's significance tests (lib/src/evaluate/significance.ts).

Computes cases with statsmodels and scipy and writes test/fixtures/significance-cases.json,
which test/evaluate-significance.test.ts checks dlkit against. Run it from the repository root
with a Python that has numpy, scipy and statsmodels (not the project's .venv/, which only serves
Jupyter), e.g.:

    python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install numpy scipy statsmodels
    /tmp/refvenv/bin/python scripts/reference/significance_cases.py

- McNemar: statsmodels.stats.contingency_tables.mcnemar, exact and chi-squared with continuity
  correction. Chi-squared cases with b = c are left out: statsmodels then gives (0 - 1)^2 / (b + c)
  where dlkit clips the corrected difference at 0 (the test checks that case by hand).
- Binomial test: scipy.stats.binomtest; Student's t and chi-squared(1) tails: scipy.stats.
- Diebold-Mariano: statsmodels has none, so the published formula (Diebold and Mariano 1995,
  Harvey, Leybourne and Newbold 1997) is written out with numpy, and its long-run variance is
  cross-checked against statsmodels.stats.sandwich_covariance.S_hac_simple.
"""
import json
import pathlib

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats import sandwich_covariance as sw
from statsmodels.stats.contingency_tables import mcnemar

rng = np.random.default_rng(20261207)
out = {
    "generatedBy": "scripts/reference/significance_cases.py",
    "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "statsmodels": statsmodels.__version__},
    "mcnemar": [],
    "binomialTest": [],
    "studentT": [],
    "chiSquaredOne": [],
    "dieboldMariano": [],
}


def correctness_pair(both, only_a, only_b, neither):
    """Per-example correctness of two models with the given 2x2 table, in a random order."""
    a = [1] * both + [1] * only_a + [0] * only_b + [0] * neither
    b = [1] * both + [0] * only_a + [1] * only_b + [0] * neither
    order = rng.permutation(len(a))
    return [a[i] for i in order], [b[i] for i in order]


mcnemar_tables = [
    # (both right, only A right, only B right, both wrong, method)
    (40, 0, 0, 10, "auto"),
    (50, 3, 10, 7, "auto"),
    (20, 0, 5, 5, "auto"),
    (30, 1, 1, 9, "auto"),
    (60, 12, 12, 6, "auto"),
    (70, 7, 17, 6, "auto"),
    (100, 30, 45, 25, "auto"),
    (200, 100, 70, 30, "auto"),
    (80, 13, 12, 5, "auto"),
    (150, 60, 90, 40, "exact"),
    (50, 3, 10, 7, "chi-squared"),
    (300, 140, 95, 65, "chi-squared"),
]
for both, only_a, only_b, neither, method in mcnemar_tables:
    discordant = only_a + only_b
    exact = method == "exact" or (method == "auto" and discordant < 25)
    table = np.array([[both, only_a], [only_b, neither]])
    result = mcnemar(table, exact=exact, correction=True)
    a, b = correctness_pair(both, only_a, only_b, neither)
    out["mcnemar"].append({
        "a": a, "b": b, "method": method,
        "expected": {
            "onlyACorrect": only_a, "onlyBCorrect": only_b,
            "method": "exact" if exact else "chi-squared",
            "statistic": float(result.statistic), "pValue": float(result.pvalue),
        },
    })

for k, n, p in [(9, 10, 0.5), (5, 10, 0.5), (0, 7, 0.5), (7, 20, 0.3), (1300, 2500, 0.5), (41, 60, 0.55), (3, 200, 0.05)]:
    out["binomialTest"].append({"successes": k, "trials": n, "p": p, "pValue": float(stats.binomtest(k, n, p).pvalue)})

for t, df in [(0.5, 3), (2.1, 10), (-3.7, 250), (8.0, 2500), (1e-3, 1), (1.96, 1e6), (-0.25, 44), (12.0, 30)]:
    out["studentT"].append({"t": t, "degreesOfFreedom": df, "pValue": float(2 * stats.t.sf(abs(t), df))})

for x in [0.0, 0.05, 1.0, 3.841458820694124, 10.0, 50.0, 150.0]:
    out["chiSquaredOne"].append({"x": x, "pValue": float(stats.chi2.sf(x, 1))})


def diebold_mariano(loss_a, loss_b, h, weights, lags=None):
    d = loss_a - loss_b
    n = len(d)
    mean = d.mean()
    dev = d - mean
    lags = h - 1 if lags is None else lags
    gamma = [np.dot(dev[k:], dev[: n - k]) / n for k in range(lags + 1)]
    w = [1.0 if weights == "rectangular" else 1.0 - k / (lags + 1) for k in range(lags + 1)]
    long_run = gamma[0] + 2 * sum(w[k] * gamma[k] for k in range(1, lags + 1))
    # Cross-check the long-run variance with statsmodels' HAC sum (it sums, so divide by n).
    func = sw.weights_uniform if weights == "rectangular" else sw.weights_bartlett
    hac = float(sw.S_hac_simple(dev, nlags=lags, weights_func=func)[0, 0]) / n if lags > 0 else gamma[0]
    # statsmodels' Bartlett weights are 1 - k / (nlags + 1), the same as ours.
    assert abs(hac - long_run) <= 1e-12 * abs(long_run), (hac, long_run)
    dm = mean / np.sqrt(long_run / n)
    corrected = dm * np.sqrt((n + 1 - 2 * h + h * (h - 1) / n) / n)
    p = 2 * stats.t.sf(abs(corrected), n - 1)
    return {
        "meanDifference": float(mean), "longRunVariance": float(long_run),
        "uncorrectedStatistic": float(dm), "statistic": float(corrected), "pValue": float(p),
    }


def ma_errors(n, h, scale):
    """h-step forecast errors: MA(h - 1) of normal shocks."""
    shocks = rng.normal(0, scale, n + h)
    return np.array([shocks[t : t + h].sum() for t in range(n)])


for n, h, weights, gap, lags in [
    (30, 1, "rectangular", 0.3, None),
    (250, 1, "rectangular", 0.05, None),
    (250, 3, "rectangular", 0.1, None),
    (250, 3, "bartlett", 0.1, None),
    (800, 5, "rectangular", 0.0, None),
    (800, 5, "bartlett", 0.0, None),
    (800, 2, "rectangular", -0.2, None),
    (120, 1, "rectangular", 1.0, None),
    # More lags than h - 1 (autocorrelated differences of one-step forecasts): Newey-West.
    (500, 1, "bartlett", 0.2, 5),
    (300, 2, "bartlett", -0.1, 8),
]:
    common = ma_errors(n, h, 1.0)
    errors_a = common + ma_errors(n, h, 0.6)
    errors_b = common + ma_errors(n, h, 0.6 * (1 + gap))
    loss_a = np.round(errors_a**2, 12)
    loss_b = np.round(errors_b**2, 12)
    out["dieboldMariano"].append({
        "lossA": loss_a.tolist(), "lossB": loss_b.tolist(), "horizon": h, "weights": weights,
        **({} if lags is None else {"lags": lags}),
        "expected": diebold_mariano(loss_a, loss_b, h, weights, lags),
    })

path = pathlib.Path(__file__).resolve().parents[2] / "test" / "fixtures" / "significance-cases.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path}: {sum(len(v) for v in out.values() if isinstance(v, list))} cases")
