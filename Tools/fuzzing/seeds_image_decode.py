"""Seeds for the `image-decode` fuzz target: the PNG and JPEG test fixtures (gray, RGB, alpha,
palette, 16-bit, 1-bit, interlaced; baseline, progressive and CMYK JPEG), and the png-read seeds."""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_seeds  # noqa: E402


def make(out, shared, root):
    fixtures = os.path.join(root, "Tests", "Fixtures", "images")
    for name in sorted(os.listdir(fixtures)):
        if name.endswith((".png", ".jpg")) and os.path.getsize(os.path.join(fixtures, name)) <= 16384:
            shutil.copy(os.path.join(fixtures, name), os.path.join(out, name))
    make_seeds.seeds_png(out, shared, root)
