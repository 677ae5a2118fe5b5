#!/usr/bin/env python3
"""Proves that an Ossify snapshot's generator runs identically in PyTorch.

    ossify generate --snapshot S --seeds 0-7 --out OUT --raw
    python3 python/check_generator_interop.py S OUT

Loads Gs from the snapshot into python/ossify_pggan.Generator through safetensors, feeds it the
latents Ossify used (OUT/latents.safetensors) and compares with Ossify's raw outputs
(OUT/images.safetensors), at the phase the snapshot's training had reached, with the labels
Ossify used when the snapshot is conditional and the truncation psi when one was asked for. Exits 0 when the largest difference is below 1e-4."""
import os
import sys

import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ossify_pggan  # noqa: E402

snapshot, out = sys.argv[1], sys.argv[2]
g = ossify_pggan.generator_from_snapshot(snapshot)
latents = load_file(os.path.join(out, "latents.safetensors"))
z, labels = latents["z"], latents.get("labels")
truncation = latents["truncation"].item() if "truncation" in latents else 1.0
level, alpha = ossify_pggan.snapshot_phase(snapshot)
expected = load_file(os.path.join(out, "images.safetensors"))["images"]
with torch.no_grad():
    images = g(z, labels, level=level, alpha=alpha, truncation=truncation)
difference = (images - expected).abs().max().item()
print(f"{z.shape[0]} images {tuple(images.shape[1:])}, truncation {truncation}: max |PyTorch - Ossify| = {difference:.3g}")
sys.exit(0 if difference < 1e-4 else 1)
