#!/usr/bin/env python3
"""PyTorch reference trainer for nnzoo's benchmark (issue 7) and accuracy targets (issue 4).

Trains the same architectures nnzoo's recipes build, with plain mini-batch SGD + momentum, and prints
one JSON line per epoch: {"epoch", "seconds", "train_loss", "test_accuracy"} then a summary line with
the inference time over the test set. Run with Debian's /usr/bin/python3 (torch 1.13) or a venv with
the CPU wheel. Example:
    /usr/bin/python3 Tools/bench/reference/torch_train.py --model mlp --threads 1 --epochs 3
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import load_mnist_like  # noqa: E402


def build(model, torch, in_features, channels):
    nn = torch.nn
    if model == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(in_features, 100), nn.ReLU(), nn.Linear(100, 10)), nn.CrossEntropyLoss()
    if model == "sigmoid":
        return nn.Sequential(nn.Flatten(), nn.Linear(in_features, 100), nn.Sigmoid(), nn.Linear(100, 10)), nn.CrossEntropyLoss()
    if model == "convnet":
        net = nn.Sequential(
            nn.Conv2d(channels, 10, 5), nn.MaxPool2d(2), nn.ReLU(),
            nn.Conv2d(10, 20, 5), nn.Dropout2d(0.5), nn.MaxPool2d(2), nn.ReLU(),
            nn.Flatten(), nn.Linear(320, 60), nn.ReLU(), nn.Dropout(0.5), nn.Linear(60, 10), nn.LogSoftmax(dim=1),
        )
        return net, nn.NLLLoss()
    raise SystemExit(f"unknown model {model}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=["mlp", "sigmoid", "convnet"], required=True)
    p.add_argument("--dataset", default="fashion-mnist")
    p.add_argument("--data-dir")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--standardize", action="store_true", help="subtract the training mean, divide by its std")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()

    import torch

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    xtr, ytr, xte, yte = load_mnist_like(a.dataset, a.data_dir)
    xtr = torch.tensor(xtr, dtype=torch.float32).div_(255).unsqueeze(1)
    xte = torch.tensor(xte, dtype=torch.float32).div_(255).unsqueeze(1)
    if a.standardize:
        mean, std = xtr.mean().item(), xtr.std().item()
        xtr = (xtr - mean) / std
        xte = (xte - mean) / std
    ytr, yte = torch.tensor(ytr), torch.tensor(yte)
    net, loss_fn = build(a.model, torch, 784, 1)
    opt = torch.optim.SGD(net.parameters(), lr=a.lr, momentum=a.momentum)
    n = xtr.shape[0]
    for epoch in range(1, a.epochs + 1):
        net.train()
        perm = torch.randperm(n)
        start = time.perf_counter()
        total = 0.0
        for i in range(0, n, a.batch_size):
            idx = perm[i : i + a.batch_size]
            opt.zero_grad(set_to_none=False)
            loss = loss_fn(net(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            total += loss.item() * idx.shape[0]
        seconds = time.perf_counter() - start
        net.eval()
        with torch.no_grad():
            acc = (net(xte).argmax(1) == yte).float().mean().item()
        print(json.dumps({"epoch": epoch, "seconds": seconds, "train_loss": total / n, "test_accuracy": acc}), flush=True)
    net.eval()
    with torch.no_grad():
        start = time.perf_counter()
        for i in range(0, xte.shape[0], 1000):
            net(xte[i : i + 1000])
        infer = time.perf_counter() - start
    print(json.dumps({"summary": True, "torch": torch.__version__, "threads": a.threads, "inference_seconds": infer}))


if __name__ == "__main__":
    main()
