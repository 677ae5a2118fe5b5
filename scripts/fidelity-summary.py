#!/usr/bin/env python3
"""One line per conditional run from its last `evaluate --metrics fidelity` record.

    python3 scripts/fidelity-summary.py [--all] [--bias-target MONTHS] RUN [RUN ...]

Prints the slope of the CNN-read age on the requested age (bin centres, years 2-17, both sexes),
the mean and worst |bias| over years 2-17 and over every year, how often the sex classifier read
the requested sex, its accuracy on real images, and the mean intra-FID: the figures the README's
fidelity rows quote. Against the issue's per-bin targets: how many bins (year x sex, 2-17) have
|bias| <= the bias target (6 months, the phantoms' target; 12 for RSNA), the mean per-bin MAE beside the reader's own MAE on real images of the bins and
how many bins come within 3 months of it, and the bias beyond the reader's own bias on real images
(|bias - real bias|: how far the generated hands are read from where the same reader reads real
ones), its worst bin, how many bins come within the bias target of it, and how many bins the
reader itself misses the target on with real images (where no generator faithful to real hands can
meet it as read by that reader). A run evaluated with `--direction` (an unconditional GAN steered along the lasso's age
direction) prints the same figures, with no sex check; a record made with `--truncation` names its
psi. With --all, one line per record (each snapshot and reader evaluated), naming the snapshot and
the readers."""
import argparse
import json
import os
import sys

import numpy as np

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("runs", nargs="+", metavar="RUN", help="a conditional run folder with metric-fidelity.jsonl")
parser.add_argument("--all", action="store_true", dest="every_record",
                    help="one line per record (each snapshot and reader evaluated), not only the last")
parser.add_argument("--bias-target", type=float, default=6.0, metavar="MONTHS",
                    help="the per-bin |bias| target: 6 (phantoms, the default) or 12 (RSNA)")
options = parser.parse_args()
target = options.bias_target
target_name = f"{target:g}"


def percent(share):
    """A share as a percentage; None where nothing was measured (no sex model, or no sex requested)."""
    return None if share is None else round(100 * share, 1)


def summary(run, record):
    bins = [b for b in record["bins"] if 2 <= b["year"] <= 17]
    requested = np.array([12 * b["year"] + 6 for b in bins], float)
    read = requested + np.array([b["bias"] for b in bins])
    inner = [abs(b["bias"]) for b in bins]
    every = [abs(b["bias"]) for b in record["bins"]]
    line = {"run": run, "kimg": record["kimg"],
            "slope_2_17": round(float(np.polyfit(requested, read, 1)[0]), 2),
            "mean_abs_bias_2_17": round(float(np.mean(inner)), 1), "worst_2_17": round(max(inner), 1),
            "mean_abs_bias_all": round(float(np.mean(every)), 1), "worst_all": round(max(every), 1),
            "bins_2_17": len(bins), f"bins_abs_bias_le_{target_name}": sum(b <= target for b in inner),
            "mean_mae_2_17": round(float(np.mean([b["mae"] for b in bins])), 1),
            "sex_read_as_requested": percent(record.get("sex_accuracy")),
            "sex_on_real_images": percent(record.get("real_sex_accuracy")),
            "mean_intra_fid": None if record.get("mean_intra_fid") is None else round(record["mean_intra_fid"], 2),
            "steering": record.get("steering", "the snapshot's label")}
    # The targets read against the reader's own error on real images of each bin.
    judged = [b for b in bins if b.get("real_bias") is not None and b.get("real_mae") is not None]
    if judged:
        beyond = [abs(b["bias"] - b["real_bias"]) for b in judged]
        line.update({"reader_mae_on_reals_2_17": round(float(np.mean([b["real_mae"] for b in judged])), 1),
                     "bins_mae_within_3_of_reader": sum(b["mae"] - b["real_mae"] <= 3 for b in judged),
                     "mean_abs_bias_beyond_reader_2_17": round(float(np.mean(beyond)), 1),
                     "worst_beyond_reader_2_17": round(max(beyond), 1),
                     f"bins_bias_within_{target_name}_of_reader": sum(x <= target for x in beyond),
                     f"bins_reader_misses_{target_name}_on_reals": sum(abs(b["real_bias"]) > target for b in judged)})
    if record.get("truncation", 1) != 1:
        line["truncation"] = record["truncation"]
    if options.every_record:
        line.update({"snapshot": record.get("snapshot"), "age_model": record.get("age_model"),
                     "sex_model": record.get("sex_model")})
    print(json.dumps(line))


for run in options.runs:
    path = os.path.join(run, "metric-fidelity.jsonl")
    if not os.path.exists(path):
        sys.exit(f"{path}: no fidelity record (run ossify evaluate --metrics fidelity first)")
    with open(path) as f:
        records = [json.loads(line) for line in f if line.strip()]
    for record in records if options.every_record else records[-1:]:
        summary(run, record)
