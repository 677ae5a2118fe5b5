#!/usr/bin/env python3
"""pydicom peer for `ossify bench dicom`: decode one DICOM file (pydicom + its pylibjpeg plugins).
One JSON line per case on stdout.

Usage: /usr/bin/python3 dicom_pydicom.py --file F [--repeats R] [--warmup W]

Cases (the Swift side times the same two):
  bench "dicom_decode": dcmread + pixel_array (stored values, uint16)
  bench "dicom_render": the above + apply_modality_lut + apply_voi_lut (first window) scaled to
                        [0, 1] float32 (what Ossify's reader hands to prepare)
Timing: time.perf_counter around each iteration; W untimed warm-up runs, then R timed; median and
minimum in milliseconds.
"""
import argparse
import json
import statistics
import time

import numpy as np
import pydicom
from pydicom.pixels import apply_modality_lut, apply_voi_lut


def measure(fn, repeats, warmup):
    times = []
    for i in range(warmup + repeats):
        t0 = time.perf_counter()
        fn()
        elapsed = (time.perf_counter() - t0) * 1e3
        if i >= warmup:
            times.append(elapsed)
    return statistics.median(times), min(times)


def decode(path):
    return pydicom.dcmread(path).pixel_array


def render(path):
    ds = pydicom.dcmread(path)
    values = apply_voi_lut(apply_modality_lut(ds.pixel_array, ds), ds).astype(np.float32)
    return values / np.float32(2 ** int(ds.BitsStored) - 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", required=True)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    ds = pydicom.dcmread(args.file)
    plugins = []
    try:
        import pylibjpeg
        import libjpeg
        plugins.append(f"pylibjpeg {pylibjpeg.__version__} + pylibjpeg-libjpeg {libjpeg.__version__}")
    except ImportError:
        pass
    for bench, fn in (("dicom_decode", decode), ("dicom_render", render)):
        median, minimum = measure(lambda: fn(args.file), args.repeats, args.warmup)
        print(json.dumps({"bench": bench, "impl": "pydicom", "median_ms": median, "min_ms": minimum,
                          "pydicom_version": pydicom.__version__, "plugins": ", ".join(plugins),
                          "transfer_syntax": str(ds.file_meta.TransferSyntaxUID)}), flush=True)


if __name__ == "__main__":
    main()
