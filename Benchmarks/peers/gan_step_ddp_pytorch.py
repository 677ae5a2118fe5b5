#!/usr/bin/env python3
"""PyTorch peer for `ossify bench gan-step --nproc N`: the standard PGGAN step of
gan_step_pytorch.py on the twin networks (python/ossify_pggan.py), data parallel over N local
processes with DistributedDataParallel on Gloo. The global minibatch is split evenly; each process
runs `--threads` intra-op threads. D's step (critic on reals, fakes and mixtures, gradient penalty
with create_graph, drift) is one DDP forward, so DDP's bucketed all-reduce averages D's gradients
(penalty included) once per step; G is wrapped on its own. Rank 0 prints one JSON line."""
import argparse
import copy
import json
import os
import resource
import socket
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel as DDP

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import ossify_pggan  # noqa: E402


class CriticStep(torch.nn.Module):
    """D's whole WGAN-GP loss in one forward, so DDP sees D's parameters used once per step."""

    def __init__(self, D):
        super().__init__()
        self.D = D

    def forward(self, reals, fakes, u):
        real_scores = self.D(reals)[:, :1]
        fake_scores = self.D(fakes)[:, :1]
        mixed = (reals + (fakes - reals) * u).detach().requires_grad_(True)
        grad, = torch.autograd.grad(self.D(mixed)[:, :1].sum(), [mixed], create_graph=True)
        norm = grad.square().sum(dim=[1, 2, 3]).sqrt().reshape(-1, 1)
        penalty = (norm - 1).square() * 10
        return (fake_scores - real_scores + penalty + real_scores.square() * 0.001).mean()


def worker(rank, args, port):
    torch.set_num_threads(args.threads)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=args.nproc)
    torch.manual_seed(0)
    kw = dict(resolution=args.res, latent_size=args.latent, fmap_base=args.fmap_base, fmap_max=args.fmap_max)
    G = ossify_pggan.Generator(**kw)
    D = ossify_pggan.Discriminator(**kw, mbstd_group_size=4)
    Gs = copy.deepcopy(G).requires_grad_(False)
    # Lower resolutions' toRGB/fromRGB are unused at the final level.
    critic = DDP(CriticStep(D), find_unused_parameters=True)
    g_ddp = DDP(G, find_unused_parameters=True)
    opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.0, 0.99), eps=1e-8, foreach=False)
    opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.0, 0.99), eps=1e-8, foreach=False)
    n = args.batch // args.nproc
    generator = torch.Generator().manual_seed(100 + rank)

    def step():
        reals = torch.randn(n, 1, args.res, args.res, generator=generator)
        D.zero_grad(set_to_none=True)
        with torch.no_grad():
            fakes = G(torch.randn(n, args.latent, generator=generator))
        loss_d = critic(reals, fakes, torch.rand(n, 1, 1, 1, generator=generator))
        loss_d.item()
        loss_d.backward()
        opt_d.step()
        G.zero_grad(set_to_none=True)
        D.requires_grad_(False)
        loss_g = -D(g_ddp(torch.randn(n, args.latent, generator=generator)))[:, :1].mean()
        loss_g.item()
        loss_g.backward()
        D.requires_grad_(True)
        opt_g.step()
        if rank == 0:
            with torch.no_grad():
                for s, t in zip(G.parameters(), Gs.parameters()):
                    t.lerp_(s, 1 - 0.999)

    for _ in range(args.warmup):
        step()
    dist.barrier()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2]
    if rank == 0:
        # DDP all-reduces whole buckets: every parameter that requires a gradient, used or not.
        reduced = sum(p.numel() * p.element_size() for m in (D, G) for p in m.parameters() if p.requires_grad)
        print(json.dumps({"bench": "gan-step", "impl": "pytorch-ddp", "backend": "gloo", "nproc": args.nproc,
                          "res": args.res, "fmap_base": args.fmap_base, "fmap_max": args.fmap_max, "latent": args.latent,
                          "batch": args.batch, "batch_per_rank": n, "median_step_ms": median * 1e3,
                          "images_per_second": args.batch / median, "bytes_all_reduced_per_step": reduced,
                          "threads": torch.get_num_threads(),
                          "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                          "torch_version": torch.__version__}), flush=True)
    dist.barrier()
    dist.destroy_process_group()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--res", type=int, required=True)
    p.add_argument("--fmap-base", type=int, default=8192)
    p.add_argument("--fmap-max", type=int, default=512)
    p.add_argument("--latent", type=int, default=512)
    p.add_argument("--batch", type=int, default=16, help="global minibatch")
    p.add_argument("--nproc", type=int, default=2)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=1, help="intra-op threads per process")
    args = p.parse_args()
    if args.batch % args.nproc:
        sys.exit(f"--batch {args.batch} does not split over {args.nproc} processes")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mp.spawn(worker, args=(args, port), nprocs=args.nproc, join=True)


if __name__ == "__main__":
    main()
