#!/usr/bin/python3
"""Run three steps of torch's Adam, AdamW, AMSGrad, SGD (Nesterov) and
Lion (the authors' lion_pytorch.py update) on fixed random float32 data
and print inputs and results as JSON (float32 values as uint32 bit
patterns), for torchcheck to compare with gograd's fused kernels:

  /usr/bin/python3 benchmarks/fused/torch_golden.py | go run ./benchmarks/fused/torchcheck
"""
import json
import sys

import torch


def bits(t):
    return t.detach().contiguous().view(torch.int32).tolist()


def lion_step(p, m, g, lr, beta1, beta2, wd):
    p.mul_(1 - lr * wd)
    update = m.mul(beta1).add_(g, alpha=1 - beta1).sign_()
    p.add_(update, alpha=-lr)
    m.mul_(beta2).add_(g, alpha=1 - beta2)


def main():
    n, steps = 1000, 3
    gen = torch.Generator().manual_seed(1234)
    p0 = torch.rand(n, generator=gen) * 2 - 1
    grads = [torch.rand(n, generator=gen) * 2 - 1 for _ in range(steps)]
    cases = []
    configs = [
        ("adam", dict(kind="adam", lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)),
        ("adam-l2", dict(kind="adam", lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)),
        ("adamw", dict(kind="adamw", lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)),
        ("amsgrad", dict(kind="amsgrad", lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)),
        ("sgd-nesterov", dict(kind="sgd", lr=0.1, momentum=0.9, dampening=0.0, weight_decay=5e-4, nesterov=True)),
        ("sgd-dampening", dict(kind="sgd", lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.0, nesterov=False)),
        ("lion", dict(kind="lion", lr=1e-4, betas=(0.9, 0.99), weight_decay=0.1)),
    ]
    for name, c in configs:
        p = torch.nn.Parameter(p0.clone())
        kind = c["kind"]
        state = {}
        if kind in ("adam", "adamw", "amsgrad"):
            cls = torch.optim.AdamW if kind == "adamw" else torch.optim.Adam
            opt = cls([p], lr=c["lr"], betas=c["betas"], eps=c["eps"], weight_decay=c["weight_decay"],
                      amsgrad=(kind == "amsgrad"), foreach=False)
        elif kind == "sgd":
            opt = torch.optim.SGD([p], lr=c["lr"], momentum=c["momentum"], dampening=c["dampening"],
                                  weight_decay=c["weight_decay"], nesterov=c["nesterov"], foreach=False)
        else:
            m = torch.zeros(n)
        for g in grads:
            with torch.no_grad():
                if kind == "lion":
                    lion_step(p, m, g, c["lr"], c["betas"][0], c["betas"][1], c["weight_decay"])
                else:
                    p.grad = g.clone()
                    opt.step()
        if kind in ("adam", "adamw", "amsgrad"):
            st = opt.state[p]
            state = {"m": bits(st["exp_avg"]), "v": bits(st["exp_avg_sq"])}
            if kind == "amsgrad":
                state["vmax"] = bits(st["max_exp_avg_sq"])
        elif kind == "sgd":
            state = {"buf": bits(opt.state[p]["momentum_buffer"])}
        else:
            state = {"m": bits(m)}
        c = dict(c)
        if "betas" in c:
            c["beta1"], c["beta2"] = c.pop("betas")
        cases.append({"name": name, "config": c, "p": bits(p), "state": state})
    json.dump({"torch": torch.__version__, "p0": bits(p0), "grads": [bits(g) for g in grads], "cases": cases},
              sys.stdout)


if __name__ == "__main__":
    main()
