#!/usr/bin/env python3
"""Checks a safetensors file written by Ossify against the fixture tensors.

Usage: /usr/bin/python3 check_ossify_written.py PATH [--metadata KEY=VALUE ...]
Verifies with Python's safetensors that the file holds exactly the tensors of
make_safetensors_fixture.expected_tensors(): same names, dtypes, shapes, and
bit-identical values. Metadata is only checked for the KEY=VALUE pairs given.
Exit 0 = OK; exit 1 = mismatch (each problem printed), bad usage or unreadable file.
"""
import os
import sys

sys.dont_write_bytecode = True  # do not leave __pycache__ in the test tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
from safetensors import safe_open  # noqa: E402

from make_safetensors_fixture import expected_tensors  # noqa: E402


def raw_bytes(t):
    return t.contiguous().reshape(-1).view(torch.uint8)


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 1
    path, want_meta = argv[1], {}
    rest = argv[2:]
    while rest:
        if rest[0] != "--metadata" or len(rest) < 2 or "=" not in rest[1]:
            print("bad arguments: %r" % rest)
            return 1
        k, v = rest[1].split("=", 1)
        want_meta[k] = v
        rest = rest[2:]
    try:
        with safe_open(path, framework="pt") as f:
            meta = f.metadata() or {}
            got = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as e:  # noqa: BLE001
        print("FAIL: cannot read %s with safetensors: %s" % (path, e))
        return 1
    problems = []
    want = expected_tensors()
    for name in sorted(set(want) - set(got)):
        problems.append("missing tensor %r" % name)
    for name in sorted(set(got) - set(want)):
        problems.append("unexpected tensor %r" % name)
    for name in sorted(set(want) & set(got)):
        w, g = want[name], got[name]
        if g.dtype != w.dtype:
            problems.append("%s: dtype %s, expected %s" % (name, g.dtype, w.dtype))
        elif list(g.shape) != list(w.shape):
            problems.append("%s: shape %s, expected %s" % (name, list(g.shape), list(w.shape)))
        elif not torch.equal(raw_bytes(g), raw_bytes(w)):
            problems.append("%s: values %s, expected %s" % (name, g.tolist(), w.tolist()))
    for k, v in want_meta.items():
        if meta.get(k) != v:
            problems.append("metadata[%r] = %r, expected %r" % (k, meta.get(k), v))
    if problems:
        print("FAIL: %s" % path)
        for p in problems:
            print("  " + p)
        return 1
    print("OK: %s matches the fixture (%d tensors, metadata %s)" % (path, len(got), meta))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
