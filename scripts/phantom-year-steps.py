#!/usr/bin/env python3
"""How much a phantom changes from one whole year of bone age to the next, per sex.

    python3 scripts/phantom-year-steps.py [--ossify .build/release/ossify] [--count 300] [--size 64] [--seed 5]

Renders the same phantoms (same set seed and ids, so the same pose, build, sex and timing jitter)
at every whole year from 8 to 19 with `ossify phantom --age`, and prints per sex the mean absolute
change of the 8-bit pixels (in [0, 1]) from each year to the next. A step near 0 means a reader
cannot tell that year from the next at this size.
"""
import argparse
import csv
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ossify", default=".build/release/ossify")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    years = list(range(8, 20))
    with tempfile.TemporaryDirectory() as folder:
        images, sexes = {}, None
        for year in years:
            out = Path(folder) / f"{year}"
            subprocess.run([args.ossify, "phantom", "--count", str(args.count), "--size", str(args.size),
                            "--seed", str(args.seed), "--age", str(12 * year), "--out", str(out), "--quiet"], check=True, stdout=subprocess.DEVNULL)
            rows = list(csv.DictReader(open(out / "labels.csv")))
            if sexes is None:
                sexes = {row["id"]: row["male"].lower() in ("true", "1") for row in rows}
            images[year] = {row["id"]: np.asarray(Image.open(out / f"{row['id']}.png"), dtype=np.float64) / 255 for row in rows}
        for is_male in (False, True):
            ids = [i for i, male in sexes.items() if male == is_male]
            steps = [np.mean([np.abs(images[b][i] - images[a][i]).mean() for i in ids]) for a, b in zip(years, years[1:])]
            print(f"{'boys' if is_male else 'girls'} ({len(ids)}): " + "  ".join(
                f"{a}→{b} {step:.4f}" for (a, b), step in zip(zip(years, years[1:]), steps)))


if __name__ == "__main__":
    main()
