#!/usr/bin/env python3
"""Makes Tests/LatentLabTests/Fixtures/lasso_sklearn.safetensors: a small planted sparse linear
problem and scikit-learn's LassoCV fit of it (10-fold KFold without shuffling, default grid of
100 alphas with eps 1e-3, Gram precomputation as scikit-learn chooses). Run from the repo root:

    /usr/bin/python3 python/latent_reference/lasso_fixture.py
"""
import sys

import numpy as np
import sklearn
from safetensors.numpy import save_file
from sklearn.linear_model import LassoCV

OUT = sys.argv[1] if len(sys.argv) > 1 else "Tests/LatentLabTests/Fixtures/lasso_sklearn.safetensors"

rng = np.random.default_rng(7)
n, d = 300, 24
x = rng.standard_normal((n, d)) * rng.uniform(0.5, 2.0, d) + rng.uniform(-1, 1, d)
beta = np.zeros(d)
beta[[1, 4, 9, 17]] = [3.0, -2.0, 1.5, 0.75]
y = 120.0 + x @ beta + rng.standard_normal(n) * 1.5

model = LassoCV(cv=10).fit(x, y)
save_file(
    {
        "x": x,
        "y": y,
        "true_coef": beta,
        "alphas": model.alphas_,
        # [fold, alpha]; contiguous, since safetensors writes a strided view's raw buffer.
        "mse_path": np.ascontiguousarray(model.mse_path_.T),
        "alpha": np.array([model.alpha_]),
        "coef": model.coef_,
        "intercept": np.array([model.intercept_]),
    },
    OUT,
    metadata={"producer": "python/latent_reference/lasso_fixture.py", "sklearn": sklearn.__version__},
)
print(f"wrote {OUT}: alpha {model.alpha_:.6g}, nonzero {np.count_nonzero(model.coef_)}, sklearn {sklearn.__version__}")
