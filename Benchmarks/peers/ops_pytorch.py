#!/usr/bin/env python3
"""PyTorch peer for the Ossify ops benchmark (float32, CPU). One JSON line per case on stdout.

Usage: /usr/bin/python3 ops_pytorch.py [--threads N] [--repeats R] [--warmup W]

Output keys (a Swift implementation must produce the same "bench"/"shape" strings):
  {"bench", "impl": "pytorch", "shape", "median_ms", "min_ms", "gflops", "threads", "torch_version"}
Cases, shape strings and FLOP counts (gflops = flops / median_seconds / 1e9):
  bench "matmul": n in [128, 256, 512, 1024, 2048], a, b = randn(n, n); timed: a @ b
    shape = f"{n}x{n}x{n}"                       (M x K x N), e.g. "1024x1024x1024"
    flops = 2 * n**3
  bench "conv2d_fwd_bwd": (B, Cin, Cout, HW, k) in
      (16, 1, 32, 64, 3), (16, 32, 64, 32, 3), (16, 128, 128, 16, 3), (8, 256, 256, 8, 3)
    x = randn(B, Cin, HW, HW), w = randn(Cout, Cin, k, k), bias = randn(Cout), all requires_grad;
    stride 1, padding k // 2 (so output is B x Cout x HW x HW).
    timed: y = conv2d(x, w, bias, padding=k//2); y.sum().backward()   (grads set to None before, untimed)
    shape = f"n{B}_c{Cin}-{Cout}_hw{HW}_k{k}",  e.g. "n16_c32-64_hw32_k3"
    flops = 3 * (2 * B * Cout * HW * HW * Cin * k * k)   (fwd + bwd counted as 3x fwd)
Timing: time.perf_counter around each iteration; W untimed warmup iterations, then R timed;
median_ms / min_ms over the R timings.
"""
import argparse
import json
import os
import statistics
import time

import torch
import torch.nn.functional as F

MATMUL_SIZES = [128, 256, 512, 1024, 2048]
CONV_CONFIGS = [(16, 1, 32, 64, 3), (16, 32, 64, 32, 3), (16, 128, 128, 16, 3), (8, 256, 256, 8, 3)]


def measure(fn, repeats, warmup, before=None):
    times = []
    for i in range(warmup + repeats):
        if before is not None:
            before()
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        if i >= warmup:
            times.append(dt)
    return statistics.median(times), min(times)


def emit(bench, shape, flops, med, mn, threads):
    print(json.dumps({
        "bench": bench, "impl": "pytorch", "shape": shape,
        "median_ms": med * 1e3, "min_ms": mn * 1e3, "gflops": flops / med / 1e9,
        "threads": threads, "torch_version": torch.__version__,
    }), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    torch.manual_seed(0)

    for n in MATMUL_SIZES:
        a, b = torch.randn(n, n), torch.randn(n, n)
        med, mn = measure(lambda: a @ b, args.repeats, args.warmup)
        emit("matmul", "%dx%dx%d" % (n, n, n), 2.0 * n ** 3, med, mn, threads)

    for (B, cin, cout, hw, k) in CONV_CONFIGS:
        x = torch.randn(B, cin, hw, hw, requires_grad=True)
        w = torch.randn(cout, cin, k, k, requires_grad=True)
        bias = torch.randn(cout, requires_grad=True)

        def clear():
            x.grad = w.grad = bias.grad = None

        def step():
            y = F.conv2d(x, w, bias, stride=1, padding=k // 2)
            y.sum().backward()

        med, mn = measure(step, args.repeats, args.warmup, before=clear)
        flops = 3.0 * 2 * B * cout * hw * hw * cin * k * k
        emit("conv2d_fwd_bwd", "n%d_c%d-%d_hw%d_k%d" % (B, cin, cout, hw, k), flops, med, mn, threads)


if __name__ == "__main__":
    main()
