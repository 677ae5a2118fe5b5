#!/usr/bin/env python3
"""PyTorch peer for `ossify bench gan-step`: the standard PGGAN step (one D step with WGAN-GP,
drift and Adam; one G step with Adam; the EMA generator update) on the same networks as Ossify
(python/ossify_pggan.py), at the final resolution, on random reals. Prints one JSON line."""
import argparse
import copy
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import ossify_pggan  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--res", type=int, required=True)
p.add_argument("--fmap-base", type=int, default=8192)
p.add_argument("--fmap-max", type=int, default=512)
p.add_argument("--latent", type=int, default=512)
p.add_argument("--batch", type=int, default=16)
p.add_argument("--steps", type=int, default=10)
p.add_argument("--warmup", type=int, default=2)
p.add_argument("--threads", type=int, default=os.cpu_count())
p.add_argument("--channels-last", action="store_true", help="networks and reals in channels-last memory format")
p.add_argument("--device", default="cpu")
args = p.parse_args()
device = torch.device(args.device)
torch.set_num_threads(args.threads)
torch.manual_seed(0)

kw = dict(resolution=args.res, latent_size=args.latent, fmap_base=args.fmap_base, fmap_max=args.fmap_max)
G = ossify_pggan.Generator(**kw).to(device)
D = ossify_pggan.Discriminator(**kw, mbstd_group_size=4).to(device)
if args.channels_last:
    G = G.to(memory_format=torch.channels_last)
    D = D.to(memory_format=torch.channels_last)
Gs = copy.deepcopy(G).requires_grad_(False)
opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.0, 0.99), eps=1e-8, foreach=False)
opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.0, 0.99), eps=1e-8, foreach=False)
n = args.batch


def step():
    reals = torch.randn(n, 1, args.res, args.res, device=device)
    if args.channels_last:
        reals = reals.contiguous(memory_format=torch.channels_last)
    D.zero_grad(set_to_none=True)
    z = torch.randn(n, args.latent, device=device)
    with torch.no_grad():
        fakes = G(z)
    real_scores = D(reals)[:, :1]
    fake_scores = D(fakes)[:, :1]
    u = torch.rand(n, 1, 1, 1, device=device)
    mixed = (reals + (fakes - reals) * u).detach().requires_grad_(True)
    grad, = torch.autograd.grad(D(mixed)[:, :1].sum(), [mixed], create_graph=True)
    norm = grad.square().sum(dim=[1, 2, 3]).sqrt().reshape(-1, 1)
    penalty = (norm - 1).square() * 10
    loss_d = (fake_scores - real_scores + penalty + real_scores.square() * 0.001).mean()
    loss_d.item()
    loss_d.backward()
    opt_d.step()
    G.zero_grad(set_to_none=True)
    D.requires_grad_(False)
    loss_g = -D(G(torch.randn(n, args.latent, device=device)))[:, :1].mean()
    loss_g.item()
    loss_g.backward()
    D.requires_grad_(True)
    opt_g.step()
    with torch.no_grad():
        for s, t in zip(G.parameters(), Gs.parameters()):
            t.lerp_(s, 1 - 0.999)


for _ in range(args.warmup):
    step()
times = []
for _ in range(args.steps):
    t0 = time.perf_counter()
    step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    times.append(time.perf_counter() - t0)
times.sort()
median = times[len(times) // 2]
print(json.dumps({"bench": "gan-step", "impl": "pytorch", "res": args.res, "fmap_base": args.fmap_base,
                  "fmap_max": args.fmap_max, "latent": args.latent, "batch": n, "median_step_ms": median * 1e3,
                  "images_per_second": n / median,
                  "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "threads": torch.get_num_threads(), "device": args.device, "channels_last": args.channels_last,
                  "torch_version": torch.__version__}))
