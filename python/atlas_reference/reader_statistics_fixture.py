#!/usr/bin/env python3
"""Makes Tests/AtlasTests/Fixtures/reader_statistics.json: the reader-study statistics computed by
the references, for the Swift implementation to match.

- ROC AUC of 10-level ratings with many ties: scikit-learn's roc_auc_score.
- Per-reader accuracy, sensitivity (synthetic called synthetic), specificity (real called real):
  scikit-learn's accuracy_score and recall_score; bone-age MAE with numpy.
- The bootstrap over readers and cases: the resampling indices are drawn here (numpy, seed 11)
  and written out; each replicate's per-reader metrics use the same scikit-learn calls, the
  pooled value is the mean over the drawn readers, and the 95% interval is numpy's percentile
  (linear). Swift reruns the same replicates from the same indices.
- Fleiss' kappa: statsmodels.stats.inter_rater.fleiss_kappa ('fleiss' and 'randolph').
- Student t quantiles: scipy.stats.t.ppf, and the same quantiles to 30 digits with mpmath (scipy
  1.10's t.ppf is off by up to ~5e-9 relative). Bland-Altman bias, SD and limits with numpy.

Run from the repository root:

    /usr/bin/python3 python/atlas_reference/reader_statistics_fixture.py
"""
import json
import sys

import mpmath
import numpy as np
import scipy
import sklearn
import statsmodels
from scipy import stats
from sklearn.metrics import accuracy_score, recall_score, roc_auc_score
from statsmodels.stats.inter_rater import fleiss_kappa

OUT = sys.argv[1] if len(sys.argv) > 1 else "Tests/AtlasTests/Fixtures/reader_statistics.json"
rng = np.random.default_rng(11)


def score(says_synthetic, confidence):
    """The 10-level rating, synthetic positive: 6 - k for 'real', 5 + k for 'synthetic'."""
    return np.where(says_synthetic, 5 + confidence, 6 - confidence)


# AUC on rating sets with heavy ties, unbalanced classes, and a perfect and an inverted reader.
auc_cases = []
for m, n, shift in [(5, 7, 0.0), (30, 30, 1.0), (12, 40, -0.7), (50, 9, 3.0), (3, 3, 0.0)]:
    positives = np.clip(np.round(rng.normal(5.5 + shift, 2.0, m)), 1, 10)
    negatives = np.clip(np.round(rng.normal(5.5, 2.0, n)), 1, 10)
    auc_cases.append((positives, negatives))
auc_cases.append((np.array([9.0, 10, 8]), np.array([1.0, 2, 3, 4])))
auc_cases.append((np.array([1.0, 2]), np.array([9.0, 10, 10])))
auc_cases.append((np.array([5.0, 5, 5]), np.array([5.0, 5])))
auc_out = []
for positives, negatives in auc_cases:
    y = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
    s = np.r_[positives, negatives]
    auc_out.append({"positives": positives.tolist(), "negatives": negatives.tolist(), "auc": roc_auc_score(y, s)})

# A simulated study: 24 synthetic + 20 real cases, 5 readers of varying skill.
m, n, readers = 24, 20, 5
synthetic = np.r_[np.ones(m, bool), np.zeros(n, bool)]
reference = rng.uniform(12, 216, m + n).round(1)
cases = [{"synthetic": bool(synthetic[i]), "reference_months": float(reference[i])} for i in range(m + n)]
readings = []
for r in range(readers):
    skill = [0.0, 0.4, 0.9, 1.5, -0.3][r]
    latent = rng.normal(0, 1, m + n) + skill * synthetic
    says = latent > 0.3
    confidence = np.clip(np.ceil(np.abs(latent - 0.3) * 2.2), 1, 5).astype(int)
    error_sd = 10 + 6 * r
    estimate = np.clip(reference + rng.normal(2 * r - 3, error_sd, m + n) + 8 * synthetic * (r % 2), 0, 240).round()
    readings.append([{"synthetic": bool(says[i]), "confidence": int(confidence[i]), "months": float(estimate[i])}
                     for i in range(m + n)])


def reader_arrays(r):
    says = np.array([x["synthetic"] for x in readings[r]])
    conf = np.array([x["confidence"] for x in readings[r]])
    months = np.array([x["months"] for x in readings[r]])
    return says, score(says, conf), months


def metrics(r, idx):
    says, s, months = reader_arrays(r)
    y = synthetic[idx].astype(int)
    error = np.abs(months[idx] - reference[idx])
    real = y == 0
    out = {
        "auc": roc_auc_score(y, s[idx]),
        "accuracy": accuracy_score(y, says[idx].astype(int)),
        "sensitivity": recall_score(y, says[idx].astype(int), pos_label=1),
        "specificity": recall_score(y, says[idx].astype(int), pos_label=0),
        "mae_real": float(error[real].mean()),
        "mae_synthetic": float(error[~real].mean()),
    }
    out["mae_gap"] = out["mae_synthetic"] - out["mae_real"]
    return out


