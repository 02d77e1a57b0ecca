#!/usr/bin/env python3
"""PyTorch's training-step time for the engine benchmark (`nnbench engine`), as a reference.

Times one mini-batch step (zero_grad, forward, loss, backward, SGD momentum step) of the MLP
784-100-10 and the ConvNet of nnzoo's recipes (built from zoo/*.json as torch_train.py builds them)
at batch 64 on Fashion-MNIST images, with the given
thread count; prints one JSON line per model: {"model", "threads", "step_seconds", "torch"}
(best of `--repeats` runs of `--steps` steps, as nnbench reports its own figures). `nnbench engine` runs it
with the repository's PyTorch environment (Tools/torch-venv) or its --torch-python; by hand:
    "$(Tools/torch-venv)" Tools/bench/reference/torch_step.py --threads 1
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import load_mnist_like, load_recipe  # noqa: E402
from torch_train import build  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--models", default="mlp,convnet")
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--data-dir")
    a = p.parse_args()
    # OpenMP reads its thread count when torch loads; torch.set_num_threads alone leaves Debian's build
    # (OpenMP plus OpenBLAS) oversubscribed at 2 threads.
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(name, str(a.threads))
    import torch

    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    images = load_mnist_like("fashion-mnist", a.data_dir)[0][:4096]
    x_all = torch.tensor(images, dtype=torch.float32).div_(255).unsqueeze(1)
    y_all = torch.randint(0, 10, (x_all.shape[0],))
    batches = [(x_all[i : i + a.batch_size], y_all[i : i + a.batch_size]) for i in range(0, 4096, a.batch_size)]
    for model in a.models.split(","):
        net, loss_fn = build(load_recipe(model), torch, (1, 28, 28))
        net.train()
        opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

        def step(i):
            x, y = batches[i % len(batches)]
            opt.zero_grad(set_to_none=False)
            loss_fn(net(x), y).backward()
            opt.step()

        for i in range(10):
            step(i)
        times = []
        for _ in range(a.repeats):
            start = time.perf_counter()
            for i in range(a.steps):
                step(i)
            times.append((time.perf_counter() - start) / a.steps)
        print(json.dumps({"model": model, "threads": a.threads, "step_seconds": min(times),
                          "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
