#!/usr/bin/env python3
"""onnxruntime reference for nnzoo's inference speed (Tools/bench/compare): runs a model exported from an
nnzoo checkpoint (`nnzoo export <run> --last --no-include-normalization --out model.onnx`) over the test
split of the recipe's dataset, in batches of 1000, with onnxruntime's CPU execution provider on --threads
threads (intra-op; sequential execution, one inter-op thread).

The inputs are normalised before timing, as the PyTorch reference's are (the recipe's normalisation,
computed from the training images as nnzoo computes it), and the model has no normalisation in its graph:
the strictest reference (nnzoo's own figure includes turning its UInt8 pixels into normalised floats).
Timing follows the same rule as every trainer: untimed passes for at least --warmup-seconds (at least
one), then the median of --repeats passes. Prints one JSON line: {"inference_seconds", "test_accuracy",
"onnxruntime", "threads", ...}. By hand:
    "$(Tools/torch-venv)" Tools/bench/reference/onnxruntime_inference.py --onnx model.onnx --model mlp --threads 1
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import load_mnist_like, load_recipe, normalization, normalized, timed_passes  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--onnx", required=True, help="the model exported by nnzoo export --no-include-normalization")
    p.add_argument("--model", "--recipe", dest="recipe", required=True,
                   help="mlp, sigmoid, convnet, a zoo recipe name or a recipe .json path (its dataset and normalisation)")
    p.add_argument("--data-dir")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=1000)
    p.add_argument("--inference-repeats", type=int, default=5)
    p.add_argument("--warmup-seconds", type=float, default=0.5)
    a = p.parse_args()
    import numpy as np
    import onnxruntime as ort

    recipe = load_recipe(a.recipe)
    xtr, _, xte, yte = load_mnist_like(recipe["dataset"], a.data_dir)
    mean, std = normalization(recipe, xtr)
    x = normalized(xte, mean, std)
    x = np.ascontiguousarray(x.reshape(x.shape[0], 1, x.shape[1], x.shape[2]) if x.ndim == 3 else x)
    options = ort.SessionOptions()
    options.intra_op_num_threads = a.threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(a.onnx, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    batches = [x[i : i + a.batch_size] for i in range(0, x.shape[0], a.batch_size)]
    outputs = []

    def inference_pass():
        outputs.clear()
        for batch in batches:
            outputs.append(session.run(None, {name: batch})[0])

    seconds = timed_passes(inference_pass, a.warmup_seconds, a.inference_repeats)
    predictions = np.concatenate(outputs).argmax(axis=1)
    print(json.dumps({"summary": True, "recipe": recipe["name"], "onnxruntime": ort.__version__,
                      "threads": a.threads, "batch_size": a.batch_size, "inference_seconds": seconds,
                      "test_accuracy": float((predictions == yte).mean()), "examples": int(x.shape[0])}))


if __name__ == "__main__":
    main()
