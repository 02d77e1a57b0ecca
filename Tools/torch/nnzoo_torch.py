#!/usr/bin/env python3
"""Trains an nnzoo recipe with PyTorch, on one process or many (torchrun), and writes an nnzoo run
folder that `nnzoo eval` and `export` read (and `nnzoo predict`, where the binary has it). torch and
numpy only.

    python Tools/torch/nnzoo_torch.py train zoo/digits-mlp.json --dataset digits --out runs/torch-digits
    python -m torch.distributed.run --nproc_per_node 2 Tools/torch/nnzoo_torch.py \\
        train zoo/mlp-784-100-10.json --dataset fashion-mnist --epochs 1 --out RUN
    nnzoo eval RUN

What it takes from the recipe (a zoo name or a .json file; every field but `layers` may be left out
and gets nnzoo's default: name from the file name, Adam lr 0.001, constant schedule, 10 epochs of
64, seed 1, standardize, CrossEntropyLoss): the layers (as the torch.nn.Sequential nnzoo builds,
parameter names and all: Linear, Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, BatchNorm1d/2d,
ReLU, LeakyReLU, GELU, Sigmoid, Tanh, Dropout, Dropout2d, Flatten, Softmax, LogSoftmax) with their
`weight_init` / `bias_init` (torch.nn.init's functions of the same names, drawn from torch's
generator), the loss (CrossEntropyLoss with label_smoothing, NLLLoss, MSELoss, BCEWithLogitsLoss,
and HingeLoss, nnzoo's name for torch.clamp(1 - y * out, min=0).mean(); targets made from the labels
as nnzoo makes them), the optimizer (SGD, Adam, AdamW, RMSprop with every setting), the learning-rate
schedule (constant, step, cosine, with warmup_epochs, set once per epoch as nnzoo does; onecycle as
torch's OneCycleLR, stepped after every batch), the batch size, epochs, seed, train_subset,
normalisation and augmentation (hflip, vflip, crop, shift, rotate, cutout, brightness, contrast,
with nnzoo's meanings). The validation examples are exactly the ones `nnzoo train` holds out (its
generator, reimplemented), so `standardize` computes the same constants. What has no direct
equivalent is refused by name before anything is trained: early_stopping, and a train_subset (its
examples are drawn by nnzoo's generator, which this bridge does not reimplement).

Distributed: under torchrun (or any launcher that sets RANK, WORLD_SIZE, MASTER_ADDR and
MASTER_PORT) every process joins one process group: gloo on CPUs, nccl when each process has a GPU
(--backend overrides). The model is wrapped in DistributedDataParallel; each epoch's training
examples are shuffled with the epoch's seed and dealt out to the processes (DistributedSampler), and
each process takes batch_size / world_size of every batch, so one optimizer step still sees the
recipe's batch size. Batch normalisation keeps per-process batch statistics (DDP's default; its
running statistics are rank 0's). Rank 0 validates after every epoch and writes the run folder.

What it writes in --out (a new or empty folder; files are written under temporary names, then
renamed): checkpoint-last.safetensors and checkpoint-best.safetensors (the epoch with the highest
validation accuracy, ties to the lower loss; the last epoch without validation), with the model's
tensors as PyTorch names them and the metadata nnzoo needs (recipe, input, dataset, class_names,
normalization, epoch, kind, and trained_with: this script, torch's version, the processes), and torch-run.json: the command,
world size, backend, torch version, every epoch's figures and the test accuracy of the best
checkpoint as PyTorch computes it. Not the optimizer state: `nnzoo train --resume` cannot continue
such a run; `nnzoo import` can take its weights for fine-tuning.

The datasets are read from nnzoo's data directory (--data-dir, else $NNZOO_DATA, else Data/ of this
repository): digits, mnist, fashion-mnist (also Debian's dataset-fashion-mnist package), cifar10, as
`nnzoo fetch` leaves them.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import nnzoo_io  # noqa: E402
from digits_split import RNG  # noqa: E402  (nnzoo's generator, reimplemented; Tools/reference)

CLASS_NAMES = {
    "digits": [str(i) for i in range(10)],
    "mnist": [str(i) for i in range(10)],
    "fashion-mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                      "Ankle boot"],
    "cifar10": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
}
VALIDATION_DOMAIN = 0x7661_6C73_706C_6974  # "valsplit": TrainingRandomness.validationDomain
TORCH_LAYERS = {name.lower(): name for name in (
    "Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "ReLU", "LeakyReLU", "GELU", "Sigmoid",
    "Tanh", "Flatten", "Dropout", "Dropout2d", "BatchNorm1d", "BatchNorm2d", "Softmax", "LogSoftmax")}
LOSSES = ("CrossEntropyLoss", "NLLLoss", "MSELoss", "BCEWithLogitsLoss", "HingeLoss")
INITIALISERS = ("xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "zeros", "ones", "constant",
                "normal", "uniform")


def fail(message):
    raise SystemExit(f"nnzoo_torch: {message}")


# --- the recipe -----------------------------------------------------------------------------------

def read_recipe(name_or_path):
    path = name_or_path if name_or_path.endswith(".json") or os.sep in name_or_path else \
        os.path.join(nnzoo_io.ROOT, "zoo", name_or_path + ".json")
    try:
        with open(path) as f:
            recipe = json.load(f)
    except OSError as error:
        fail(f"cannot read the recipe {path}: {error.strerror}. Give a zoo recipe's name (digits-mlp) or a .json file.")
    except json.JSONDecodeError as error:
        fail(f"the recipe {path} is not valid JSON: {error}")
    if not isinstance(recipe, dict):
        fail(f"the recipe {path} is not a JSON object")
    # nnzoo's default name: the file's, without .json (written into the checkpoint's recipe too).
    recipe.setdefault("name", os.path.splitext(os.path.basename(path))[0])
    for field, why in (("early_stopping", "it decides when nnzoo's run stops; train with --epochs instead"),
                       ("train_subset", "its examples are drawn by nnzoo's generator, which this bridge does not "
                                        "reimplement")):
        if field in recipe:
            fail(f"{path}: the recipe has \"{field}\", which this bridge does not support ({why}); remove it from "
                 f"a copy of the recipe, or train with nnzoo train")
    return recipe, path


def as_object(value, field, path):
    """A field written as a name or an object (loss, optimizer, schedule, normalisation, initialiser)."""
    if isinstance(value, str):
        return {"type": value}
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return dict(value)
    fail(f"{path}: \"{field}\" must be a name or an object with a \"type\", not {value!r}")


def initialiser(spec, where, path):
    """(torch.nn.init function, keyword arguments) for a recipe's weight_init or bias_init."""
    spec = as_object(spec, where, path)
    kind = spec.pop("type").lower().rstrip("_")
    if kind not in INITIALISERS:
        fail(f"{path}: {where} is {kind!r}, not one of {', '.join(INITIALISERS)} (torch.nn.init's names)")
    if kind.startswith("xavier"):
        gain = spec.get("gain", 1.0)
        if isinstance(gain, str):
            gain = torch.nn.init.calculate_gain(gain, 0.01 if gain == "leaky_relu" else None)
        spec = {"gain": float(gain)}
    elif kind == "constant":
        spec = {"val": spec["val"]}
    return getattr(torch.nn.init, kind + "_"), spec


