#!/usr/bin/env python3
"""Writes python_written.safetensors (next to this script) with Python's safetensors.

Run with: /usr/bin/python3 make_safetensors_fixture.py   (needs torch + safetensors)
expected_tensors() is also imported by check_ossify_written.py.
"""
import os
import sys

import torch
from safetensors.torch import save_file

METADATA = {"producer": "make_safetensors_fixture.py"}


def expected_tensors():
    return {
        "f32": torch.tensor([[1.5, -2.0, 3.25], [0.0, 1e-3, -7.5]], dtype=torch.float32),
        "f64": torch.tensor([3.141592653589793, -1e-300, 2.5], dtype=torch.float64),
        # Built from Python ints: 9007199254740993 (2^53 + 1) is not a float64.
        "i64": torch.tensor([[1, -2], [9007199254740993, -4]], dtype=torch.int64),
        "u8": torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True], dtype=torch.bool),
        "f16": torch.tensor([1.0, -0.5], dtype=torch.float16),
        "bf16": torch.tensor([2.0, -3.0], dtype=torch.bfloat16),
        "scalar": torch.tensor(42.0, dtype=torch.float32),
        "empty": torch.zeros((0, 3), dtype=torch.float32),
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "python_written.safetensors")
    save_file(expected_tensors(), out, metadata=METADATA)
    print("wrote %s (%d bytes)" % (out, os.path.getsize(out)))


if __name__ == "__main__":
    main()
