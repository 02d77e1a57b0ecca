#!/usr/bin/env python3
"""Runs nnzoo's ONNX export in onnxruntime and checks that it computes what nnzoo computes.

For each run folder or checkpoint given (or, with --zoo, for every zoo recipe trained briefly on each
dataset it fits, plus Tools/reference/every-layer.json, a recipe with every layer type, and
new-layers.json, the layers that export as several operators or as pooling of a fixed size):
  1. `nnzoo export` writes the model twice: with the normalisation in the graph (input: pixel values)
     and without it (input: normalised pixels, the constants in metadata_props);
  2. onnx.checker.check_model(full_check=True) checks each file, shape inference included;
  3. the dataset split is read here, independently of nnzoo (Tools/reference/checkpoint_crosscheck.py's
     readers), and fed to onnxruntime: raw pixels to the first file, pixels normalised with the
     file's own "normalization" metadata to the second;
  4. `nnzoo dump-logits` gives nnzoo's outputs for the same split and `nnzoo eval --json` its accuracy.
Passes when, for both files, the largest difference between onnxruntime's outputs and nnzoo's is
within --tolerance (1e-4), onnxruntime's accuracy equals nnzoo eval's, and the class names in the
metadata are the dataset's.

Needs numpy, onnx and onnxruntime (PyPI); run it through Tools/onnx-crosscheck, which finds a Python
that has them. Options: --nnzoo PATH (default .build/release/nnzoo, else .build/debug/nnzoo),
--data-dir DIR, --split test|train, --tolerance, --zoo [--epochs N --datasets digits,fashion-mnist].
Exits 1 if any check fails.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from checkpoint_crosscheck import data_dir, default_nnzoo, load_split, read_safetensors  # noqa: E402


def run(command):
    """Runs a command; returns stdout, or exits with its stderr."""
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def check(target, a, onnx, ort, tmp):
    """Checks one run folder or checkpoint; returns (ok, one-line summary)."""
    nnzoo = a.nnzoo or default_nnzoo()
    data = ["--data-dir", a.data_dir] if a.data_dir else []
    files = {}
    for name, flag in (("with", []), ("without", ["--no-include-normalization"])):
        path = os.path.join(tmp, f"{name}.onnx")
        run([nnzoo, "export", target, "--out", path, "--force"] + flag)
        onnx.checker.check_model(path, full_check=True)
        files[name] = path

    model = onnx.load(files["with"])
    meta = {p.key: p.value for p in model.metadata_props}
    dataset, normalization = meta["dataset"], json.loads(meta["normalization"])
    class_names = json.loads(meta["class_names"])
    recipe = json.loads(meta["recipe"])["name"]
    images, labels, max_value = load_split(dataset, a.split, data_dir(a.data_dir))
    n = len(labels)

    logits_path = os.path.join(tmp, "logits.safetensors")
    run([nnzoo, "dump-logits", target, "--split", a.split, "--out", logits_path] + data)
    _, dumped = read_safetensors(logits_path)
    nnzoo_out = dumped["logits"]
    report = json.loads(run([nnzoo, "eval", target, "--split", a.split, "--json", "--out", os.path.join(tmp, "eval")] + data))
    eval_correct = report["metrics"]["correct"]

    print(f"== {target}")
    print(f"model        {recipe} on {dataset}, {report.get('checkpoint')}; opset "
          f"{model.opset_import[0].version}, IR {model.ir_version}, {len(model.graph.node)} nodes, "
          f"{len(model.graph.initializer)} initialisers; check_model(full_check=True) passed for both files")
    print(f"data         {dataset} {a.split}: {n} images read by this script; nnzoo eval: "
          f"{100 * eval_correct / n:.2f}% ({eval_correct}/{n})")
    ok = np.array_equal(dumped["labels"], labels)
    if not ok:
        print("labels       nnzoo and this script read different labels")
    x = images.astype(np.float32)
    mean = np.array(normalization["mean"], dtype=np.float32).reshape(1, -1, 1, 1)
    std = np.array(normalization["std"], dtype=np.float32).reshape(1, -1, 1, 1)
    inputs = {
        "with": x,
        "without": (x / np.float32(normalization["max_value"]) - mean) / std,
    }
    if normalization["max_value"] != max_value:
        print(f"normalization  max_value {normalization['max_value']} is not the dataset's {max_value}")
        ok = False
    worst = 0.0
    for name in ("with", "without"):
        session = ort.InferenceSession(files[name], providers=["CPUExecutionProvider"])
        feed = session.get_inputs()[0]
        out = session.run(None, {feed.name: inputs[name]})[0]
        difference = np.abs(out - nnzoo_out)
        probabilities = np.abs(softmax(out.astype(np.float64)) - softmax(nnzoo_out.astype(np.float64)))
        predicted = out.argmax(1)
        correct = int((predicted == labels).sum())
        same = int((predicted == nnzoo_out.argmax(1)).sum())
        agree = difference.max() <= a.tolerance and correct == eval_correct
        ok = ok and agree
        worst = max(worst, float(difference.max()))
        print(f"{name + ' normalization':<22} input {feed.name!r} {feed.shape}: onnxruntime {100 * correct / n:.2f}% "
              f"({correct}/{n}), predictions {same}/{n} identical, max |ort - nnzoo| {difference.max():.3g} "
              f"(mean {difference.mean():.2g}), probabilities within {probabilities.max():.2g}"
              + ("" if agree else "  DISAGREE"))
    names_ok = len(class_names) == nnzoo_out.shape[1]
    ok = ok and names_ok
    print(f"class names  {len(class_names)} in metadata_props: {', '.join(class_names[:4])}, ..."
          + ("" if names_ok else f"  but the outputs have {nnzoo_out.shape[1]} columns"))
    print("result       " + ("agree" if ok else "DISAGREE"))
    summary = (f"{recipe:<26} {dataset:<14} {100 * eval_correct / n:6.2f}%  {worst:9.2g}  "
               + ("agree" if ok else "DISAGREE"))
    return ok, summary


def train_zoo(a, folder):
    """Trains every zoo recipe (and every-layer.json, new-layers.json) for a.epochs on each dataset it fits;
    returns the runs."""
    nnzoo = a.nnzoo or default_nnzoo()
    recipes = sorted(f[:-5] for f in os.listdir(os.path.join(ROOT, "zoo")) if f.endswith(".json"))
    recipes += [os.path.join(HERE, "every-layer.json"), os.path.join(HERE, "new-layers.json")]
    runs = []
    for dataset in a.datasets.split(","):
        for recipe in recipes:
            name = os.path.basename(recipe).removesuffix(".json")
            out = os.path.join(folder, f"{name}@{dataset}")
            command = [nnzoo, "train", recipe, "--dataset", dataset, "--epochs", str(a.epochs), "--out", out]
            command += ["--data-dir", a.data_dir] if a.data_dir else []
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                reason = result.stderr.strip().splitlines()[0] if result.stderr.strip() else "?"
                print(f"skipped      {name} on {dataset}: {reason[:150]}")
                continue
            print(f"trained      {name} on {dataset}, {a.epochs} epoch(s): {out}")
            runs.append(out)
    return runs


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("targets", nargs="*", help="run folders or checkpoint files")
    p.add_argument("--nnzoo")
    p.add_argument("--data-dir")
    p.add_argument("--split", default="test", choices=["train", "test"])
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--zoo", action="store_true", help="train every zoo recipe briefly and check each")
    p.add_argument("--epochs", type=int, default=1, help="epochs per recipe with --zoo (default 1)")
    p.add_argument("--datasets", default="digits,fashion-mnist", help="datasets for --zoo")
    a = p.parse_args()
    if not a.targets and not a.zoo:
        p.error("give run folders or checkpoints, or --zoo")

    import onnx
    import onnxruntime as ort

    print(f"onnx {onnx.__version__}, onnxruntime {ort.__version__}, numpy {np.__version__}; tolerance {a.tolerance:g}")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        targets = list(a.targets) + (train_zoo(a, folder) if a.zoo else [])
        for index, target in enumerate(targets):
            tmp = os.path.join(folder, f"check-{index}")
            os.makedirs(tmp)
            results.append(check(target, a, onnx, ort, tmp))
    print()
    print(f"{'recipe':<26} {'dataset':<14} {'eval':>7}  {'max diff':>9}  result")
    for _, summary in results:
        print(summary)
    sys.exit(0 if all(ok for ok, _ in results) else 1)


if __name__ == "__main__":
    main()
