"""Sliced Wasserstein distance exactly as the official PGGAN TF code (metrics/sliced_wasserstein.py), in numpy.

Images are float arrays [N, C, H, W] with pixel values 0..255 (grayscale is tiled to 3 channels as the official
API asserts). Random choices (patch centres, directions) come either from numpy's global RNG, as the official
code, or are passed in explicitly so another implementation can compute the same value on the same choices:

- `centres[level]`: int array [N * patches, 2] of (x, y) patch centres for that level, image-major
  (patches of image 0 first), in [3, S - 4].
- `directions`: float array [repeats, C * 49, per_repeat], each column of unit length.
"""
import numpy as np
import scipy.ndimage

GAUSSIAN = np.float32([[1, 4, 6, 4, 1], [4, 16, 24, 16, 4], [6, 24, 36, 24, 6],
                       [4, 16, 24, 16, 4], [1, 4, 6, 4, 1]]) / 256.0


def pyr_down(minibatch):  # matches cv2.pyrDown()
    return scipy.ndimage.convolve(minibatch, GAUSSIAN[np.newaxis, np.newaxis, :, :], mode='mirror')[:, :, ::2, ::2]


def pyr_up(minibatch):  # matches cv2.pyrUp()
    S = minibatch.shape
    res = np.zeros((S[0], S[1], S[2] * 2, S[3] * 2), minibatch.dtype)
    res[:, :, ::2, ::2] = minibatch
    return scipy.ndimage.convolve(res, GAUSSIAN[np.newaxis, np.newaxis, :, :] * 4.0, mode='mirror')


def laplacian_pyramid(minibatch, num_levels):
    # A copy: np.float32() returns a float32 input itself, which the in-place band-pass step would
    # overwrite (the official code only ever passes uint8 minibatches).
    pyramid = [np.array(minibatch, dtype=np.float32, copy=True)]
    for _ in range(1, num_levels):
        pyramid.append(pyr_down(pyramid[-1]))
        pyramid[-2] -= pyr_up(pyramid[-1])
    return pyramid


def random_centres(n_images, patches, size, nhood=7):
    """Official draw order: x for every descriptor, then y (np.random.randint, high exclusive)."""
    h = nhood // 2
    x = np.random.randint(h, size - h, size=(n_images * patches,))
    y = np.random.randint(h, size - h, size=(n_images * patches,))
    return np.stack([x, y], axis=1)


def descriptors(level, centres, nhood=7):
    """Patches [N * patches, C, 7, 7] around the given centres (the official fancy indexing)."""
    S = level.shape
    n = centres.shape[0]
    patches_per_image = n // S[0]
    h = nhood // 2
    nh, chan, x, y = np.ogrid[0:n, 0:S[1], -h:h + 1, -h:h + 1]
    img = nh // patches_per_image
    x = x + centres[:, 0].reshape(n, 1, 1, 1)
    y = y + centres[:, 1].reshape(n, 1, 1, 1)
    idx = ((img * S[1] + chan) * S[2] + y) * S[3] + x
    return level.flat[idx]


def finalize(desc, official_float32_stats=False):
    """Per-channel normalisation of a set's descriptors.

    The official code takes the mean and std of the float32 array with numpy's float32 accumulator.
    Reduced over axes (0, 2, 3), that sum is not pairwise, and with a million descriptors around 128
    (the low-pass level) it is off by about 1% (mean) and 50% (std), which inflates SWD at the
    lowest resolution for large sets. By default the statistics are taken in float64 (the intended
    math, as Ossify computes them); official_float32_stats=True reproduces the official rounding.
    """
    desc = desc.astype(np.float32)
    if official_float32_stats:
        desc -= np.mean(desc, axis=(0, 2, 3), keepdims=True)
        desc /= np.std(desc, axis=(0, 2, 3), keepdims=True)
    else:
        wide = desc.astype(np.float64)
        mean = np.mean(wide, axis=(0, 2, 3), keepdims=True)
        std = np.std(wide, axis=(0, 2, 3), keepdims=True)
        desc = ((wide - mean) / std).astype(np.float32)
    return desc.reshape(desc.shape[0], -1)


def random_directions(dim, repeats=4, per_repeat=128):
    out = []
    for _ in range(repeats):
        dirs = np.random.randn(dim, per_repeat)
        dirs /= np.sqrt(np.sum(np.square(dirs), axis=0, keepdims=True))
        out.append(dirs.astype(np.float32))
    return np.stack(out)


def sliced_wasserstein(A, B, directions):
    assert A.ndim == 2 and A.shape == B.shape
    results = []
    for dirs in directions:
        projA = np.sort(np.matmul(A, dirs), axis=0)
        projB = np.sort(np.matmul(B, dirs), axis=0)
        results.append(np.mean(np.abs(projA - projB)))
    return np.mean(results)


def resolutions(size, minimum=16):
    out = []
    while size >= minimum:
        out.append(size)
        size //= 2
    return out


def level_descriptors(images, centres_per_level=None, patches=128, batch=256):
    """Per level, the finalized descriptors of a set, fed in minibatches as the official API does."""
    levels = resolutions(images.shape[-1])
    collected = [[] for _ in levels]
    for start in range(0, images.shape[0], batch):
        minibatch = images[start:start + batch]
        for lod, level in enumerate(laplacian_pyramid(minibatch, len(levels))):
            if centres_per_level is None:
                c = random_centres(minibatch.shape[0], patches, level.shape[-1])
            else:
                c = centres_per_level[lod][start * patches:(start + minibatch.shape[0]) * patches]
            collected[lod].append(descriptors(level, c))
    return [finalize(np.concatenate(d, axis=0)) for d in collected]


def swd(images_a, images_b, centres_a=None, centres_b=None, directions=None, patches=128, repeats=4, per_repeat=128):
    """Per-level SWD x 1e3 and their average, as the official API reports them."""
    da = level_descriptors(images_a, centres_a, patches)
    db = level_descriptors(images_b, centres_b, patches)
    dists = []
    for lod, (a, b) in enumerate(zip(da, db)):
        dirs = directions[lod] if directions is not None else random_directions(a.shape[1], repeats, per_repeat)
        dists.append(sliced_wasserstein(a, b, dirs) * 1e3)
    return dists + [float(np.mean(dists))]


def tile_gray(images):
    """[N, 1, H, W] -> [N, 3, H, W] as the official evaluation does."""
    return np.repeat(images, 3, axis=1)
