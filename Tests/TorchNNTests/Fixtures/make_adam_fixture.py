#!/usr/bin/env python3
"""Writes adam_trajectory.json (next to this script): PyTorch Adam/AdamW reference runs.

Run with: /usr/bin/python3 make_adam_fixture.py   (needs torch)
Problem (float32): loss = ((x @ w + b).tanh() - y).pow(2).mean(), x [4,3], y [4,2],
w [3,2], b [2]. x, y, w0, b0 come from torch.manual_seed(0) randn rounded to 4 decimals
(then cast to float32; the JSON holds those exact float32 values).
Each config: 25 steps of zero_grad; loss.backward(); opt.step(). losses[i] is the loss
computed in step i (before its update); w[i], b[i] are the parameters after step i,
flattened row-major. Floats are float32 values written as repr(float(v)) (exact).
"""
import inspect
import json
import os

import torch

STEPS = 25
CONFIGS = [
    {"name": "adam_pggan", "optimizer": "adam", "lr": 0.01, "betas": [0.0, 0.99],
     "eps": 1e-8, "weight_decay": 0.0},
    {"name": "adam_default_wd", "optimizer": "adam", "lr": 0.005, "betas": [0.9, 0.999],
     "eps": 1e-8, "weight_decay": 0.01},
    {"name": "adamw", "optimizer": "adamw", "lr": 0.01, "betas": [0.9, 0.999],
     "eps": 1e-8, "weight_decay": 0.05},
]


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def rounded_randn(*shape):
    return torch.round(torch.randn(*shape, dtype=torch.float64) * 1e4).div(1e4).float()


def run(cfg, x, y, w0, b0):
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    cls = torch.optim.Adam if cfg["optimizer"] == "adam" else torch.optim.AdamW
    kw = dict(lr=cfg["lr"], betas=tuple(cfg["betas"]), eps=cfg["eps"],
              weight_decay=cfg["weight_decay"], amsgrad=False)
    if "foreach" in inspect.signature(cls).parameters:
        kw["foreach"] = False
    opt = cls([w, b], **kw)
    out = dict(cfg, losses=[], w=[], b=[])
    for _ in range(STEPS):
        opt.zero_grad()
        loss = ((x @ w + b).tanh() - y).pow(2).mean()
        loss.backward()
        opt.step()
        out["losses"].append(float(loss.item()))
        out["w"].append(flat(w))
        out["b"].append(flat(b))
    return out


def main():
    torch.manual_seed(0)
    x, y, w0, b0 = rounded_randn(4, 3), rounded_randn(4, 2), rounded_randn(3, 2), rounded_randn(2)
    doc = {
        "torch_version": torch.__version__,
        "x": flat(x), "x_shape": [4, 3],
        "y": flat(y), "y_shape": [4, 2],
        "w0": flat(w0), "w_shape": [3, 2],
        "b0": flat(b0), "b_shape": [2],
        "configs": [run(c, x, y, w0, b0) for c in CONFIGS],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "adam_trajectory.json")
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


if __name__ == "__main__":
    main()
