"""PyTorch twins of Ossify's PGGAN networks (Sources/ProGAN), parameter for parameter.

State-dict names are identical to the Swift modules, so an Ossify snapshot's generator loads
directly:

    from safetensors.torch import load_file
    import ossify_pggan
    g = ossify_pggan.generator_from_snapshot("runs/00000-x/snapshot-000120.safetensors")  # Gs
    images = g(z)                       # [N, 1, R, R] in about [-1, 1]

Weights are stored as N(0, 1) and scaled at run time by gain / sqrt(fan_in) (equalized learning
rate); biases are not scaled. The options JSON in the snapshot's metadata gives the architecture.

A conditional snapshot (train-gan --condition age,sex) takes label rows [N, 2] = (bone age in
months, sex code 0 female / 1 male):

    labels = torch.tensor([[120.0, 0.0], [120.0, 1.0]])      # a 10-year-old girl and boy
    images = g(z[:2], labels)

`train_step` is one PGGAN training step (WGAN-GP with drift, the label losses, Adam, the EMA
generator) exactly as Ossify's ProGANTrainer runs it, for step-by-step comparisons.
"""
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def feature_maps(stage, fmap_base, fmap_decay, fmap_max):
    return min(int(math.floor(fmap_base / 2 ** (stage * fmap_decay))), fmap_max)


class LabelConditioning:
    """Label features h(c) of Ossify's LabelConditioning for label rows [N, 2]."""

    def __init__(self, attributes=("age", "sex"), ageEncoding="fourier", fourierFrequencies=4,
                 ageScaleMonths=240.0, discriminator="projection", generatorLabelGain=1.0,
                 generatorModulation=False, **_):
        self.uses_age = "age" in attributes
        self.uses_sex = "sex" in attributes
        self.encoding = ageEncoding
        self.frequencies = fourierFrequencies
        self.scale = ageScaleMonths
        self.discriminator = discriminator
        self.generator_gain = generatorLabelGain
        self.modulates = generatorModulation

    @property
    def feature_count(self):
        age = 0 if not self.uses_age else (1 if self.encoding == "scalar" else 1 + 2 * self.frequencies)
        return age + (2 if self.uses_sex else 0)

    @property
    def projects(self):
        return self.discriminator != "auxiliary"

    @property
    def predicts(self):
        return self.discriminator != "projection"

    @property
    def auxiliary_outputs(self):
        return ((1 if self.uses_age else 0) + (2 if self.uses_sex else 0)) if self.predicts else 0

    def scaled_age(self, months):
        return months * (2 / self.scale) - 1

    def features(self, rows):
        parts = []
        if self.uses_age:
            months = rows[:, 0:1]
            parts.append(self.scaled_age(months))
            if self.encoding == "fourier":
                a = months * (1 / self.scale)
                for k in range(self.frequencies):
                    angle = a * (math.pi * (1 << k))
                    parts += [torch.sin(angle), torch.cos(angle)]
        if self.uses_sex:
            male = rows[:, 1:2]
            parts += [1 - male, male]
        return torch.cat(parts, dim=1)


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


class LabelModulation(nn.Module):
    """x · (1 + γ(h(c))) + β(h(c)) per channel, after a pixel norm (Ossify's LabelModulation)."""

    def __init__(self, label_features, channels):
        super().__init__()
        self.affine = EqualizedLinear(label_features, 2 * channels, gain=1)
        self.channels = channels

    def forward(self, x, features):
        scale, shift = self.affine(features).reshape(-1, 2 * self.channels, 1, 1).split(self.channels, dim=1)
        return x * (scale + 1) + shift


def _add_modulations(block, conditioning, channels):
    if conditioning is not None and conditioning.modulates:
        block.modulation0 = LabelModulation(conditioning.feature_count, channels)
        block.modulation1 = LabelModulation(conditioning.feature_count, channels)


class _Pair(nn.Module):
    def __init__(self, conv0, conv1, conditioning=None):
        super().__init__()
        self.conv0 = conv0
        self.conv1 = conv1
        _add_modulations(self, conditioning, conv1.weight.shape[0])


