#!/usr/bin/env python3
"""One line per conditional run from its last `evaluate --metrics fidelity` record.

    python3 scripts/fidelity-summary.py RUN [RUN ...]

Prints the slope of the CNN-read age on the requested age (bin centres, years 2-17, both sexes),
the mean and worst |bias| over years 2-17 and over every year, how often the sex classifier read
the requested sex, its accuracy on real images, and the mean intra-FID: the figures the README's
fidelity rows quote."""
import json
import os
import sys

import numpy as np

if len(sys.argv) < 2:
    sys.exit(__doc__)
for run in sys.argv[1:]:
    path = os.path.join(run, "metric-fidelity.jsonl")
    if not os.path.exists(path):
        sys.exit(f"{path}: no fidelity record (run ossify evaluate --metrics fidelity first)")
    with open(path) as f:
        record = [json.loads(line) for line in f if line.strip()][-1]
    bins = [b for b in record["bins"] if 2 <= b["year"] <= 17]
    requested = np.array([12 * b["year"] + 6 for b in bins], float)
    read = requested + np.array([b["bias"] for b in bins])
    inner = [abs(b["bias"]) for b in bins]
    every = [abs(b["bias"]) for b in record["bins"]]
    print(json.dumps({"run": run, "kimg": record["kimg"],
                      "slope_2_17": round(float(np.polyfit(requested, read, 1)[0]), 2),
                      "mean_abs_bias_2_17": round(float(np.mean(inner)), 1), "worst_2_17": round(max(inner), 1),
                      "mean_abs_bias_all": round(float(np.mean(every)), 1), "worst_all": round(max(every), 1),
                      "sex_read_as_requested": round(100 * record["sex_accuracy"], 1),
                      "sex_on_real_images": round(100 * record["real_sex_accuracy"], 1),
                      "mean_intra_fid": round(record.get("mean_intra_fid", float("nan")), 2)}))
