#!/usr/bin/env python3
"""Proves that one Ossify PGGAN training step equals the same step in PyTorch.

    python3 python/check_training_step.py FOLDER

FOLDER (written by Ossify's StepParityTests) holds options.json, phase.json ({level, alpha, lod,
learning_rate, images_shown, minibatch}), before.safetensors (G.*, D.*, Gs.*), inputs.safetensors
(reals, latents_d, latents_g, mixing, and for conditional runs critic_labels, fake_labels,
generator_labels, maybe real_weights/fake_weights; with the realism levers penalty_factor and the
augmentation draws real_aug_*, fake_aug_*, gen_aug_*) and after.safetensors (Ossify's G.*, D.*, Gs.* after the step). The
twin networks of python/ossify_pggan.py load `before`, run `train_step` with fresh Adams, and every
parameter is compared with `after`. Prints one JSON line; exits 0 when the largest difference is
at most 1e-5."""
import json
import os
import sys

import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ossify_pggan  # noqa: E402

folder = sys.argv[1]
torch.set_num_threads(1)
with open(os.path.join(folder, "options.json")) as f:
    options = json.load(f)
with open(os.path.join(folder, "phase.json")) as f:
    phase = json.load(f)
before = load_file(os.path.join(folder, "before.safetensors"))
after = load_file(os.path.join(folder, "after.safetensors"))
inputs = load_file(os.path.join(folder, "inputs.safetensors"))

G, D, Gs = ossify_pggan.networks_from_options(options)
for prefix, net in (("G", G), ("D", D), ("Gs", Gs)):
    net.load_state_dict({k[len(prefix) + 1:]: v for k, v in before.items() if k.startswith(prefix + ".")}, strict=True)
for p in Gs.parameters():
    p.requires_grad_(False)
adam = dict(lr=phase["learning_rate"], betas=(options["adamBeta1"], options["adamBeta2"]), eps=options["adamEpsilon"])
opt_g, opt_d = torch.optim.Adam(G.parameters(), **adam), torch.optim.Adam(D.parameters(), **adam)
# A half-life EMA: beta = 0.5^(minibatch / half-life images), the half-life ramped up to images_shown * rampUp.
ema_beta = None
half_life = options.get("generatorEMAHalfLife")
if half_life:
    images = half_life["halfLifeKimg"] * 1000
    if half_life.get("rampUp") is not None:
        images = min(images, phase["images_shown"] * half_life["rampUp"])
    ema_beta = 0.5 ** (phase["minibatch"] / max(images, 1e-8))
d_loss, g_loss = ossify_pggan.train_step(G, D, Gs, opt_g, opt_d, inputs, options, phase["level"], phase["alpha"],
                                         phase["lod"], ema_beta)

worst, worst_name, changed = 0.0, "", 0
for prefix, net in (("G", G), ("D", D), ("Gs", Gs)):
    for name, tensor in net.state_dict().items():
        key = f"{prefix}.{name}"
        difference = (tensor - after[key]).abs().max().item()
        changed += int(not torch.equal(before[key], after[key]))
        if difference > worst:
            worst, worst_name = difference, key
print(json.dumps({"max_abs_difference": worst, "worst_parameter": worst_name, "parameters_changed": changed,
                  "d_loss": d_loss, "g_loss": g_loss}))
sys.exit(0 if worst <= 1e-5 else 1)