class _GInput(nn.Module):
    def __init__(self, latent, channels, conditioning=None):
        super().__init__()
        label_features = conditioning.feature_count if conditioning else 0
        self.dense = EqualizedLinear(latent + label_features, channels * 16, gain=math.sqrt(2) / 4, bias=False)
        self.bias = nn.Parameter(torch.zeros(channels))
        self.conv = EqualizedConv2d(channels, channels, 3)
        _add_modulations(self, conditioning, channels)


class Generator(nn.Module):
    def __init__(self, resolution, latent_size=512, conditioning=None, channels=1, fmap_base=8192, fmap_decay=1.0,
                 fmap_max=512, normalize_latents=True, pixel_norm_epsilon=1e-8, **_):
        super().__init__()
        nf = lambda s: feature_maps(s, fmap_base, fmap_decay, fmap_max)
        self.final_level = int(round(math.log2(resolution)))
        self.normalize_latents = normalize_latents
        self.eps = pixel_norm_epsilon
        self.channels4 = nf(1)
        self.latent_size = latent_size
        self.conditioning = conditioning
        self.add_module("b4", _GInput(latent_size, nf(1), conditioning))
        for level in range(3, self.final_level + 1):
            self.add_module(f"b{2 ** level}", _Pair(EqualizedConv2d(nf(level - 2), nf(level - 1), 3),
                                                     EqualizedConv2d(nf(level - 1), nf(level - 1), 3), conditioning))
        self.add_module("torgb4", EqualizedConv2d(nf(1), channels, 1, gain=1))
        for level in range(3, self.final_level + 1):
            self.add_module(f"torgb{2 ** level}", EqualizedConv2d(nf(level - 1), channels, 1, gain=1))

    def _act(self, x, block, index, features):
        x = pixel_norm(F.leaky_relu(x, 0.2), self.eps)
        return x if features is None else getattr(block, f"modulation{index}")(x, features)

    def _block(self, level, x, features):
        block = getattr(self, f"b{2 ** level}")
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        return self._act(block.conv1(self._act(block.conv0(x), block, 0, features)), block, 1, features)

    def forward(self, z, labels=None, level=None, alpha=1.0, truncation=1.0):
        level = self.final_level if level is None else level
        assert (labels is None) == (self.conditioning is None), "labels go with conditional generators only"
        h = None if labels is None else self.conditioning.features(labels)
        x = z if h is None else torch.cat([z, h * self.conditioning.generator_gain], dim=1)
        features = h if h is not None and self.conditioning.modulates else None
        if self.normalize_latents:
            x = pixel_norm(x, self.eps)
        if truncation != 1.0:
            # Truncation psi: the latent part of the normalised input, scaled towards its mean (zero).
            x = torch.cat([x[:, :z.shape[1]] * truncation, x[:, z.shape[1]:]], dim=1)
        x = self.b4.dense(x).reshape(x.shape[0], self.channels4, 4, 4)
        x = self._act(x + self.b4.bias.reshape(1, -1, 1, 1), self.b4, 0, features)
        x = self._act(self.b4.conv(x), self.b4, 1, features)
        if level == 2:
            return self.torgb4(x)
        for l in range(3, level):
            x = self._block(l, x, features)
        newest = getattr(self, f"torgb{2 ** level}")(self._block(level, x, features))
        if alpha >= 1:
            return newest
        previous = F.interpolate(getattr(self, f"torgb{2 ** (level - 1)}")(x), scale_factor=2, mode="nearest")
        return previous + (newest - previous) * alpha


class _DOutput(nn.Module):
    def __init__(self, channels, top, conditioning):
        super().__init__()
        self.conv = EqualizedConv2d(channels + 1, channels, 3)
        self.dense0 = EqualizedLinear(channels * 16, top)
        self.dense1 = EqualizedLinear(top, 1 + (conditioning.auxiliary_outputs if conditioning else 0), gain=1)
        if conditioning is not None and conditioning.projects:
            self.project = EqualizedLinear(conditioning.feature_count, top, gain=1, bias=False)


