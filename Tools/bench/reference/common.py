"""Shared helpers for the reference trainers: IDX loading, nnzoo's recipes (zoo/*.json) read the way
nnzoo reads them (layer sizes inferred, normalisation constants, learning-rate schedule), nothing
framework-specific. NumPy is imported only by the functions that make arrays, so Tools/bench/compare
can use the rest with a Python that has no NumPy."""
import gzip
import json
import math
import os
import struct
import time

DEBIAN_FASHION = "/usr/share/datasets/fashion-mnist"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
ZOO = os.path.join(ROOT, "zoo")

# The recipe each benchmark model name stands for.
MODEL_RECIPES = {"mlp": "mlp-784-100-10", "sigmoid": "sigmoid-mlp", "convnet": "convnet-dropout", "vgg": "vgg-bn"}


IDX_TYPES = {0x08: ("u1", 1), 0x09: ("i1", 1), 0x0B: (">i2", 2), 0x0C: (">i4", 4), 0x0D: (">f4", 4), 0x0E: (">f8", 8)}


def _open_idx(path):
    with open(path, "rb") as f:
        head = f.read(2)
    return (gzip.open if head == b"\x1f\x8b" else open)(path, "rb")


def idx_data_bytes(path):
    """The size in bytes of an IDX file's elements (what read_idx(path).nbytes is), from its header alone."""
    with _open_idx(path) as f:
        zero, dtype_code, rank = struct.unpack(">HBB", f.read(4))
        assert zero == 0 and dtype_code in IDX_TYPES, f"{path}: not an IDX file"
        dims = struct.unpack(">" + "I" * rank, f.read(4 * rank))
    return math.prod(dims) * IDX_TYPES[dtype_code][1]


def read_idx(path):
    """Reads an IDX file (gzip or raw) into a numpy array."""
    import numpy as np

    with _open_idx(path) as f:
        data = f.read()
    zero, dtype_code, rank = struct.unpack(">HBB", data[:4])
    assert zero == 0, f"{path}: not an IDX file"
    dims = struct.unpack(">" + "I" * rank, data[4 : 4 + 4 * rank])
    return np.frombuffer(data, dtype=np.dtype(IDX_TYPES[dtype_code][0]), offset=4 + 4 * rank).reshape(dims)


def find_dataset(name, data_dir=None):
    """Folder holding the four IDX files of mnist or fashion-mnist, searched as nnzoo searches:
    the data directory (--data-dir, else $NNZOO_DATA, else ./Data), then Debian's copy."""
    candidates = []
    if data_dir:
        candidates.append(os.path.join(data_dir, name))
    else:
        candidates.append(os.path.join(os.environ.get("NNZOO_DATA", "Data"), name))
    if name == "fashion-mnist":
        candidates.append(DEBIAN_FASHION)
    for folder in candidates:
        if os.path.exists(os.path.join(folder, "train-images-idx3-ubyte.gz")):
            return folder
    raise SystemExit(f"{name}: no IDX files in any of {candidates}; run `nnzoo fetch {name}`")


def load_mnist_like(name, data_dir=None):
    """(train_x uint8 [N,28,28], train_y, test_x, test_y)."""
    import numpy as np

    folder = find_dataset(name, data_dir)
    get = lambda f: read_idx(os.path.join(folder, f + ".gz"))
    return (
        get("train-images-idx3-ubyte"),
        get("train-labels-idx1-ubyte").astype(np.int64),
        get("t10k-images-idx3-ubyte"),
        get("t10k-labels-idx1-ubyte").astype(np.int64),
    )


def load_recipe(name_or_path):
    """A recipe from zoo/ by name (`convnet-dropout`) or model alias (`convnet`), or a .json path."""
    name = MODEL_RECIPES.get(name_or_path, name_or_path)
    path = name if name.endswith(".json") or "/" in name else os.path.join(ZOO, name + ".json")
    with open(path) as f:
        return json.load(f)


# The torch.nn classes a recipe may name (nnzoo's LayerSpec.typeNames).
LAYER_TYPES = ("Linear", "Conv2d", "MaxPool2d", "AdaptiveAvgPool2d", "ReLU", "Sigmoid", "Tanh", "Flatten", "Dropout",
               "Dropout2d", "BatchNorm1d", "BatchNorm2d", "Softmax", "LogSoftmax")


