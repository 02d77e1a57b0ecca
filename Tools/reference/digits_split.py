#!/usr/bin/env python3
"""Independent reference for nnzoo's digits train/test split (see DigitsSplit in
Sources/NNData/DigitsCSV.swift): group rows by label in file order, shuffle each group with
RNG(seed=1797, stream=label) (xoshiro256** seeded through SplitMix64, Fisher-Yates with Lemire's
unbiased integers), the first (n + 2) // 5 rows of each group are the test split.

Prints the split sizes, the first test rows and a SHA-256 of the test row list;
Tests/NNDataTests/DigitsTests.swift asserts these values.
Run: python3 Tools/reference/digits_split.py [path/to/digits.csv.gz]
"""
import gzip
import hashlib
import os
import sys

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
    def __init__(self, seed, stream=None):
        if stream is not None:
            a = SplitMix64(seed ^ 0xD1B54A32D192ED03).next()
            seed = SplitMix64(((stream * 0x9E3779B97F4A7C15) & M) ^ a).next()
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

    def int_below(self, bound):
        m = self.next() * bound
        if (m & M) < bound:
            threshold = ((1 << 64) - bound) % bound
            while (m & M) < threshold:
                m = self.next() * bound
        return m >> 64

    def shuffle(self, items):
        i = len(items)
        while i > 1:
            j = self.int_below(i)
            i -= 1
            items[i], items[j] = items[j], items[i]


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "Data", "digits", "digits.csv.gz")
    with gzip.open(path, "rt") as f:
        labels = [int(float(line.rstrip().split(",")[64])) for line in f if line.strip()]
    test = set()
    for label in sorted(set(labels)):
        rows = [i for i, l in enumerate(labels) if l == label]
        RNG(1797, label).shuffle(rows)
        test.update(rows[: (len(rows) + 2) // 5])
    test_rows = sorted(test)
    print("train", len(labels) - len(test_rows), "test", len(test_rows))
    print("first test rows", test_rows[:8])
    print("test rows sha256", hashlib.sha256(",".join(map(str, test_rows)).encode()).hexdigest())


if __name__ == "__main__":
    main()
