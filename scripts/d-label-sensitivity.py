#!/usr/bin/env python3
"""How much a conditional snapshot's discriminator reads the labels.

    python3 scripts/d-label-sensitivity.py SNAPSHOT.safetensors STORE [--count 512] [--seed 0]

Scores real images of the packed store (at the resolution the snapshot's training had reached)
with their own labels and with wrong ones: another image's age (all pairs, and pairs more than four
years apart) and the other sex; and G's images made at a label, scored with it and with an age four
years or more away. Prints, per case, the mean score difference (own − wrong) beside the spread of
the scores, and how often the own label scores higher; the last line is the same as JSON. A D that
reads labels puts nearly every image above 50%; one near 50% gives G little reason to follow them.
Uses the PyTorch twin (python/ossify_pggan.py), so it needs torch and safetensors."""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import ossify_pggan  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("snapshot")
parser.add_argument("store")
parser.add_argument("--count", type=int, default=512)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

D = ossify_pggan.network_from_snapshot(args.snapshot, "D")
G = ossify_pggan.network_from_snapshot(args.snapshot, "G")
if G.conditioning is None:
    sys.exit(f"{args.snapshot}: an unconditional snapshot has no labels to read")
level, alpha = ossify_pggan.snapshot_phase(args.snapshot)
side = 2 ** level

with open(os.path.join(args.store, "index.json")) as f:
    count = json.load(f)["count"]
pixels_path = os.path.join(args.store, f"res-{side:04d}.u8")
if not os.path.exists(pixels_path):
    sys.exit(f"{args.store}: no {side}² level (res-{side:04d}.u8) for a snapshot at {side}²")
pixels = np.fromfile(pixels_path, dtype=np.uint8).reshape(count, 1, side, side)
with open(os.path.join(args.store, "labels.bin"), "rb") as f:
    raw = f.read()
ages = np.frombuffer(raw[:4 * count], dtype="<f4").astype(np.float32)
sexes = np.frombuffer(raw[4 * count:5 * count], dtype=np.uint8).astype(np.float32)
known = np.flatnonzero(np.isfinite(ages) & (sexes != 255))
rng = np.random.default_rng(args.seed)
pick = rng.choice(known, min(args.count, len(known)), replace=False)
images = torch.tensor(pixels[pick], dtype=torch.float32) / 127.5 - 1
own = torch.tensor(np.stack([ages[pick], sexes[pick]], 1))
other_age = own.clone()
other_age[:, 0] = torch.tensor(rng.permutation(ages[pick]))
far = (other_age[:, 0] - own[:, 0]).abs() > 48
other_sex = own.clone()
other_sex[:, 1] = 1 - own[:, 1]


def scores(x, labels):
    with torch.no_grad():
        return torch.cat([D(x[i:i + 64], labels[i:i + 64], level=level, alpha=alpha)[:, 0] for i in range(0, len(x), 64)])


results = {"snapshot": args.snapshot, "resolution": side, "images": len(pick)}


def compare(name, right, wrong, mask=None):
    if mask is not None:
        right, wrong = right[mask], wrong[mask]
    difference = (right - wrong).numpy()
    results[name] = {"mean_difference": float(difference.mean()), "score_sd": float(right.std()),
                     "own_higher": float((difference > 0).mean()), "pairs": int(len(difference))}
    print(f"{name}: own − wrong {difference.mean():.3f} (score sd {right.std():.3f}); own label higher in "
          f"{100 * (difference > 0).mean():.1f}% of {len(difference)}")


real_own, real_other_age = scores(images, own), scores(images, other_age)
compare("reals_other_age", real_own, real_other_age)
compare("reals_age_4y_away", real_own, real_other_age, far)
compare("reals_other_sex", real_own, scores(images, other_sex))
z = torch.randn(len(pick), G.latent_size, generator=torch.Generator().manual_seed(args.seed + 1))
with torch.no_grad():
    fakes = torch.cat([G(z[i:i + 64], own[i:i + 64], level=level, alpha=alpha) for i in range(0, len(pick), 64)])
compare("fakes_age_4y_away", scores(fakes, own), scores(fakes, other_age), far)
print(json.dumps(results))
