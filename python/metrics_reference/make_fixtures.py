"""Writes the GANMetrics test fixtures (Tests/GANMetricsTests/Fixtures) from the reference implementations.

    /usr/bin/python3 python/metrics_reference/make_fixtures.py [msssim] [swd] [swd-random] [frechet]

Needs numpy, scipy, torch, safetensors and pytorch_msssim. Images come from patterns.py formulas, which the
Swift tests mirror, so only choices that cannot be rebuilt (patch centres, directions, features) are stored.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frechet_reference as fr  # noqa: E402
import msssim_reference as ms  # noqa: E402
import patterns  # noqa: E402
import swd_reference as swd  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'Tests', 'GANMetricsTests', 'Fixtures')


def write_json(name, value):
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(value, f, indent=1, sort_keys=True)
        f.write('\n')


def make_msssim():
    import torch
    from pytorch_msssim import ms_ssim
    a = np.stack([patterns.msssim_pair_image(k, 0) for k in range(4)])[..., np.newaxis]
    b = np.stack([patterns.msssim_pair_image(k, 1) for k in range(4)])[..., np.newaxis]
    official = ms.msssim_per_pair(a, b)
    official64 = ms.msssim_per_pair(a, b, np.float64)
    ssim, cs = ms.msssim_levels(a, b)
    ta = torch.from_numpy(a.transpose(0, 3, 1, 2).astype(np.float64))
    tb = torch.from_numpy(b.transpose(0, 3, 1, 2).astype(np.float64))
    peer = ms_ssim(ta, tb, data_range=255, size_average=False).numpy()
    print('official', official, 'pytorch_msssim', peer, 'max diff', np.max(np.abs(official - peer)))
    write_json('msssim_256.json', {
        'description': '4 pairs of 256x256 images from patterns.msssim_pair_image(k, 0|1)',
        'official_per_pair': official.tolist(), 'pytorch_msssim_per_pair': peer.tolist(),
        'official_mean': float(np.mean(official)), 'level_ssim': ssim.tolist(), 'level_cs': cs.tolist(),
        'official_float64_per_pair': official64.tolist(),
    })
    # The spec's golden pair (64x64), with the official float32 numbers and the float64 ones.
    ga, gb = ms.golden_images(0.0), ms.golden_images(0.9)
    golden = {'description': 'spec section 4.3 golden images (msssim_reference.golden_images, phases 0 and 0.9)'}
    for name, dtype in (('float32', np.float32), ('float64', np.float64)):
        gs, gc = ms.msssim_levels(ga, gb, dtype)
        golden[name] = {'msssim': float(np.mean(ms.msssim_per_pair(ga, gb, dtype))), 'level_ssim': gs.tolist(),
                        'level_cs': gc.tolist()}
    print('golden', golden['float32']['msssim'], golden['float64']['msssim'])
    write_json('msssim_golden.json', golden)


def make_swd_exact():
    from safetensors.numpy import save_file
    count, size, patches, repeats, per_repeat = 16, 32, 32, 2, 16
    a, b = patterns.textured_set(0, count, size), patterns.textured_set(1, count, size)
    rng = np.random.RandomState(20240601)
    levels = swd.resolutions(size)
    tensors = {}
    centres_a, centres_b, tiled_dirs, single_dirs = [], [], [], []
    for lod, res in enumerate(levels):
        for name, store in (('a', centres_a), ('b', centres_b)):
            c = rng.randint(3, res - 3, size=(count * patches, 2)).astype(np.int64)
            store.append(c)
            tensors['centres_%s_%d' % (name, lod)] = c
        for name, dim, store in (('tiled', 147, tiled_dirs), ('single', 49, single_dirs)):
            d = rng.randn(repeats, dim, per_repeat)
            d /= np.sqrt(np.sum(d ** 2, axis=1, keepdims=True))
            d = d.astype(np.float32)
            store.append(d)
            tensors['directions_%s_%d' % (name, lod)] = d
    tiled = swd.swd(swd.tile_gray(a), swd.tile_gray(b), centres_a, centres_b, tiled_dirs, patches)
    single = swd.swd(a, b, centres_a, centres_b, single_dirs, patches)
    save_file(tensors, os.path.join(OUT, 'swd_exact.safetensors'))
    print('swd exact tiled', tiled, 'single', single)
    write_json('swd_exact.json', {
        'description': 'patterns.textured_set(0|1, 16, 32); explicit centres and directions in swd_exact.safetensors',
        'count': count, 'size': size, 'patches': patches, 'resolutions': levels,
        'tiled': [float(v) for v in tiled], 'single': [float(v) for v in single],
    })


def make_swd_random(seeds=32):
    count, size = 128, 32
    a, b = swd.tile_gray(patterns.textured_set(0, count, size)), swd.tile_gray(patterns.textured_set(1, count, size))
    runs = []
    for seed in range(seeds):
        np.random.seed(seed)
        runs.append(swd.swd(a, b))
    runs = np.array(runs, dtype=np.float64)
    print('swd random mean', runs.mean(0), 'std', runs.std(0, ddof=1))
    write_json('swd_random.json', {
        'description': 'official random path (numpy global RNG, seeds 0..%d) on patterns.textured_set(0|1, %d, %d)'
                       % (seeds - 1, count, size),
        'count': count, 'size': size, 'seeds': seeds, 'resolutions': swd.resolutions(size),
        'mean': runs.mean(0).tolist(), 'std': runs.std(0, ddof=1).tolist(),
    })


def make_frechet():
    from safetensors.numpy import save_file
    rng = np.random.RandomState(7)
    n, d = 300, 64
    mix_a = rng.randn(d, d) / np.sqrt(d)
    mix_b = mix_a + 0.3 * rng.randn(d, d) / np.sqrt(d)
    a = (rng.randn(n, d) @ mix_a + 0.5).astype(np.float32)
    b = (rng.randn(n, d) @ mix_b + 0.5 + 0.1 * rng.randn(d)).astype(np.float32)
    save_file({'features_a': a, 'features_b': b}, os.path.join(OUT, 'frechet_300x64.safetensors'))
    fid = fr.fid_from_features(a, b)
    # With subsets as large as the sets, every subset is the whole set: KID no longer depends on the draw.
    kid = fr.kid(a, b, num_subsets=3, max_subset_size=1000)
    logits = inception_logits()
    is_mean, is_std = fr.inception_score(fr.softmax(logits))
    print('fid', fid, 'kid', kid, 'is', is_mean, is_std)
    write_json('frechet.json', {
        'description': 'features_a, features_b [300, 64] float32 in frechet_300x64.safetensors; '
                       'IS on inception_logits() (formula, 200 x 1008)',
        'fid': fid, 'kid': kid, 'is_mean': is_mean, 'is_std': is_std,
    })


def inception_logits(count=200, classes=1008):
    """Logits by formula (Swift tests mirror it): a wave plus a peak at class (7 n) mod 1008."""
    n, c = np.mgrid[0:count, 0:classes].astype(np.float64)
    logits = 4 * np.sin(0.013 * (n + 1) * (c + 1))
    logits[np.arange(count), (7 * np.arange(count)) % classes] += 6
    return logits


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    jobs = sys.argv[1:] or ['msssim', 'swd', 'swd-random', 'frechet']
    for job in jobs:
        {'msssim': make_msssim, 'swd': make_swd_exact, 'swd-random': make_swd_random, 'frechet': make_frechet}[job]()
