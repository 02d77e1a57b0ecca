#!/usr/bin/env python3
"""NumPy from-scratch MLP reference (vectorised, float32, OpenBLAS through numpy) for nnzoo's benchmark.

The classic course-notebook MLP: Linear in->100, ReLU or sigmoid, Linear 100->10, softmax cross-entropy,
mini-batch SGD with momentum (PyTorch's update rule). Prints one JSON line per epoch like torch_train.py.
Threads are set with OPENBLAS_NUM_THREADS before numpy is imported (done here from --threads).
    python3 Tools/bench/reference/numpy_mlp.py --activation relu --threads 1 --epochs 3
"""
import argparse
import json
import os
import sys
import time


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--activation", choices=["relu", "sigmoid"], default="relu")
    p.add_argument("--dataset", default="fashion-mnist")
    p.add_argument("--data-dir")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = str(a.threads)
    os.environ["OMP_NUM_THREADS"] = str(a.threads)
    import numpy as np

    sys.path.insert(0, os.path.dirname(__file__))
    from common import load_mnist_like

    rng = np.random.default_rng(a.seed)
    xtr, ytr, xte, yte = load_mnist_like(a.dataset, a.data_dir)
    xtr = xtr.reshape(len(xtr), -1).astype(np.float32) / 255
    xte = xte.reshape(len(xte), -1).astype(np.float32) / 255
    n, d = xtr.shape
    bound1, bound2 = 1 / np.sqrt(d), 1 / np.sqrt(100)
    w1 = rng.uniform(-bound1, bound1, (d, 100)).astype(np.float32)
    b1 = rng.uniform(-bound1, bound1, 100).astype(np.float32)
    w2 = rng.uniform(-bound2, bound2, (100, 10)).astype(np.float32)
    b2 = rng.uniform(-bound2, bound2, 10).astype(np.float32)
    params = [w1, b1, w2, b2]
    velocity = [np.zeros_like(q) for q in params]
    sigmoid = a.activation == "sigmoid"

    def forward(x):
        z = x @ w1 + b1
        h = 1 / (1 + np.exp(-z)) if sigmoid else np.maximum(z, 0)
        return h, h @ w2 + b2

    for epoch in range(1, a.epochs + 1):
        perm = rng.permutation(n)
        start = time.perf_counter()
        total = np.float32(0)
        for i in range(0, n, a.batch_size):
            idx = perm[i : i + a.batch_size]
            x, y = xtr[idx], ytr[idx]
            m = len(idx)
            h, logits = forward(x)
            logits -= logits.max(1, keepdims=True)
            e = np.exp(logits)
            probs = e / e.sum(1, keepdims=True)
            total += -np.log(probs[np.arange(m), y] + 1e-12).sum()
            g = probs
            g[np.arange(m), y] -= 1
            g /= m
            gw2 = h.T @ g
            gb2 = g.sum(0)
            gh = g @ w2.T
            gz = gh * h * (1 - h) if sigmoid else gh * (h > 0)
            gw1 = x.T @ gz
            gb1 = gz.sum(0)
            for q, v, gq in zip(params, velocity, [gw1, gb1, gw2, gb2]):
                v *= a.momentum
                v += gq
                q -= a.lr * v
        seconds = time.perf_counter() - start
        acc = float((forward(xte)[1].argmax(1) == yte).mean())
        print(json.dumps({"epoch": epoch, "seconds": seconds, "train_loss": float(total) / n, "test_accuracy": acc}), flush=True)
    start = time.perf_counter()
    for i in range(0, len(xte), 1000):
        forward(xte[i : i + 1000])
    print(json.dumps({"summary": True, "numpy": np.__version__, "threads": a.threads, "inference_seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main()
