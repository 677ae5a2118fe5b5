"""MS-SSIM exactly as the official PGGAN TF code (metrics/ms_ssim.py, from tensorflow/models), in numpy/scipy.

Images are uint8 or float arrays [N, H, W, C] with dynamic range 0..255; `msssim(a, b)` returns the mean over
pairs (a[i], b[i]); `msssim_per_pair` returns each pair's value and the per-level ssim/cs.
Run as a script to print the spec's golden value (pggan-spec.md section 4.3).
"""
import numpy as np
from scipy import signal

WEIGHTS = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333])


def fspecial_gauss(size, sigma):
    radius = size // 2
    offset = 0.0
    start, stop = -radius, radius + 1
    if size % 2 == 0:
        offset = 0.5
        stop -= 1
    x, y = np.mgrid[offset + start:stop, offset + start:stop]
    assert len(x) == size
    g = np.exp(-((x ** 2 + y ** 2) / (2.0 * sigma ** 2)))
    return g / g.sum()


def ssim_for_multiscale(img1, img2, max_val=255, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, dtype=np.float32):
    img1 = img1.astype(dtype)
    img2 = img2.astype(dtype)
    _, height, width, _ = img1.shape
    size = min(filter_size, height, width)
    sigma = size * filter_sigma / filter_size if filter_size else 0
    window = np.reshape(fspecial_gauss(size, sigma), (1, size, size, 1))
    mu1 = signal.fftconvolve(img1, window, mode='valid')
    mu2 = signal.fftconvolve(img2, window, mode='valid')
    sigma11 = signal.fftconvolve(img1 * img1, window, mode='valid')
    sigma22 = signal.fftconvolve(img2 * img2, window, mode='valid')
    sigma12 = signal.fftconvolve(img1 * img2, window, mode='valid')
    mu11 = mu1 * mu1
    mu22 = mu2 * mu2
    mu12 = mu1 * mu2
    sigma11 -= mu11
    sigma22 -= mu22
    sigma12 -= mu12
    c1 = (k1 * max_val) ** 2
    c2 = (k2 * max_val) ** 2
    v1 = 2.0 * sigma12 + c2
    v2 = sigma11 + sigma22 + c2
    ssim = np.mean((((2.0 * mu12 + c1) * v1) / ((mu11 + mu22 + c1) * v2)), axis=(1, 2, 3))
    cs = np.mean(v1 / v2, axis=(1, 2, 3))
    return ssim, cs


def hox_downsample(img):
    return (img[:, 0::2, 0::2, :] + img[:, 1::2, 0::2, :] + img[:, 0::2, 1::2, :] + img[:, 1::2, 1::2, :]) * 0.25


def msssim_levels(img1, img2, dtype=np.float32):
    """Per-level ssim and cs, each [5, N], before clipping. The official code works in float32;
    dtype=np.float64 gives the same algorithm without its rounding."""
    im1, im2 = [x.astype(dtype) for x in [img1, img2]]
    mssim, mcs = [], []
    for _ in range(WEIGHTS.size):
        ssim, cs = ssim_for_multiscale(im1, im2, dtype=dtype)
        mssim.append(ssim)
        mcs.append(cs)
        im1, im2 = [hox_downsample(x) for x in [im1, im2]]
    return np.asarray(mssim), np.asarray(mcs)


def msssim_per_pair(img1, img2, dtype=np.float32):
    mssim, mcs = msssim_levels(img1, img2, dtype)
    mssim = np.clip(mssim, 0.0, np.inf)
    mcs = np.clip(mcs, 0.0, np.inf)
    return np.prod(mcs[:-1, :] ** WEIGHTS[:-1, np.newaxis], axis=0) * (mssim[-1, :] ** WEIGHTS[-1])


def msssim(img1, img2):
    return float(np.mean(msssim_per_pair(img1, img2)))


def golden_images(phase, size=64):
    """The spec's golden pattern: two images [2, size, size, 1] uint8."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    images = []
    for i in range(2):
        v = np.rint(127.5 + 100 * np.sin(0.07 * (x * (i + 1) + 2 * y) + phase) * np.cos(0.05 * y * (i + 1)))
        images.append(np.clip(v, 0, 255).astype(np.uint8))
    return np.stack(images)[..., np.newaxis]


if __name__ == '__main__':
    a, b = golden_images(0.0), golden_images(0.9)
    ssim, cs = msssim_levels(a, b)
    print('msssim(a, b) =', '%.8f' % msssim(a, b), ' msssim(a, a) =', msssim(a, a))
    print('level-0 ssim', ssim[0], 'cs', cs[0])
    ssim64, cs64 = msssim_levels(a, b, np.float64)
    print('float64: msssim(a, b) = %.10f' % np.mean(msssim_per_pair(a, b, np.float64)), 'level-0 ssim', ssim64[0], 'cs', cs64[0])
