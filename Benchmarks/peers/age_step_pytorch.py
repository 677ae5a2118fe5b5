#!/usr/bin/env python3
"""PyTorch peer for Ossify's bone-age step benchmark (OssifyBench.AgeStepBenchmark): the compact
bone-age network (a twin of Sources/BoneAge/CompactAgeNet.swift, with the same state-dict names)
trained for N steps (forward, L1 loss on normalised age, backward, AdamW) on random images.
Prints one JSON line. `--check-names` prints the parameter names and count instead."""
import argparse
import json
import os
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class ResidualBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        if stride != 1 or cin != cout:
            self.downsample = nn.Conv2d(cin, cout, 1, stride, bias=False)
            self.downsample_bn = nn.BatchNorm2d(cout)
        else:
            self.downsample = None

    def forward(self, x):
        identity = self.downsample_bn(self.downsample(x)) if self.downsample is not None else x
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + identity)


class AgeHead(nn.Module):
    def __init__(self, features, hidden, uses_sex):
        super().__init__()
        self.uses_sex = uses_sex
        self.hidden = nn.Linear(features + (1 if uses_sex else 0), hidden)
        self.out = nn.Linear(hidden, 1)

    def forward(self, features, sexes):
        x = features
        if self.uses_sex:
            signed = (sexes * 2 - 1).masked_fill(sexes < 0, 0)
            x = torch.cat([x, signed.reshape(-1, 1)], dim=1)
        return self.out(F.relu(self.hidden(x))).reshape(-1)


class CompactAgeNet(nn.Module):
    def __init__(self, width=16, blocks=(1, 1, 1, 1), stem_stride=2, head_hidden=128, sex_input=True,
                 input_norm="per-image"):
        super().__init__()
        self.input_norm = input_norm
        self.stem = nn.Conv2d(1, width, 3, stem_stride, 1, bias=False)
        self.stem_bn = nn.BatchNorm2d(width)
        channels = width
        for index, count in enumerate(blocks):
            out = width << index
            layers = []
            for b in range(count):
                layers.append(ResidualBlock(channels, out, 2 if b == 0 and index > 0 else 1))
                channels = out
            setattr(self, "layer%d" % (index + 1), nn.Sequential(*layers))
        self.stages = len(blocks)
        self.fc = AgeHead(channels, head_hidden, sex_input)

    def features(self, x):
        if self.input_norm == "per-image":
            mean = x.mean(dim=(1, 2, 3), keepdim=True)
            std = x.std(dim=(1, 2, 3), unbiased=False, keepdim=True)
            x = (x - mean) / (std + 1e-2)
        x = F.relu(self.stem_bn(self.stem(x)))
        for i in range(self.stages):
            x = getattr(self, "layer%d" % (i + 1))(x)
        return x.mean(dim=(2, 3))

    def forward(self, x, sexes):
        return self.fc(self.features(x), sexes)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--res", type=int, default=64)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--blocks", default="1,1,1,1")
    p.add_argument("--stem-stride", type=int, default=2)
    p.add_argument("--input-norm", default="per-image", choices=["per-image", "none"])
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--check-names", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    blocks = tuple(int(b) for b in args.blocks.split(","))
    model = CompactAgeNet(args.width, blocks, args.stem_stride, input_norm=args.input_norm)
    if args.check_names:
        print(json.dumps({"names": sorted(model.state_dict().keys()),
                          "parameters": sum(p.numel() for p in model.parameters())}))
        return
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4, foreach=False)
    model.train()
    n = args.batch

    def step():
        images = torch.rand(n, 1, args.res, args.res) * 2 - 1
        ages = torch.rand(n) * 228
        sexes = torch.floor(torch.rand(n) * 2)
        t0 = time.perf_counter()
        optimizer.zero_grad(set_to_none=False)
        loss = F.l1_loss(model(images, sexes), (ages - 120) / 40)
        loss.backward()
        optimizer.step()
        loss.item()
        return time.perf_counter() - t0

    for _ in range(args.warmup):
        step()
    times = sorted(step() for _ in range(args.steps))
    median = times[len(times) // 2] if len(times) % 2 else (times[len(times) // 2 - 1] + times[len(times) // 2]) / 2
    print(json.dumps({"bench": "age-step", "impl": "pytorch", "res": args.res, "batch": n, "width": args.width,
                      "blocks": list(blocks), "stem_stride": args.stem_stride, "threads": torch.get_num_threads(),
                      "median_step_ms": median * 1e3, "images_per_second": n / median,
                      "parameters": sum(p.numel() for p in model.parameters()),
                      "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "torch": torch.__version__}, sort_keys=True))


if __name__ == "__main__":
    main()
