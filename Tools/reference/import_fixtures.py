#!/usr/bin/env python3
"""Writes the PyTorch-saved state dicts that StateDictImportTests imports, and what PyTorch itself
makes of them as float32, into Tests/Fixtures/torch/import/:

  every-layer-f64-model.safetensors    float64, every name under the prefix "model."
  every-layer-f16.safetensors          float16
  every-layer-bf16-module.safetensors  bfloat16, every name under the prefix "module."
  expected.safetensors                 for each file above, `tensor.to(torch.float32)` of every
                                       floating tensor as PyTorch reads it back ("f64.", "f16." and
                                       "bf16." before the name), and num_batches_tracked (int64)

The network is Tools/reference/every-layer.json's torch.nn.Sequential for the 1x8x8 digits (every
layer type a recipe has, BatchNorm with running statistics), initialised with torch.manual_seed(0),
its BatchNorm statistics set to seeded values, and in each file the first two values of every tensor
set to 1/3 and 3e-6 in the file's type (so the test sees float64 rounded to float32, float16's and
bfloat16's own roundings, and a float16 subnormal).
Files are written with safetensors.torch.save_file, as PyTorch users write them.

Run: "$(Tools/torch-venv)" Tools/reference/import_fixtures.py   (torch, numpy, safetensors)
"""
import json
import os
import sys

import torch
from safetensors.torch import load_file, save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "Tools", "torch"))
import nnzoo_io  # noqa: E402

OUT = os.path.join(ROOT, "Tests", "Fixtures", "torch", "import")
VARIANTS = [("f64", torch.float64, "model.", "every-layer-f64-model"), ("f16", torch.float16, "", "every-layer-f16"),
            ("bf16", torch.bfloat16, "module.", "every-layer-bf16-module")]


def main():
    with open(os.path.join(ROOT, "Tools", "reference", "every-layer.json")) as f:
        recipe = json.load(f)
    torch.manual_seed(0)
    model = nnzoo_io.model_from_recipe(recipe["layers"], (1, 8, 8))
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for module in model:
            if isinstance(module, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
                module.running_mean.copy_(torch.randn(module.running_mean.shape, generator=generator))
                module.running_var.copy_(torch.rand(module.running_var.shape, generator=generator) + 0.5)
                module.num_batches_tracked.fill_(7)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    os.makedirs(OUT, exist_ok=True)
    expected = {}
    for tag, dtype, prefix, name in VARIANTS:
        converted = {}
        for k, v in state.items():
            if v.is_floating_point():
                v = v.to(dtype).contiguous()
                flat = v.view(-1)
                flat[0] = 1 / 3             # held by none of the types: each rounds it its own way
                if flat.numel() > 1:
                    flat[1] = 3e-6          # a float16 subnormal
            converted[prefix + k] = v
        path = os.path.join(OUT, name + ".safetensors")
        save_file(converted, path)
        for k, v in load_file(path).items():
            expected[f"{tag}.{k.removeprefix(prefix)}"] = v.to(torch.float32) if v.is_floating_point() else v
        print(f"wrote {path} ({os.path.getsize(path)} bytes)")
    path = os.path.join(OUT, "expected.safetensors")
    save_file(expected, path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes, {len(expected)} tensors); torch {torch.__version__}")


if __name__ == "__main__":
    main()
