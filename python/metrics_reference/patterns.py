"""Deterministic test images defined by formula, so Swift tests can rebuild them without binary fixtures.

Every value is computed in float64 and rounded half-to-even (numpy rint), then clipped to 0..255;
the noise term uses 32-bit integer arithmetic only. Tests/GANMetricsTests/Patterns.swift mirrors this file.
"""
import numpy as np

MASK = np.uint64(0xFFFFFFFF)


def hash_noise(k, x, y, amplitude):
    """Integer noise in [-amplitude, amplitude] from a 32-bit hash of (k, x, y)."""
    k = np.uint64(k)
    x = x.astype(np.uint64)
    y = y.astype(np.uint64)
    h = ((k * np.uint64(83492791)) & MASK) ^ ((x * np.uint64(73856093)) & MASK) ^ ((y * np.uint64(19349663)) & MASK)
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(1274126177)) & MASK
    h ^= h >> np.uint64(16)
    return (h % np.uint64(2 * amplitude + 1)).astype(np.int64) - amplitude


def grid(size):
    y, x = np.mgrid[0:size, 0:size]
    return x, y


def to_uint8(v):
    return np.clip(np.rint(v), 0, 255).astype(np.uint8)


def msssim_pair_image(k, j, size=256):
    """Image j (0 or 1) of pair k: a tilted wave pattern plus hash noise."""
    x, y = grid(size)
    xf, yf = x.astype(np.float64), y.astype(np.float64)
    v = 127.5 + 80 * np.sin(0.045 * (xf * (k + 1) + 1.7 * yf) + 0.8 * j + 0.3 * k) * np.cos(0.021 * yf * (k + 2) - 0.4 * j)
    return to_uint8(v + hash_noise(2 * k + j, x, y, 20))


def textured_image(s, i, size):
    """A statistically homogeneous image: a wave with a per-image phase and frequency, plus hash noise;
    set s has larger waves and more noise, so sets differ in a way that is the same everywhere."""
    x, y = grid(size)
    xf, yf = x.astype(np.float64), y.astype(np.float64)
    phase = float(hash_noise(7919 + s, np.array([i]), np.array([1]), 500)[0]) / 100.0
    freq = 0.25 + float(hash_noise(104729 + s, np.array([i]), np.array([2]), 100)[0] + 100) / 1000.0
    v = 128 + (40 + 20 * s) * np.sin(freq * (xf + 0.6 * yf) + phase)
    return to_uint8(v + hash_noise(5000 + 1000 * s + i, x, y, 20 + 10 * s))


def textured_set(s, count, size):
    return np.stack([textured_image(s, i, size) for i in range(count)])[:, np.newaxis].astype(np.float32)