class Discriminator(nn.Module):
    def __init__(self, resolution, conditioning=None, channels=1, fmap_base=8192, fmap_decay=1.0, fmap_max=512,
                 mbstd_group_size=4, downsample_order="pool-before-activation", **_):
        super().__init__()
        self.conditioning = conditioning
        nf = lambda s: feature_maps(s, fmap_base, fmap_decay, fmap_max)
        self.final_level = int(round(math.log2(resolution)))
        self.group = mbstd_group_size
        self.pool_first = downsample_order == "pool-before-activation"
        for level in range(2, self.final_level + 1):
            self.add_module(f"fromrgb{2 ** level}", EqualizedConv2d(channels, nf(level - 1), 1))
        for level in range(self.final_level, 2, -1):
            self.add_module(f"b{2 ** level}", _Pair(EqualizedConv2d(nf(level - 1), nf(level - 1), 3),
                                                     EqualizedConv2d(nf(level - 1), nf(level - 2), 3)))
        self.add_module("b4", _DOutput(nf(1), nf(0), conditioning))

    def _block(self, level, x):
        block = getattr(self, f"b{2 ** level}")
        h = F.leaky_relu(block.conv0(x), 0.2)
        if self.pool_first:
            h = F.avg_pool2d(block.conv1.without_bias(h), 2) + block.conv1.bias.reshape(1, -1, 1, 1)
            return F.leaky_relu(h, 0.2)
        return F.avg_pool2d(F.leaky_relu(block.conv1(h), 0.2), 2)

    def forward(self, images, labels=None, level=None, alpha=1.0):
        assert (labels is None) == (self.conditioning is None), "labels go with conditional discriminators only"
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
        phi = F.leaky_relu(self.b4.dense0(x.flatten(1)), 0.2)
        out = self.b4.dense1(phi)
        if labels is None or not self.conditioning.projects:
            return out
        projection = (self.b4.project(self.conditioning.features(labels)) * phi).sum(dim=1, keepdim=True)
        projection = projection * (1 / math.sqrt(phi.shape[1]))
        return torch.cat([out[:, :1] + projection, out[:, 1:]], dim=1)


def _network_kwargs(network):
    conditioning = network.get("conditioning")
    return dict(resolution=network["resolution"], latent_size=network["latentSize"],
                conditioning=LabelConditioning(**conditioning) if conditioning else None,
                channels=network["channels"], fmap_base=network["fmapBase"], fmap_decay=network["fmapDecay"],
                fmap_max=network["fmapMax"], normalize_latents=network["normalizeLatents"],
                pixel_norm_epsilon=network["pixelNormEpsilon"], mbstd_group_size=network["mbstdGroupSize"],
                downsample_order=network["downsampleOrder"])


def snapshot_phase(path):
    """(level, alpha) that training had reached at a snapshot: from its cursor .json beside the
    tensors, else the tensors' metadata, else the final level."""
    import os
    from safetensors import safe_open
    cursor = os.path.splitext(path)[0] + ".json"
    if os.path.exists(cursor):
        with open(cursor) as f:
            phase = json.load(f)["phase"]
        return phase["level"], phase["alpha"]
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata()
    if "phase" in metadata:
        phase = json.loads(metadata["phase"])
        return phase["level"], phase["alpha"]
    network = json.loads(metadata["options"])["network"]
    return int(round(math.log2(network["resolution"]))), 1.0


def network_from_snapshot(path, which):
    """One network of an Ossify snapshot: `Gs` (the moving average), `G` or `D`, in eval mode."""
    from safetensors import safe_open
    from safetensors.torch import load_file
    with safe_open(path, framework="pt") as f:
        options = json.loads(f.metadata()["options"])
    tensors = load_file(path)
    network = (Discriminator if which == "D" else Generator)(**_network_kwargs(options["network"]))
    prefix = which + "."
    network.load_state_dict({k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}, strict=True)
    return network.eval()


