#!/usr/bin/env python3
"""Independent reference for nnzoo's built-in toy sets (Sources/NNData/ToyDatasets.swift).

circles: the course notebook's own code (numpy):
    phi = np.linspace(0.0, np.pi * 2, 100)
    X1 = 1.1 * np.array([np.sin(phi), np.cos(phi)]); X2 = 3.0 * np.array([np.sin(phi), np.cos(phi)])
  training points inner ring first (class 1, the notebook's +1), then the outer ring (class 0); the
  test points are the same rings at the half-step angles (k + 0.5) * 2pi / 99, k = 0..98.
gaussians: generate_data(n, means=[[3,3],[-1,1]], seed) with nnzoo's generator (xoshiro256** seeded
  through SplitMix64, implemented here independently) instead of numpy's: S1, S2 = four uniform
  doubles each; n points of mean (3,3) (class 1) then n of mean (-1,1) (class 0), each mean + z S with
  z two Box-Muller normals; shuffled by a Fisher-Yates permutation; then the test split the same way.

Writes Tests/Fixtures/toy/toy_sets.json (points as float32, the form nnzoo keeps them in), which
Tests/NNDataTests/ToyDatasetTests.swift compares with.
Run: python3 Tools/reference/toy_sets.py   (needs numpy)
"""
import json
import math
import os

import numpy as np

M = (1 << 64) - 1


class SplitMix64:
    def __init__(self, state):
        self.state = state & M

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        return z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


class RNG:
    def __init__(self, seed):
        sm = SplitMix64(seed)
        self.s = [sm.next() for _ in range(4)]

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def double(self):
        return (self.next() >> 11) * (1.0 / 9007199254740992.0)

    def int_below(self, bound):
        m = self.next() * bound
        if (m & M) < bound:
            threshold = ((1 << 64) - bound) % bound
            while (m & M) < threshold:
                m = self.next() * bound
        return m >> 64

    def permutation(self, n):
        items = list(range(n))
        i = n
        while i > 1:
            j = self.int_below(i)
            i -= 1
            items[i], items[j] = items[j], items[i]
        return items

    def normal(self):
        u1 = self.double()
        while u1 <= 0:
            u1 = self.double()
        u2 = self.double()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def f32(values):
    return [float(v) for v in np.asarray(values, dtype=np.float64).astype(np.float32)]


def circles():
    phi = np.linspace(0.0, np.pi * 2, 100)
    X1 = 1.1 * np.array([np.sin(phi), np.cos(phi)])
    X2 = 3.0 * np.array([np.sin(phi), np.cos(phi)])
    X = np.hstack([X1, X2]).T
    Y = np.concatenate([np.ones(100), -1.0 * np.ones(100)])
    test_phi = (np.arange(99) + 0.5) * (2 * np.pi / 99)
    T1 = 1.1 * np.array([np.sin(test_phi), np.cos(test_phi)])
    T2 = 3.0 * np.array([np.sin(test_phi), np.cos(test_phi)])
    T = np.hstack([T1, T2]).T
    return {
        "train": {"points": f32(X.ravel()), "labels": [1 if y > 0 else 0 for y in Y]},
        "test": {"points": f32(T.ravel()), "labels": [1] * 99 + [0] * 99},
    }


def gaussians(n, seed):
    rng = RNG(seed)
    s = [[rng.double() for _ in range(4)] for _ in range(2)]
    means = {1: (3.0, 3.0), 0: (-1.0, 1.0)}
    out = {}
    for split in ("train", "test"):
        points, labels = [], []
        for label, m in ((1, s[0]), (0, s[1])):
            mean = means[label]
            for _ in range(n):
                z0, z1 = rng.normal(), rng.normal()
                points.append((mean[0] + z0 * m[0] + z1 * m[2], mean[1] + z0 * m[1] + z1 * m[3]))
                labels.append(label)
        order = rng.permutation(len(labels))
        out[split] = {
            "points": f32([c for i in order for c in points[i]]),
            "labels": [labels[i] for i in order],
        }
    return out


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    fixture = {
        "generated_by": "Tools/reference/toy_sets.py",
        "numpy_version": np.__version__,
        "circles": circles(),
        "gaussians": gaussians(20, 1),
        "gaussians:n=5,seed=7": gaussians(5, 7),
    }
    path = os.path.join(root, "Tests", "Fixtures", "toy", "toy_sets.json")
    with open(path, "w") as f:
        json.dump(fixture, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
