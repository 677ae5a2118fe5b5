"""References for the realism metrics of GANMetrics, and the fixtures the Swift tests compare with.

    /usr/bin/python3 python/metrics_reference/realism_reference.py

Writes Tests/GANMetricsTests/Fixtures/roc_auc.json (scores with many ties, labels, and
scikit-learn's roc_auc_score for several subsets) and precision_recall.json (two seeded feature
sets and their improved precision/recall, Kynkaenniemi et al. 2019, for k = 1, 3, 5).

precision_recall below restates the official algorithm (kynkaat/improved-precision-and-recall-metric,
`ManifoldEstimator`): each reference point's radius is the distance to its k-th nearest neighbour
in its own set (the point itself excluded); a query is inside the manifold when its distance to
some reference point is at most that point's radius. Distances are exact float64 Euclidean ones.
"""
import json
import os

import numpy as np
from sklearn.metrics import roc_auc_score

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'Tests', 'GANMetricsTests', 'Fixtures')


def pairwise(a, b):
    return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))


def radii(points, k):
    distances = pairwise(points, points)
    # Column 0 of each sorted row is the point itself (distance 0).
    return np.sort(distances, axis=1)[:, k]


def coverage(queries, reference, k):
    inside = pairwise(queries, reference) <= radii(reference, k)[None, :]
    return float(inside.any(axis=1).mean())


def precision_recall(real, generated, k):
    return coverage(generated, real, k), coverage(real, generated, k)


def write(name, value):
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(value, f, sort_keys=True)
        f.write('\n')


def main():
    rng = np.random.default_rng(13)
    # Scores on a coarse grid, so ties between and within the classes are common.
    labels = rng.integers(0, 2, 301)
    scores = np.round(rng.normal(0.6 * labels, 1.0), 1)
    cases = []
    for count in (301, 40, 7):
        y, s = labels[:count], scores[:count]
        cases.append({'count': count, 'auc': float(roc_auc_score(y, s))})
    write('roc_auc.json', {'description': 'realism_reference.py: sklearn.metrics.roc_auc_score on the first `count` items',
                           'labels': labels.tolist(), 'scores': scores.tolist(), 'cases': cases})

    real = rng.normal(0, 1, (220, 8))
    generated = np.concatenate([rng.normal(0.4, 0.7, (150, 8)), rng.normal(3, 0.5, (30, 8))])
    results = []
    for k in (1, 3, 5):
        p, r = precision_recall(real, generated, k)
        results.append({'k': k, 'precision': p, 'recall': r})
        print('k', k, 'precision', p, 'recall', r)
    write('precision_recall.json', {'description': 'realism_reference.py: improved precision/recall of `generated` against `real`',
                                    'real': real.tolist(), 'generated': generated.tolist(), 'results': results})


if __name__ == '__main__':
    main()