def layers_of(recipe, path):
    """The layers with torch's class names, without their initialisers, and the initialisers by layer index."""
    layers, inits = [], {}
    entries = recipe.get("layers")
    if not isinstance(entries, list) or not entries:
        fail(f"{path}: the recipe has no layers")
    for index, layer in enumerate(entries):
        kind = TORCH_LAYERS.get(str(layer.get("type", "")).lower())
        if kind is None:
            fail(f"{path}: layer {index} has type {layer.get('type')!r}, which this bridge does not know "
                 f"(it knows {', '.join(TORCH_LAYERS.values())})")
        arguments = {k: v for k, v in layer.items() if k not in ("weight_init", "bias_init")}
        for key in ("weight_init", "bias_init"):
            if key in layer:
                inits.setdefault(index, {})[key.split("_")[0]] = initialiser(layer[key], f"layers[{index}].{key}",
                                                                             path)
        if kind == "AdaptiveAvgPool2d" and isinstance(arguments.get("output_size"), list):
            arguments["output_size"] = tuple(arguments["output_size"])
        layers.append(dict(arguments, type=kind))
    return layers, inits


def apply_initialisers(model, inits):
    """Fills each layer's weight and bias as its weight_init and bias_init say (torch's generator)."""
    with torch.no_grad():
        for index, chosen in inits.items():
            for name, (function, arguments) in chosen.items():
                function(getattr(model[index], name), **arguments)


