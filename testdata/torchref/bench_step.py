"""PyTorch reference for the train-step benchmarks of model/ and train/: forward +
cross-entropy + backward + Adam(lr 1e-4) on a fixed batch, CPU, printing ms/step.
Compare at the same thread count: --threads N here, FFRA_THREADS=N for the Go benchmark.

  /usr/bin/python3 testdata/torchref/bench_step.py [--variant ffra] [--size 112] [--batch 16] [--steps 10] [--threads N]
"""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ffra_torch  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--variant", default="ffra")
    p.add_argument("--size", type=int, default=112)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--threads", type=int, default=0,
                   help="torch intra-op threads (0: the CPUs available to the process, as ffra --threads 0)")
    a = p.parse_args()
    torch.set_num_threads(a.threads or len(os.sched_getaffinity(0)))
    torch.manual_seed(1)
    model = ffra_torch.build(a.variant).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    x = torch.randn(a.batch, 3, a.size, a.size)
    y = torch.arange(a.batch) % 7

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    step()  # warm-up, as in the Go benchmark
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    ms = (time.perf_counter() - t0) * 1000 / a.steps
    print("torch %s %s variant=%s size=%d batch=%d threads=%d: %.1f ms/step"
          % (torch.__version__, "cuda" if torch.cuda.is_available() else "cpu", a.variant, a.size,
             a.batch, torch.get_num_threads(), ms))


if __name__ == "__main__":
    main()
