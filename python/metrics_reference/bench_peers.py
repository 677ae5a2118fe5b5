"""Peers for the GANMetrics benchmark (GANMetrics.MetricsBenchmark): the reference implementations timed on
the inputs the Swift side measured, read from one safetensors file. Prints one JSON line per case.

    /usr/bin/python3 bench_peers.py INPUTS.safetensors [swd] [msssim] [frechet]

INPUTS holds `swd_a`, `swd_b` ([N, 1, S, S] uint8), `msssim` ([2P, 1, S, S] uint8, consecutive pairs) and
`features_a`, `features_b` ([n, d] float32), whichever cases are asked for.
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frechet_reference as fr  # noqa: E402
import msssim_reference as ms  # noqa: E402
import swd_reference as swd  # noqa: E402


def main():
    from safetensors.numpy import load_file
    inputs = load_file(sys.argv[1])
    cases = sys.argv[2:] or ['swd', 'msssim', 'frechet']
    if 'swd' in cases:
        a = swd.tile_gray(inputs['swd_a'].astype(np.float32))
        b = swd.tile_gray(inputs['swd_b'].astype(np.float32))
        np.random.seed(0)
        start, cpu = time.time(), time.process_time()
        values = swd.swd(a, b)
        seconds, cpu = time.time() - start, time.process_time() - cpu
        print(json.dumps({'case': 'swd', 'peer': 'numpy official (tiled, float32)', 'images': int(a.shape[0]),
                          'seconds': seconds, 'cpu_seconds': cpu, 'values': [float(v) for v in values]}), flush=True)
    if 'msssim' in cases:
        images = inputs['msssim'].transpose(0, 2, 3, 1)
        minibatch = int(np.clip(8192 // images.shape[1], 4, 256))  # the official evaluation's minibatch
        start, cpu = time.time(), time.process_time()
        per_pair = [ms.msssim_per_pair(images[i:i + minibatch:2], images[i + 1:i + minibatch:2])
                    for i in range(0, images.shape[0], minibatch)]
        value = float(np.mean(np.concatenate(per_pair)))
        seconds, cpu = time.time() - start, time.process_time() - cpu
        print(json.dumps({'case': 'msssim', 'peer': 'numpy/scipy official (FFT, float32)', 'pairs': int(images.shape[0] // 2),
                          'seconds': seconds, 'cpu_seconds': cpu, 'value': value}), flush=True)
    if 'frechet' in cases:
        start, cpu = time.time(), time.process_time()
        value = fr.fid_from_features(inputs['features_a'], inputs['features_b'])
        seconds, cpu = time.time() - start, time.process_time() - cpu
        print(json.dumps({'case': 'frechet', 'peer': 'numpy cov + scipy sqrtm (pytorch-fid)', 'n': int(inputs['features_a'].shape[0]),
                          'd': int(inputs['features_a'].shape[1]), 'seconds': seconds, 'cpu_seconds': cpu, 'value': value}), flush=True)


if __name__ == '__main__':
    main()
