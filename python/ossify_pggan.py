"""PyTorch twins of Ossify's PGGAN networks (Sources/ProGAN), parameter for parameter.

State-dict names are identical to the Swift modules, so an Ossify snapshot's generator loads
directly:

    from safetensors.torch import load_file
    import ossify_pggan
    g = ossify_pggan.generator_from_snapshot("runs/00000-x/snapshot-000120.safetensors")  # Gs
    images = g(z)                       # [N, 1, R, R] in about [-1, 1]

Weights are stored as N(0, 1) and scaled at run time by gain / sqrt(fan_in) (equalized learning
rate); biases are not scaled. The options JSON in the snapshot's metadata gives the architecture.
"""
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def feature_maps(stage, fmap_base, fmap_decay, fmap_max):
    return min(int(math.floor(fmap_base / 2 ** (stage * fmap_decay))), fmap_max)


def pixel_norm(x, eps=1e-8):
    return x * torch.rsqrt(x.square().mean(dim=1, keepdim=True) + eps)


def minibatch_stddev(x, group_size):
    n, c, h, w = x.shape
    g = min(group_size, n)
    y = x.reshape(g, n // g, c, h, w)
    y = y - y.mean(dim=0, keepdim=True)
    y = (y.square().mean(dim=0) + 1e-8).sqrt()
    y = y.mean(dim=[1, 2, 3], keepdim=True)
    return torch.cat([x, y.repeat(g, 1, h, w)], dim=1)


class EqualizedConv2d(nn.Module):
    def __init__(self, cin, cout, k, gain=math.sqrt(2)):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, k, k))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.scale = gain / math.sqrt(cin * k * k)
        self.padding = k // 2

    def forward(self, x):
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.padding)

    def without_bias(self, x):
        return F.conv2d(x, self.weight * self.scale, None, padding=self.padding)


class EqualizedLinear(nn.Module):
    def __init__(self, fin, fout, gain=math.sqrt(2), bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(fout, fin))
        self.bias = nn.Parameter(torch.zeros(fout)) if bias else None
        self.scale = gain / math.sqrt(fin)

    def forward(self, x):
        return F.linear(x, self.weight * self.scale, self.bias)


class _Pair(nn.Module):
    def __init__(self, conv0, conv1):
        super().__init__()
        self.conv0 = conv0
        self.conv1 = conv1


class _GInput(nn.Module):
    def __init__(self, latent, channels):
        super().__init__()
        self.dense = EqualizedLinear(latent, channels * 16, gain=math.sqrt(2) / 4, bias=False)
        self.bias = nn.Parameter(torch.zeros(channels))
        self.conv = EqualizedConv2d(channels, channels, 3)


class Generator(nn.Module):
    def __init__(self, resolution, latent_size=512, label_size=0, channels=1, fmap_base=8192, fmap_decay=1.0,
                 fmap_max=512, normalize_latents=True, pixel_norm_epsilon=1e-8, **_):
        super().__init__()
        nf = lambda s: feature_maps(s, fmap_base, fmap_decay, fmap_max)
        self.final_level = int(round(math.log2(resolution)))
        self.normalize_latents = normalize_latents
        self.eps = pixel_norm_epsilon
        self.channels4 = nf(1)
        self.add_module("b4", _GInput(latent_size + label_size, nf(1)))
        for level in range(3, self.final_level + 1):
            self.add_module(f"b{2 ** level}", _Pair(EqualizedConv2d(nf(level - 2), nf(level - 1), 3),
                                                     EqualizedConv2d(nf(level - 1), nf(level - 1), 3)))
        self.add_module("torgb4", EqualizedConv2d(nf(1), channels, 1, gain=1))
        for level in range(3, self.final_level + 1):
            self.add_module(f"torgb{2 ** level}", EqualizedConv2d(nf(level - 1), channels, 1, gain=1))

    def _act(self, x):
        return pixel_norm(F.leaky_relu(x, 0.2), self.eps)

    def _block(self, level, x):
        block = getattr(self, f"b{2 ** level}")
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        return self._act(block.conv1(self._act(block.conv0(x))))

    def forward(self, z, labels=None, level=None, alpha=1.0):
        level = self.final_level if level is None else level
        x = z if labels is None else torch.cat([z, labels], dim=1)
        if self.normalize_latents:
            x = pixel_norm(x, self.eps)
        x = self.b4.dense(x).reshape(x.shape[0], self.channels4, 4, 4)
        x = self._act(x + self.b4.bias.reshape(1, -1, 1, 1))
        x = self._act(self.b4.conv(x))
        if level == 2:
            return self.torgb4(x)
        for l in range(3, level):
            x = self._block(l, x)
        newest = getattr(self, f"torgb{2 ** level}")(self._block(level, x))
        if alpha >= 1:
            return newest
        previous = F.interpolate(getattr(self, f"torgb{2 ** (level - 1)}")(x), scale_factor=2, mode="nearest")
        return previous + (newest - previous) * alpha


