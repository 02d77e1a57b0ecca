#!/usr/bin/env python3
"""NumPy from-scratch MLP reference (vectorised, float32, OpenBLAS through numpy) for nnzoo's speed
comparison (Tools/bench/compare).

The classic course-notebook MLP for an nnzoo MLP recipe (Flatten, Linear in->hidden, ReLU or Sigmoid,
Linear hidden->classes, softmax cross-entropy), initialised as torch.nn.Linear, trained with mini-batch
SGD with momentum (PyTorch's update rule) with the recipe's learning rate, momentum, batch size,
schedule and input normalisation on the whole training split, every epoch a fresh random order.
Prints one JSON line per epoch like torch_train.py ("seconds" is the training pass alone) and a summary
with the inference time over the test set (median of passes in batches of 1000, after --warmup-seconds of
untimed ones). Threads are set with
OPENBLAS_NUM_THREADS before numpy is imported (done here from --threads).
    /usr/bin/python3 Tools/bench/reference/numpy_mlp.py --model sigmoid --threads 1 --epochs 3
(Debian's python3 with python3-numpy, NumPy on Debian's OpenBLAS, as Tools/bench/compare runs it).
"""
import argparse
import json
import os
import sys
import time


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--recipe", "--model", dest="recipe", default="mlp",
                   help="mlp, sigmoid, or an MLP recipe name/path")
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
    os.environ["OPENBLAS_NUM_THREADS"] = str(a.threads)
    os.environ["OMP_NUM_THREADS"] = str(a.threads)
    import numpy as np

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from common import (learning_rate, load_mnist_like, load_recipe, normalization, normalized, resolved_layers,
                        timed_passes)

    recipe = load_recipe(a.recipe)
    xtr, ytr, xte, yte = load_mnist_like(recipe["dataset"], a.data_dir)
    layers = resolved_layers(recipe, (1,) + xtr.shape[1:])
    kinds = [kind for kind, _ in layers]
    if kinds not in (["Flatten", "Linear", "ReLU", "Linear"], ["Flatten", "Linear", "Sigmoid", "Linear"]) \
            or recipe["loss"].lower() != "crossentropyloss":
        raise SystemExit(f"{recipe['name']}: the NumPy reference trains Flatten, Linear, ReLU|Sigmoid, Linear with "
                         f"CrossEntropyLoss; this recipe has {kinds} with {recipe['loss']}")
    sigmoid = kinds[2] == "Sigmoid"
    epochs = a.epochs or recipe["epochs"]
    batch_size = a.batch_size or recipe["batch_size"]
    base_lr = a.lr if a.lr is not None else recipe["optimizer"]["lr"]
    momentum = a.momentum if a.momentum is not None else recipe["optimizer"].get("momentum", 0)

    rng = np.random.default_rng(a.seed)
    mean, std = normalization(recipe, xtr)
    xtr = normalized(xtr, mean, std).reshape(len(xtr), -1)
    xte = normalized(xte, mean, std).reshape(len(xte), -1)
    n, d = xtr.shape
    hidden, classes = layers[1][1]["out_features"], layers[3][1]["out_features"]
    bound1, bound2 = 1 / np.sqrt(d), 1 / np.sqrt(hidden)
    w1 = rng.uniform(-bound1, bound1, (d, hidden)).astype(np.float32)
    b1 = rng.uniform(-bound1, bound1, hidden).astype(np.float32)
    w2 = rng.uniform(-bound2, bound2, (hidden, classes)).astype(np.float32)
    b2 = rng.uniform(-bound2, bound2, classes).astype(np.float32)
    params = [w1, b1, w2, b2]
    velocity = [np.zeros_like(q) for q in params]

    def forward(x):
        z = x @ w1 + b1
        h = 1 / (1 + np.exp(-z)) if sigmoid else np.maximum(z, 0)
        return h, h @ w2 + b2

    for epoch in range(epochs):
        lr = np.float32(learning_rate(recipe, base_lr, epoch, epochs))
        mom = np.float32(momentum)
        start = time.perf_counter()
        perm = rng.permutation(n)
        total = 0.0
        for i in range(0, n, batch_size):
            idx = perm[i : i + batch_size]
            x, y = xtr[idx], ytr[idx]
            m = len(idx)
            h, logits = forward(x)
            logits -= logits.max(1, keepdims=True)
            e = np.exp(logits)
            probs = e / e.sum(1, keepdims=True)
            total += float(-np.log(probs[np.arange(m), y] + 1e-12).sum())
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
                v *= mom
                v += gq
                q -= lr * v
        seconds = time.perf_counter() - start
        acc = float((forward(xte)[1].argmax(1) == yte).mean())
        print(json.dumps({"epoch": epoch + 1, "seconds": seconds, "train_loss": total / n, "test_accuracy": acc,
                          "lr": float(lr)}), flush=True)
    def inference_pass():
        for i in range(0, len(xte), 1000):
            forward(xte[i : i + 1000])

    print(json.dumps({"summary": True, "recipe": recipe["name"], "numpy": np.__version__, "threads": a.threads,
                      "inference_seconds": timed_passes(inference_pass, a.warmup_seconds, a.inference_repeats)}))


if __name__ == "__main__":
    main()