def generator_from_snapshot(path, which="Gs"):
    """The generator (`Gs`, the moving average, by default; or `G`) of an Ossify snapshot."""
    return network_from_snapshot(path, which)


def auxiliary_label_loss(conditioning, weight, outputs, labels):
    """Ossify's AuxiliaryLabelLoss: weight * (mean (s_hat - s)^2 + CE(sex logits, sex)); None without heads."""
    if conditioning is None or not conditioning.predicts or weight <= 0:
        return None
    column, total = 1, None
    if conditioning.uses_age:
        total = (outputs[:, column:column + 1] - conditioning.scaled_age(labels[:, 0:1])).square().mean()
        column += 1
    if conditioning.uses_sex:
        term = F.cross_entropy(outputs[:, column:column + 2], labels[:, 1].long())
        total = term if total is None else total + term
    return None if total is None else total * weight


def augment(x, inputs, prefix):
    """DiffAugment with one step's drawn parameters (Ossify's AugmentDraw: inputs[prefix + "brightness"]
    [N,1,1,1], "contrast" [N,1,1,1], "translation" [N,2] as (rows, columns), "cutout" [N,4] as
    (top, left, bottom, right)); the translation by DiffAugment's own padded gather. No draw: x."""
    if prefix + "brightness" not in inputs:
        return x
    x = x + inputs[prefix + "brightness"]
    mean = x.mean(dim=[1, 2, 3], keepdim=True)
    x = x + (x - mean) * (inputs[prefix + "contrast"] - 1)
    n, _, h, w = x.shape
    shift = inputs[prefix + "translation"].long()
    grid_b, grid_y, grid_x = torch.meshgrid(torch.arange(n), torch.arange(h), torch.arange(w), indexing="ij")
    grid_y = torch.clamp(grid_y + shift[:, 0].view(-1, 1, 1) + 1, 0, h + 1)
    grid_x = torch.clamp(grid_x + shift[:, 1].view(-1, 1, 1) + 1, 0, w + 1)
    x = F.pad(x, [1, 1, 1, 1]).permute(0, 2, 3, 1)[grid_b, grid_y, grid_x].permute(0, 3, 1, 2)
    box = inputs[prefix + "cutout"].long()
    rows, cols = torch.arange(h).view(1, h, 1), torch.arange(w).view(1, 1, w)
    inside = ((rows >= box[:, 0].view(-1, 1, 1)) & (rows < box[:, 2].view(-1, 1, 1))
              & (cols >= box[:, 1].view(-1, 1, 1)) & (cols < box[:, 3].view(-1, 1, 1)))
    return x * (1 - inside.to(x.dtype)).unsqueeze(1)


