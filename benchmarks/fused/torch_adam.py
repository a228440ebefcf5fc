#!/usr/bin/python3
"""Time one optimizer step per parameter in PyTorch, for comparison with
gograd's fused kernels (go test -bench 'Adam$|Lion$|SGD$' ./asm).

One float32 parameter tensor of n elements with a fixed random gradient;
torch.set_num_threads(1) to match the single-threaded Go kernels. Prints the
median over --repeats timings of --steps steps, in ns per parameter.

  Adam   torch.optim.Adam(foreach=True), weight_decay=0
  AdamW  torch.optim.AdamW(foreach=True), weight_decay=1e-2 (the Go benchmark's setting)
  SGD    torch.optim.SGD(momentum=0.9, nesterov=True, weight_decay=5e-4, foreach=True)
  Lion   the authors' lion_pytorch.py update (google/automl), written with
         in-place tensor ops: torch 1.13 has no Lion.
"""
import argparse
import statistics
import time

import torch


def lion_step(p, m, lr=1e-4, beta1=0.9, beta2=0.99, wd=0.1):
    g = p.grad
    p.mul_(1 - lr * wd)
    update = m.mul(beta1).add_(g, alpha=1 - beta1).sign_()
    p.add_(update, alpha=-lr)
    m.mul_(beta2).add_(g, alpha=1 - beta2)


def bench(name, n, steps, repeats):
    torch.manual_seed(0)
    p = torch.nn.Parameter(torch.rand(n) * 2 - 1)
    p.grad = torch.rand(n) * 2 - 1
    if name == "Lion":
        m = torch.zeros(n)
        step = lambda: lion_step(p, m)
    else:
        opt = {
            "Adam": lambda: torch.optim.Adam([p], lr=1e-3, foreach=True),
            "AdamW": lambda: torch.optim.AdamW([p], lr=1e-3, weight_decay=1e-2, foreach=True),
            "SGD": lambda: torch.optim.SGD([p], lr=1e-3, momentum=0.9, nesterov=True,
                                           weight_decay=5e-4, foreach=True),
        }[name]()
        step = opt.step
    with torch.no_grad():
        for _ in range(3):
            step()
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            for _ in range(steps):
                step()
            times.append((time.perf_counter() - t0) / steps)
    return statistics.median(times) * 1e9 / n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000,10000000")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--opts", default="Adam,AdamW,Lion,SGD", help="comma-separated subset to run")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"torch {torch.__version__}, {args.threads} thread(s), median of {args.repeats}")
    print(f"{'optimizer':<8} {'n':>10} {'ns/param':>10}")
    for name in args.opts.split(","):
        for n in map(int, args.sizes.split(",")):
            steps = max(3, int(2e7 // n))
            print(f"{name:<8} {n:>10} {bench(name, n, steps, args.repeats):>10.3f}", flush=True)


if __name__ == "__main__":
    main()
