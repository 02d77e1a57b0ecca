"""Shared helpers for the reference trainers: IDX loading and timing, nothing framework-specific."""
import gzip
import os
import struct

import numpy as np

DEBIAN_FASHION = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """Reads an IDX file (gzip or raw) into a numpy array."""
    with open(path, "rb") as f:
        head = f.read(2)
    opener = gzip.open if head == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, rank = struct.unpack(">HBB", data[:4])
    assert zero == 0, f"{path}: not an IDX file"
    dims = struct.unpack(">" + "I" * rank, data[4 : 4 + 4 * rank])
    dtype = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[dtype_code]
    return np.frombuffer(data, dtype=dtype, offset=4 + 4 * rank).reshape(dims)


def find_dataset(name, data_dir=None):
    """Folder holding the four IDX files of mnist or fashion-mnist."""
    candidates = []
    if data_dir:
        candidates.append(os.path.join(data_dir, name))
    candidates.append(os.path.join(os.environ.get("NNZOO_DATA", "Data"), name))
    if name == "fashion-mnist":
        candidates.append(DEBIAN_FASHION)
    for folder in candidates:
        if os.path.exists(os.path.join(folder, "train-images-idx3-ubyte.gz")):
            return folder
    raise SystemExit(f"{name}: no IDX files in any of {candidates}; run `nnzoo fetch {name}`")


def load_mnist_like(name, data_dir=None):
    """(train_x uint8 [N,28,28], train_y, test_x, test_y)."""
    folder = find_dataset(name, data_dir)
    get = lambda f: read_idx(os.path.join(folder, f + ".gz"))
    return (
        get("train-images-idx3-ubyte"),
        get("train-labels-idx1-ubyte").astype(np.int64),
        get("t10k-images-idx3-ubyte"),
        get("t10k-labels-idx1-ubyte").astype(np.int64),
    )
