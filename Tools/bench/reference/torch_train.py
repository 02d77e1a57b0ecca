#!/usr/bin/env python3
"""PyTorch reference trainer for nnzoo's speed comparison (Tools/bench/compare) and accuracy targets.

Trains the network an nnzoo recipe (zoo/*.json) describes, built as the same torch.nn.Sequential
(layer sizes inferred as nnzoo infers them, so the ConvNet has the recipe's Dropout2d p), with the
recipe's loss, SGD learning rate, momentum, Nesterov and weight decay, batch size, learning-rate schedule
(per epoch, or OneCycleLR after every batch) and input normalisation, without the recipe's augmentation, on the whole training split (what `nnzoo train --val-split 0` trains on: every epoch
visits all 60000 images once in a fresh random order, the last batch smaller).
Prints one JSON line per epoch {"epoch", "seconds", "train_loss", "test_accuracy", "lr"}, where
"seconds" is the training pass alone (shuffle, batches, forward, backward, step; no evaluation), then
a summary line with the inference time over the test set (median of --inference-repeats passes, after
--warmup-seconds of untimed ones, in
batches of 1000). Tools/bench/compare runs it with PyTorch 2.13 from the repository's environment
(Tools/torch-venv) and, when Debian's python3-torch is installed, with /usr/bin/python3 (torch 1.13); by hand:
    "$(Tools/torch-venv)" Tools/bench/reference/torch_train.py --model convnet --threads 1 --epochs 3
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (  # noqa: E402
    learning_rate, load_mnist_like, load_recipe, normalization, normalized, one_cycle, resolved_layers, timed_passes)


def build(recipe, torch, input_shape):
    """(torch.nn.Sequential, loss) for the recipe on inputs of `input_shape` (C, H, W)."""
    layers = [getattr(torch.nn, kind)(**args) for kind, args in resolved_layers(recipe, input_shape)]
    loss = {"crossentropyloss": torch.nn.CrossEntropyLoss, "nllloss": torch.nn.NLLLoss}[recipe["loss"].lower()]
    return torch.nn.Sequential(*layers), loss()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", "--recipe", dest="recipe", required=True,
                   help="mlp, sigmoid, convnet, a zoo recipe name or a recipe .json path")
    p.add_argument("--data-dir")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--epochs", type=int, help="default: the recipe's (the schedule spans these epochs)")
    p.add_argument("--batch-size", type=int, help="default: the recipe's")
    p.add_argument("--lr", type=float, help="default: the recipe's")
    p.add_argument("--momentum", type=float, help="default: the recipe's")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--inference-repeats", type=int, default=5)
    p.add_argument("--warmup-seconds", type=float, default=0.5,
                   help="untimed inference passes first, for at least this long (at least one pass)")
    a = p.parse_args()
    # OpenMP reads its thread count when torch loads; torch.set_num_threads alone leaves Debian's build
    # (OpenMP plus OpenBLAS) oversubscribed at 2 threads.
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(name, str(a.threads))
    import torch

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    recipe = load_recipe(a.recipe)
    optimizer = recipe["optimizer"]
    assert optimizer["type"].lower() == "sgd", "the reference trains with SGD"
    epochs = a.epochs or recipe["epochs"]
    batch_size = a.batch_size or recipe["batch_size"]
    base_lr = a.lr if a.lr is not None else optimizer["lr"]
    momentum = a.momentum if a.momentum is not None else optimizer.get("momentum", 0)

    xtr, ytr, xte, yte = load_mnist_like(recipe["dataset"], a.data_dir)
    mean, std = normalization(recipe, xtr)
    xtr = torch.from_numpy(normalized(xtr, mean, std)).unsqueeze(1)
    xte = torch.from_numpy(normalized(xte, mean, std)).unsqueeze(1)
    ytr, yte = torch.from_numpy(ytr), torch.from_numpy(yte)
    net, loss_fn = build(recipe, torch, tuple(xtr.shape[1:]))
    opt = torch.optim.SGD(net.parameters(), lr=base_lr, momentum=momentum,
                          dampening=optimizer.get("dampening", 0), nesterov=optimizer.get("nesterov", False),
                          weight_decay=optimizer.get("weight_decay", 0))
    n = xtr.shape[0]
    # OneCycleLR (vgg-bn) sets the rate and momentum after every batch; the others once per epoch.
    per_batch = one_cycle(recipe, torch, opt, epochs, (n + batch_size - 1) // batch_size)
    for epoch in range(epochs):
        lr = opt.param_groups[0]["lr"] if per_batch else learning_rate(recipe, base_lr, epoch, epochs)
        for group in opt.param_groups:
            group["lr"] = lr
        net.train()
        start = time.perf_counter()
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n, batch_size):
            idx = perm[i : i + batch_size]
            opt.zero_grad(set_to_none=False)
            loss = loss_fn(net(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            if per_batch:
                per_batch.step()
            total += loss.item() * idx.shape[0]
        seconds = time.perf_counter() - start
        net.eval()
        with torch.no_grad():
            acc = (net(xte).argmax(1) == yte).float().mean().item()
        print(json.dumps({"epoch": epoch + 1, "seconds": seconds, "train_loss": total / n, "test_accuracy": acc,
                          "lr": lr}), flush=True)
    net.eval()
    def inference_pass():
        with torch.no_grad():
            for i in range(0, xte.shape[0], 1000):
                net(xte[i : i + 1000])

    inference_seconds = timed_passes(inference_pass, a.warmup_seconds, a.inference_repeats)
    print(json.dumps({"summary": True, "recipe": recipe["name"], "torch": torch.__version__, "threads": a.threads,
                      "inference_seconds": inference_seconds, "blas": blas_name(torch),
                      "cpu_capability": cpu_capability(torch)}))


def cpu_capability(torch):
    """The instruction set PyTorch's own kernels dispatch to (AVX2, AVX512, ...)."""
    try:
        return torch.backends.cpu.get_cpu_capability()
    except AttributeError:
        return "unknown"


def blas_name(torch):
    """The BLAS library this PyTorch was built with, from its build configuration."""
    config = torch.__config__.show()
    for line in config.splitlines():
        if "BLAS_INFO=" in line:
            return line.split("BLAS_INFO=")[1].split(",")[0]
    return "unknown"


if __name__ == "__main__":
    main()
