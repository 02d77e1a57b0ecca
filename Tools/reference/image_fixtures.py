#!/usr/bin/env python3
"""Image files and what PIL (the loader torchvision's ImageFolder uses) makes of them, for
Tests/NNImageTests: nnzoo must decode these files to the same pixels, convert channels with the same
arithmetic (convert("L"), convert("RGB")) and resize with the same bilinear filter (Image.resize).

Writes Tests/Fixtures/images/*.png, *.jpg and expected.json. Needs numpy and Pillow:
  python Tools/reference/image_fixtures.py
"""
import io
import json
import os
import struct
import zlib

import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "images")


def pattern(h, w, c, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(h, w, c) if c > 1 else (h, w), dtype=np.uint8)


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def adam7_png(pixels):
    """An interlaced (Adam7) 8-bit RGB PNG, written by hand (Pillow writes no interlaced PNGs)."""
    h, w, _ = pixels.shape
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    raw = b""
    for x0, y0, dx, dy in passes:
        sub = pixels[y0::dy, x0::dx]
        if sub.size == 0:
            continue
        for row in sub:
            raw += b"\x00" + row.tobytes()
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def save(name, image, **options):
    path = os.path.join(OUT, name)
    image.save(path, **options)
    return path


def main():
    os.makedirs(OUT, exist_ok=True)
    expected = {"generated_by": "Tools/reference/image_fixtures.py", "pillow": Image.__version__, "files": {}}
    files = expected["files"]

    def record(name, decoded, native_channels):
        arr = np.asarray(decoded, dtype=np.uint8)
        h, w = arr.shape[:2]
        files[name] = {"width": w, "height": h, "channels": native_channels, "pixels": arr.ravel().tolist()}

    rgb = pattern(5, 7, 3, 1)
    gray = pattern(5, 7, 1, 2)
    alpha = pattern(5, 7, 1, 3)
    save("gray.png", Image.fromarray(gray, "L"))
    record("gray.png", gray, 1)
    save("rgb.png", Image.fromarray(rgb, "RGB"))
    record("rgb.png", rgb, 3)
    rgba = np.dstack([rgb, alpha])
    save("rgba.png", Image.fromarray(rgba, "RGBA"))
    record("rgba.png", rgba, 4)
    ga = np.dstack([gray, alpha])
    save("gray-alpha.png", Image.fromarray(ga, "LA"))
    record("gray-alpha.png", ga, 2)
    palette = Image.fromarray(rgb, "RGB").quantize(colors=6)
    save("palette.png", palette)
    record("palette.png", np.asarray(palette.convert("RGB")), 3)
    save("palette-transparent.png", palette, transparency=2)
    record("palette-transparent.png", np.asarray(palette.convert("RGB")), 3)
    # 16-bit gray: nnzoo scales to 8 bits, v * 255 / 65535 rounded (PIL clips instead).
    gray16 = (pattern(5, 7, 1, 4).astype(np.uint16) * 257 + np.arange(35, dtype=np.uint16).reshape(5, 7) * 3)
    Image.fromarray(gray16).save(os.path.join(OUT, "gray16.png"))
    record("gray16.png", np.floor(gray16.astype(np.float64) * 255 / 65535 + 0.5).astype(np.uint8), 1)
    bilevel = Image.fromarray((gray > 127).astype(np.uint8) * 255, "L").convert("1")
    save("bilevel.png", bilevel)
    record("bilevel.png", np.asarray(bilevel.convert("L")), 1)
    with open(os.path.join(OUT, "interlaced.png"), "wb") as f:
        f.write(adam7_png(rgb))
    record("interlaced.png", rgb, 3)

    photo = np.clip(
        np.add.outer(np.arange(24) * 9, np.arange(32) * 6)[:, :, None] + np.array([0, 40, 90]), 0, 255
    ).astype(np.uint8)
    save("rgb.jpg", Image.fromarray(photo, "RGB"), quality=90)
    record("rgb.jpg", np.asarray(Image.open(os.path.join(OUT, "rgb.jpg"))), 3)
    save("progressive.jpg", Image.fromarray(photo, "RGB"), quality=85, progressive=True)
    record("progressive.jpg", np.asarray(Image.open(os.path.join(OUT, "progressive.jpg"))), 3)
    save("gray.jpg", Image.fromarray(photo[:, :, 1], "L"), quality=90)
    record("gray.jpg", np.asarray(Image.open(os.path.join(OUT, "gray.jpg"))), 1)
    save("cmyk.jpg", Image.fromarray(photo, "RGB").convert("CMYK"))

    # Channel conversions as PIL does them.
    conversions = {}
    for name in ["rgb.png", "rgba.png", "gray.png", "gray-alpha.png", "palette.png", "rgb.jpg"]:
        image = Image.open(os.path.join(OUT, name))
        conversions[name] = {
            "L": np.asarray(image.convert("L")).ravel().tolist(),
            "RGB": np.asarray(image.convert("RGB")).transpose(2, 0, 1).ravel().tolist(),
        }
    expected["conversions"] = conversions

    # Bilinear resizes (PIL's Image.resize, as torchvision's Resize on PIL images).
    big_rgb = pattern(19, 27, 3, 5)
    big_gray = pattern(19, 27, 1, 6)
    Image.fromarray(big_rgb, "RGB").save(os.path.join(OUT, "big-rgb.png"))
    Image.fromarray(big_gray, "L").save(os.path.join(OUT, "big-gray.png"))
    resizes = []
    for name, mode in [("big-rgb.png", "RGB"), ("big-gray.png", "L")]:
        image = Image.open(os.path.join(OUT, name)).convert(mode)
        for h, w in [(19, 27), (12, 20), (5, 4), (40, 31), (19, 8), (30, 27), (1, 1)]:
            out = np.asarray(image.resize((w, h), Image.BILINEAR))
            planes = out.transpose(2, 0, 1) if out.ndim == 3 else out[None]
            resizes.append({"file": name, "height": h, "width": w, "pixels": planes.ravel().tolist()})
    expected["resizes"] = resizes

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