def resolved_layers(recipe, input_shape):
    """The recipe's layers as (torch.nn class name, keyword arguments) with every input size filled
    in from `input_shape` (C, H, W), as nnzoo's ModelBuilder infers them."""
    shape = list(input_shape)
    layers = []
    for spec in recipe["layers"]:
        spec = dict(spec)
        written = spec.pop("type").lower()
        kind = next(k for k in LAYER_TYPES if k.lower() == written)
        if kind == "Linear":
            spec.setdefault("in_features", shape[0])
            shape = [spec["out_features"]]
        elif kind == "Conv2d":
            spec.setdefault("in_channels", shape[0])
            k, s, p = spec["kernel_size"], spec.get("stride", 1), spec.get("padding", 0)
            shape = [spec["out_channels"], (shape[1] + 2 * p - k) // s + 1, (shape[2] + 2 * p - k) // s + 1]
        elif kind == "MaxPool2d":
            k = spec["kernel_size"]
            s, p = spec.get("stride") or k, spec.get("padding", 0)
            shape = [shape[0], (shape[1] + 2 * p - k) // s + 1, (shape[2] + 2 * p - k) // s + 1]
        elif kind == "AdaptiveAvgPool2d":
            size = spec["output_size"]
            shape = [shape[0]] + (list(size) if isinstance(size, list) else [size, size])
        elif kind == "Flatten":
            shape = [math.prod(shape)]
        elif kind in ("BatchNorm1d", "BatchNorm2d"):
            spec.setdefault("num_features", shape[0])
        elif kind in ("Softmax", "LogSoftmax"):
            spec.setdefault("dim", 1)
        layers.append((kind, spec))
    return layers


def normalization(recipe, train_images, max_value=255):
    """(mean, std) per channel on the [0, 1] scale, as nnzoo's InputNormalization: `standardize` is the
    mean and population standard deviation of the training pixels, `scale` is (0, 1)."""
    import numpy as np

    spec = recipe.get("normalization", {"type": "scale"})
    channels = 1 if train_images.ndim == 3 else train_images.shape[1]
    if spec["type"] == "scale":
        return [0.0] * channels, [1.0] * channels
    if spec["type"] == "fixed":
        return spec["mean"], spec["std"]
    pixels = train_images.reshape(len(train_images), channels, -1).transpose(1, 0, 2).reshape(channels, -1)
    mean = pixels.mean(axis=1, dtype=np.float64)
    std = pixels.std(axis=1, dtype=np.float64)
    return list(mean / max_value), [s / max_value if s > 0 else 1.0 for s in std]


def normalized(images, mean, std, max_value=255):
    """Float32 inputs `(pixel / max_value - mean) / std` in float32, torchvision's order (nnzoo's `pixel * scale + offset` agrees within an ulp or two)."""
    import numpy as np

    x = images.astype(np.float32) / np.float32(max_value)
    if x.ndim == 3:
        return (x - np.float32(mean[0])) / np.float32(std[0])
    return (x - np.array(mean, np.float32)[None, :, None, None]) / np.array(std, np.float32)[None, :, None, None]


def learning_rate(recipe, base, epoch, epochs):
    """The learning rate of 0-based `epoch` of `epochs` under the recipe's schedule (nnzoo's ScheduleSpec,
    which is PyTorch's CosineAnnealingLR / StepLR stepped once per epoch; onecycle changes the rate after
    every batch and is left to torch.optim.lr_scheduler.OneCycleLR: see one_cycle)."""
    schedule = recipe.get("schedule", {"type": "constant"})
    if isinstance(schedule, str):
        schedule = {"type": schedule}
    kind = schedule["type"].lower()
    if kind == "cosine":
        low = schedule.get("min_lr", 0)
        return low + (base - low) * (1 + math.cos(math.pi * epoch / epochs)) / 2
    if kind == "step":
        return base * schedule["gamma"] ** (epoch // schedule["step_size"])
    return base


def one_cycle(recipe, torch, optimizer, epochs, steps_per_epoch):
    """torch.optim.lr_scheduler.OneCycleLR for a recipe whose schedule is onecycle (nnzoo's ScheduleSpec
    OneCycle: max_lr is the optimizer's lr, stepped after every batch), else None."""
    schedule = recipe.get("schedule", {"type": "constant"})
    if isinstance(schedule, str):
        schedule = {"type": schedule}
    if schedule["type"].lower() != "onecycle":
        return None
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=optimizer.param_groups[0]["lr"], epochs=epochs, steps_per_epoch=steps_per_epoch,
        pct_start=schedule.get("pct_start", 0.3), div_factor=schedule.get("div_factor", 25.0),
        final_div_factor=schedule.get("final_div_factor", 1e4), anneal_strategy=schedule.get("anneal_strategy", "cos"),
        cycle_momentum=schedule.get("cycle_momentum", True), base_momentum=schedule.get("base_momentum", 0.85),
        max_momentum=schedule.get("max_momentum", 0.95))


def timed_passes(run_pass, warmup_seconds, repeats):
    """Median seconds of `repeats` calls of `run_pass`, after untimed calls for at least `warmup_seconds`
    (at least one): an idle core takes a few hundred milliseconds to come up to speed, longer than one
    pass. nnbench inference warms up the same way."""
    end = time.perf_counter() + warmup_seconds
    while True:
        run_pass()
        if time.perf_counter() >= end:
            break
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run_pass()
        times.append(time.perf_counter() - start)
    return median(times)


def median(values):
    values = sorted(values)
    return values[len(values) // 2] if len(values) % 2 else (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2
