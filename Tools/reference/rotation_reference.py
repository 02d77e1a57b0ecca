#!/usr/bin/env python3
"""Reference pixels for nnzoo's bilinear rotation (RandomRotation.rotate), from PyTorch.

    "$(Tools/torch-venv)" Tools/reference/rotation_reference.py     (any Python with torch)

Rotating by t degrees counter-clockwise about the centre c = ((W-1)/2, (H-1)/2) samples the input
at c + (cos t * dx - sin t * dy, sin t * dx + cos t * dy) for each output pixel d = (x, y) - c.
PyTorch's grid_sample (bilinear, align_corners=True, zero padding) does the sampling; a fill value f
is handled by sampling (image - f) and adding f back, which is exact because bilinear sampling is
linear. Results are rounded half up and clamped to 0..255, as nnzoo does. The test
RotationTests.matchesPyTorchReference holds the printed numbers.
"""
import math

import torch
import torch.nn.functional as F


def rotate(pixels, height, width, degrees, fill):
    image = torch.tensor(pixels, dtype=torch.float64).reshape(1, 1, height, width) - fill
    t = math.radians(degrees)
    cx, cy = (width - 1) / 2, (height - 1) / 2
    ys, xs = torch.meshgrid(torch.arange(height, dtype=torch.float64), torch.arange(width, dtype=torch.float64),
                            indexing="ij")
    dx, dy = xs - cx, ys - cy
    sx = cx + math.cos(t) * dx - math.sin(t) * dy
    sy = cy + math.sin(t) * dx + math.cos(t) * dy
    grid = torch.stack([2 * sx / (width - 1) - 1, 2 * sy / (height - 1) - 1], dim=-1).unsqueeze(0)
    out = F.grid_sample(image, grid, mode="bilinear", padding_mode="zeros", align_corners=True) + fill
    return [min(255, max(0, int(math.floor(v + 0.5)))) for v in out.flatten().tolist()]


def main():
    square = [(i * 53 + 7) % 251 for i in range(25)]
    wide = [(i * 29 + 3) % 256 for i in range(24)]
    for name, pixels, h, w, degrees, fill in [
        ("square 30 fill 0", square, 5, 5, 30.0, 0),
        ("square -17.5 fill 200", square, 5, 5, -17.5, 200),
        ("wide 4x6 45 fill 0", wide, 4, 6, 45.0, 0),
    ]:
        print(name, rotate(pixels, h, w, degrees, fill))


if __name__ == "__main__":
    main()
