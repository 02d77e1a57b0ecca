"""torchvision's ImageFolder with a DataLoader, iterated once over train/ and test/ of an image folder:
the reference for `nnbench folder-load` (issue 15). Each image is opened with PIL and converted to gray
("L"), as nnzoo decodes a folder of gray PNGs, then ToTensor; batches of 256; --threads DataLoader worker
processes (none for 1) and torch threads. Prints one JSON line: {"seconds": ..., "images": ...}, the
time of building the datasets and iterating (interpreter start and imports not counted).

    python Tools/bench/reference/torch_imagefolder.py FOLDER --threads 2
"""
import argparse
import json
import os
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=256)
    args = parser.parse_args()

    import torch
    from PIL import Image
    from torchvision import datasets, transforms

    torch.set_num_threads(args.threads)

    def gray(path):
        with open(path, "rb") as f:
            return Image.open(f).convert("L")

    start = time.perf_counter()
    images = 0
    for split in ("train", "test"):
        dataset = datasets.ImageFolder(
            os.path.join(args.folder, split), transform=transforms.ToTensor(), loader=gray)
        loader = torch.utils.data.DataLoader(
            dataset, batch_size=args.batch_size, num_workers=args.threads if args.threads > 1 else 0)
        for batch, _ in loader:
            images += batch.shape[0]
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "images": images}))


if __name__ == "__main__":
    main()
