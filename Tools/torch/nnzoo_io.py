"""What PyTorch code needs to work with nnzoo's files (torch and numpy only):

- safetensors files read and written by hand, in every dtype PyTorch saves (F32, F64, F16, BF16,
  I64, ...), so the `safetensors` package is not needed; `save_state_dict` uses it when it is
  installed, since that is how people write the files nnzoo imports;
- the `torch.nn.Sequential` of an nnzoo recipe: from a checkpoint's resolved `architecture`, or from
  a recipe's own layer list (input sizes left out) for an image shape;
- the datasets in nnzoo's data directory layout and nnzoo's digits split (from
  Tools/reference/checkpoint_crosscheck.py), and the path of the nnzoo binary.
"""
import json
import os
import struct
import subprocess
import sys
import warnings

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "Tools", "reference"))
from checkpoint_crosscheck import data_dir, default_nnzoo, load_split  # noqa: E402,F401

DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
    "BOOL": torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}


def read_safetensors(path):
    """(metadata, {name: tensor}) of a safetensors file, tensors in file order."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    metadata = header.pop("__metadata__", {})
    body = data[8 + n :]
    tensors = {}
    for name, entry in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        begin, end = entry["data_offsets"]
        dtype = DTYPES[entry["dtype"]]
        raw = bytearray(body[begin:end])
        flat = torch.frombuffer(raw, dtype=dtype) if raw else torch.empty(0, dtype=dtype)
        tensors[name] = flat.reshape(entry["shape"]).clone()
    return metadata, tensors


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} in the given order, as the safetensors format lays it out."""
    header, chunks, offset = {}, [], 0
    for name, tensor in tensors.items():
        raw = tensor.detach().contiguous().cpu().reshape(-1).view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": NAMES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = metadata
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)) + encoded + b"".join(chunks))


def save_state_dict(path, state_dict):
    """Saves a state dict as PyTorch users do (safetensors.torch.save_file) when the package is
    installed, else with write_safetensors; returns which one wrote it."""
    tensors = {k: v.detach().contiguous() for k, v in state_dict.items()}
    try:
        from safetensors.torch import save_file
    except ImportError:
        write_safetensors(path, tensors)
        return "nnzoo_io.write_safetensors"
    save_file(tensors, path)
    return "safetensors.torch.save_file"


def model_from_architecture(architecture):
    """torch.nn.Sequential from a checkpoint's resolved layers (torch.nn class names and arguments)."""
    return torch.nn.Sequential(*[getattr(torch.nn, layer["type"])(**{k: v for k, v in layer.items() if k != "type"})
                                 for layer in architecture])


def model_from_recipe(layers, image_shape):
    """torch.nn.Sequential for a recipe's layer list, whose input sizes may be left out, on images of
    `image_shape` (C, H, W): the sizes are inferred by PyTorch's lazy modules and one forward pass."""
    lazy = {"Linear": ("LazyLinear", "in_features"), "Conv2d": ("LazyConv2d", "in_channels"),
            "BatchNorm1d": ("LazyBatchNorm1d", "num_features"), "BatchNorm2d": ("LazyBatchNorm2d", "num_features")}
    warnings.filterwarnings("ignore", message="Lazy modules are a new feature")
    modules = []
    for layer in layers:
        kind, arguments = layer["type"], {k: v for k, v in layer.items() if k != "type"}
        if kind in lazy:
            kind, size = lazy[kind]
            arguments.pop(size, None)
        if kind in ("Softmax", "LogSoftmax"):
            arguments.setdefault("dim", 1)  # nnzoo's, and what torch's implicit choice is for [N, classes]
        modules.append(getattr(torch.nn, kind)(**arguments))
    model = torch.nn.Sequential(*modules)
    model.eval()
    with torch.no_grad():
        model(torch.zeros((2,) + tuple(image_shape)))
    return model


def read_recipe(name_or_path):
    """A zoo recipe by name, or a recipe file."""
    path = name_or_path if name_or_path.endswith(".json") else os.path.join(ROOT, "zoo", name_or_path + ".json")
    with open(path) as f:
        return json.load(f)


def nnzoo(binary, *arguments):
    """Runs nnzoo; returns stdout, or exits with its error."""
    result = subprocess.run([binary] + [str(a) for a in arguments], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"nnzoo {' '.join(map(str, arguments))} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def normalized(images, max_value, mean, std):
    """(pixel / max - mean[c]) / std[c] as float32, [N, C, H, W]."""
    x = torch.from_numpy(images.astype(np.float32)) / max_value
    mean = torch.tensor(mean, dtype=torch.float32).reshape(1, -1, 1, 1)
    std = torch.tensor(std, dtype=torch.float32).reshape(1, -1, 1, 1)
    return (x - mean) / std