class _DOutput(nn.Module):
    def __init__(self, channels, top, label_size):
        super().__init__()
        self.conv = EqualizedConv2d(channels + 1, channels, 3)
        self.dense0 = EqualizedLinear(channels * 16, top)
        self.dense1 = EqualizedLinear(top, 1 + label_size, gain=1)


class Discriminator(nn.Module):
    def __init__(self, resolution, label_size=0, channels=1, fmap_base=8192, fmap_decay=1.0, fmap_max=512,
                 mbstd_group_size=4, downsample_order="pool-before-activation", **_):
        super().__init__()
        nf = lambda s: feature_maps(s, fmap_base, fmap_decay, fmap_max)
        self.final_level = int(round(math.log2(resolution)))
        self.group = mbstd_group_size
        self.pool_first = downsample_order == "pool-before-activation"
        for level in range(2, self.final_level + 1):
            self.add_module(f"fromrgb{2 ** level}", EqualizedConv2d(channels, nf(level - 1), 1))
        for level in range(self.final_level, 2, -1):
            self.add_module(f"b{2 ** level}", _Pair(EqualizedConv2d(nf(level - 1), nf(level - 1), 3),
                                                     EqualizedConv2d(nf(level - 1), nf(level - 2), 3)))
        self.add_module("b4", _DOutput(nf(1), nf(0), label_size))

    def _block(self, level, x):
        block = getattr(self, f"b{2 ** level}")
        h = F.leaky_relu(block.conv0(x), 0.2)
        if self.pool_first:
            h = F.avg_pool2d(block.conv1.without_bias(h), 2) + block.conv1.bias.reshape(1, -1, 1, 1)
            return F.leaky_relu(h, 0.2)
        return F.avg_pool2d(F.leaky_relu(block.conv1(h), 0.2), 2)

    def forward(self, images, level=None, alpha=1.0):
        level = self.final_level if level is None else level
        x = F.leaky_relu(getattr(self, f"fromrgb{2 ** level}")(images), 0.2)
        if level > 2:
            x = self._block(level, x)
            if alpha < 1:
                previous = F.leaky_relu(getattr(self, f"fromrgb{2 ** (level - 1)}")(F.avg_pool2d(images, 2)), 0.2)
                x = previous + (x - previous) * alpha
            for l in range(level - 1, 2, -1):
                x = self._block(l, x)
        x = minibatch_stddev(x, self.group)
        x = F.leaky_relu(self.b4.conv(x), 0.2)
        x = F.leaky_relu(self.b4.dense0(x.flatten(1)), 0.2)
        return self.b4.dense1(x)


def _network_kwargs(network):
    return dict(resolution=network["resolution"], latent_size=network["latentSize"], label_size=network["labelSize"],
                channels=network["channels"], fmap_base=network["fmapBase"], fmap_decay=network["fmapDecay"],
                fmap_max=network["fmapMax"], normalize_latents=network["normalizeLatents"],
                pixel_norm_epsilon=network["pixelNormEpsilon"], mbstd_group_size=network["mbstdGroupSize"],
                downsample_order=network["downsampleOrder"])


def generator_from_snapshot(path, which="Gs"):
    """The generator (`Gs`, the moving average, by default; or `G`) of an Ossify snapshot."""
    from safetensors import safe_open
    from safetensors.torch import load_file
    with safe_open(path, framework="pt") as f:
        options = json.loads(f.metadata()["options"])
    tensors = load_file(path)
    g = Generator(**_network_kwargs(options["network"]))
    prefix = which + "."
    g.load_state_dict({k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}, strict=True)
    return g.eval()