class HingeLoss(torch.nn.Module):
    """nnzoo's HingeLoss: torch.clamp(1 - y * out, min=0).mean() with y = ±1 (PyTorch has no such class)."""

    def forward(self, out, y):
        return torch.clamp(1 - y * out, min=0).mean()


def make_loss(recipe, path):
    """(loss module, targets from labels): nnzoo's targets for each loss (ClassificationLoss)."""
    spec = as_object(recipe.get("loss", "CrossEntropyLoss"), "loss", path)
    kind = next((name for name in LOSSES if name.lower() == spec["type"].lower()), None)
    if kind is None:
        fail(f"{path}: the loss {spec['type']!r} is not one of {', '.join(LOSSES)}")
    if kind == "CrossEntropyLoss":
        return torch.nn.CrossEntropyLoss(label_smoothing=float(spec.get("label_smoothing", 0))), lambda y, width: y
    if kind == "NLLLoss":
        return torch.nn.NLLLoss(), lambda y, width: y

    def targets(y, width):
        if width == 1:  # one output for two classes: class 1 positive
            return (y.float() if kind == "BCEWithLogitsLoss" else y.float() * 2 - 1).reshape(-1, 1)
        onehot = F.one_hot(y, width).float()
        return onehot if kind == "MSELoss" else onehot * 2 - 1
    return {"MSELoss": torch.nn.MSELoss(), "BCEWithLogitsLoss": torch.nn.BCEWithLogitsLoss(),
            "HingeLoss": HingeLoss()}[kind], targets


def predicted(out):
    """nnzoo's ClassPrediction: the highest output, or for one output class 1 when it is above 0."""
    return (out[:, 0] > 0).long() if out.shape[1] == 1 else out.argmax(1)


def augmentation_spec(recipe, dataset):
    choice = recipe.get("augmentation", "")
    if isinstance(choice, dict):
        choice = choice.get(dataset, choice.get("default", ""))
    return [piece.strip() for piece in choice.split(",") if piece.strip()]


def schedule_of(recipe, path):
    schedule = as_object(recipe.get("schedule", "constant"), "schedule", path)
    schedule["type"] = schedule["type"].lower()
    if schedule["type"] not in ("constant", "step", "cosine", "onecycle"):
        fail(f"{path}: the schedule type {schedule['type']!r} is not constant, step, cosine or onecycle")
    return schedule


def learning_rate(schedule, base, epoch, epochs):
    """nnzoo's ScheduleSpec.learningRate for the per-epoch schedules: the rate of 0-based `epoch` of `epochs`."""
    kind = schedule["type"]
    if kind == "step":
        rate = base * schedule.get("gamma", 0.1) ** (epoch // schedule["step_size"])
    elif kind == "cosine":
        low = schedule.get("min_lr", 0)
        rate = low + (base - low) * (1 + math.cos(math.pi * epoch / epochs)) / 2 if epochs > 0 else base
    else:
        rate = base
    warmup = schedule.get("warmup_epochs", 0)
    # LinearLR(start_factor=1/(k+1), total_iters=k) in front, as nnzoo's warm-up.
    return rate * (epoch + 1) / (warmup + 1) if epoch < warmup else rate


def one_cycle(schedule, optimizer, base, total_steps):
    """torch's OneCycleLR with nnzoo's onecycle arguments (max_lr the optimizer's lr; three_phase false)."""
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=base, total_steps=total_steps, pct_start=schedule.get("pct_start", 0.3),
        anneal_strategy=schedule.get("anneal_strategy", "cos"), cycle_momentum=schedule.get("cycle_momentum", True),
        base_momentum=schedule.get("base_momentum", 0.85), max_momentum=schedule.get("max_momentum", 0.95),
        div_factor=schedule.get("div_factor", 25.0), final_div_factor=schedule.get("final_div_factor", 1e4))


OPTIMIZER_DEFAULTS = {"sgd": 0.001, "adam": 0.001, "adamw": 0.001, "rmsprop": 0.01}  # torch.optim's lr defaults


def optimizer_spec_of(recipe, path):
    spec = as_object(recipe.get("optimizer", {"type": "Adam", "lr": 0.001}), "optimizer", path)
    kind = spec["type"].lower()
    if kind not in OPTIMIZER_DEFAULTS:
        fail(f"{path}: the optimizer {spec['type']!r} is not SGD, Adam, AdamW or RMSprop")
    spec.setdefault("lr", OPTIMIZER_DEFAULTS[kind])
    return spec


