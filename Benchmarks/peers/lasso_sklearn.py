#!/usr/bin/env python3
"""scikit-learn's LassoCV on the problem `ossify bench lasso` wrote (a safetensors file with x
[n, d] and y [n]): 10-fold KFold without shuffling, the default grid (100 alphas, eps 1e-3), x in
float64. Prints one JSON line: seconds, alpha, its index, coefficients and intercept."""
import argparse
import json
import time

import numpy as np
import sklearn
from safetensors.numpy import load_file
from sklearn.linear_model import LassoCV

parser = argparse.ArgumentParser()
parser.add_argument("data")
parser.add_argument("--folds", type=int, default=10)
args = parser.parse_args()

data = load_file(args.data)
x = np.asarray(data["x"], dtype=np.float64)
y = np.asarray(data["y"], dtype=np.float64)
start = time.perf_counter()
model = LassoCV(cv=args.folds).fit(x, y)
seconds = time.perf_counter() - start
print(json.dumps({
    "impl": "sklearn", "sklearn_version": sklearn.__version__, "seconds": seconds, "lambda": model.alpha_,
    "lambda_index": int(np.argmin(np.abs(model.alphas_ - model.alpha_))), "nonzero": int(np.count_nonzero(model.coef_)),
    "intercept": model.intercept_, "coef": model.coef_.tolist(),
}))
