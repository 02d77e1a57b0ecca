"""Seeds for the `safetensors` fuzz target: real checkpoints written by `nnzoo train` (digits-mlp,
and a recipe with BatchNorm and every optimizer state slot), plus small safetensors files written
here from the format description (one F32 tensor, an I64 counter, metadata only)."""
import json
import os
import struct
import subprocess
import tempfile


def safetensors(tensors, metadata=None):
    header = {}
    data = b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def make(out, root):
    def write(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

    write("one-f32.safetensors", safetensors({"w": ("F32", [2], struct.pack("<2f", 1, -2))}, {"format": "pt"}))
    write("i64-counter.safetensors", safetensors({"n": ("I64", [], struct.pack("<q", 3))}))
    write("metadata-only.safetensors", safetensors({}, {"format": "pt", "kind": "last"}))
    nnzoo = os.path.join(root, ".build/debug/nnzoo")
    if not os.path.exists(nnzoo):
        subprocess.run(["swift", "build", "--product", "nnzoo"], cwd=root, check=True, stdout=subprocess.DEVNULL)
    recipe = json.load(open(os.path.join(root, "zoo/digits-mlp.json")))
    recipe.update(name="digits-bn-adam", epochs=1, batch_size=200,
                  optimizer={"type": "Adam", "lr": 0.001},
                  layers=[{"type": "Flatten"}, {"type": "Linear", "out_features": 12},
                          {"type": "BatchNorm1d"}, {"type": "ReLU"}, {"type": "Linear", "out_features": 10}])
    with tempfile.TemporaryDirectory() as work:
        recipe_path = os.path.join(work, "digits-bn-adam.json")
        json.dump(recipe, open(recipe_path, "w"))
        for name, args in [("digits-mlp", ["digits-mlp", "--epochs", "1", "--batch-size", "256"]),
                           ("digits-bn-adam", [recipe_path])]:
            run = os.path.join(work, name)
            subprocess.run([nnzoo, "train", *args, "--out", run, "--data-dir", os.path.join(root, "Data"),
                            "--threads", "1"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for kind in ["last", "best"]:
                data = open(os.path.join(run, f"checkpoint-{kind}.safetensors"), "rb").read()
                write(f"{name}-{kind}.safetensors", data)