def make_optimizer(spec, parameters, lr):
    kind = spec["type"].lower()
    if kind == "sgd":
        return torch.optim.SGD(parameters, lr=lr, momentum=spec.get("momentum", 0), dampening=spec.get("dampening", 0),
                               nesterov=spec.get("nesterov", False), weight_decay=spec.get("weight_decay", 0))
    if kind in ("adam", "adamw"):
        kind_class = torch.optim.Adam if kind == "adam" else torch.optim.AdamW
        return kind_class(parameters, lr=lr, betas=tuple(spec.get("betas", (0.9, 0.999))), eps=spec.get("eps", 1e-8),
                          weight_decay=spec.get("weight_decay", 0 if kind == "adam" else 0.01))
    return torch.optim.RMSprop(parameters, lr=lr, alpha=spec.get("alpha", 0.99), eps=spec.get("eps", 1e-8),
                               weight_decay=spec.get("weight_decay", 0), momentum=spec.get("momentum", 0),
                               centered=spec.get("centered", False))


# --- data -----------------------------------------------------------------------------------------

def validation_split(count, fraction, seed):
    """nnzoo's TrainingSession.split: (training, validation) indices, each sorted."""
    held = int(round(count * fraction))
    if fraction > 0:
        held = max(held, 1)
    if held >= count:
        fail(f"a validation split of {fraction} leaves no training examples of {count}")
    order = list(range(count))
    RNG(seed ^ VALIDATION_DOMAIN, 0).shuffle(order)
    return sorted(order[held:]), sorted(order[:held])


def normalization(recipe, images, max_value):
    """nnzoo's InputNormalization.make: (mean, std) per channel on the [0, 1] scale."""
    spec = recipe.get("normalization", {"type": "standardize"})
    spec = {"type": spec} if isinstance(spec, str) else spec
    kind = spec.get("type", "standardize").lower()
    channels = images.shape[1]
    if kind == "scale":
        return [0.0] * channels, [1.0] * channels
    if kind == "fixed":
        return list(map(float, spec["mean"])), list(map(float, spec["std"]))
    mean, std = [], []
    for c in range(channels):
        # Summed in the order nnzoo sums, in double precision, so the constants are the same bits.
        histogram = np.bincount(images[:, c].reshape(-1), minlength=256).tolist()
        n = float(sum(histogram))
        total = 0.0
        for value, count in enumerate(histogram):
            total += float(value * count)
        m = total / n if n > 0 else 0.0
        squares = 0.0
        for value, count in enumerate(histogram):
            if count > 0:
                squares += (float(value) - m) * (float(value) - m) * float(count)
        s = math.sqrt(squares / n) if n > 0 else 0.0
        mean.append(m / max_value)
        std.append(s / max_value if s > 0 else 1.0)
    return mean, std


