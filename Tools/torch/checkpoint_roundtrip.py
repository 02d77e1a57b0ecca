#!/usr/bin/env python3
"""nnzoo checkpoint -> PyTorch -> nnzoo: the tensors come back identical.

For each recipe (default: digits-mlp and Tools/reference/every-layer.json, which has BatchNorm and
a Linear without bias), trained by `nnzoo train` for --epochs on digits:
  1. reads checkpoint-best.safetensors (by hand), builds the torch.nn.Sequential its `architecture`
     describes and loads the model tensors with load_state_dict(strict=True);
  2. saves model.state_dict() as PyTorch users do (safetensors.torch.save_file if installed): as
     float32, as float32 under the prefix "model.", and as float64;
  3. `nnzoo import`s each with the checkpoint's normalisation (--mean/--std) and compares every
     tensor of the new checkpoint with the original, bit for bit (float64 holds every float32
     exactly, so it comes back identical too), and `nnzoo eval`'s results.

    Tools/torch-roundtrip          runs this and train_and_import.py with a Python that has torch
Options: --recipes a,b --epochs N --nnzoo PATH --data-dir DIR --keep DIR.
"""
import argparse
import json
import os
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nnzoo_io  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--recipes", default="digits-mlp," + os.path.join(nnzoo_io.ROOT, "Tools/reference/every-layer.json"))
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--nnzoo")
    p.add_argument("--data-dir")
    p.add_argument("--keep", help="write the runs and weights here instead of a temporary folder")
    a = p.parse_args()
    binary = a.nnzoo or nnzoo_io.default_nnzoo()
    data = ["--data-dir", a.data_dir] if a.data_dir else []
    print(f"torch {torch.__version__}")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.keep or tmp
        os.makedirs(folder, exist_ok=True)
        for recipe in a.recipes.split(","):
            name = os.path.basename(recipe).removesuffix(".json")
            run = os.path.join(folder, f"trained-{name}")
            nnzoo_io.nnzoo(binary, "train", recipe, "--dataset", "digits", "--epochs", a.epochs, "--threads", 1,
                           "--out", run, *data)
            checkpoint = os.path.join(run, "checkpoint-best.safetensors")
            metadata, tensors = nnzoo_io.read_safetensors(checkpoint)
            original = {k: v for k, v in tensors.items() if not k.startswith("optimizer.")}
            model = nnzoo_io.model_from_architecture(json.loads(metadata["architecture"]))
            model.load_state_dict(original, strict=True)
            normalization = json.loads(metadata["normalization"])
            before = json.loads(nnzoo_io.nnzoo(binary, "eval", run, "--json", "--out", os.path.join(folder, f"eval-{name}"), *data))
            print(f"== {name}: nnzoo train {a.epochs} epochs -> {len(original)} tensors; "
                  f"load_state_dict(strict=True) into torch.nn.Sequential of {len(model)} layers ok; "
                  f"nnzoo eval {100 * before['metrics']['accuracy']:.2f}%")
            for dtype, prefix in ((torch.float32, ""), (torch.float32, "model."), (torch.float64, "")):
                tag = f"{str(dtype).removeprefix('torch.')}{'-' + prefix.rstrip('.') if prefix else ''}"
                weights = os.path.join(folder, f"{name}-{tag}.safetensors")
                state = {prefix + k: (v.to(dtype) if v.is_floating_point() else v) for k, v in model.state_dict().items()}
                writer = nnzoo_io.save_state_dict(weights, state)
                back = os.path.join(folder, f"imported-{name}-{tag}")
                nnzoo_io.nnzoo(binary, "import", weights, "--recipe", recipe, "--dataset", "digits",
                               "--mean", ",".join(map(repr, normalization["mean"])),
                               "--std", ",".join(map(repr, normalization["std"])), "--out", back, *data)
                new_metadata, new_tensors = nnzoo_io.read_safetensors(os.path.join(back, "checkpoint-last.safetensors"))
                imported = {k: v for k, v in new_tensors.items() if not k.startswith("optimizer.")}
                same_names = sorted(imported) == sorted(original)
                identical = same_names and all(
                    imported[k].dtype == original[k].dtype and imported[k].shape == original[k].shape
                    and imported[k].numpy().tobytes() == original[k].numpy().tobytes() for k in original)
                same_normalization = json.loads(new_metadata["normalization"]) == normalization
                after = json.loads(nnzoo_io.nnzoo(binary, "eval", back, "--json", "--out", os.path.join(folder, f"eval-{name}-{tag}"), *data))
                same_eval = after["metrics"]["correct"] == before["metrics"]["correct"] and after["metrics"]["average_loss"] == before["metrics"]["average_loss"]
                agree = identical and same_normalization and same_eval
                ok = ok and agree
                values = sum(v.numel() for v in original.values())
                print(f"{tag:<14} saved by {writer}, nnzoo import: {len(imported)} tensors ({values} values) "
                      f"{'bit-identical' if identical else 'DIFFERENT'}, normalisation "
                      f"{'identical' if same_normalization else 'DIFFERENT'}, nnzoo eval "
                      f"{100 * after['metrics']['accuracy']:.2f}% loss {after['metrics']['average_loss']:.6f} "
                      f"{'(the same)' if same_eval else 'DIFFERENT'}")
    print("result: " + ("identical" if ok else "DIFFERENT"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
