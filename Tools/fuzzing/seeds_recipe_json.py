"""Seeds for the `recipe-json` fuzz target: every recipe in zoo/, and variants that use each layer
type, optimizer, schedule, normalisation and augmentation form."""
import glob
import json
import os


def make(out, root):
    recipes = []
    for path in sorted(glob.glob(os.path.join(root, "zoo/*.json"))):
        recipes.append((os.path.basename(path), open(path, "rb").read()))
    base = json.load(open(os.path.join(root, "zoo/digits-mlp.json")))
    variants = {
        "every-layer.json": dict(base, name="every-layer", dataset="mnist", layers=[
            {"type": "Conv2d", "out_channels": 4, "kernel_size": 3, "stride": 1, "padding": 1, "bias": False},
            {"type": "BatchNorm2d", "eps": 0.001, "momentum": 0.2},
            {"type": "MaxPool2d", "kernel_size": 2, "stride": 2, "padding": 1},
            {"type": "Tanh"}, {"type": "Dropout2d", "p": 0.1}, {"type": "Flatten"},
            {"type": "Linear", "out_features": 8}, {"type": "BatchNorm1d"}, {"type": "Sigmoid"},
            {"type": "Dropout", "p": 0.3}, {"type": "Linear", "in_features": 8, "out_features": 10},
            {"type": "LogSoftmax", "dim": 1}], loss="NLLLoss"),
        "adam-step-fixed.json": dict(base, name="adam-step-fixed",
                                     optimizer={"type": "Adam", "lr": 0.001, "betas": [0.9, 0.99], "eps": 1e-7,
                                                "weight_decay": 0.0001},
                                     schedule={"type": "step", "step_size": 3, "gamma": 0.5},
                                     normalization={"type": "fixed", "mean": [0.3], "std": [0.4]}),
        "sgd-nesterov-scale.json": dict(base, name="sgd-nesterov-scale",
                                        optimizer={"type": "SGD", "lr": 0.1, "momentum": 0.9, "nesterov": True,
                                                   "dampening": 0, "weight_decay": 0.0005},
                                        schedule={"type": "cosine", "min_lr": 0.001},
                                        normalization={"type": "scale"}),
        "augment-table.json": dict(base, name="augment-table",
                                   augmentation={"digits": "shift:1", "default": "hflip,crop:2:reflect"},
                                   expected_accuracy={"digits": 95, "mnist": 98}),
        "softmax-end.json": dict(base, name="softmax-end", layers=base["layers"] + [{"type": "Softmax"}]),
    }
    for name, recipe in variants.items():
        recipes.append((name, json.dumps(recipe, indent=1).encode()))
    for name, data in recipes:
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