def augment(batch, operations, max_value, generator):
    """nnzoo's augmentations on a uint8 batch [B, C, H, W], each image drawing its own parameters."""
    if not operations:
        return batch
    x = batch.clone()
    b, _, h, w = x.shape

    def uniform(low, high):
        return low + (high - low) * torch.rand(b, generator=generator)

    for op in operations:
        name, *args = op.split(":")
        name = name.lower()
        if name in ("hflip", "vflip"):
            chosen = torch.rand(b, generator=generator) < (float(args[0]) if args and args[0] else 0.5)
            x[chosen] = x[chosen].flip(3 if name == "hflip" else 2)
        elif name == "crop":
            pad = int(args[0])
            mode = (args[1] if len(args) > 1 and args[1] else "zero").lower()
            padded = F.pad(x.float(), (pad, pad, pad, pad), mode={"zero": "constant", "edge": "replicate",
                                                                  "reflect": "reflect"}[mode])
            dy = torch.randint(0, 2 * pad + 1, (b,), generator=generator)
            dx = torch.randint(0, 2 * pad + 1, (b,), generator=generator)
            x = torch.stack([padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w] for i in range(b)]).to(torch.uint8)
        elif name == "shift":
            k = int(args[0])
            fill = min(int(args[1]) if len(args) > 1 and args[1] else 0, max_value)
            out = torch.full_like(x, fill)
            dx = torch.randint(-k, k + 1, (b,), generator=generator).tolist()
            dy = torch.randint(-k, k + 1, (b,), generator=generator).tolist()
            for i in range(b):
                sx, sy = dx[i], dy[i]
                if abs(sx) < w and abs(sy) < h:
                    out[i, :, max(0, sy):h + min(0, sy), max(0, sx):w + min(0, sx)] = \
                        x[i, :, max(0, -sy):h - max(0, sy), max(0, -sx):w - max(0, sx)]
            x = out
        elif name == "rotate":
            degrees = float(args[0])
            fill = min(int(args[1]) if len(args) > 1 and args[1] else 0, max_value)
            angle = uniform(-degrees, degrees) * math.pi / 180
            cos, sin = torch.cos(angle), torch.sin(angle)
            # Counter-clockwise for positive angles (torchvision's sense), about the centre.
            theta = torch.stack([torch.stack([cos, -sin * h / w, torch.zeros(b)], 1),
                                 torch.stack([sin * w / h, cos, torch.zeros(b)], 1)], 1)
            grid = F.affine_grid(theta, list(x.shape), align_corners=False)
            shifted = x.float() - fill
            turned = F.grid_sample(shifted, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + fill
            x = turned.round().clamp(0, max_value).to(torch.uint8)
        elif name == "cutout":
            size = int(args[0])
            p = float(args[1]) if len(args) > 1 and args[1] else 1.0
            chosen = (torch.rand(b, generator=generator) < p).tolist()
            cy = torch.randint(0, h, (b,), generator=generator).tolist()
            cx = torch.randint(0, w, (b,), generator=generator).tolist()
            for i in range(b):
                if chosen[i]:
                    top, left = cy[i] - size // 2, cx[i] - size // 2
                    x[i, :, max(0, top):max(0, top + size), max(0, left):max(0, left + size)] = 0
        elif name in ("brightness", "contrast"):
            d = float(args[0])
            factor = uniform(max(0.0, 1 - d), 1 + d).reshape(b, 1, 1, 1)
            values = x.float()
            if name == "brightness":
                values = values * factor
            else:
                weights = torch.tensor([0.299, 0.587, 0.114]) if x.shape[1] == 3 else torch.ones(x.shape[1]) / x.shape[1]
                gray = (values * weights.reshape(1, -1, 1, 1)).sum(1, keepdim=True).mean((2, 3), keepdim=True)
                values = gray + factor * (values - gray)
            x = values.round().clamp(0, max_value).to(torch.uint8)
        else:
            fail(f"the augmentation {op!r} is not one this bridge knows")
    return x


# --- files ----------------------------------------------------------------------------------------

def write_atomically(path, write):
    temporary = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + f".tmp-{os.getpid()}")
    try:
        write(temporary)
        with open(temporary, "rb") as f:
            os.fsync(f.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_checkpoint(path, model, metadata):
    tensors = {name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()}
    write_atomically(path, lambda temporary: nnzoo_io.write_safetensors(temporary, tensors, metadata))


# --- training -------------------------------------------------------------------------------------

def evaluate(model, images, labels, max_value, mean, std, loss_fn, targets, device, batch=512):
    model.eval()
    correct, total_loss = 0, 0.0
    with torch.no_grad():
        for start in range(0, len(labels), batch):
            x = nnzoo_io.normalized(images[start:start + batch], max_value, mean, std).to(device)
            y = torch.from_numpy(labels[start:start + batch]).long().to(device)
            out = model(x)
            total_loss += float(loss_fn(out, targets(y, out.shape[1]))) * len(y)
            correct += int((predicted(out) == y).sum())
    return correct, total_loss / max(1, len(labels))


def train(a):
    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if distributed:
        backend = a.backend or ("nccl" if torch.cuda.is_available() else "gloo")
        dist.init_process_group(backend=backend)
        rank, world = dist.get_rank(), dist.get_world_size()
        local = int(os.environ.get("LOCAL_RANK", "0"))
        device = torch.device(f"cuda:{local}") if backend == "nccl" else torch.device("cpu")
        if backend == "nccl":
            torch.cuda.set_device(device)
    else:
        backend, rank, world, device = None, 0, 1, torch.device("cpu")
    lead = rank == 0

    def say(text):
        if lead:
            print(text, flush=True)

    recipe, recipe_path = read_recipe(a.recipe)
    layers, inits = layers_of(recipe, recipe_path)
    loss_fn, targets = make_loss(recipe, recipe_path)
    schedule = schedule_of(recipe, recipe_path)
    dataset = a.dataset or recipe.get("dataset")
    if dataset not in CLASS_NAMES:
        fail(f"dataset {dataset!r} is not one of {', '.join(CLASS_NAMES)} (toy sets, image folders and tables: train "
             f"them with nnzoo train)")
    epochs = a.epochs if a.epochs is not None else recipe.get("epochs", 10)
    batch_size = a.batch_size or recipe.get("batch_size", 64)
    seed = a.seed if a.seed is not None else recipe.get("seed", 1)
    optimizer_spec = optimizer_spec_of(recipe, recipe_path)
    if a.lr is not None:
        optimizer_spec["lr"] = a.lr
    if batch_size % world:
        fail(f"the batch size {batch_size} does not split evenly over {world} processes; give --batch-size "
             f"{batch_size - batch_size % world or world}")
    if lead:
        if os.path.exists(a.out) and (not os.path.isdir(a.out) or os.listdir(a.out)):
            fail(f"{a.out} exists and is not an empty folder; nothing was written. Choose a new --out.")
        os.makedirs(a.out, exist_ok=True)

    folder = nnzoo_io.data_dir(a.data_dir)
    images, labels, max_value = nnzoo_io.load_split(dataset, "train", folder)
    test_images, test_labels, _ = nnzoo_io.load_split(dataset, "test", folder)
    training, validation = validation_split(len(labels), a.validation_split, seed)
    mean, std = normalization(recipe, images[training], max_value)
    operations = augmentation_spec(recipe, dataset)
    say(f"{recipe['name']} on {dataset}: {len(training)} training and {len(validation)} validation images "
        f"{tuple(images.shape[1:])}, {epochs} epoch(s), batch {batch_size}"
        + (f" = {world} processes x {batch_size // world} ({backend})" if distributed else " (one process)")
        + f", augmentation {','.join(operations) or 'none'}; torch {torch.__version__}")

    torch.manual_seed(seed)
    model = nnzoo_io.model_from_recipe(layers, images.shape[1:])
    apply_initialisers(model, inits)
    model = model.to(device)
    trained = torch.nn.parallel.DistributedDataParallel(model) if distributed else model
    base_lr = optimizer_spec["lr"]
    optimizer = make_optimizer(optimizer_spec, trained.parameters(), base_lr)
    train_images = torch.from_numpy(np.ascontiguousarray(images[training]))
    train_labels = torch.from_numpy(labels[training])
    sampler = torch.utils.data.DistributedSampler(
        range(len(training)), num_replicas=world, rank=rank, shuffle=True, seed=seed, drop_last=False)
    per_process = batch_size // world
    batches = math.ceil(len(sampler) / per_process)
    cycle = one_cycle(schedule, optimizer, base_lr, epochs * batches) if schedule["type"] == "onecycle" else None

    metadata = {
        "format": "pt", "recipe": json.dumps(recipe, separators=(",", ":")),
        "input": json.dumps({"channels": int(images.shape[1]), "classes": len(CLASS_NAMES[dataset]),
                             "height": int(images.shape[2]), "width": int(images.shape[3])}),
        "dataset": dataset, "class_names": json.dumps(CLASS_NAMES[dataset]),
        "normalization": json.dumps({"max_value": max_value, "mean": mean, "std": std}),
        "trained_with": f"Tools/torch/nnzoo_torch.py, torch {torch.__version__}, {world} process(es)"
                        + (f" ({backend})" if distributed else ""),
    }
    history, best = [], None
    for epoch in range(epochs):
        started = time.time()
        if cycle is None:
            lr = learning_rate(schedule, base_lr, epoch, epochs)
            for group in optimizer.param_groups:
                group["lr"] = lr
        else:
            lr = optimizer.param_groups[0]["lr"]  # the epoch's first batch's; OneCycleLR steps after each batch
        sampler.set_epoch(epoch)
        generator = torch.Generator().manual_seed(seed * 1_000_003 + epoch * 1009 + rank)
        order = torch.tensor(list(sampler))
        trained.train()
        totals = torch.zeros(3, dtype=torch.float64)  # loss sum, correct, count
        for start in range(0, len(order), per_process):
            chosen = order[start:start + per_process]
            batch = augment(train_images[chosen], operations, max_value, generator)
            x = nnzoo_io.normalized(batch.numpy(), max_value, mean, std).to(device)
            y = train_labels[chosen].long().to(device)
            optimizer.zero_grad()
            out = trained(x)
            loss = loss_fn(out, targets(y, out.shape[1]))
            loss.backward()
            optimizer.step()
            if cycle is not None:
                cycle.step()
            totals += torch.tensor([loss.item() * len(y), float((predicted(out) == y).sum()), len(y)],
                                   dtype=torch.float64)
        if distributed:
            dist.all_reduce(totals)
        record = {"epoch": epoch + 1, "lr": lr, "train_loss": totals[0].item() / totals[2].item(),
                  "train_accuracy": totals[1].item() / totals[2].item(), "seconds": time.time() - started}
        if lead and validation:
            correct, loss = evaluate(model, images[validation], labels[validation], max_value, mean, std, loss_fn,
                                     targets, device)
            record.update(validation_accuracy=correct / len(validation), validation_loss=loss)
        history.append(record)
        if lead:
            say(f"epoch {epoch + 1}/{epochs}: lr {lr:.6g}, train loss {record['train_loss']:.4f} "
                f"accuracy {100 * record['train_accuracy']:.2f}%"
                + (f", validation loss {record['validation_loss']:.4f} accuracy "
                   f"{100 * record['validation_accuracy']:.2f}%" if validation else "")
                + f" ({record['seconds']:.1f} s)")
            meta = dict(metadata, epoch=str(epoch + 1))
            write_checkpoint(os.path.join(a.out, "checkpoint-last.safetensors"), model, dict(meta, kind="last"))
            score = (record.get("validation_accuracy", 0), -record.get("validation_loss", 0))
            if best is None or not validation or score > best[0]:
                best = (score, epoch + 1)
                write_checkpoint(os.path.join(a.out, "checkpoint-best.safetensors"), model, dict(meta, kind="best"))
        if distributed:
            dist.barrier()

    if lead:
        from nnzoo_io import read_safetensors
        _, tensors = read_safetensors(os.path.join(a.out, "checkpoint-best.safetensors"))
        model.load_state_dict(tensors)
        correct, loss = evaluate(model, test_images, test_labels, max_value, mean, std, loss_fn, targets, device)
        summary = {
            "command": sys.argv, "recipe": recipe_path, "dataset": dataset, "world_size": world, "backend": backend,
            "torch": torch.__version__, "epochs": history, "best_epoch": best[1],
            "test_best": {"correct": correct, "count": len(test_labels), "accuracy": correct / len(test_labels),
                          "loss": loss},
        }
        write_atomically(os.path.join(a.out, "torch-run.json"),
                         lambda temporary: open(temporary, "w").write(json.dumps(summary, indent=2) + "\n"))
        say(f"test accuracy of checkpoint-best (epoch {best[1]}): {100 * correct / len(test_labels):.2f}% "
            f"({correct}/{len(test_labels)}), loss {loss:.4f}")
        say(f"wrote {a.out}: checkpoint-best.safetensors, checkpoint-last.safetensors, torch-run.json; "
            f"nnzoo eval {a.out} evaluates it")
    if distributed:
        dist.destroy_process_group()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    t = commands.add_parser("train", help="train a recipe and write an nnzoo run folder")
    t.add_argument("recipe", help="a zoo recipe's name (digits-mlp) or a recipe file")
    t.add_argument("--dataset", help="digits, mnist, fashion-mnist or cifar10 (default: the recipe's)")
    t.add_argument("--out", required=True, help="the run folder to write (new or empty)")
    t.add_argument("--epochs", type=int)
    t.add_argument("--batch-size", type=int, help="the global batch, split over the processes")
    t.add_argument("--lr", type=float)
    t.add_argument("--seed", type=int)
    t.add_argument("--validation-split", type=float, default=0.1)
    t.add_argument("--data-dir")
    t.add_argument("--backend", choices=["gloo", "nccl"])
    a = parser.parse_args()
    if a.epochs is not None and a.epochs < 1:
        fail("--epochs must be at least 1")
    if a.batch_size is not None and a.batch_size < 1:
        fail("--batch-size must be at least 1")
    if not 0 <= a.validation_split < 1:
        fail("--validation-split must be from 0 to below 1")
    train(a)


if __name__ == "__main__":
    main()
