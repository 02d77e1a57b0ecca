#!/usr/bin/env python3
"""Loads an nnzoo checkpoint into the equivalent PyTorch model and checks that both give the same
test accuracy and the same outputs (logits) within a tolerance.

What it does, independently of nnzoo's Swift code:
  1. parses the safetensors file by hand (8-byte little-endian header length, JSON header, raw
     little-endian tensors), so the `safetensors` package is not needed;
  2. builds a torch.nn.Sequential from the checkpoint's `architecture` metadata (each layer is a
     torch.nn class with its own argument names) and loads the model tensors with
     load_state_dict(strict=True), leaving out the optimizer state (names starting "optimizer.");
  3. reads the dataset split itself (IDX, CIFAR-10 binary, or the digits CSV with nnzoo's split) and
     normalises it with the checkpoint's `normalization` metadata: (pixel / max_value - mean[c]) / std[c];
  4. runs the PyTorch model in eval mode, runs `nnzoo dump-logits` on the same checkpoint, and compares.

Run with the repository's PyTorch environment (Tools/torch-venv makes it on first use and prints its
python), or any Python with torch and numpy:
    "$(Tools/torch-venv)" Tools/reference/checkpoint_crosscheck.py runs/digits-mlp-.../checkpoint-best.safetensors
Options: --nnzoo PATH (default .build/release/nnzoo, else .build/debug/nnzoo), --data-dir DIR,
--split test|train, --tolerance 1e-4. Exits 1 if the outputs differ by more than the tolerance or the
accuracies differ.
"""
import argparse
import gzip
import json
import os
import struct
import subprocess
import sys
import tarfile
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from digits_split import RNG  # noqa: E402  (nnzoo's generator, reimplemented in Python)

DTYPES = {"F32": np.dtype("<f4"), "I64": np.dtype("<i8"), "F64": np.dtype("<f8"), "F16": np.dtype("<f2")}


def read_safetensors(path):
    """(metadata dict, {name: numpy array}) from a safetensors file, validated as it is read."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise SystemExit(f"{path}: shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise SystemExit(f"{path}: header length {n} exceeds the file")
    header = json.loads(data[8 : 8 + n])
    metadata = header.pop("__metadata__", {})
    body = data[8 + n :]
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = DTYPES[entry["dtype"]]
        array = np.frombuffer(body[begin:end], dtype=dtype).reshape(entry["shape"])
        tensors[name] = array
    return metadata, tensors


def build_model(torch, architecture):
    """torch.nn.Sequential from nnzoo's resolved layer list (torch.nn class names and arguments)."""
    layers = []
    for spec in architecture:
        spec = dict(spec)
        kind = spec.pop("type")
        layers.append(getattr(torch.nn, kind)(**spec))
    return torch.nn.Sequential(*layers)


def data_dir(explicit):
    return explicit or os.environ.get("NNZOO_DATA") or os.path.join(ROOT, "Data")


def first_existing(paths):
    for p in paths:
        if os.path.exists(p):
            return p
    raise SystemExit("none of these exist: " + ", ".join(paths) + " (run `nnzoo fetch <dataset>`)")


