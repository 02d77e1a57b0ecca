#!/usr/bin/env python3
"""Trains recipes' networks in PyTorch on digits, imports the weights into nnzoo and checks that
`nnzoo eval` gives the accuracy PyTorch computes.

For each recipe (default: digits-mlp, sigmoid-mlp and Tools/reference/every-layer.json, which has
BatchNorm with running statistics):
  1. builds the recipe's torch.nn.Sequential and trains it for --epochs with the recipe's optimizer
     (SGD or Adam, at its learning rate, without its schedule) on nnzoo's digits training split,
     normalised with each channel's mean and standard deviation over all training images;
  2. saves model.state_dict() as PyTorch users do (safetensors.torch.save_file if installed) in
     four variants: float32; float64 under the prefix "model."; float16; bfloat16 under "module.";
  3. for each: `nnzoo import --mean --std` (the normalisation PyTorch used), `nnzoo eval --json` and
     `nnzoo dump-logits`, and compares with PyTorch's test accuracy and outputs for the same weights
     (for float16 and bfloat16, the weights rounded to that type, as nnzoo reads them).
Passes when every accuracy is equal and every output within --tolerance (1e-4).

    Tools/torch-roundtrip          runs this and checkpoint_roundtrip.py with a Python that has torch
Options: --recipes a,b,c --epochs N --nnzoo PATH --data-dir DIR --tolerance T --keep DIR.
"""
import argparse
import json
import os
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nnzoo_io  # noqa: E402

VARIANTS = [(torch.float32, ""), (torch.float64, "model."), (torch.float16, ""), (torch.bfloat16, "module.")]


def train(recipe, images, labels, mean, std, epochs, seed):
    torch.manual_seed(seed)
    model = nnzoo_io.model_from_recipe(recipe["layers"], images.shape[1:])
    x = nnzoo_io.normalized(images, 16, mean, std)
    y = torch.from_numpy(labels)
    spec = recipe["optimizer"]
    if spec["type"] == "Adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=spec["lr"], betas=tuple(spec.get("betas", (0.9, 0.999))))
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=spec["lr"], momentum=spec.get("momentum", 0))
    loss = torch.nn.NLLLoss() if recipe["loss"] == "NLLLoss" else torch.nn.CrossEntropyLoss()
    batch = recipe["batch_size"]
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(y))
        for start in range(0, len(y), batch):
            chosen = order[start : start + batch]
            if len(chosen) < 2:
                continue  # BatchNorm needs two examples
            optimizer.zero_grad()
            loss(model(x[chosen]), y[chosen]).backward()
            optimizer.step()
    model.eval()
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--recipes", default="digits-mlp,sigmoid-mlp," + os.path.join(nnzoo_io.ROOT, "Tools/reference/every-layer.json"))
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--nnzoo")
    p.add_argument("--data-dir")
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--keep", help="write the weights and runs here instead of a temporary folder")
    a = p.parse_args()
    torch.set_num_threads(1)
    binary = a.nnzoo or nnzoo_io.default_nnzoo()
    data = ["--data-dir", a.data_dir] if a.data_dir else []

    train_images, train_labels, _ = nnzoo_io.load_split("digits", "train", nnzoo_io.data_dir(a.data_dir))
    test_images, test_labels, _ = nnzoo_io.load_split("digits", "test", nnzoo_io.data_dir(a.data_dir))
    pixels = torch.from_numpy(train_images.astype("float64")) / 16
    mean = pixels.mean(dim=(0, 2, 3)).tolist()
    std = pixels.std(dim=(0, 2, 3), unbiased=False).tolist()
    print(f"torch {torch.__version__}; digits: {len(train_labels)} training, {len(test_labels)} test images; "
          f"normalisation mean {mean} std {std} (all training images)")
    x_test = nnzoo_io.normalized(test_images, 16, mean, std)
    y_test = torch.from_numpy(test_labels)

    ok = True
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.keep or tmp
        os.makedirs(folder, exist_ok=True)
        for recipe_name in a.recipes.split(","):
            recipe = nnzoo_io.read_recipe(recipe_name)
            model = train(recipe, train_images, train_labels, mean, std, a.epochs, a.seed)
            print(f"== {recipe['name']}: trained {a.epochs} epochs in PyTorch ({len(model)} layers, "
                  f"{sum(v.numel() for v in model.state_dict().values())} values in the state dict)")
            for dtype, prefix in VARIANTS:
                tag = f"{str(dtype).removeprefix('torch.')}{'-' + prefix.rstrip('.') if prefix else ''}"
                weights = os.path.join(folder, f"{recipe['name']}-{tag}.safetensors")
                state = {prefix + k: (v.to(dtype) if v.is_floating_point() else v) for k, v in model.state_dict().items()}
                writer = nnzoo_io.save_state_dict(weights, state)
                # PyTorch's accuracy with the weights as stored (rounded to dtype), computed in float32.
                reference = nnzoo_io.model_from_recipe(recipe["layers"], train_images.shape[1:])
                reference.load_state_dict({k[len(prefix):]: v.float() if v.is_floating_point() else v
                                           for k, v in state.items()}, strict=True)
                reference.eval()
                with torch.no_grad():
                    torch_out = reference(x_test)
                torch_correct = int((torch_out.argmax(1) == y_test).sum())

                run = os.path.join(folder, f"run-{recipe['name']}-{tag}")
                recipe_argument = recipe_name
                imported = nnzoo_io.nnzoo(binary, "import", weights, "--recipe", recipe_argument, "--dataset", "digits",
                                          "--mean", ",".join(map(repr, mean)), "--std", ",".join(map(repr, std)),
                                          "--out", run, *data)
                report = json.loads(nnzoo_io.nnzoo(binary, "eval", run, "--json", *data))
                logits_path = os.path.join(folder, f"logits-{recipe['name']}-{tag}.safetensors")
                nnzoo_io.nnzoo(binary, "dump-logits", run, "--out", logits_path, *data)
                _, dumped = nnzoo_io.read_safetensors(logits_path)
                difference = float((dumped["logits"] - torch_out).abs().max())
                correct = report["metrics"]["correct"]
                agree = correct == torch_correct and difference <= a.tolerance
                ok = ok and agree
                said = [line for line in imported.splitlines()
                        if line.startswith(("Every name matched the network's once", "Converted", "The file has no"))]
                print(f"{tag:<18} saved by {writer}; PyTorch {100 * torch_correct / len(y_test):.2f}% "
                      f"({torch_correct}/{len(y_test)}), nnzoo import + eval {100 * correct / len(y_test):.2f}% "
                      f"({correct}/{len(y_test)}), max |PyTorch - nnzoo| {difference:.3g}" + ("" if agree else "  DISAGREE"))
                for line in said:
                    print(f"{'':<18} nnzoo import: {line.strip()}")
                rows.append((recipe["name"], tag, torch_correct, correct, difference, agree))
    print()
    print(f"{'recipe':<14} {'weights':<18} {'PyTorch':>8} {'nnzoo':>8} {'max diff':>9}  result")
    for name, tag, torch_correct, correct, difference, agree in rows:
        n = len(test_labels)
        print(f"{name:<14} {tag:<18} {100 * torch_correct / n:7.2f}% {100 * correct / n:7.2f}% {difference:9.2g}  "
              + ("agree" if agree else "DISAGREE"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