all_cases = np.arange(m + n)
per_reader = [metrics(r, all_cases) for r in range(readers)]

replicates = 400
synthetic_idx, real_idx = np.flatnonzero(synthetic), np.flatnonzero(~synthetic)
reader_draws, case_draws, pooled, per_reader_replicates = [], [], [], []
for _ in range(replicates):
    rd = rng.integers(0, readers, readers)
    cd = np.r_[rng.choice(synthetic_idx, m, replace=True), rng.choice(real_idx, n, replace=True)]
    reader_draws.append(rd.tolist())
    case_draws.append(cd.tolist())
    each = [metrics(r, cd) for r in range(readers)]
    per_reader_replicates.append([e["auc"] for e in each])
    pooled.append({k: float(np.mean([each[r][k] for r in rd])) for k in each[0]})
metric_names = list(per_reader[0].keys())
pooled_interval = {k: np.percentile([p[k] for p in pooled], [2.5, 97.5]).tolist() for k in metric_names}
reader_auc_interval = [np.percentile([rep[r] for rep in per_reader_replicates], [2.5, 97.5]).tolist()
                       for r in range(readers)]

# Fleiss' kappa on subjects x categories count tables.
fleiss_out = []
tables = [
    rng.multinomial(6, [0.5, 0.5], 30),
    rng.multinomial(4, [0.8, 0.2], 25),
    rng.multinomial(10, [0.2, 0.3, 0.5], 12),
    np.array([[3, 0], [0, 3], [3, 0], [0, 3]]),
    np.array([[2, 1], [1, 2], [2, 1]]),
]
binary_calls = np.array([[x["synthetic"] for x in readings[r]] for r in range(readers)])
tables.append(np.stack([binary_calls.sum(0), readers - binary_calls.sum(0)], axis=1))
for table in tables:
    fleiss_out.append({"table": table.tolist(), "fleiss": fleiss_kappa(table, method="fleiss"),
                       "randolph": fleiss_kappa(table, method="randolph")})

mpmath.mp.dps = 30


def t_quantile_exact(p, df):
    """P(T <= t) = p solved to 30 digits from the regularised incomplete beta function."""
    def cdf(t):
        tail = 0.5 * mpmath.betainc(mpmath.mpf(df) / 2, 0.5, 0, df / (df + t * t), regularized=True)
        return 1 - tail if t >= 0 else tail
    return float(mpmath.findroot(lambda t: cdf(t) - p, stats.t.ppf(p, df)))


t_out = [{"p": p, "df": df, "t": float(stats.t.ppf(p, df)), "t_exact": t_quantile_exact(p, df)}
         for p in [0.5, 0.6, 0.9, 0.975, 0.995, 0.025, 0.001] for df in [1, 2, 3, 5, 9, 19, 43, 200, 2.5]]

ba_out = []
for size in [2, 5, 30, 200]:
    ref = rng.uniform(0, 228, size)
    reader = ref + rng.normal(4, 12, size)
    d = reader - ref
    bias, sd = d.mean(), d.std(ddof=1)
    t = stats.t.ppf(0.975, size - 1)
    half_bias, half_limit = t * sd / np.sqrt(size), t * np.sqrt(3 * sd ** 2 / size)
    lower, upper = bias - 1.96 * sd, bias + 1.96 * sd
    ba_out.append({"reader": reader.tolist(), "reference": ref.tolist(), "bias": bias, "sd": sd,
                   "mae": float(np.abs(d).mean()), "lower": lower, "upper": upper,
                   "bias_ci": [bias - half_bias, bias + half_bias],
                   "lower_ci": [lower - half_limit, lower + half_limit],
                   "upper_ci": [upper - half_limit, upper + half_limit]})

fixture = {
    "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__,
                 "statsmodels": statsmodels.__version__, "mpmath": mpmath.__version__},
    "auc": auc_out,
    "study": {"cases": cases, "readings": readings, "per_reader": per_reader,
              "bootstrap": {"readers": reader_draws, "cases": case_draws, "pooled": pooled,
                            "per_reader_auc": per_reader_replicates, "pooled_interval": pooled_interval,
                            "reader_auc_interval": reader_auc_interval}},
    "fleiss": fleiss_out,
    "t_quantiles": t_out,
    "bland_altman": ba_out,
}
with open(OUT, "w") as f:
    json.dump(fixture, f)
print(f"wrote {OUT}")