def read_idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    rank = raw[3]
    dims = struct.unpack(">" + "I" * rank, raw[4 : 4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load_split(dataset, split, folder):
    """(images uint8 [N, C, H, W], labels int64 [N], max_value)."""
    if dataset in ("mnist", "fashion-mnist"):
        prefix = "train" if split == "train" else "t10k"
        places = [os.path.join(folder, dataset)]
        if dataset == "fashion-mnist":
            places.append("/usr/share/datasets/fashion-mnist")

        def find(name):
            return first_existing([os.path.join(p, name + ext) for p in places for ext in (".gz", "")])

        images = read_idx(find(f"{prefix}-images-idx3-ubyte"))
        labels = read_idx(find(f"{prefix}-labels-idx1-ubyte")).astype(np.int64)
        return images[:, None, :, :], labels, 255
    if dataset == "cifar10":
        names = [f"data_batch_{i}.bin" for i in range(1, 6)] if split == "train" else ["test_batch.bin"]
        extracted = os.path.join(folder, "cifar10", "cifar-10-batches-bin")
        chunks = []
        if os.path.isdir(extracted):
            for name in names:
                with open(os.path.join(extracted, name), "rb") as f:
                    chunks.append(f.read())
        else:
            with tarfile.open(first_existing([os.path.join(folder, "cifar10", "cifar-10-binary.tar.gz")])) as tar:
                for name in names:
                    chunks.append(tar.extractfile("cifar-10-batches-bin/" + name).read())
        records = np.frombuffer(b"".join(chunks), dtype=np.uint8).reshape(-1, 3073)
        return records[:, 1:].reshape(-1, 3, 32, 32), records[:, 0].astype(np.int64), 255
    if dataset == "digits":
        path = first_existing([os.path.join(folder, "digits", "digits.csv.gz"), os.path.join(folder, "digits", "digits.csv")])
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt") as f:
            rows = [[int(float(v)) for v in line.strip().split(",")] for line in f if line.strip()]
        table = np.array(rows, dtype=np.int64)
        labels = table[:, 64]
        test = set()
        for label in sorted(set(labels.tolist())):
            members = [i for i, l in enumerate(labels.tolist()) if l == label]
            RNG(1797, label).shuffle(members)
            test.update(members[: (len(members) + 2) // 5])
        chosen = sorted(test) if split == "test" else [i for i in range(len(labels)) if i not in test]
        return table[chosen, :64].astype(np.uint8).reshape(-1, 1, 8, 8), labels[chosen], 16
    raise SystemExit(f"unknown dataset {dataset}")


def default_nnzoo():
    for build in ("release", "debug"):
        path = os.path.join(ROOT, ".build", build, "nnzoo")
        if os.path.exists(path):
            return path
    raise SystemExit("no nnzoo binary found; build with `swift build -c release` or pass --nnzoo")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint")
    p.add_argument("--nnzoo")
    p.add_argument("--data-dir")
    p.add_argument("--split", default="test", choices=["train", "test"])
    p.add_argument("--tolerance", type=float, default=1e-4)
    a = p.parse_args()

    import torch

    torch.set_num_threads(1)
    metadata, tensors = read_safetensors(a.checkpoint)
    architecture = json.loads(metadata["architecture"])
    normalization = json.loads(metadata["normalization"])
    dataset = metadata["dataset"]
    model = build_model(torch, architecture)
    state = {k: torch.from_numpy(v.copy()) for k, v in tensors.items() if not k.startswith("optimizer.")}
    model.load_state_dict(state, strict=True)
    model.eval()

    images, labels, max_value = load_split(dataset, a.split, data_dir(a.data_dir))
    if max_value != normalization["max_value"]:
        raise SystemExit(f"max value {max_value} differs from the checkpoint's {normalization['max_value']}")
    x = images.astype(np.float32) / np.float32(max_value)
    mean = np.array(normalization["mean"], dtype=np.float32).reshape(1, -1, 1, 1)
    std = np.array(normalization["std"], dtype=np.float32).reshape(1, -1, 1, 1)
    x = (x - mean) / std
    with torch.no_grad():
        torch_out = model(torch.from_numpy(x)).numpy()

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "logits.safetensors")
        command = [a.nnzoo or default_nnzoo(), "dump-logits", a.checkpoint, "--split", a.split, "--out", out]
        if a.data_dir:
            command += ["--data-dir", a.data_dir]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        _, dumped = read_safetensors(out)
    nnzoo_out = dumped["logits"]
    if not np.array_equal(dumped["labels"], labels):
        raise SystemExit("nnzoo and this script read different labels for the split")

    difference = np.abs(torch_out - nnzoo_out)
    torch_pred, nnzoo_pred = torch_out.argmax(1), nnzoo_out.argmax(1)
    torch_acc, nnzoo_acc = (torch_pred == labels).mean(), (nnzoo_pred == labels).mean()
    n = len(labels)
    print(f"checkpoint   {a.checkpoint}")
    print(f"model        {metadata.get('kind', '?')} checkpoint of recipe {json.loads(metadata['recipe'])['name']}, "
          f"epoch {metadata['epoch']}, {sum(v.numel() for v in model.state_dict().values())} values in the state dict")
    print(f"torch        {torch.__version__}: torch.nn.Sequential with {len(model)} layers, load_state_dict(strict=True) ok")
    print(f"data         {dataset} {a.split}: {n} images, normalised with mean {normalization['mean']} std {normalization['std']}")
    print(f"accuracy     PyTorch {torch_acc * 100:.2f}% ({(torch_pred == labels).sum()}/{n}), "
          f"nnzoo {nnzoo_acc * 100:.2f}% ({(nnzoo_pred == labels).sum()}/{n})")
    print(f"predictions  {int((torch_pred == nnzoo_pred).sum())}/{n} identical")
    print(f"outputs      max |PyTorch - nnzoo| = {difference.max():.3g}, mean {difference.mean():.3g} "
          f"(tolerance {a.tolerance:g}), largest |output| {np.abs(torch_out).max():.3g}")
    ok = difference.max() <= a.tolerance and torch_acc == nnzoo_acc
    print("result       " + ("agree" if ok else "DISAGREE"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