def train_step(G, D, Gs, opt_g, opt_d, inputs, options, level, alpha, lod, ema_beta=None):
    """One D step and one G step with the given inputs (reals, latents, mixing factors, labels, and
    the levers' augmentation draws and penalty factor), as Ossify's ProGANTrainer.step(_:) runs it;
    returns (D loss, G loss). `ema_beta` overrides options' generatorEMABeta (a half-life's β)."""
    conditioning = G.conditioning
    training = options.get("conditionTraining") or {}
    aux_weight = training.get("auxiliaryWeight", 1.0)
    regularisation = options.get("regularisation") or {}
    logistic = regularisation.get("loss", "wasserstein") == "logistic"
    r1 = regularisation.get("penalty", "interpolates") == "r1"
    factor = float(inputs["penalty_factor"]) if "penalty_factor" in inputs else 1.0
    reals = inputs["reals"]
    if alpha < 1:
        reals = reals + (F.interpolate(F.avg_pool2d(reals, 2), scale_factor=2, mode="nearest") - reals) * (1 - alpha)
    critic_labels, fake_labels = inputs.get("critic_labels"), inputs.get("fake_labels")
    real_w, fake_w = inputs.get("real_weights"), inputs.get("fake_weights")

    opt_d.zero_grad(set_to_none=False)
    with torch.no_grad():
        fakes = G(inputs["latents_d"], fake_labels, level=level, alpha=alpha)
    reals, fakes = augment(reals, inputs, "real_aug_"), augment(fakes, inputs, "fake_aug_")
    if r1 and factor > 0:
        reals = reals.detach().requires_grad_(True)
    critic = lambda x: D(x, critic_labels, level=level, alpha=alpha)
    real_out, fake_out = critic(reals), critic(fakes)
    real_scores, fake_scores = real_out[:, :1], fake_out[:, :1]
    scale = float(2 ** math.floor(lod)) if options["penaltyScale"] == "full-resolution" else 1.0
    penalty = None
    if factor > 0 and r1:
        gradient, = torch.autograd.grad(real_scores.sum(), [reals], create_graph=True)
        penalty = gradient.square().sum(dim=[1, 2, 3]).reshape(-1, 1) / (scale * scale) * (regularisation["r1Gamma"] / 2)
    elif factor > 0:
        mixed = (reals + (fakes - reals) * inputs["mixing"]).detach().requires_grad_(True)
        gradient, = torch.autograd.grad(critic(mixed)[:, :1].sum(), [mixed], create_graph=True)
        norm = gradient.square().sum(dim=[1, 2, 3]).sqrt().reshape(-1, 1) / scale
        target, weight = options["gradientPenaltyTarget"], options["gradientPenaltyWeight"]
        penalty = (norm - target).square() * (weight / (target * target))
    fake_term = F.softplus(fake_scores) if logistic else fake_scores
    real_term = F.softplus(-real_scores) if logistic else -real_scores
    wf = fake_term * fake_w.reshape(-1, 1) if fake_w is not None else fake_term
    wr = real_term * real_w.reshape(-1, 1) if real_w is not None else real_term
    per_sample = wf + wr
    if penalty is not None:
        per_sample = per_sample + penalty * factor
    d_loss = (per_sample + real_scores.square() * options["driftWeight"]).mean()
    on_reals = auxiliary_label_loss(conditioning, aux_weight, real_out, critic_labels) if critic_labels is not None else None
    if on_reals is not None:
        d_loss = d_loss + on_reals
        if training.get("auxiliaryOnFakes", True):
            d_loss = d_loss + auxiliary_label_loss(conditioning, aux_weight, fake_out, fake_labels)
    mismatch_weight = training.get("mismatchWeight", 0.0)
    if critic_labels is not None and mismatch_weight > 0:
        # Matching-aware term: reals with the next image's label must score below themselves with their own.
        wrong = D(reals, torch.roll(critic_labels, -1, dims=0), level=level, alpha=alpha)[:, :1]
        d_loss = d_loss + F.softplus(wrong - real_scores).mean() * mismatch_weight
    d_loss.backward()
    opt_d.step()

    opt_g.zero_grad(set_to_none=False)
    for p in D.parameters():
        p.requires_grad_(False)
    g_labels = inputs.get("generator_labels")
    generated = augment(G(inputs["latents_g"], g_labels, level=level, alpha=alpha), inputs, "gen_aug_")
    out = D(generated, g_labels, level=level, alpha=alpha)
    g_loss = F.softplus(-out[:, :1]).mean() if logistic else -out[:, :1].mean()
    aux = auxiliary_label_loss(conditioning, aux_weight, out, g_labels) if g_labels is not None else None
    if aux is not None:
        g_loss = g_loss + aux
    g_loss.backward()
    opt_g.step()
    for p in D.parameters():
        p.requires_grad_(True)
    beta = options["generatorEMABeta"] if ema_beta is None else ema_beta
    with torch.no_grad():
        for s, t in zip(G.parameters(), Gs.parameters()):
            t.lerp_(s, 1 - beta)
    return d_loss.item(), g_loss.item()


def networks_from_options(options):
    """G, D and Gs for an Ossify options dictionary (options.json or a snapshot's metadata)."""
    kwargs = _network_kwargs(options["network"])
    return Generator(**kwargs), Discriminator(**kwargs), Generator(**kwargs)
